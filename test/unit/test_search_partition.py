"""EA macro partitioner: spec 8.1 mutation space, gene invariants, and that it evolves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pimsyn.frontend.network_json import load_network_json
from pimsyn.search.gene import encode_gene, gene_key
from pimsyn.search.partition import _mutate, evolve_partition
from pimsyn.search.partition_mutation import gene_problems, initial_gene, repair_gene
from pimsyn.search.partition_space import MacroSizeRange, PartitionError, PartitionProblem, specified_choices

NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"
DESIGN_A = [110, 26, 6, 7, 6]  # spec 8.3


@pytest.fixture(scope="module")
def alexnet():
    return load_network_json(NETWORKS / "alexnet.json")


def test_alexnet_unified_space_matches_spec_8_1(alexnet):
    problem = PartitionProblem.from_network(alexnet, DESIGN_A, 256, 8, mode="unified")
    assert problem.limits.tolist() == [220, 182, 42, 98, 54, 36, 16, 16]
    assert problem.column_crossbars.tolist() == [8, 8, 16, 8, 8, 128, 128, 32]
    assert problem.macro_sizes.tolist() == list(range(128, 513, 32))
    counts = problem.unified_counts(160)
    assert encode_gene(counts, np.full(8, -1)) == [1011, 2010, 3005, 4005, 5003, 6018, 7008, 8004]


def test_specified_choices_are_products_of_divisors_below_1000():
    assert specified_choices(7, 26).tolist() == [1, 2, 7, 13, 14, 26, 91, 182]
    choices = specified_choices(36, 60)
    assert choices.max() == 720  # 12 * 60; 18 * 60 = 1080 and 36 * 60 = 2160 do not fit the encoding
    assert 1080 not in choices and 2160 not in choices
    assert specified_choices(1, 1).tolist() == [1]


def test_space_is_rebuilt_per_candidate(alexnet):
    # Spec A2: the reference keeps the first candidate's limits; ours follow the candidate.
    first = PartitionProblem.from_network(alexnet, [110, 26, 6, 7, 6], 256, 8)
    second = PartitionProblem.from_network(alexnet, [119, 26, 6, 6, 6], 256, 8)
    assert first.limits[0] == 220 and second.limits[0] == 238


def test_bad_inputs_raise_partition_error(alexnet):
    with pytest.raises(PartitionError, match="5 conv layers"):
        PartitionProblem.from_network(alexnet, [1, 2, 3], 256, 8)
    with pytest.raises(PartitionError, match="range is empty"):
        PartitionProblem([1], [1], [640], mode="unified", sizes=MacroSizeRange(32, 512, 32))
    with pytest.raises(PartitionError, match="macro setting"):
        PartitionProblem([1], [1], [8], mode="both")


@st.composite
def partition_problems(draw):
    layers = draw(st.integers(1, 8))
    return PartitionProblem(
        duplication=draw(st.lists(st.integers(1, 200), min_size=layers, max_size=layers)),
        row_tiles=draw(st.lists(st.integers(1, 40), min_size=layers, max_size=layers)),
        column_crossbars=draw(st.lists(st.sampled_from([1, 2, 8, 16, 64, 128]), min_size=layers, max_size=layers)),
        mode=draw(st.sampled_from(["specified", "unified"])),
        macro_reuse=draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None)
@given(partition_problems(), st.integers(0, 2**31 - 1))
def test_initial_genes_and_mutations_stay_valid(problem, seed):
    rng = np.random.default_rng(seed)
    macros, partners = initial_gene(problem, rng)
    assert gene_problems(problem, macros, partners) == []
    assert np.all(partners == -1)
    for _ in range(30):
        macros, partners = _mutate(problem, macros, partners, rng, 0.7, 0.4)
        assert gene_problems(problem, macros, partners) == []
        assert np.all(macros <= problem.limits)
        for i, partner in enumerate(partners.tolist()):
            if partner >= 0:  # pairs only, within both limits
                assert partners[partner] == i
                assert macros[i] + macros[partner] <= min(problem.limits[i], problem.limits[partner])
        encode_gene(macros, partners)  # always representable in the reference form


def test_repair_dissolves_overfull_pairs_and_clamps_counts():
    problem = PartitionProblem([4, 2, 1], [3, 3, 3], [8, 8, 8], macro_reuse=True)  # limits 12, 6, 3
    macros, partners = repair_gene(problem, np.array([20, 4, 2]), np.array([1, 0, -1]))
    assert macros.tolist() == [12, 3, 1]  # clamped to 12, then snapped into {1, 2, 3, 6} and {1, 3}
    assert partners.tolist() == [-1, -1, -1]  # 12 + 3 > min(12, 6)
    macros, partners = repair_gene(problem, np.array([2, 3, 1]), np.array([1, 0, 0]))
    assert partners.tolist() == [1, 0, -1]  # a one-sided link is dropped, the pair kept
    no_reuse = PartitionProblem([4, 2], [3, 3], [8, 8])
    assert repair_gene(no_reuse, np.array([2, 3]), np.array([1, 0]))[1].tolist() == [-1, -1]


def _target_problem() -> tuple[PartitionProblem, np.ndarray]:
    problem = PartitionProblem(
        duplication=[110, 26, 6, 7, 6, 1, 1, 1], row_tiles=[2, 7, 7, 14, 9, 36, 16, 16], column_crossbars=[8] * 8
    )
    target = np.array([choices[len(choices) // 2] for choices in problem.choices])
    return problem, target


def test_ea_finds_known_optimum_and_improves_monotonically():
    problem, target = _target_problem()

    def fitness(macros: np.ndarray, partners: np.ndarray) -> float:
        return 100.0 - float(np.abs(np.log(macros) - np.log(target)).sum())

    result = evolve_partition(problem, fitness, rng=np.random.default_rng(1))
    assert result.macros.tolist() == target.tolist()
    assert result.fitness == 100.0
    assert all(later >= earlier for earlier, later in zip(result.history, result.history[1:]))
    # The reference returns the best of its 40 initial genes (A1): history[0]. We go beyond.
    assert result.history[-1] > result.history[0]
    assert len(result.history) == result.generations + 1


def test_unified_ea_finds_best_macro_size():
    problem = PartitionProblem([110, 26, 6, 7, 6, 1, 1, 1], [2, 7, 7, 14, 9, 36, 16, 16], [8, 8, 16, 8, 8, 128, 128, 32], mode="unified")
    best = problem.unified_counts(416)

    def fitness(macros: np.ndarray, partners: np.ndarray) -> float:
        return 1.0 / (1.0 + float(np.abs(macros - best).sum()))

    result = evolve_partition(problem, fitness, rng=np.random.default_rng(4), population=8, generations=40)
    assert result.macros.tolist() == best.tolist() and result.fitness == 1.0


def test_sharing_is_found_when_it_helps_and_never_used_when_off():
    problem, target = _target_problem()
    shared_problem = PartitionProblem(problem.duplication, problem.row_tiles, problem.column_crossbars, macro_reuse=True)

    def fitness(macros: np.ndarray, partners: np.ndarray) -> float:
        # Pairing layer 5 with 6 (the two big FCs) is the only thing that pays.
        return 1.0 + (1.0 if partners[5] == 6 else 0.0) - 0.01 * float(np.count_nonzero(partners >= 0))

    result = evolve_partition(shared_problem, fitness, rng=np.random.default_rng(0), generations=60)
    assert result.partners[5] == 6 and result.partners[6] == 5
    assert result.fitness == pytest.approx(1.98)
    plain = evolve_partition(problem, fitness, rng=np.random.default_rng(0), generations=20)
    assert np.all(plain.partners == -1)


def test_fitness_is_memoised_and_gets_read_only_arrays():
    problem, _ = _target_problem()
    calls: list[bytes] = []

    def fitness(macros: np.ndarray, partners: np.ndarray) -> float:
        with pytest.raises(ValueError):
            macros[0] = 5
        calls.append(gene_key(macros, partners))
        return float(macros.sum() % 17)

    result = evolve_partition(problem, fitness, rng=np.random.default_rng(2), generations=30)
    assert result.evaluations == len(calls) == len(set(calls))
    assert result.evaluations < 40 * 31  # repeated children were not re-evaluated


def test_patience_and_effort_bound_the_run():
    problem, _ = _target_problem()
    flat = evolve_partition(problem, lambda m, p: 1.0, rng=np.random.default_rng(0), patience=5)
    assert flat.generations == 5 and len(flat.history) == 6
    short = evolve_partition(problem, lambda m, p: float(m.sum()), rng=np.random.default_rng(0), effort=0.1)
    assert short.generations == 20


def test_nan_fitness_never_wins():
    problem, _ = _target_problem()
    result = evolve_partition(
        problem, lambda m, p: float("nan") if m[0] == 1 else 1.0, rng=np.random.default_rng(0), generations=5
    )
    assert result.macros[0] != 1 and result.fitness == 1.0


def test_ea_is_deterministic_per_seed():
    problem, _ = _target_problem()

    def fitness(macros: np.ndarray, partners: np.ndarray) -> float:
        return float((macros * np.arange(1, 9)).sum() % 101)

    def run(seed: int):
        result = evolve_partition(problem, fitness, rng=np.random.default_rng(seed), generations=15)
        return result.encoded, result.evaluations, result.history

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_repair_snaps_specified_counts_to_the_space():
    problem = PartitionProblem([26], [7], [8])  # space [1, 2, 7, 13, 14, 26, 91, 182]
    assert repair_gene(problem, np.array([90]), np.array([-1]))[0].tolist() == [26]
    assert repair_gene(problem, np.array([500]), np.array([-1]))[0].tolist() == [182]


def test_initial_genes_seed_the_population():
    problem, target = _target_problem()
    seen: list[list[int]] = []

    def fitness(macros: np.ndarray, partners: np.ndarray) -> float:
        seen.append(macros.tolist())
        return 2.0 if macros.tolist() == target.tolist() else 1.0

    result = evolve_partition(
        problem, fitness, rng=np.random.default_rng(0), generations=0, initial=[(target, np.full(8, -1))]
    )
    assert seen[0] == target.tolist() and result.fitness == 2.0 and result.generations == 0


def _fake_cost_network():
    from types import SimpleNamespace

    # AlexNet at S = 256, rho = 2 (R = 8), cost layers in network order (spec 8.1 table).
    return SimpleNamespace(
        name="alexnet",
        xbar_size=256,
        weight_slices=8,
        names=tuple(f"layer{i}" for i in range(12)),
        pixels=np.array([3025, 729, 729, 169, 169, 169, 169, 36, 36, 1, 1, 1]),
        in_len=np.array([363, 0, 1600, 0, 1728, 3456, 2304, 0, 0, 9216, 4096, 4096]),
        channels=np.array([64, 64, 192, 192, 384, 256, 256, 256, 256, 4096, 4096, 1000]),
        row_tiles=np.array([2, 0, 7, 0, 7, 14, 9, 0, 0, 36, 16, 16]),
        col_tiles=np.array([1, 0, 1, 0, 2, 1, 1, 0, 0, 16, 16, 4]),
        conv_layers=np.array([0, 2, 4, 5, 6]),
        fc_layers=np.array([9, 10, 11]),
        gene_layers=np.array([0, 2, 4, 5, 6, 9, 10, 11]),
    )


def test_problems_from_a_cost_network(alexnet):
    from pimsyn.search.duplication_problem import DuplicationProblem

    cnet = _fake_cost_network()
    duplication = DuplicationProblem.from_cost_network(cnet)
    assert duplication.set_sizes.tolist() == [16, 56, 112, 112, 72]
    assert duplication.layer_names == ("layer0", "layer2", "layer4", "layer5", "layer6")
    partition = PartitionProblem.from_cost_network(cnet, DESIGN_A, mode="unified")
    expected = PartitionProblem.from_network(alexnet, DESIGN_A, 256, 8, mode="unified")
    assert partition.limits.tolist() == expected.limits.tolist()
    assert partition.column_crossbars.tolist() == expected.column_crossbars.tolist()
    with pytest.raises(PartitionError, match="5 conv layers"):
        PartitionProblem.from_cost_network(cnet, [1, 2])
