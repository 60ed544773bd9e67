"""Fast scheduler == node-by-node oracle on random small networks (seeded numpy).

The generator (schedule_random.py) draws conv/pool chains with residual eltwise layers and
FC tails, square and non-square maps, random d/n (including pool-style history block
counts), q/u, bit counts, op durations, TRAN/MRG presence, NoC conflict pairs within and
across layers, and ADC-sharing pairs.
"""

from __future__ import annotations

import numpy as np
import pytest
from schedule_random import random_cycles, random_problem

from pimsyn.hw.schedule import schedule
from pimsyn.hw.schedule_reference import schedule_reference


@pytest.mark.parametrize("block", range(8))
def test_random_problems_match_oracle(block):
    conflicts = {"noc": 0, "adc": 0}
    for seed in range(block * 50, block * 50 + 50):
        rng = np.random.default_rng(seed)
        problem, tau = random_problem(rng, square=seed % 2 == 0)
        expected = schedule_reference(problem, tau, layer_buffers=True)
        assert schedule(problem, tau, layer_buffers=True) == expected, f"seed {seed}"
        assert schedule(problem, tau).buffer_elements == expected.buffer_elements, f"seed {seed}"
        conflicts["noc"] += expected.noc_bubbles > 0
        conflicts["adc"] += expected.adc_bubbles > 0
    # the generator must actually exercise both conflict kinds
    assert conflicts["noc"] >= 5 and conflicts["adc"] >= 1


@pytest.mark.parametrize("seed", range(1000, 1030))
def test_longer_networks_match_oracle(seed):
    rng = np.random.default_rng(seed)
    problem, tau = random_problem(rng, max_layers=10, square=seed % 3 == 0)
    assert schedule(problem, tau) == schedule_reference(problem, tau)


def test_problem_reused_with_new_cycles():
    """Cached problem-only data must not leak one tau into the next call."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        problem, tau = random_problem(rng)
        other = random_cycles(rng, problem)
        schedule(problem, tau)
        schedule_reference(problem, tau)
        assert schedule(problem, other) == schedule_reference(problem, other)


def test_same_input_same_result():
    rng = np.random.default_rng(7)
    problem, tau = random_problem(rng, max_layers=8)
    assert schedule(problem, tau) == schedule(problem, tau)
