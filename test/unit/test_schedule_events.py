"""Segments with ADC-sharing pairs resolved by time-ordered events (pimsyn.hw.schedule_events)
== node-by-node oracle, with NoC conflicts in the same segment (seeded numpy)."""

from __future__ import annotations

import numpy as np
import pytest
from schedule_random import random_noc_sharing_problem, random_problem, random_sharing_problem

import pimsyn.hw.schedule as schedule_module
from pimsyn.hw.schedule import _segments, schedule
from pimsyn.hw.schedule_events import event_segment_eligible
from pimsyn.hw.schedule_reference import schedule_reference


@pytest.fixture(autouse=True)
def event_segments(monkeypatch):
    """Run these checks on the event path even if the default is switched off."""
    monkeypatch.setattr(schedule_module, "EVENT_SEGMENTS", True)


def _event_segments(problem) -> int:
    der = problem.derived
    return sum(bool(seg.adc_pairs) and event_segment_eligible(der, seg) for seg in _segments(der))


@pytest.mark.parametrize("block", range(3))
def test_noc_and_adc_conflicts_in_one_segment_match_oracle(block):
    """NoC-heavy residual chains with 1-2 sharing pairs: ADC bursts and long NoC waits
    interleave in one segment."""
    both = long_waits = used = 0
    for seed in range(8000 + block * 20, 8000 + block * 20 + 20):
        rng = np.random.default_rng(seed)
        problem, tau = random_noc_sharing_problem(rng)
        expected = schedule_reference(problem, tau, layer_buffers=True)
        assert schedule(problem, tau, layer_buffers=True) == expected, f"seed {seed}"
        assert schedule(problem, tau).buffer_elements == expected.buffer_elements, f"seed {seed}"
        used += _event_segments(problem) > 0
        both += expected.noc_bubbles > 0 and expected.adc_bubbles > 0
        long_waits += expected.noc_bubbles >= 30 and expected.adc_bubbles > 2 * problem.bits
    assert used >= 15 and both >= 4 and long_waits >= 2


@pytest.mark.parametrize("block", range(2))
def test_sharing_networks_on_event_path_match_oracle(block):
    used = bubbled = 0
    for seed in range(9000 + block * 25, 9000 + block * 25 + 25):
        rng = np.random.default_rng(seed)
        problem, tau = random_sharing_problem(rng)
        expected = schedule_reference(problem, tau, layer_buffers=True)
        assert schedule(problem, tau, layer_buffers=True) == expected, f"seed {seed}"
        used += _event_segments(problem) > 0
        bubbled += expected.adc_bubbles > 0
    assert used >= 15 and bubbled >= 4


def test_small_random_problems_on_event_path_match_oracle():
    """Small networks (any pairs; a layer in two sharing pairs keeps the step path)."""
    used = 0
    for seed in range(11000, 11150):
        rng = np.random.default_rng(seed)
        problem, tau = random_problem(rng, square=seed % 2 == 0)
        expected = schedule_reference(problem, tau, layer_buffers=True)
        assert schedule(problem, tau, layer_buffers=True) == expected, f"seed {seed}"
        used += _event_segments(problem) > 0
    assert used >= 10


@pytest.mark.parametrize("seed", range(12000, 12030))
def test_step_path_still_matches_oracle(seed, monkeypatch):
    """The step-by-step path (EVENT_SEGMENTS off) stays exact: it is the fallback."""
    monkeypatch.setattr(schedule_module, "EVENT_SEGMENTS", False)
    problem, tau = random_noc_sharing_problem(np.random.default_rng(seed))
    assert schedule(problem, tau, layer_buffers=True) == schedule_reference(problem, tau, layer_buffers=True)

