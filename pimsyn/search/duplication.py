"""SA-based weight-duplication filter (paper Sec. IV-A2, Alg. 1 line 6; spec Section 3).

The filter proposes a handful of duplication vectors D (one factor per conv layer, conv
order) that spend the conv crossbar budget N well; the DSE then runs the macro-partition EA
on each. It follows the reference procedure (seed 3.2, temperature rule 3.2 step 6,
Metropolis loop 3.3, neighbour moves 3.4) with these documented changes:

* **Budget is a hard limit** (``fit="strict"``, default): every candidate satisfies
  used(D) = sum D_i*set_i <= N, because the crossbar budget is the RRAM power share (Eq. 3)
  and overshooting it breaks the power constraint. The reference accepts
  |used - N| <= mean(set) (its neighbours mostly land *above* N); we run the same moves
  aimed at the window [N - mean(set), N] instead. ``fit="reference"`` keeps the reference
  window [N, N + mean(set)] for comparisons.
* The decrease moves only repair an *over*-shoot (the reference also "repairs" an
  under-shoot by decreasing further, which can only fail).
* The increase move never loops forever: it picks uniformly among the layers that can take
  the increment; if none can, the move is skipped.
* A seed that breaks the ordering constraint D_i >= 0.6 D_{i+1} is repaired (later layers
  lowered, which stays within budget) instead of being stored with energy 1e4.
* ``keep="best"`` (default) returns the distinct states with the lowest energy seen over
  the whole run (the paper's "candidates with the lowest energy-function values");
  ``keep="final"`` returns the chains' final states like the reference, duplicates removed.
* Everything random comes from the ``rng`` argument (drawn in blocks). The chains are
  advanced one move at a time on plain Python lists: a move touches a few scalars, where
  numpy's per-call overhead would dominate (135 000 moves take ~0.85 s on AlexNet).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pimsyn.search.duplication_baselines import no_duplication, uniform_duplication, woho_duplication
from pimsyn.search.duplication_energy import ORDERING_RATIO, chain_energy_function, sa_energy
from pimsyn.search.duplication_problem import DuplicationError, DuplicationProblem, check_budget

__all__ = [
    "DuplicationError",
    "DuplicationProblem",
    "SAResult",
    "initial_seed",
    "no_duplication",
    "run_sa",
    "sa_filter",
    "temperature_schedule",
    "uniform_duplication",
    "woho_duplication",
]

FitRule = Literal["strict", "reference"]
KeepRule = Literal["best", "final"]

#: Spec 3.2 step 5: an infeasible seed energy is stored as this value.
SEED_ENERGY_CAP = 1e4
#: Spec 3.4 step 5: decrease passes before a neighbour is given up.
MAX_DECREASE_PASSES = 100
#: Spec 3.2 step 6: Tf = T0 / 1000.
FINAL_TEMPERATURE_DIVISOR = 1000.0


@dataclass(frozen=True)
class SAResult:
    """Everything one SA run produced (``candidates`` is what :func:`sa_filter` returns)."""

    candidates: list[np.ndarray]
    candidate_energies: np.ndarray
    seed: np.ndarray
    seed_energy: float
    initial_temperature: float
    temperature_levels: int
    proposals: int
    accepted: int
    final_states: np.ndarray
    final_energies: np.ndarray


def _window_target(problem: DuplicationProblem, budget: int, fit: FitRule) -> tuple[float, float]:
    """(target, tolerance): neighbours aim at used in [target, target + tolerance]."""
    mean_set = float(problem.set_sizes.mean())
    if fit == "strict":
        return budget - mean_set, mean_set
    if fit == "reference":
        return float(budget), mean_set
    raise ValueError(f"unknown fit rule '{fit}' (expected 'strict' or 'reference')")


def _repair_ordering(duplication: np.ndarray) -> np.ndarray:
    """Lower D_{i+1} until D_i >= 0.6 * D_{i+1} holds (front to back; only decreases)."""
    repaired = duplication.copy()
    for i in range(repaired.size - 1):
        if repaired[i] < ORDERING_RATIO * repaired[i + 1]:
            largest = int(repaired[i] / ORDERING_RATIO) + 1
            while largest > 1 and repaired[i] < ORDERING_RATIO * largest:
                largest -= 1
            repaired[i + 1] = max(1, largest)
    return repaired


def initial_seed(problem: DuplicationProblem, budget: int, *, fit: FitRule = "strict") -> np.ndarray:
    """Spec 3.2 steps 1-4: share N in proportion to W_i*H_i*set_i, then trim cyclically.

    seed_i = ceil(((N * ratio_i) / sum ratio) / set_i) with ratio_i = W_i*H_i*set_i, then
    layers with seed > 1 lose one copy each in turn until used - N <= 0 (strict) or
    <= mean(set) (reference).
    """
    check_budget(problem, budget)
    sizes = problem.set_sizes
    ratio = problem.out_pixels * sizes
    seed = np.ceil(((budget * ratio) / ratio.sum()) / sizes).astype(np.int64)
    allowance = 0.0 if fit == "strict" else float(sizes.mean())
    if fit not in ("strict", "reference"):
        raise ValueError(f"unknown fit rule '{fit}' (expected 'strict' or 'reference')")
    over = int(seed @ sizes) - budget
    layer = 0
    while over > allowance:
        if np.all(seed <= 1):  # cannot happen after check_budget; keeps the loop finite
            break
        if seed[layer] > 1:
            seed[layer] -= 1
            over -= int(sizes[layer])
        layer = (layer + 1) % seed.size
    return _repair_ordering(seed)


def temperature_schedule(seed_energy: float, sigma: float) -> tuple[float, int]:
    """Spec 3.2 step 6 and 3.3: T0 = 10^floor(log10(min(E_seed, 1e4))), Tf = T0/1000, and the
    number of levels k >= 0 with T0*sigma^k > Tf, counted by repeated multiplication.

    The reference fails on E_seed = 0 (Eq. 4 energy of a perfectly balanced seed); we use
    T0 = 1 there.
    """
    if not 0.0 < sigma < 1.0:
        raise ValueError(f"SA cooling factor sigma must be in (0, 1), got {sigma}")
    value = min(seed_energy, SEED_ENERGY_CAP)
    initial = 10.0 ** math.floor(math.log10(value)) if value > 0 else 1.0
    final = initial / FINAL_TEMPERATURE_DIVISOR
    levels = 0
    temperature = initial
    while temperature > final:
        levels += 1
        temperature *= sigma
    return initial, levels


def _uniform_stream(rng: np.random.Generator, block: int = 8192) -> Callable[[], float]:
    """A U[0, 1) source drawing from ``rng`` in blocks (one numpy call per ``block`` numbers)."""

    def stream() -> Iterator[float]:
        while True:
            yield from rng.random(block).tolist()

    return stream().__next__


@dataclass(frozen=True)
class _Moves:
    """Constants of the neighbour moves, as Python lists for fast scalar access."""

    sizes: list[int]
    max_dup: list[int]
    target: float
    tolerance: float

    def neighbour(self, state: list[int], used: int, uniform: Callable[[], float]) -> tuple[list[int], int]:
        """Spec 3.4: one increase move, then decrease moves until the over-shoot above
        ``target`` is within ``tolerance``. Returns (proposal, used crossbars)."""
        sizes, max_dup = self.sizes, self.max_dup
        layers = len(sizes)
        proposal = state.copy()
        # Increase move: lo = ceil(deficit / v_i) copies reach the target, hi = maxdup_i - D_i
        # are allowed. The reference redraws i until hi > lo (forever if no layer
        # qualifies); we redraw at most `layers` times, then pick from the explicit list
        # of qualifying layers (same uniform law), and skip the move if it is empty.
        deficit = max(math.ceil(self.target - used), 0)
        picked = -1
        for _ in range(layers):
            i = int(uniform() * layers)
            if max_dup[i] - proposal[i] > -(-deficit // sizes[i]):
                picked = i
                break
        else:
            eligible = [i for i in range(layers) if max_dup[i] - proposal[i] > -(-deficit // sizes[i])]
            if eligible:
                picked = eligible[int(uniform() * len(eligible))]
        decreasable = list(range(layers))
        if picked >= 0:
            low = -(-deficit // sizes[picked])
            high = max_dup[picked] - proposal[picked]
            top = low + -(-(high - low) // 5)  # ceil(lo + (hi - lo) / 5)
            increment = low + int(uniform() * (top - low + 1))
            proposal[picked] += increment
            used += increment * sizes[picked]
            decreasable[picked] = decreasable[-1]
            decreasable.pop()
        # Decrease moves: pick j from the set, cut 1..min(D_j - 1, floor(over / v_j)) copies,
        # or drop j from the set when it cannot give any. Only an over-shoot is repaired.
        over = used - self.target
        passes = 0
        while over > self.tolerance:
            if passes == MAX_DECREASE_PASSES:
                return state, used_of(state, sizes)  # spec 3.4 step 6: keep the chain state
            passes += 1
            if decreasable:
                k = int(uniform() * len(decreasable))
                j = decreasable[k]
                span = min(proposal[j] - 1, int(over // sizes[j]))
                if span > 0:
                    cut = 1 + int(uniform() * span)
                    proposal[j] -= cut
                    used -= cut * sizes[j]
                    over = used - self.target
                else:
                    decreasable[k] = decreasable[-1]
                    decreasable.pop()
                continue
            # The set is exhausted: decrement by one the layer whose set size is closest to
            # the over-shoot (first on ties), among layers still above one copy.
            nearest, nearest_distance = -1, math.inf
            for j in range(layers):
                if proposal[j] > 1 and abs(sizes[j] - over) < nearest_distance:
                    nearest, nearest_distance = j, abs(sizes[j] - over)
            if nearest < 0:
                return state, used_of(state, sizes)
            proposal[nearest] -= 1
            used -= sizes[nearest]
            over = used - self.target
        return proposal, used


def used_of(duplication: list[int], sizes: list[int]) -> int:
    return sum([d * v for d, v in zip(duplication, sizes)])


def _select_best(
    problem: DuplicationProblem, visited: dict[tuple[int, ...], float], count: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` distinct finite-energy states with the lowest energy; ties go to fewer
    total computation blocks, then more crossbars used, then the lexicographically smaller D."""
    finite = [(energy, state) for state, energy in visited.items() if energy != math.inf]
    if not finite:
        return np.zeros((0, problem.layers), dtype=np.int64), np.zeros(0)
    threshold = heapq.nsmallest(count, [energy for energy, _ in finite])[-1]
    pixels, sizes = problem.out_pixels.tolist(), problem.set_sizes.tolist()

    def rank(item: tuple[float, tuple[int, ...]]) -> tuple:
        energy, state = item
        blocks = sum([-(-p // d) for p, d in zip(pixels, state)])
        return (energy, blocks, -used_of(list(state), sizes), state)

    chosen = sorted((item for item in finite if item[0] <= threshold), key=rank)[:count]
    return np.array([state for _, state in chosen], dtype=np.int64), np.array([e for e, _ in chosen])


def run_sa(
    problem: DuplicationProblem,
    budget: int,
    *,
    rng: np.random.Generator,
    energy: str = "computation",
    alpha: float = 0.1,
    iters: int = 100,
    chains: int = 10,
    sigma: float = 0.95,
    effort: float = 1.0,
    keep: KeepRule = "best",
    candidates: int | None = None,
    fit: FitRule = "strict",
) -> SAResult:
    """One SA run with all statistics; see :func:`sa_filter` for the arguments."""
    check_budget(problem, budget)
    if keep not in ("best", "final"):
        raise ValueError(f"unknown keep rule '{keep}' (expected 'best' or 'final')")
    if chains < 1 or iters < 1 or effort <= 0:
        raise ValueError("SA needs chains >= 1, iters >= 1 and effort > 0")
    wanted = chains if candidates is None else candidates
    if wanted < 1:
        raise ValueError("SA must return at least one candidate")
    iterations = max(1, round(iters * effort))
    target, tolerance = _window_target(problem, budget, fit)
    moves = _Moves(problem.set_sizes.tolist(), problem.max_duplication(budget).tolist(), target, tolerance)
    chain_energy = chain_energy_function(problem, energy, alpha)
    uniform = _uniform_stream(rng)

    seed = initial_seed(problem, budget, fit=fit)
    seed_energy = float(sa_energy(problem, seed, energy, alpha)[0])
    initial_temperature, levels = temperature_schedule(seed_energy, sigma)

    seed_list = seed.tolist()
    states = [seed_list.copy() for _ in range(chains)]
    used = [used_of(seed_list, moves.sizes)] * chains
    current = [min(seed_energy, SEED_ENERGY_CAP)] * chains
    # Every accepted state, for keep="best" (the seed counts as visited).
    visited: dict[tuple[int, ...], float] = {tuple(seed_list): seed_energy}
    accepted_total = 0
    temperature = initial_temperature
    for _level in range(levels):
        for _ in range(iterations):
            for chain in range(chains):
                proposal, used_p = moves.neighbour(states[chain], used[chain], uniform)
                proposed = chain_energy(proposal)
                # Spec 3.3 Metropolis rule: downhill always, uphill with exp((e - e') / T);
                # an infinite energy (ordering constraint broken) is never accepted.
                held = current[chain]
                if proposed <= held or (
                    proposed != math.inf and uniform() < math.exp((held - proposed) / temperature)
                ):
                    states[chain] = proposal
                    used[chain] = used_p
                    current[chain] = proposed
                    accepted_total += 1
                    visited[tuple(proposal)] = proposed
        temperature *= sigma

    state = np.array(states, dtype=np.int64)
    final_energies = np.array(current)
    if keep == "best":
        best_states, best_energies = _select_best(problem, visited, wanted)
    else:
        _, first = np.unique(state, axis=0, return_index=True)
        order = np.sort(first)[:wanted]
        best_states, best_energies = state[order], final_energies[order]
    return SAResult(
        candidates=[row.copy() for row in best_states],
        candidate_energies=best_energies,
        seed=seed,
        seed_energy=seed_energy,
        initial_temperature=initial_temperature,
        temperature_levels=levels,
        proposals=levels * iterations * chains,
        accepted=accepted_total,
        final_states=state,
        final_energies=final_energies,
    )


def sa_filter(
    problem: DuplicationProblem,
    budget: int,
    *,
    rng: np.random.Generator,
    energy: str = "computation",
    alpha: float = 0.1,
    iters: int = 100,
    chains: int = 10,
    sigma: float = 0.95,
    effort: float = 1.0,
    keep: KeepRule = "best",
    candidates: int | None = None,
    fit: FitRule = "strict",
) -> list[np.ndarray]:
    """Duplication candidates for the conv layers (conv order), best first.

    ``budget`` is N_conv (crossbars left after the FC reservation); raises
    :class:`DuplicationError` when it cannot hold the weights. ``energy`` is the spec 3.1
    energy ("computation" = slowest layer's blocks, the reference default; "eq4" = paper Eq. 4
    with weight ``alpha``). ``iters`` moves per temperature level per chain, ``chains``
    parallel chains, cooling factor ``sigma``; ``effort`` scales ``iters`` (time is linear in
    it; the temperature schedule is fixed by the seed energy). ``keep`` and ``fit``: see the
    module docstring. ``candidates`` defaults to ``chains`` (the reference returns one state
    per chain; the paper keeps 30).
    """
    return run_sa(
        problem,
        budget,
        rng=rng,
        energy=energy,
        alpha=alpha,
        iters=iters,
        chains=chains,
        sigma=sigma,
        effort=effort,
        keep=keep,
        candidates=candidates,
        fit=fit,
    ).candidates
