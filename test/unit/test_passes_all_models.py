"""The stage passes run on every bundled network and light ONNX model, and the design they
produce respects the invariants of issue 3: crossbars used <= budget, allocated peak power
within the budget as spec 5.8 defines it, dup >= 1 on every layer."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from xdsl.context import Context
from xdsl.passes import PassPipeline

from pimsyn.frontend import load_model
from pimsyn.hw import cost_network, crossbar_budget, load_hardware
from pimsyn.ir import design as ir_design
from pimsyn.ir.build import network_to_module
from pimsyn.passes.allocate import AllocatePass
from pimsyn.passes.build_deps import BuildDepsPass
from pimsyn.passes.design_state import evaluate_module
from pimsyn.passes.duplicate import DuplicatePass
from pimsyn.passes.evaluate import EvaluatePass
from pimsyn.passes.partition import PartitionPass

DATA = Path(__file__).resolve().parent.parent / "data" / "networks"
LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
MODELS = sorted(DATA.glob("*.json")) + sorted(LIGHT.glob("light_*.onnx"))
XBAR, CELL_RES, RATIO = 256, 2, 0.3


def _power_that_fits(net, hw) -> float:
    """49 W, or twice what holds the weights once at RatioRram 0.3 (big networks)."""
    cnet = cost_network(net, hw, XBAR, CELL_RES)
    crossbars = int(cnet.set_size[cnet.gene_layers].sum()) + 1
    needed = crossbars * hw.crossbar(XBAR, CELL_RES).peak_power_w / RATIO
    return float(max(49.0, np.ceil(2 * needed)))


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_stage_pipeline_gives_a_valid_design(path):
    hw = load_hardware()
    net = load_model(path)
    power = _power_that_fits(net, hw)
    module = network_to_module(net)
    PassPipeline((
        DuplicatePass(total_power=power, ratio=RATIO, xbar=XBAR, cell_res=CELL_RES, strategy="uniform"),
        BuildDepsPass(),
        PartitionPass(population=1, generations=0, macro_reuse=False),
        AllocatePass(),
        EvaluatePass(),
    )).apply(Context(), module)
    metrics = ir_design.get_metrics(module)
    assert metrics["feasible"] == 1.0 and metrics["power_efficiency_gops_per_w"] > 0
    assert ir_design.dataflow_region(module) is not None
    for op in ir_design.layer_ops(module):
        if op.name in ("pim.conv", "pim.fc", "pim.pool", "pim.eltwise"):
            assert ir_design.get_design_int(op, "dup") >= 1
    # the evaluation the passes made (evaluating again costs seconds: without duplication,
    # DenseNet-121's first layers are one long chain of blocks)
    design, evaluation = evaluate_module(module)
    cnet = design.cost_network
    budget = crossbar_budget(hw, power, RATIO, XBAR, CELL_RES, cnet)
    assert design.state.used_crossbars(cnet) <= budget.total_crossbars
    slack = sum(hw.component(c, design.dac_res, design.adc_res).peak_power_w
                for layer in evaluation.layers for c in layer.alloc if c != "DAC")
    assert evaluation.allocated_peak_power_w <= power + slack
