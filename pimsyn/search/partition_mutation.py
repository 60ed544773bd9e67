"""Gene operators of the partition EA: initial genes, the three mutations, and validation.

Operators follow spec 4.3/4.4 (paper Sec. IV-C2 *mutate_num* and *mutate_share*) with the
reference's crash paths turned into no-ops (spec A9): an empty choice list leaves the gene
as it is instead of raising. Every operator works on copies and returns a valid gene.
"""

from __future__ import annotations

import numpy as np

from pimsyn.search.gene import NO_PARTNER, GeneError, check_pairing
from pimsyn.search.partition_space import PartitionProblem


def initial_gene(problem: PartitionProblem, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Spec 4.3: specified, a uniform choice from each space_i; unified, one macro size M
    for the whole gene and c_i = ceil(limit_i / ceil(M / mini_i)). No sharing."""
    partners = np.full(problem.layers, NO_PARTNER, dtype=np.int64)
    if problem.mode == "unified":
        macro_size = int(rng.choice(problem.macro_sizes))
        return problem.unified_counts(macro_size), partners
    macros = np.array([int(rng.choice(choices)) for choices in problem.choices], dtype=np.int64)
    return macros, partners


def mutate_unified_count(
    problem: PartitionProblem, macros: np.ndarray, partners: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Spec 4.4 mutate-unified-num: draw a new macro size M, at least the size that keeps
    every pair's crossbars (mini_i * (c_i + c_p) / c_i, truncated) in one macro, and
    recompute all counts from it. No admissible size: the counts stay as they are."""
    smallest = problem.smallest_macro_size
    floor_size = smallest
    for i, p in enumerate(partners.tolist()):
        if p > i:
            total = macros[i] + macros[p]
            floor_size = max(
                floor_size,
                int(problem.column_crossbars[i] * (total / macros[i])),
                int(problem.column_crossbars[p] * (total / macros[p])),
            )
    stride = problem.sizes.stride
    start = -(-(floor_size - smallest) // stride)
    admissible = problem.macro_sizes[start:]
    if admissible.size == 0:
        return macros.copy()
    return problem.unified_counts(int(rng.choice(admissible)))


def mutate_specified_count(
    problem: PartitionProblem, macros: np.ndarray, partners: np.ndarray, layer: int, rng: np.random.Generator
) -> np.ndarray:
    """Spec 4.4 mutate-specified-num(i): a new count from space_i, capped for a paired layer
    at min(limit_i, limit_p) - c_p; we skip the current value so the move changes something.
    Nothing admissible: unchanged."""
    choices = problem.choices[layer]
    partner = int(partners[layer])
    if partner != NO_PARTNER:
        choices = choices[choices <= problem.pair_cap(layer, partner) - macros[partner]]
    choices = choices[choices != macros[layer]]
    result = macros.copy()
    if choices.size:
        result[layer] = int(rng.choice(choices))
    return result


def mutate_share(
    problem: PartitionProblem, macros: np.ndarray, partners: np.ndarray, layer: int, rng: np.random.Generator
) -> np.ndarray:
    """Spec 4.4 mutate-share(i): a paired layer and its partner become unshared; an unpaired
    layer pairs with a uniformly chosen unpaired layer x whose counts fit both limits
    (c_x + c_i <= min(limit_i, limit_x)). No candidate: unchanged."""
    result = partners.copy()
    partner = int(partners[layer])
    if partner != NO_PARTNER:
        result[layer] = NO_PARTNER
        result[partner] = NO_PARTNER
        return result
    free = np.flatnonzero(partners == NO_PARTNER)
    free = free[free != layer]
    fits = macros[free] + macros[layer] <= np.minimum(problem.limits[free], problem.limits[layer])
    candidates = free[fits]
    if candidates.size:
        chosen = int(rng.choice(candidates))
        result[layer] = chosen
        result[chosen] = layer
    return result


def gene_problems(problem: PartitionProblem, macros: np.ndarray, partners: np.ndarray) -> list[str]:
    """Everything that makes a gene invalid for ``problem`` (empty list = valid)."""
    issues: list[str] = []
    macros = np.asarray(macros, dtype=np.int64)
    partners = np.asarray(partners, dtype=np.int64)
    if macros.shape != (problem.layers,) or partners.shape != (problem.layers,):
        return [f"gene must have {problem.layers} entries"]
    try:
        check_pairing(partners)
    except GeneError as error:
        issues.append(str(error))
        return issues
    if not problem.macro_reuse and np.any(partners != NO_PARTNER):
        issues.append("macro sharing is off but the gene pairs layers")
    for i, count in enumerate(macros.tolist()):
        if count < 1 or count > problem.limits[i]:
            issues.append(f"layer {i}: {count} macros outside 1..{int(problem.limits[i])}")
        if problem.mode == "specified" and count not in problem.choices[i]:
            issues.append(f"layer {i}: {count} macros is not a product of divisors of in_len and d")
        partner = int(partners[i])
        if partner > i and macros[i] + macros[partner] > problem.pair_cap(i, partner):
            issues.append(f"pair ({i}, {partner}): {macros[i] + macros[partner]} macros exceed both limits")
    return issues


def repair_gene(problem: PartitionProblem, macros: np.ndarray, partners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make a gene valid instead of asserting (spec 4.4 validation, A9): counts clamped into
    1..limit_i (specified mode: down to the nearest choice of space_i), broken or over-full
    pairs dissolved, sharing dropped when reuse is off."""
    macros = np.clip(np.asarray(macros, dtype=np.int64), 1, problem.limits).astype(np.int64)
    if problem.mode == "specified":
        for i, choices in enumerate(problem.choices):
            if macros[i] not in choices:
                macros[i] = choices[np.searchsorted(choices, macros[i], side="right") - 1]
    partners = np.asarray(partners, dtype=np.int64).copy()
    if not problem.macro_reuse:
        partners[:] = NO_PARTNER
        return macros, partners
    for i, partner in enumerate(partners.tolist()):
        if partner == NO_PARTNER:
            continue
        broken = not 0 <= partner < problem.layers or partner == i or partners[partner] != i
        if broken or macros[i] + macros[partner] > problem.pair_cap(i, partner):
            partners[i] = NO_PARTNER
            if 0 <= partner < problem.layers and partners[partner] == i:
                partners[partner] = NO_PARTNER
    return macros, partners
