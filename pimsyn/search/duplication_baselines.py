"""Baseline duplication strategies the SA filter is compared against (paper Sec. V, Fig. 7).

* :func:`woho_duplication`: the ISAAC / PipeLayer heuristic, D_i proportional to the layer's
  output pixels W_O*H_O, scaled up as far as the crossbar budget allows.
* :func:`uniform_duplication`: the same factor k for every layer, the largest that fits.
* :func:`no_duplication`: every layer at duplication 1.

All three respect the budget strictly (used <= N) and never give a layer more copies than
it has output pixels (more copies cannot shorten a layer below one computation block). They
ignore the SA's ordering heuristic on purpose: they are the competitors.
"""

from __future__ import annotations

import numpy as np

from pimsyn.search.duplication_problem import DuplicationProblem, check_budget

#: Bisection steps on the scale factor; far below the spacing of the breakpoints k / (W*H).
_BISECTION_STEPS = 64


def no_duplication(problem: DuplicationProblem) -> np.ndarray:
    """D_i = 1 for every conv layer."""
    return np.ones(problem.layers, dtype=np.int64)


def uniform_duplication(problem: DuplicationProblem, budget: int) -> np.ndarray:
    """D_i = min(k, W_i*H_i) with k = floor(N / sum set_i), the largest common factor that fits."""
    check_budget(problem, budget)
    common = budget // problem.weight_crossbars
    return np.minimum(common, problem.out_pixels).astype(np.int64)


def _woho_at(problem: DuplicationProblem, scale: float) -> np.ndarray:
    return np.clip(np.floor(scale * problem.out_pixels), 1, problem.out_pixels).astype(np.int64)


def woho_duplication(problem: DuplicationProblem, budget: int) -> np.ndarray:
    """D_i = clip(floor(s * W_i*H_i), 1, W_i*H_i) with the largest s whose D fits in N.

    used(D(s)) never decreases with s, so the largest fitting s is found by bisection on
    [0, 1] (at s = 1 every layer finishes in one block and more copies are useless).
    """
    check_budget(problem, budget)
    if problem.used_crossbars(_woho_at(problem, 1.0)) <= budget:
        return _woho_at(problem, 1.0)
    fits, too_big = 0.0, 1.0
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (fits + too_big)
        if problem.used_crossbars(_woho_at(problem, middle)) <= budget:
            fits = middle
        else:
            too_big = middle
    return _woho_at(problem, fits)
