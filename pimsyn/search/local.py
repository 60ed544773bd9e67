"""Local refinement of a design point: a seeded hill-climb over conv duplication, macro
counts and sharing pairs (iterated: a local optimum is kicked and climbed again).

A point is (D, macros, partners): the conv duplication vector (conv order) and a gene of
the partition EA (gene order: convs, then FCs). Neighbours of a point:

* **macro count** of gene layer i one step up or down its count space (specified mode: the
  next product of divisors, spec 4.2; unified mode: every admissible macro size);
* **duplication** of conv i to the next value with one computation block fewer (up, if the
  conv crossbar budget N still holds) or one more (down); an up move that does not fit
  alone is paired with a down move of another conv (a swap). The layer's macro count is
  kept or scaled with D, then the gene is repaired for the new duplication (the EA's
  ``repair_gene``: counts snapped into the new space, over-full pairs dissolved);
* **sharing** (when ``macro_reuse``): dissolve a pair, or pair two unpaired layers whose
  counts fit both limits.

At a local optimum of these single moves, *compound* moves come before a kick: a
re-pairing (`sharing_moves`) or a duplication move (`duplication_moves`, including
rebalancing to a `balanced_duplication` with more or fewer crossbars), each followed by a
descent over the macro counts (`descend_macros`). A duplication move changes the count
spaces, so it rarely improves until the counts follow it.

The climb takes the first improving neighbour in a seeded random order (the last
successful move first), so a trajectory depends only on the seed and the start; a budget
only truncates it. That makes a longer run never worse than a shorter one with the same
seed. Every point is feasible by construction (budget, count spaces, pairing), and the
result is never worse than the start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pimsyn.search.cache import BudgetExhausted, PointCache
from pimsyn.search.gene import NO_PARTNER
from pimsyn.search.partition_mutation import repair_gene
from pimsyn.search.partition_space import PartitionProblem

#: key of a point: (D, macros, partners) as tuples of ints
PointKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
LocalFitness = Callable[[tuple[int, ...], np.ndarray, np.ndarray], float]

#: consecutive kicks that find nothing new before the climb gives up
MAX_IDLE_KICKS = 20


@dataclass(frozen=True)
class LocalSpace:
    """What a local search may change. ``set_sizes`` / ``pixels``: crossbars per duplicate
    and output pixels of each conv; ``conv_budget``: crossbars the convs may use (Eq. 3);
    ``problem_for(D)``: the partition space of duplication D (cached here);
    ``vary_duplication``: False keeps D fixed (macro counts and sharing only)."""

    set_sizes: tuple[int, ...]
    pixels: tuple[int, ...]
    conv_budget: int
    problem_for: Callable[[tuple[int, ...]], PartitionProblem]
    vary_duplication: bool = True
    macro_steps: int = 1  # a count moves up to this many places in its space
    dup_steps: int = 1  # a duplication moves up to this many computation blocks

    def __post_init__(self) -> None:
        object.__setattr__(self, "_problems", {})

    def problem(self, dup: tuple[int, ...]) -> PartitionProblem:
        problems = self._problems  # type: ignore[attr-defined]
        if dup not in problems:
            if len(problems) > 256:
                problems.clear()
            problems[dup] = self.problem_for(dup)
        return problems[dup]

    def used(self, dup: tuple[int, ...]) -> int:
        return sum(d * s for d, s in zip(dup, self.set_sizes))

    def repair(self, dup, macros, partners) -> PointKey:
        """The point made valid for its duplication's space (the EA's repair)."""
        dup = tuple(int(d) for d in dup)
        m, p = repair_gene(self.problem(dup), np.asarray(macros, dtype=np.int64), np.asarray(partners, dtype=np.int64))
        return dup, tuple(int(x) for x in m), tuple(int(x) for x in p)


@dataclass(frozen=True)
class LocalResult:
    """Best point found, its fitness, real evaluations, improving steps, kicks, and the
    memo (key -> fitness, most recent last) to hand to a continuation."""

    point: PointKey
    fitness: float
    evaluations: int
    steps: int
    kicks: int
    memo: list[tuple[PointKey, float]]


def _blocks(pixels: int, dup: int) -> int:
    return -(-pixels // dup)


def _dup_up(pixels: int, dup: int, steps: int = 1) -> int | None:
    """Smallest D' > D with `steps` computation blocks fewer (None: not that many left)."""
    blocks = _blocks(pixels, dup)
    return None if blocks <= steps else -(-pixels // (blocks - steps))


def _dup_down(pixels: int, dup: int, steps: int = 1) -> int | None:
    """Smallest D' < D with `steps` more blocks than D, or D - 1 (None: D = 1)."""
    if dup <= 1:
        return None
    lower = -(-pixels // (_blocks(pixels, dup) + steps))
    return lower if lower < dup and _blocks(pixels, lower) > _blocks(pixels, dup) else dup - 1


def _nearest_choice(problem: PartitionProblem, layer: int, target: float) -> int:
    if problem.mode == "unified":
        return int(target)
    choices = problem.choices[layer]
    return int(choices[int(np.argmin(np.abs(choices - target)))])


def neighbours(space: LocalSpace, point: PointKey) -> list[tuple[tuple, PointKey]]:
    """Every (move id, neighbour) of ``point``, in a fixed order, each valid and distinct
    from ``point``."""
    dup, macros, partners = point
    problem = space.problem(dup)
    out: list[tuple[tuple, PointKey]] = []
    m = np.asarray(macros, dtype=np.int64)
    p = np.asarray(partners, dtype=np.int64)

    if problem.mode == "unified":
        for size in problem.macro_sizes.tolist():
            counts = problem.unified_counts(int(size))
            out.append((("u", int(size)), space.repair(dup, counts, p)))
    else:
        for i in range(problem.layers):
            choices = problem.choices[i]
            k = int(np.searchsorted(choices, m[i]))
            for step in [s for j in range(1, space.macro_steps + 1) for s in (j, -j)]:
                if 0 <= k + step < choices.size:
                    value = int(choices[k + step])
                    if p[i] != NO_PARTNER and value + m[p[i]] > problem.pair_cap(i, int(p[i])):
                        continue
                    new = m.copy()
                    new[i] = value
                    out.append((("m", i, step), space.repair(dup, new, p)))

    if space.vary_duplication:
        used = space.used(dup)
        downs = {c: _dup_down(space.pixels[c], dup[c]) for c in range(len(dup))}
        targets = [(c, "up", _dup_up(space.pixels[c], dup[c], k)) for k in range(1, space.dup_steps + 1)
                   for c in range(len(dup))]
        targets += [(c, "down", _dup_down(space.pixels[c], dup[c], k)) for k in range(1, space.dup_steps + 1)
                    for c in range(len(dup))]
        # one duplicate more or less: often the same blocks, but other divisors of D, i.e.
        # other macro counts (spec 4.2)
        targets += [(c, "up", dup[c] + 1) for c in range(len(dup)) if dup[c] < space.pixels[c]]
        targets += [(c, "down", dup[c] - 1) for c in range(len(dup)) if dup[c] > 1]

        def changed(new_dup: tuple[int, ...], convs: tuple[int, ...]) -> list[tuple[str, PointKey]]:
            variants = []
            new_problem = space.problem(new_dup)
            for variant in ("keep", "scale"):
                counts = m.copy()
                if variant == "scale" and new_problem.mode != "unified":
                    for c in convs:
                        counts[c] = _nearest_choice(new_problem, c, m[c] * new_dup[c] / dup[c])
                variants.append((variant, space.repair(new_dup, counts, p)))
            return variants

        tried: set[tuple[int, int]] = set()
        for c, direction, target in targets:
            if target is None or target == dup[c] or (c, target) in tried:
                continue
            tried.add((c, target))
            new_dup = dup[:c] + (target,) + dup[c + 1:]
            if direction == "up" and used + (target - dup[c]) * space.set_sizes[c] > space.conv_budget:
                for other in range(len(dup)):  # a swap: another conv gives crossbars back
                    lower = downs[other]
                    if other == c or lower is None:
                        continue
                    swapped = list(new_dup)
                    swapped[other] = lower
                    swapped = tuple(swapped)
                    if space.used(swapped) <= space.conv_budget:
                        for variant, q in changed(swapped, (c, other)):
                            out.append((("x", c, target, other, variant), q))
                continue
            for variant, q in changed(new_dup, (c,)):
                out.append((("d", c, target, variant), q))

    if problem.macro_reuse:
        for i in range(problem.layers):
            if p[i] > i:
                new = p.copy()
                new[i] = new[p[i]] = NO_PARTNER
                out.append((("s", i, int(p[i])), (dup, macros, tuple(int(x) for x in new))))
        free = [i for i in range(problem.layers) if p[i] == NO_PARTNER]
        for a_index, i in enumerate(free):
            for j in free[a_index + 1:]:
                if m[i] + m[j] <= problem.pair_cap(i, j):
                    new = p.copy()
                    new[i], new[j] = j, i
                    out.append((("s", i, j), (dup, macros, tuple(int(x) for x in new))))

    seen = {point}
    unique = []
    for move, q in out:
        if q not in seen:
            seen.add(q)
            unique.append((move, q))
    return unique


def balanced_duplication(space: LocalSpace, target: int) -> tuple[int, ...] | None:
    """The duplication with one common number of computation blocks B per conv (D_c =
    ceil(pixels_c / B)), B as small as `target` crossbars allow (None: not even D = 1
    fits). A balanced pipeline: what the SA filter's candidates look like, at any budget."""
    return balanced(space.pixels, space.set_sizes, target)


def balanced(pixels, set_sizes, target: int) -> tuple[int, ...] | None:
    """`balanced_duplication` from the convs' output pixels and crossbars per duplicate."""
    pixels = [int(p) for p in pixels]

    def dup_for(blocks: int) -> tuple[int, ...]:
        return tuple(-(-p // min(blocks, p)) for p in pixels)

    def used(dup) -> int:
        return sum(int(d) * int(s) for d, s in zip(dup, set_sizes))

    lo, hi = 1, max(pixels)
    if used(dup_for(hi)) > target:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if used(dup_for(mid)) <= target:
            hi = mid
        else:
            lo = mid + 1
    return dup_for(lo)


#: crossbar-use factors of the rebalancing moves (a balanced duplication using that share
#: of the current point's crossbars)
REBALANCE = (0.8, 0.9, 0.95, 1.05, 1.1, 1.25)


def duplication_moves(space: LocalSpace, point: PointKey) -> list[tuple[tuple, PointKey]]:
    """Moves that change the duplication: rebalancing to a balanced duplication with more
    or fewer crossbars (conv macro counts scaled with D), then the single-conv moves and
    swaps of `neighbours`; one per distinct duplication, in a fixed order."""
    dup, macros, partners = point
    if not space.vary_duplication:
        return []
    out: list[tuple[tuple, PointKey]] = []
    used = space.used(dup)
    for factor in REBALANCE:
        target = balanced_duplication(space, min(space.conv_budget, int(used * factor)))
        if target is None or target == dup:
            continue
        problem = space.problem(target)
        counts = list(macros)
        if problem.mode != "unified":
            for c in range(len(dup)):
                counts[c] = _nearest_choice(problem, c, macros[c] * target[c] / dup[c])
        out.append((("g", factor), space.repair(target, counts, partners)))
    out += [(move, q) for move, q in neighbours(space, point) if move[0] in ("d", "x")]
    seen, unique = {dup}, []
    for move, q in out:
        if q[0] not in seen:
            seen.add(q[0])
            unique.append((move, q))
    return unique


def sharing_moves(space: LocalSpace, point: PointKey) -> list[tuple[tuple, PointKey]]:
    """Sharing moves that change macro counts too (specified mode, ``macro_reuse``): pair
    two unpaired layers whose counts exceed the pair's limit after shrinking the larger
    count to what fits, dissolve a pair, move one end of a pair to an unpaired layer, or
    exchange the partners of two pairs (counts shrunk to fit where needed).
    Meant to be followed by `descend_macros`."""
    dup, macros, partners = point
    problem = space.problem(dup)
    if not problem.macro_reuse or problem.mode == "unified":
        return []
    m = list(macros)
    out: list[tuple[tuple, PointKey]] = []

    def fitted(counts: list[int], pairs: list[tuple[int, int]]) -> list[int] | None:
        counts = list(counts)
        for i, j in pairs:
            cap = problem.pair_cap(i, j)
            if counts[i] + counts[j] <= cap:
                continue
            big, small = (i, j) if counts[i] >= counts[j] else (j, i)
            choices = problem.choices[big]
            fits = choices[choices <= cap - counts[small]]
            if fits.size == 0:
                return None
            counts[big] = int(fits[-1])
        return counts

    free = [i for i in range(problem.layers) if partners[i] == NO_PARTNER]
    for a, i in enumerate(free):
        for j in free[a + 1:]:
            if m[i] + m[j] <= problem.pair_cap(i, j):
                continue  # a plain pairing (`neighbours`)
            counts = fitted(m, [(i, j)])
            if counts is not None:
                p = list(partners)
                p[i], p[j] = j, i
                out.append((("S", i, j), space.repair(dup, counts, p)))
    pairs = [(i, int(partners[i])) for i in range(problem.layers) if partners[i] > i]
    for i, j in pairs:
        p = list(partners)
        p[i] = p[j] = NO_PARTNER
        out.append((("D", i, j), (dup, tuple(m), tuple(p))))  # dissolve, then the counts may grow
        for keep, drop in ((i, j), (j, i)):  # one end moves to an unpaired layer
            for k in free:
                counts = fitted(m, [(keep, k)])
                if counts is None:
                    continue
                p = list(partners)
                p[drop] = NO_PARTNER
                p[keep], p[k] = k, keep
                out.append((("R", keep, drop, k), space.repair(dup, counts, p)))
    for a, (i, j) in enumerate(pairs):
        for k, l in pairs[a + 1:]:
            for new in (((i, k), (j, l)), ((i, l), (j, k))):
                counts = fitted(m, list(new))
                if counts is None:
                    continue
                p = list(partners)
                for x, y in new:
                    p[x], p[y] = y, x
                out.append((("X", *new[0], *new[1]), space.repair(dup, counts, p)))
    seen, unique = {point}, []
    for move, q in out:
        if q not in seen:
            seen.add(q)
            unique.append((move, q))
    return unique


def descend_macros(space: LocalSpace, cache: PointCache, point: PointKey) -> tuple[PointKey, float]:
    """Coordinate descent over the macro counts of a fixed duplication (specified mode):
    each layer's count walks up or down its count space while that improves; repeated
    until a whole pass changes nothing. Deterministic; sharing pairs are kept."""
    dup = point[0]
    value = cache(point, point)
    problem = space.problem(dup)
    if problem.mode == "unified":
        return point, value
    improved = True
    while improved:
        improved = False
        for i in range(problem.layers):
            choices = problem.choices[i]
            for direction in (1, -1):
                moved = False
                while True:
                    m = np.asarray(point[1], dtype=np.int64)
                    p = np.asarray(point[2], dtype=np.int64)
                    k = int(np.searchsorted(choices, m[i])) + direction
                    if not 0 <= k < choices.size:
                        break
                    new = m.copy()
                    new[i] = int(choices[k])
                    if p[i] != NO_PARTNER and new[i] + m[p[i]] > problem.pair_cap(i, int(p[i])):
                        break
                    q = space.repair(dup, new, p)
                    if q == point:
                        break
                    v = cache(q, q)
                    if v <= value:
                        break
                    point, value, moved, improved = q, v, True, True
                if moved:
                    break
    return point, value


def _kick(space: LocalSpace, point: PointKey, rng: np.random.Generator, moves: int) -> PointKey:
    for _ in range(moves):
        options = neighbours(space, point)
        if not options:
            break
        point = options[int(rng.integers(len(options)))][1]
    return point


def hill_climb(
    space: LocalSpace,
    fitness: LocalFitness,
    start: PointKey,
    *,
    rng: np.random.Generator,
    budget: int | None,
    known: list[tuple[PointKey, float]] | None = None,
    kick_moves: int = 3,
    memo_limit: int = 4000,
    compound: bool = True,
    compound_tries: int = 40,
) -> LocalResult:
    """Climb from ``start`` (repaired first) for at most ``budget`` real evaluations of
    ``fitness(D, macros, partners)`` (higher is better; the arrays are read-only copies).
    At a local optimum the best point is kicked by ``kick_moves`` random moves and climbed
    again (no kicks without a budget: the climb stops at the first local optimum). Before
    a kick, ``compound`` moves are tried: each duplication move (`duplication_moves`)
    followed by a descent over the macro counts (`descend_macros`), the first improving
    one taken; the re-pairings (`sharing_moves`) first, at most ``compound_tries`` of
    them in all (then kick: with sharing, every other kick is a random re-pairing).
    ``known`` (key, fitness) pairs cost nothing."""
    def call(key: PointKey) -> float:
        dup, macros, partners = key
        m = np.array(macros, dtype=np.int64)
        p = np.array(partners, dtype=np.int64)
        m.setflags(write=False)
        p.setflags(write=False)
        return fitness(dup, m, p)

    cache = PointCache(call, budget, known)
    start = space.repair(*start)
    steps = kicks = idle = 0
    compounded: set[PointKey] = set()
    best, best_value = start, -np.inf
    try:
        current = start
        value = best_value = cache(start, start)
        last_move = None
        since_kick = -1
        while True:
            moves = neighbours(space, current)
            order = rng.permutation(len(moves)).tolist()
            if last_move is not None:
                order.sort(key=lambda k: moves[k][0] != last_move)  # stable: the repeat first
            improved = False
            for k in order:
                move, candidate = moves[k]
                candidate_value = cache(candidate, candidate)
                if candidate_value > value:
                    current, value, last_move, improved = candidate, candidate_value, move, True
                    steps += 1
                    break
            if not improved and compound and current not in compounded:
                # a local optimum of single moves: move the duplication and re-fit the
                # macro counts to it (a duplication move alone changes the count spaces,
                # so it rarely improves before the counts follow)
                compounded.add(current)
                shares = sharing_moves(space, current)
                moves = [shares[k] for k in rng.permutation(len(shares)).tolist()]
                dups = duplication_moves(space, current)
                moves += [dups[k] for k in rng.permutation(len(dups)).tolist()]
                for _, q in moves[:compound_tries]:
                    candidate, candidate_value = descend_macros(space, cache, q)
                    if candidate_value > value:
                        current, value, last_move, improved = candidate, candidate_value, None, True
                        steps += 1
                        break
            if improved:
                if value > best_value:
                    best, best_value = current, value
                continue
            if budget is None:
                break
            idle = idle + 1 if cache.evaluations == since_kick else 0
            if idle >= MAX_IDLE_KICKS:  # the space around the best is exhausted
                break
            since_kick = cache.evaluations
            restructure = sharing_moves(space, best) if kicks % 2 == 0 else []
            if restructure:  # every other kick re-pairs the sharing (another basin), counts re-fitted
                current, value = descend_macros(space, cache, restructure[int(rng.integers(len(restructure)))][1])
            else:
                current = _kick(space, best, rng, kick_moves)
                value = cache(current, current)
            kicks += 1
            last_move = None
            if value > best_value:
                best, best_value = current, value
    except BudgetExhausted:
        pass
    return LocalResult(point=best, fitness=float(best_value), evaluations=cache.evaluations, steps=steps,
                       kicks=kicks, memo=cache.items(memo_limit))
