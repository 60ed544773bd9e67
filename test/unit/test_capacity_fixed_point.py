"""The scratchpad capacity fixed point (spec 5.15; docs/cost-model.md, "One evaluation",
step 7) on a design whose capacity never settles.

A ResNet-18 point the DSE climbs (`design_points.oscillating_point`: seed 2's second
finalist at 49 W, RatioRram 0.2, 256 x 256 crossbars, 1-bit cells, DAC 2) alternates between two capacities: the first
schedule asks for K0, the schedule at K0 asks for K1, the one at K1 for K0 again, ... so
the loop runs its ten iterations and charges the tenth iteration's capacity. Every
iteration depends only on its capacity, so the evaluation schedules each distinct tau once.
"""

import pytest
from design_points import OSCILLATING_MACROS as MACROS
from design_points import OSCILLATING_PARTNERS as PARTNERS
from design_points import oscillating_point

from pimsyn.hw import evaluate, fitness, load_hardware
from pimsyn.hw import schedule as schedule_module
from pimsyn.hw.evaluate import MAX_CAPACITY_ITERATIONS
from pimsyn.hw.memory import capacity_entry

HW = load_hardware()


@pytest.fixture(scope="module")
def oscillating():
    cnet, point, state = oscillating_point()
    calls = []

    def recording(problem, tau, **kwargs):
        result = schedule_module.schedule(problem, tau, **kwargs)
        calls.append((problem, tau, kwargs, result))
        return result

    evaluation = evaluate(cnet, HW, point, state, MACROS, PARTNERS, scheduler=recording)
    return cnet, state, point, calls, evaluation


def _capacity(result):
    return capacity_entry(HW, schedule_module.scratchpad_kb(result.buffer_elements, HW.data_res))


def test_capacity_alternates_for_all_ten_iterations(oscillating):
    _, _, _, calls, evaluation = oscillating
    assert evaluation.feasible
    k0, k1 = _capacity(calls[0][3]), _capacity(calls[1][3])
    assert k0 != k1 and _capacity(calls[2][3]) == k0  # K0 -> K1 -> K0 -> ...
    assert evaluation.capacity_iterations == MAX_CAPACITY_ITERATIONS
    # iteration i charges K0 when i is odd, K1 when even: the tenth charges K1
    assert evaluation.spm_kb == k1
    assert evaluation.first_pass_spm_kb == schedule_module.scratchpad_kb(calls[0][3].buffer_elements, HW.data_res)


def test_each_distinct_tau_is_scheduled_once(oscillating):
    _, _, _, calls, _ = oscillating
    # the first pass, then one schedule per capacity of the cycle (not eleven)
    assert len(calls) == 3
    taus = [tuple(map(tuple, tau)) for _, tau, _, _ in calls]
    assert len(set(taus)) == len(taus)


def test_reused_schedule_is_what_a_new_one_gives(oscillating):
    """The reuse is sound: scheduling a tau again gives the same result (the schedule is a
    function of the problem and tau), so the iterations that reuse a schedule see exactly
    what the reference's repeated schedule would have computed."""
    _, _, _, calls, _ = oscillating
    for problem, tau, kwargs, result in calls[1:]:
        assert schedule_module.schedule(problem, tau, **kwargs) == result


def test_fitness_agrees_with_evaluate(oscillating):
    cnet, state, point, _, evaluation = oscillating
    value = fitness(cnet, HW, point, state, MACROS, PARTNERS)
    assert value / 1e9 == pytest.approx(evaluation.power_efficiency_gops_per_w, rel=1e-12)
