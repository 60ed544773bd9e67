"""Spec 8 golden numbers of the AlexNet DAG schedule, for the oracle and the fast scheduler."""

from __future__ import annotations

import pytest
from schedule_designs import design_a, design_b_hist

from pimsyn.hw.schedule import schedule, scratchpad_kb
from pimsyn.hw.schedule_reference import schedule_reference

SCHEDULERS = [pytest.param(schedule, id="fast"), pytest.param(schedule_reference, id="oracle")]
FEATURES_2, FEATURES_3 = 1, 2  # cost-layer indices


@pytest.fixture(scope="module")
def b_hist():
    return design_b_hist()


@pytest.fixture(scope="module")
def a_design():
    return design_a()


@pytest.mark.parametrize("run", SCHEDULERS)
def test_design_b_hist_first_and_final_pass(run, b_hist):
    problem, first, final = b_hist
    one = run(problem, first, layer_buffers=True)
    two = run(problem, final, layer_buffers=True)
    assert (one.cycles, one.noc_bubbles, one.adc_bubbles) == (938, 16, 0)
    assert (two.cycles, two.noc_bubbles, two.adc_bubbles) == (1044, 4, 0)
    assert one.nodes == two.nodes == 8007
    for result in (one, two):
        # largest IB + OB is features.2: 14080 + 20224 = 34304 elements -> 64 KB
        assert result.input_buffers[FEATURES_2] == 14080
        assert result.output_buffers[FEATURES_2] == 20224
        assert result.buffer_elements == 34304
        assert scratchpad_kb(result.buffer_elements, 16) == 64


@pytest.mark.parametrize("run", SCHEDULERS)
def test_design_a_first_and_final_pass(run, a_design):
    problem, first, final = a_design
    one = run(problem, first, layer_buffers=True)
    two = run(problem, final, layer_buffers=True)
    assert (one.cycles, one.noc_bubbles) == (921, 10)
    assert (two.cycles, two.noc_bubbles) == (1028, 4)
    assert one.nodes == two.nodes == 7896
    for result in (one, two):
        # features.3: IB 7360 + OB 25536 = 32896 elements -> 64 KB
        assert result.input_buffers[FEATURES_3] == 7360
        assert result.output_buffers[FEATURES_3] == 25536
        assert result.buffer_elements == 32896
        assert scratchpad_kb(result.buffer_elements, 16) == 64


def test_design_b_nodes_per_block(b_hist):
    """Spec 8.2: 52 nodes per conv1 block (LD, 16x3 bit nodes, ADDITION, ST, MRG) and 53
    per features.3 block (plus TRAN)."""
    problem, _, _ = b_hist
    der = problem.derived
    per_block = [sum(16 if bit else 1 for bit in der.is_bit[layer]) for layer in (0, 2)]
    assert per_block == [52, 53]


def test_fast_result_equals_oracle_result(b_hist, a_design):
    for problem, first, final in (b_hist, a_design):
        for tau in (first, final):
            assert schedule(problem, tau) == schedule_reference(problem, tau)
            full = schedule(problem, tau, layer_buffers=True)
            assert full == schedule_reference(problem, tau, layer_buffers=True)
            assert full.buffer_elements == schedule(problem, tau).buffer_elements
