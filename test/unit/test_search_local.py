"""Local refinement and the fitness cache: invariants, not timings."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pimsyn.search.cache import BudgetExhausted, PointCache
from pimsyn.search.local import LocalSpace, hill_climb, neighbours
from pimsyn.search.partition_mutation import gene_problems
from pimsyn.search.partition_space import PartitionProblem

PIXELS = (3025, 729, 169, 169, 169)
SETS = (8, 16, 24, 32, 32)
ROW_TILES = (2, 7, 9, 7, 6, 36, 16, 16)
COLUMNS = (8, 8, 16, 8, 8, 128, 128, 32)


def _space(reuse: bool, mode: str = "specified", budget: int = 1600) -> LocalSpace:
    def problem_for(dup):
        return PartitionProblem(duplication=list(dup) + [1, 1, 1], row_tiles=ROW_TILES, column_crossbars=COLUMNS,
                                mode=mode, macro_reuse=reuse)

    return LocalSpace(set_sizes=SETS, pixels=PIXELS, conv_budget=budget, problem_for=problem_for,
                      macro_steps=2, dup_steps=2)


def _fitness(dup, macros, partners) -> float:
    """A deterministic rugged landscape with a trend (duplication and balanced counts pay),
    zero (infeasible) on a few points."""
    digest = hashlib.sha256(repr((dup, macros.tolist(), partners.tolist())).encode()).digest()
    noise = digest[0] / 255.0
    if digest[1] < 10:
        return 0.0
    return sum(dup) / 10 - float(np.std(macros)) + 3 * noise + 0.5 * (partners >= 0).sum()


def _start(space: LocalSpace):
    return space.repair((60, 20, 5, 5, 5), (4, 4, 3, 3, 3, 4, 2, 2), (-1,) * 8)


def _valid(space: LocalSpace, point) -> bool:
    dup, macros, partners = point
    return space.used(dup) <= space.conv_budget and not gene_problems(space.problem(dup), macros, partners)


@pytest.mark.parametrize("reuse", [False, True])
def test_refinement_never_worse_nor_invalid(reuse):
    space = _space(reuse)
    start = _start(space)
    start_value = _fitness(start[0], np.array(start[1]), np.array(start[2]))
    result = hill_climb(space, _fitness, start, rng=np.random.default_rng(1), budget=300)
    assert result.fitness >= start_value
    assert _valid(space, result.point)
    assert result.fitness == _fitness(result.point[0], np.array(result.point[1]), np.array(result.point[2]))
    if not reuse:
        assert set(result.point[2]) == {-1}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), reuse=st.booleans(), mode=st.sampled_from(["specified", "unified"]))
def test_every_neighbour_is_a_valid_other_point(seed, reuse, mode):
    space = _space(reuse, mode)
    rng = np.random.default_rng(seed)
    point = _start(space)
    for _ in range(4):
        options = neighbours(space, point)
        assert options and all(q != point for _, q in options)
        assert len({q for _, q in options}) == len(options)
        for _, q in options:
            assert _valid(space, q)
        point = options[int(rng.integers(len(options)))][1]


def test_budget_is_respected_and_a_longer_climb_is_never_worse():
    space = _space(True)
    calls = []

    def counted(dup, macros, partners):
        calls.append(1)
        return _fitness(dup, macros, partners)

    results = {}
    for budget in (0, 1, 50, 200, 400):
        calls.clear()
        results[budget] = hill_climb(space, counted, _start(space), rng=np.random.default_rng(7), budget=budget)
        assert len(calls) == results[budget].evaluations <= max(budget, 0)
    values = [results[b].fitness for b in (1, 50, 200, 400)]
    assert values == sorted(values)  # same seed: a longer run continues the same trajectory


def test_known_values_cost_nothing_and_continuations_are_never_worse():
    space = _space(False)
    first = hill_climb(space, _fitness, _start(space), rng=np.random.default_rng(3), budget=100)
    calls = []

    def counted(dup, macros, partners):
        calls.append((dup, macros.tolist(), partners.tolist()))
        return _fitness(dup, macros, partners)

    second = hill_climb(space, counted, first.point, rng=np.random.default_rng(4), budget=100, known=first.memo)
    assert second.fitness >= first.fitness
    known = {key for key, _ in first.memo}
    assert not any((dup, tuple(m), tuple(p)) in known for dup, m, p in calls)


def test_climb_is_deterministic_per_seed():
    space = _space(True)
    one = hill_climb(space, _fitness, _start(space), rng=np.random.default_rng(5), budget=150)
    two = hill_climb(space, _fitness, _start(space), rng=np.random.default_rng(5), budget=150)
    assert (one.point, one.fitness, one.evaluations) == (two.point, two.fitness, two.evaluations)


def test_fixed_duplication_stays_fixed():
    base = _space(True)
    space = LocalSpace(set_sizes=SETS, pixels=PIXELS, conv_budget=1600, problem_for=base.problem_for,
                       vary_duplication=False)
    result = hill_climb(space, _fitness, _start(space), rng=np.random.default_rng(2), budget=100)
    assert result.point[0] == _start(space)[0]


def test_cache_hits_are_identical_and_budgeted():
    calls = []

    def noisy(x):
        calls.append(x)
        return float(np.random.default_rng().random())  # differs on every real call

    cache = PointCache(noisy, budget=2)
    first = cache("a", "a")
    assert cache("a", "a") == first and len(calls) == 1
    cache("b", "b")
    with pytest.raises(BudgetExhausted):
        cache("c", "c")
    assert cache("a", "a") == first and cache.evaluations == 2 and cache.lookups == 5
    assert PointCache(noisy, known=[("k", 1.5)])("k", "k") == 1.5 and len(calls) == 2
    assert PointCache(lambda: float("nan"))("n") == -np.inf


def test_a_pathological_evaluation_is_cut_and_counts_as_infeasible():
    from pimsyn.dse.tasks import EvaluationGuard

    guard = EvaluationGuard(floor_s=0.05, factor=2.0, warmup=0, warmup_s=0.05)
    assert guard(lambda: 7.0) == 7.0

    def slow():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pass
        return 1.0

    started = time.monotonic()
    assert guard(slow) == 0.0
    assert guard.timeouts == 1 and time.monotonic() - started < 4


@pytest.mark.parametrize("target", [120, 400, 900, 1600])
def test_balanced_duplication_fits_and_is_the_most_duplicated_balance(target):
    from pimsyn.search.local import balanced_duplication

    space = _space(False)
    dup = balanced_duplication(space, target)
    assert dup is not None and space.used(dup) <= target
    blocks = [-(-p // d) for p, d in zip(PIXELS, dup)]
    common = max(blocks)
    assert all(b == min(common, p) or b <= common for b, p in zip(blocks, PIXELS))
    if common > 1:  # one block fewer for every conv would not fit
        finer = tuple(-(-p // min(common - 1, p)) for p in PIXELS)
        assert space.used(finer) > target
    assert balanced_duplication(space, sum(SETS) - 1) is None  # not even D = 1 fits


@pytest.mark.parametrize("reuse", [False, True])
def test_duplication_moves_are_valid_and_macro_descent_never_worse(reuse):
    from pimsyn.search.local import descend_macros, duplication_moves

    space = _space(reuse)
    start = _start(space)
    moves = duplication_moves(space, start)
    assert moves and any(move[0] == "g" for move, _ in moves)
    assert len({q[0] for _, q in moves}) == len(moves) and all(q[0] != start[0] for _, q in moves)
    for _, q in moves:
        assert _valid(space, q)
    cache = PointCache(lambda key: _fitness(key[0], np.array(key[1]), np.array(key[2])))
    for _, q in moves[:5]:
        point, value = descend_macros(space, cache, q)
        assert value >= cache(q, q) and point[0] == q[0] and point[2] == q[2] and _valid(space, point)


def test_sharing_moves_are_valid_repairings():
    from pimsyn.search.local import sharing_moves

    space = _space(True)
    point = _start(space)
    for _ in range(3):  # pair layers until two pairs or more exist
        paired = [q for move, q in neighbours(space, point)
                  if move[0] == "s" and sum(x >= 0 for x in q[2]) > sum(x >= 0 for x in point[2])]
        if paired:
            point = paired[0]
    assert sum(x >= 0 for x in point[2]) >= 4
    moves = sharing_moves(space, point)
    assert moves and all(q != point and q[0] == point[0] for _, q in moves)
    for _, q in moves:
        assert _valid(space, q)
    assert sharing_moves(_space(False), _start(_space(False))) == []
