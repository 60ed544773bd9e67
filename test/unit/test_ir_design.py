"""Design attributes: helpers to read/write them, and their text round trip."""

from __future__ import annotations

import pytest

from pimsyn.ir import design
from pimsyn.ir.attributes import BudgetAttr, HwAttr
from pimsyn.ir.build import network_to_module
from pimsyn.ir.context import parse_module, print_module
from pimsyn.ir.errors import IRVerifyError
from pimsyn.model.network import Network, Node


def _module():
    nodes = (
        Node("x", "input", (), (1, 3, 8, 8)),
        Node("c1", "conv", (0,), (1, 4, 8, 8), kernel=(3, 3), pads=(1, 1, 1, 1), in_channels=3, out_channels=4),
        Node("c2", "conv", (1,), (1, 4, 8, 8), kernel=(3, 3), pads=(1, 1, 1, 1), in_channels=4, out_channels=4),
    )
    return network_to_module(Network("t", nodes))


def test_module_attributes_round_trip_through_text():
    module = _module()
    design.set_hw(module, HwAttr(256, 2, 16, 16, 1, 9))
    design.set_budget(module, BudgetAttr(49.0, 0.3, 12250))
    design.set_macro_setting(module, "specified")
    design.set_metrics(module, {"power_efficiency": 1.25e12, "cycles": 21954.0})
    parsed = parse_module(print_module(module))
    hw = design.get_hw(parsed)
    assert hw is not None and hw.as_dict() == {
        "xbar": 256, "cell_res": 2, "weight_res": 16, "data_res": 16, "dac_res": 1, "adc_res": 9,
    }
    budget = design.get_budget(parsed)
    assert budget is not None
    assert (budget.total_power_w, budget.rram_ratio, budget.crossbars) == (49.0, 0.3, 12250)
    assert design.get_macro_setting(parsed) == "specified"
    assert design.get_metrics(parsed) == {"power_efficiency": 1.25e12, "cycles": 21954.0}


def test_layer_attributes_round_trip_through_text():
    module = _module()
    ops = design.layer_op_by_name(module)
    design.set_design_int(ops["c1"], "dup", 4)
    design.set_design_int(ops["c1"], "blocks", 16)
    design.set_design_int(ops["c2"], "macros", 3)
    design.set_share_with(ops["c2"], "c1")
    design.set_alloc(ops["c1"], {"adc": 12, "shiftadd": 2})
    parsed = design.layer_op_by_name(parse_module(print_module(module)))
    assert design.get_design_int(parsed["c1"], "dup") == 4
    assert design.get_design_int(parsed["c1"], "blocks") == 16
    assert design.get_design_int(parsed["c1"], "macros") is None
    assert design.get_design_int(parsed["c2"], "macros") == 3
    assert design.get_share_with(parsed["c2"]) == "c1"
    assert design.get_alloc(parsed["c1"]) == {"adc": 12, "shiftadd": 2}
    assert design.get_alloc(parsed["c2"]) == {}


def test_defaults_when_nothing_is_set():
    module = _module()
    assert design.get_hw(module) is None
    assert design.get_budget(module) is None
    assert design.get_macro_setting(module) is None
    assert design.get_metrics(module) == {}
    assert design.dataflow_region(module) is None
    assert [op.layer for op in design.layer_ops(module)] == ["x", "c1", "c2"]


def test_bad_design_values_are_refused():
    module = _module()
    ops = design.layer_op_by_name(module)
    with pytest.raises(IRVerifyError, match="dup must be >= 1"):
        design.set_design_int(ops["c1"], "dup", 0)
    with pytest.raises(KeyError):
        design.set_design_int(ops["c1"], "dups", 2)
    design.set_share_with(ops["c1"], "nobody")
    with pytest.raises(IRVerifyError, match="share_with names unknown layer 'nobody'"):
        design.verify_design(module)
    design.set_share_with(ops["c1"], None)
    design.verify_design(module)
