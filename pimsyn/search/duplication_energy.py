"""SA energy functions over duplication candidates (spec 3.1, paper Eq. 4).

All functions take a batch ``duplication`` of shape (candidates, layers) (a single vector is
accepted too) and return one energy per candidate, so the SA evaluates all its chains with a
handful of numpy operations. Lower is better; ``inf`` marks a candidate that breaks the
ordering constraint.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from pimsyn.search.duplication_problem import DuplicationProblem

EnergyName = Literal["computation", "eq4"]
ENERGY_NAMES: tuple[str, ...] = ("computation", "eq4")

#: Spec 3.1: D_i >= ORDERING_RATIO * D_{i+1} (a heuristic the reference imposes by energy).
ORDERING_RATIO = 0.6


def _as_batch(duplication: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.asarray(duplication, dtype=np.int64))


def ordering_ok(duplication: np.ndarray) -> np.ndarray:
    """Spec 3.1 ordering constraint D_i >= 0.6 * D_{i+1}, tested with the real product."""
    batch = _as_batch(duplication)
    return np.all(batch[:, :-1] >= ORDERING_RATIO * batch[:, 1:], axis=1)


def compute_blocks(problem: DuplicationProblem, duplication: np.ndarray) -> np.ndarray:
    """compute_i = ceil(W_i*H_i / D_i), the computation blocks of each conv layer."""
    batch = _as_batch(duplication)
    return -(-problem.out_pixels // batch)


def access_volume(problem: DuplicationProblem, duplication: np.ndarray) -> np.ndarray:
    """Spec 3.1 access_i = D_i*In_i*(b_i*R) + D_i*C_i*(a_i*R) (Eq. 4 times the crossbars
    sharing each input / output, as the reference computes it)."""
    batch = _as_batch(duplication)
    slices = problem.cell_slices
    return batch * problem.in_rows * (problem.col_tiles * slices) + batch * problem.out_cols * (
        problem.row_tiles * slices
    )


def computation_energy(problem: DuplicationProblem, duplication: np.ndarray) -> np.ndarray:
    """Spec 3.1 "computation" (reference default): E = max_i compute_i (slowest layer)."""
    blocks = compute_blocks(problem, duplication)
    energy = blocks.max(axis=1).astype(np.float64)
    energy[~ordering_ok(duplication)] = np.inf
    return energy


def eq4_energy(problem: DuplicationProblem, duplication: np.ndarray, alpha: float = 0.1) -> np.ndarray:
    """Paper Eq. 4 as the reference computes it: stdev(compute) + alpha * stdev(access),
    sample standard deviations (n - 1). With a single conv layer the stdev is undefined (the
    reference crashes); we fall back to the layer's compute blocks there."""
    blocks = compute_blocks(problem, duplication)
    if problem.layers == 1:
        energy = blocks[:, 0].astype(np.float64)
    else:
        access = access_volume(problem, duplication)
        energy = blocks.std(axis=1, ddof=1) + alpha * access.std(axis=1, ddof=1)
    energy[~ordering_ok(duplication)] = np.inf
    return energy


def sa_energy(
    problem: DuplicationProblem, duplication: np.ndarray, energy: str = "computation", alpha: float = 0.1
) -> np.ndarray:
    """Dispatch on the energy name (spec 3.1 ``func_name``)."""
    if energy == "computation":
        return computation_energy(problem, duplication)
    if energy == "eq4":
        return eq4_energy(problem, duplication, alpha)
    raise ValueError(f"unknown SA energy '{energy}' (expected one of {', '.join(ENERGY_NAMES)})")


def chain_energy_function(problem: DuplicationProblem, energy: str = "computation", alpha: float = 0.1):
    """A scalar twin of :func:`sa_energy` for one candidate given as a Python list.

    The SA moves one chain at a time; for vectors of a few dozen layers plain Python
    arithmetic is several times faster than a numpy call. "computation" gives exactly the
    batch value; "eq4" sums in index order (numpy may pair the terms differently for 8+
    layers, a last-bit difference).
    """
    if energy not in ENERGY_NAMES:
        raise ValueError(f"unknown SA energy '{energy}' (expected one of {', '.join(ENERGY_NAMES)})")
    pixels = problem.out_pixels.tolist()
    layers = len(pixels)
    ratio = ORDERING_RATIO
    if energy == "computation" or layers == 1:

        def blocks_energy(duplication: list[int]) -> float:
            for i in range(layers - 1):
                if duplication[i] < ratio * duplication[i + 1]:
                    return math.inf
            return float(max([-(-p // d) for p, d in zip(pixels, duplication)]))

        return blocks_energy

    slices = problem.cell_slices
    # access_i = D_i * (In_i*(b_i*R)) + D_i * (C_i*(a_i*R)); both products are exact integers.
    in_weight = (problem.in_rows * (problem.col_tiles * slices)).tolist()
    out_weight = (problem.out_cols * (problem.row_tiles * slices)).tolist()

    def sample_stdev(values: list[float]) -> float:
        mean = sum(values) / layers
        return math.sqrt(sum([(v - mean) * (v - mean) for v in values]) / (layers - 1))

    def eq4(duplication: list[int]) -> float:
        for i in range(layers - 1):
            if duplication[i] < ratio * duplication[i + 1]:
                return math.inf
        blocks = [float(-(-p // d)) for p, d in zip(pixels, duplication)]
        access = [float(d * i + d * o) for d, i, o in zip(duplication, in_weight, out_weight)]
        return sample_stdev(blocks) + alpha * sample_stdev(access)

    return eq4
