"""EA-based macro-partitioning explorer (paper Alg. 2, spec Section 4), evolving for real.

The reference builds mutated children and throws them away, so it returns the best of 40
random genes (spec A1). Here children join the population:

* **Initial population** as spec 4.3 (no sharing).
* **Children:** every population member yields one mutated child per generation:
  with probability ``count_mutation_prob`` a count mutation (unified: mutate-unified-num,
  a new macro size for the gene; specified: mutate-specified-num on each position with
  probability 1/G, at least one), and, when ``macro_reuse`` is on, with probability
  ``share_mutation_prob`` mutate-share at one uniformly chosen position. A child equal to
  its parent gets one more count mutation. The reference applies mutate-num to each
  position with probability 0.6, which redraws most of the gene and turns the search into
  random sampling; one position at a time lets good genes be refined.
* **Validation** repairs instead of asserting (spec A9): see
  :func:`~pimsyn.search.partition_mutation.repair_gene`.
* **Selection (mu + lambda, elitist):** parents and children are merged (identical genes
  once, children first so that equal fitness lets the population drift off plateaus), the
  best ``ceil(elite_ratio * population)`` survive, and the remaining places go to binary
  tournaments among the rest. The best fitness never decreases.
* **Memo:** fitness is cached by gene; ``evaluations`` counts real calls.
* **Stop** after ``generations * effort`` generations, or earlier when the best has not
  improved for ``patience`` generations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pimsyn.search.gene import encode_gene, gene_key
from pimsyn.search.partition_mutation import (
    initial_gene,
    mutate_share,
    mutate_specified_count,
    mutate_unified_count,
    repair_gene,
)
from pimsyn.search.partition_space import MacroSizeRange, PartitionError, PartitionProblem

FitnessFunction = Callable[[np.ndarray, np.ndarray], float]

__all__ = [
    "FitnessFunction",
    "MacroSizeRange",
    "PartitionError",
    "PartitionProblem",
    "PartitionResult",
    "evolve_partition",
]


@dataclass(frozen=True)
class PartitionResult:
    """Best gene found, its fitness, the real fitness calls and the best per generation
    (``history[0]`` is the initial population's best)."""

    macros: np.ndarray
    partners: np.ndarray
    fitness: float
    evaluations: int
    history: list[float]
    generations: int

    @property
    def encoded(self) -> list[int]:
        """The reference's ``1000 * owner + count`` form (spec 4.1)."""
        return encode_gene(self.macros, self.partners)


class _Evaluator:
    """Fitness with a memo keyed by gene; non-finite values count as the worst."""

    def __init__(self, fitness: FitnessFunction) -> None:
        self._fitness = fitness
        self._memo: dict[bytes, float] = {}
        self.evaluations = 0

    def __call__(self, macros: np.ndarray, partners: np.ndarray) -> float:
        key = gene_key(macros, partners)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        macros_view, partners_view = macros.copy(), partners.copy()
        macros_view.setflags(write=False)
        partners_view.setflags(write=False)
        value = float(self._fitness(macros_view, partners_view))
        if math.isnan(value):
            value = -math.inf
        self.evaluations += 1
        self._memo[key] = value
        return value


def _mutate(
    problem: PartitionProblem,
    macros: np.ndarray,
    partners: np.ndarray,
    rng: np.random.Generator,
    count_mutation_prob: float,
    share_mutation_prob: float,
) -> tuple[np.ndarray, np.ndarray]:
    layers = problem.layers

    def count_mutation(current: np.ndarray, pairing: np.ndarray) -> np.ndarray:
        if problem.mode == "unified":
            return mutate_unified_count(problem, current, pairing, rng)
        positions = np.flatnonzero(rng.random(layers) < 1.0 / layers)
        if positions.size == 0:
            positions = np.array([rng.integers(layers)])
        for position in positions.tolist():
            current = mutate_specified_count(problem, current, pairing, position, rng)
        return current

    child_macros, child_partners = macros, partners
    if rng.random() < count_mutation_prob:
        child_macros = count_mutation(child_macros, child_partners)
    if problem.macro_reuse and rng.random() < share_mutation_prob:
        child_partners = mutate_share(problem, child_macros, child_partners, int(rng.integers(layers)), rng)
    if np.array_equal(child_macros, macros) and np.array_equal(child_partners, partners):
        child_macros = count_mutation(child_macros, child_partners)
    return repair_gene(problem, child_macros, child_partners)


def _select(
    pool: list[tuple[np.ndarray, np.ndarray, float]], size: int, elite_ratio: float, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Elitist survivors: the best ceil(elite_ratio * size), then binary tournaments."""
    ranked = sorted(range(len(pool)), key=lambda k: -pool[k][2])  # stable: earlier wins ties
    elites = min(len(ranked), math.ceil(elite_ratio * size))
    survivors = ranked[:elites]
    rest = ranked[elites:]
    while len(survivors) < size and rest:
        if len(rest) == 1:
            survivors.append(rest.pop())
            break
        first, second = rng.choice(len(rest), size=2, replace=False).tolist()
        winner = min(first, second)  # ``rest`` is sorted best first
        survivors.append(rest.pop(winner))
    return [pool[k] for k in survivors]


def evolve_partition(
    problem: PartitionProblem,
    fitness: FitnessFunction,
    *,
    rng: np.random.Generator,
    population: int = 40,
    elite_ratio: float = 0.7,
    generations: int = 200,
    count_mutation_prob: float = 0.7,
    share_mutation_prob: float = 0.4,
    patience: int | None = None,
    effort: float = 1.0,
    initial: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> PartitionResult:
    """Search macro counts (and sharing pairs when ``problem.macro_reuse``) maximising
    ``fitness(macros, partners)`` (higher is better, 0 = infeasible; arrays are read-only
    copies). Defaults are config.json's EA section (gene_num, elite_ratio, max_iter,
    macro_num_mutate_prob, macro_sharing_mutate_prob). ``effort`` scales ``generations``.
    ``initial`` genes (e.g. a known good one) are repaired and placed in the initial
    population before the random ones (at most ``population`` in all)."""
    if population < 1 or generations < 0 or effort <= 0:
        raise PartitionError("the EA needs population >= 1, generations >= 0 and effort > 0")
    if not 0.0 <= elite_ratio <= 1.0:
        raise PartitionError(f"elite_ratio must be in [0, 1], got {elite_ratio}")
    if patience is not None and patience < 1:
        raise PartitionError(f"patience must be >= 1, got {patience}")
    evaluate = _Evaluator(fitness)
    members: list[tuple[np.ndarray, np.ndarray, float]] = []
    for macros, partners in (initial or [])[:population]:
        macros, partners = repair_gene(problem, macros, partners)
        members.append((macros, partners, evaluate(macros, partners)))
    while len(members) < population:
        macros, partners = initial_gene(problem, rng)
        members.append((macros, partners, evaluate(macros, partners)))
    best = max(members, key=lambda member: member[2])  # first of the maxima
    history = [best[2]]
    stale = 0
    generation = 0
    for generation in range(1, max(0, round(generations * effort)) + 1):
        children = []
        for macros, partners, _ in members:
            child_macros, child_partners = _mutate(
                problem, macros, partners, rng, count_mutation_prob, share_mutation_prob
            )
            children.append((child_macros, child_partners, evaluate(child_macros, child_partners)))
        pool: list[tuple[np.ndarray, np.ndarray, float]] = []
        seen: set[bytes] = set()
        for member in children + members:
            key = gene_key(member[0], member[1])
            if key not in seen:
                seen.add(key)
                pool.append(member)
        members = _select(pool, population, elite_ratio, rng)
        if members[0][2] > best[2]:
            best = members[0]
            stale = 0
        else:
            stale += 1
        history.append(best[2])
        if patience is not None and stale >= patience:
            break
    return PartitionResult(
        macros=best[0].copy(),
        partners=best[1].copy(),
        fitness=best[2],
        evaluations=evaluate.evaluations,
        history=history,
        generations=generation,
    )
