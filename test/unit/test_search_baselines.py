"""Baseline duplication strategies (W_O*H_O-proportional, uniform, none)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pimsyn.search.duplication_baselines import no_duplication, uniform_duplication, woho_duplication
from pimsyn.search.duplication_problem import DuplicationError, DuplicationProblem

ALEXNET = DuplicationProblem(
    out_pixels=[3025, 729, 169, 169, 169],
    in_rows=[363, 1600, 1728, 3456, 2304],
    out_cols=[64, 192, 384, 256, 256],
    crossbar_size=256,
    cell_slices=8,
)


def test_woho_alexnet_is_proportional_and_fills_budget():
    duplication = woho_duplication(ALEXNET, 5082)
    # Hand check: s = 1/27 gives floor(s*[3025, 729, 169, 169, 169]) = [112, 27, 6, 6, 6],
    # 112*16 + 27*56 + 6*(112+112+72) = 5080 <= 5082; the next breakpoint (D_1 = 113 at
    # s = 113/3025) needs 16 more crossbars = 5096 > 5082.
    assert duplication.tolist() == [112, 27, 6, 6, 6]
    assert ALEXNET.used_crossbars(duplication) == 5080


def test_uniform_and_none():
    assert no_duplication(ALEXNET).tolist() == [1, 1, 1, 1, 1]
    assert uniform_duplication(ALEXNET, 5082).tolist() == [13] * 5  # 5082 // 368 = 13
    small = DuplicationProblem([4, 1000], [256, 256], [256, 256], crossbar_size=256, cell_slices=1)
    assert uniform_duplication(small, 20).tolist() == [4, 10]  # capped at W*H


def test_full_budget_gives_one_block_per_layer():
    assert woho_duplication(ALEXNET, 10**7).tolist() == ALEXNET.out_pixels.tolist()


def test_baselines_reject_small_budget():
    for baseline in (woho_duplication, uniform_duplication):
        with pytest.raises(DuplicationError):
            baseline(ALEXNET, 368)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 3136), st.integers(1, 4608), st.integers(1, 512)), min_size=1, max_size=8),
    st.integers(1, 20000),
)
def test_woho_fits_and_is_maximal(layers, spare):
    pixels, rows, cols = (list(column) for column in zip(*layers))
    problem = DuplicationProblem(pixels, rows, cols, crossbar_size=256, cell_slices=4)
    budget = problem.weight_crossbars + spare
    duplication = woho_duplication(problem, budget)
    assert np.all(duplication >= 1) and np.all(duplication <= problem.out_pixels)
    assert problem.used_crossbars(duplication) <= budget
    # Maximal: the next scale breakpoint (some layer gaining one copy) no longer fits.
    grown = [d + 1 for d, p in zip(duplication.tolist(), pixels) if d < p]
    if grown:
        scale = min((d + 1) / p for d, p in zip(duplication.tolist(), pixels) if d < p)
        bigger = np.clip(np.floor(scale * problem.out_pixels + 1e-9), 1, problem.out_pixels)
        assert problem.used_crossbars(bigger) > budget
    uniform = uniform_duplication(problem, budget)
    assert problem.used_crossbars(uniform) <= budget
