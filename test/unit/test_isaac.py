"""The ISAAC baseline (`pimsyn evaluate --preset isaac`, docs/cost-model.md "Fixed
organisations"): ISAAC's units per crossbar, scaled to the budget, same cost model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pimsyn.dse.isaac import _design, isaac_design
from pimsyn.frontend import load_model
from pimsyn.hw import cost_network, load_hardware
from pimsyn.hw.organisation import ISAAC
from pimsyn.tools.cli import main

NETS = Path(__file__).resolve().parents[1] / "data" / "networks"


@pytest.fixture(scope="module")
def resnet():
    hw = load_hardware()
    net = load_model(NETS / "resnet18.json")
    design = isaac_design(net, hw, 49.0)
    return net, hw, design, design.evaluate()


def test_units_follow_isaacs_organisation(resnet):
    """ADC: one per used crossbar; shift-add: one per 2; adder: one per IMA of 8; every
    layer on whole 96-crossbar tiles, no sharing."""
    _, _, design, evaluation = resnet
    weights = [layer for layer in evaluation.layers if layer.kind in ("conv", "fc")]
    assert weights
    for layer in weights:
        x = layer.crossbars
        assert layer.alloc["ADC"] == x
        assert layer.alloc["SHIFTADD"] == -(-x // 2)
        assert layer.alloc["ADDITION"] == -(-x // 8)
    assert all(p == -1 for p in design.partners)
    assert [-(-layer.crossbars // 96) for layer in weights] == list(design.macros)


def test_scaled_to_the_largest_chip_within_the_budget(resnet):
    net, hw, design, evaluation = resnet
    assert evaluation.feasible and evaluation.allocated_peak_power_w <= 49.0
    tiles = sum(design.macros)
    bigger = _design(net, hw, cost_network(net, hw, 128, 2), ISAAC, 49.0, tiles + 1)
    assert bigger is None or bigger.evaluate().allocated_peak_power_w > 49.0 or sum(bigger.macros) <= tiles


def test_other_alu_units_keep_pace_with_the_adcs(resnet):
    """The clock is the one the ADCs, shift-adders and adders set (ISAAC's digital units
    are sized not to slow its pipeline): spec 5.9 over those items only."""
    import numpy as np

    from pimsyn.hw.allocation import CLOCK_FLOOR_NS, component_table, component_workloads

    _, hw, design, evaluation = resnet
    cnet, state = design.cost_network, design.state
    table = component_table(cnet, hw, design.dac_res, design.adc_res, hw.data_res // design.dac_res)
    wl = component_workloads(cnet, state, hw.vfu_width)
    x = {layer.name: layer.crossbars for layer in evaluation.layers}
    expected = CLOCK_FLOOR_NS
    for i, comp in enumerate(cnet.item_component):
        layer = int(cnet.item_layer[i])
        if comp in ISAAC.per_crossbar and wl[i] > 0 and not cnet.is_fc[layer]:
            units = max(1, int(np.ceil(x[cnet.names[layer]] * ISAAC.per_crossbar[comp])))
            expected = max(expected, wl[i] / (table.frequency_ghz[i] * units))
    assert evaluation.clock_ns == pytest.approx(expected)
    pools = [layer for layer in evaluation.layers if layer.kind == "pool"]
    assert pools and all(layer.alloc["POOL"] >= 1 for layer in pools)


def test_budget_too_small_is_one_line(tmp_path):
    res = CliRunner().invoke(main, ["evaluate", "--preset", "isaac", "-n", str(NETS / "alexnet.json"),
                                    "--total-power", "49"])
    assert res.exit_code == 2
    assert "cannot hold alexnet on isaac tiles" in res.output and "try --total-power" in res.output
    res = CliRunner().invoke(main, ["evaluate", "--preset", "isaac", "-n", str(NETS / "alexnet.json"),
                                    "--total-power", "120", "--xbar", "256"])
    assert res.exit_code == 2 and "drop --xbar" in res.output


def test_cli_prints_the_baseline():
    res = CliRunner().invoke(main, ["evaluate", "--preset", "isaac", "-n", str(NETS / "resnet18.json"),
                                    "--total-power", "49", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert '"xbar_size": 128' in res.output and '"adc_res": 8' in res.output
