"""Searches of the DSE: the SA weight-duplication filter (+ baselines) and the EA macro
partitioner (paper Sec. IV-A2 and IV-C2; spec Sections 3 and 4). Both take plain numpy
arrays, an explicit ``numpy.random.Generator`` and, for the EA, a fitness callback."""

from pimsyn.search.duplication import SAResult, initial_seed, run_sa, sa_filter, temperature_schedule
from pimsyn.search.duplication_baselines import no_duplication, uniform_duplication, woho_duplication
from pimsyn.search.duplication_energy import computation_energy, eq4_energy, ordering_ok, sa_energy
from pimsyn.search.duplication_problem import (
    DuplicationError,
    DuplicationProblem,
    check_budget,
)
from pimsyn.search.gene import GeneError, decode_gene, encode_gene
from pimsyn.search.partition import PartitionResult, evolve_partition
from pimsyn.search.partition_space import MacroSizeRange, PartitionError, PartitionProblem

__all__ = [
    "DuplicationError",
    "DuplicationProblem",
    "GeneError",
    "MacroSizeRange",
    "PartitionError",
    "PartitionProblem",
    "PartitionResult",
    "SAResult",
    "check_budget",
    "computation_energy",
    "decode_gene",
    "encode_gene",
    "eq4_energy",
    "evolve_partition",
    "initial_seed",
    "no_duplication",
    "ordering_ok",
    "run_sa",
    "sa_energy",
    "sa_filter",
    "temperature_schedule",
    "uniform_duplication",
    "woho_duplication",
]
