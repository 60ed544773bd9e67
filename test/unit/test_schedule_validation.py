"""Hand-computed schedules, scratchpad rounding, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

from pimsyn.hw.schedule import LayerSchedule, ScheduleError, ScheduleProblem, schedule, scratchpad_kb
from pimsyn.hw.schedule_reference import schedule_reference

CONV_OPS = ("LD", "DAC", "ADC", "SHIFTADD", "ADDITION", "ST")


def layer(name="c", kind="conv", blocks=2, dup=2, rows=2, cols=2, ops=CONV_OPS, providers=(), **kw):
    fields = dict(name=name, kind=kind, blocks=blocks, dup=dup, channels=4, out_w=rows, out_h=cols,
                  kernel=(1, 1), stride=(1, 1), pad0=(0, 0), input_split=1, dup_split=1, ops=ops,
                  providers=providers)
    fields.update(kw)
    return LayerSchedule(**fields)


@pytest.mark.parametrize("run", [schedule, schedule_reference])
def test_single_conv_by_hand(run):
    """B = 2, all tau 1. sigma = [1, 1, 1, 2, 1, 1], block delays = [2, 2, 2, 2, 1, 1].
    Block 0 starts LD..ST at 0, 1, 2, 3, 5, 6; block 1 at 2, 3, 4, 5, 7, 8 -> 9 cycles."""
    problem = ScheduleProblem(layers=(layer(),), bits=2)
    result = run(problem, [[1] * 6])
    assert result.cycles == 9
    assert result.nodes == 2 * (3 + 3 * 2)
    assert (result.noc_bubbles, result.adc_bubbles) == (0, 0)
    # no providers: IB = 0; OB = (hi - lo) * C = 4 * 4 after the last ST
    assert result.buffer_elements == 16


@pytest.mark.parametrize("run", [schedule, schedule_reference])
def test_long_final_op_is_not_counted(run):
    """cycles = 1 + last start (B9): a 7-cycle MRG at the end adds nothing."""
    ops = ("LD", "POOL", "ST", "MRG")
    base = ScheduleProblem(layers=(layer(kind="pool", blocks=1, dup=4, ops=ops),), bits=1)
    assert run(base, [[1, 1, 1, 1]]).cycles == run(base, [[1, 1, 1, 7]]).cycles == 4


@pytest.mark.parametrize("run", [schedule, schedule_reference])
def test_inter_layer_wait_uses_producer_last_op(run):
    """Pool (LD POOL ST MRG, MRG 3 cycles) -> pool: the consumer's first LD waits for the
    producer's MRG of its parent block plus tau(MRG)."""
    first = layer(name="p0", kind="pool", blocks=1, dup=4, ops=("LD", "POOL", "ST", "MRG"))
    second = layer(name="p1", kind="pool", blocks=1, dup=4, ops=("LD", "POOL", "ST"), providers=(0,))
    problem = ScheduleProblem(layers=(first, second), bits=1)
    # p0: LD 0, POOL 1, ST 2, MRG 3 (3 cycles) -> p1 LD at 6, POOL 7, ST 8 -> 9 cycles
    assert run(problem, [[1, 1, 1, 3], [1, 1, 1]]).cycles == 9


def test_scratchpad_rounding():
    assert scratchpad_kb(34304, 16) == 64  # 68608 B -> 0.9 * 68608 -> 2^16
    assert scratchpad_kb(32896, 16) == 64
    assert scratchpad_kb(40000, 16) == 128  # 0.9 * 80000 = 72000 -> 2^17
    assert scratchpad_kb(100, 16) == 0  # 2^8 bytes -> 0 KB
    assert scratchpad_kb(0, 16) == 0


def test_bad_op_cycles():
    problem = ScheduleProblem(layers=(layer(),), bits=2)
    with pytest.raises(ScheduleError, match="6 ops but 5 op durations"):
        schedule(problem, [[1] * 5])
    with pytest.raises(ScheduleError, match="whole cycles >= 1"):
        schedule(problem, [[1, 0, 1, 1, 1, 1]])
    with pytest.raises(ScheduleError, match="2 rows for 1 layers"):
        schedule_reference(problem, [[1] * 6, [1] * 6])


def test_bad_problems():
    conv = layer()
    cases = [
        (ScheduleProblem(layers=(layer(ops=("TRAN",) + CONV_OPS),), bits=1), "without providers cannot start"),
        (ScheduleProblem(layers=(conv, layer(providers=(1,))), bits=1), "provider 1 is not an earlier layer"),
        (ScheduleProblem(layers=(conv,), bits=1, noc_conflicts=frozenset({frozenset({(0, "TRAN"), (0, "MRG")})})),
         r"names \(0, MRG\)"),
        (ScheduleProblem(layers=(conv,), bits=1, adc_conflicts=frozenset({frozenset({0})})),
         "two different layers"),
        (ScheduleProblem(layers=(layer(kind="dense"),), bits=1), "unknown kind 'dense'"),
        (ScheduleProblem(layers=(layer(blocks=1, dup=2), layer(blocks=4, dup=1, providers=(0,))), bits=1),
         "block 2 needs block 1 of 'c', which has blocks 0..0"),
    ]
    for problem, message in cases:
        with pytest.raises(ScheduleError, match=message):
            schedule(problem, [[1] * len(x.ops) for x in problem.layers])


def test_adc_sharing_needs_one_cycle_adc():
    problem = ScheduleProblem(
        layers=(layer(), layer(name="d", providers=(0,))), bits=2,
        adc_conflicts=frozenset({frozenset({0, 1})}),
    )
    tau = [[1] * 6, [1, 1, 2, 1, 1, 1]]
    with pytest.raises(ScheduleError, match="ADC duration of 1"):
        schedule(problem, tau)
    ok = [[1] * 6, [1] * 6]
    assert schedule(problem, ok) == schedule_reference(problem, ok)


def test_op_cycles_accept_numpy_rows():
    problem = ScheduleProblem(layers=(layer(),), bits=2)
    assert schedule(problem, [np.ones(6, dtype=np.int64)]).cycles == 9
