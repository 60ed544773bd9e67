"""Chip area (`hw/area.py`, docs/cost-model.md "Area"): hand-computed totals, the scaling
rules, hardware-file overrides, and area in every design's metrics and outputs."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from design_points import POINTS, fixed_design
from pimsyn.hw import load_hardware
from pimsyn.hw.area import AreaError, AreaTable, chip_area
from pimsyn.hw.config import hardware_from_dict


def layer(alloc, crossbars):
    return SimpleNamespace(alloc=alloc, crossbars=crossbars)


def test_hand_computed_area():
    """8 crossbars of 128x128 with 100 DACs, 10 ADCs (8 bit), 4 shift-adders, 2 adders; a
    pool layer with 3 units; 3 macros with 64 KB scratchpads and a router each."""
    layers = [layer({"DAC": 100, "ADC": 10, "SHIFTADD": 4, "ADDITION": 2}, 8), layer({"POOL": 3}, 0)]
    area = chip_area(load_hardware(), layers, total_macros=3, spm_kb=64, xbar_size=128, dac_res=1, adc_res=8)
    expected = {
        "crossbars": 8 * 2.5e-5,
        "sample_hold": 8 * 128 * 3.9e-8,
        "dac": 100 * 1.66e-7,
        "adc": 10 * 1.2e-3,
        "alu": 4 * 6e-5 + 2 * 6e-5 + 3 * 2.4e-4,
        "scratchpad": 3 * 0.083,
        "router": 3 * 0.0378,
    }
    assert area.terms == pytest.approx(expected)
    assert area.total_mm2 == pytest.approx(0.2e-3 + 3.99360e-5 + 1.66e-5 + 0.012 + 1.08e-3 + 0.249 + 0.1134)


def test_scaling_rules():
    table = AreaTable.from_hardware(load_hardware())
    assert table.adc(9) == pytest.approx(2 * table.adc(8))
    assert table.adc(6) == pytest.approx(table.adc(8) / 4)
    assert table.dac(2) == pytest.approx(2 * table.dac(1))
    assert table.crossbar(256) == pytest.approx(4 * table.crossbar(128))
    assert table.memory(128) == pytest.approx(2 * 0.083)
    assert table.alu("RELU") == table.alu("SHIFTADD") and table.alu("GELU") == table.alu("SIGMOID")


def test_hardware_file_overrides_and_rejects():
    hw = load_hardware()
    data = dict(hw.raw)
    data["area_mm2"] = {"ADC_8": 0.002, "crossbar_256": 1e-4}
    table = AreaTable.from_hardware(hardware_from_dict(data))
    assert table.adc(8) == 0.002 and table.adc(9) == pytest.approx(0.004)
    assert table.crossbar(256) == 1e-4 and table.crossbar(128) == pytest.approx(2.5e-5)
    for bad in (0, -1.0, float("nan"), "big", True):
        data["area_mm2"] = {"ADC_8": bad}
        with pytest.raises(AreaError, match="area_mm2.ADC_8 must be a positive number"):
            AreaTable.from_hardware(hardware_from_dict(data))


def test_area_in_metrics_ir_and_outputs(tmp_path):
    """The metrics carry area and GOPS/mm²; the backends, reading design.mlir alone, write
    the same figures."""
    from pimsyn.backend.outputs import emit_text
    from pimsyn.hw.metrics import metrics_dict
    from pimsyn.ir import design as ir_design
    from pimsyn.passes.pipeline import design_to_module

    design = fixed_design(*POINTS[0])
    evaluation = design.evaluate()
    metrics = metrics_dict(design, evaluation)
    assert metrics["area_mm2"] > 0
    expected_eff = evaluation.ops * evaluation.throughput_inferences_per_s / 1e9 / metrics["area_mm2"]
    assert metrics["area_efficiency_gops_per_mm2"] == pytest.approx(expected_eff)
    module = design_to_module(design)
    assert ir_design.get_metrics(module)["area_mm2"] == pytest.approx(metrics["area_mm2"])
    record = json.loads(emit_text(module, "accelerator-json"))
    assert record["metrics"]["area_mm2"] == pytest.approx(metrics["area_mm2"])
    assert "chip area" in emit_text(module, "report")


def test_area_limit_binds_exactly_at_the_design_area():
    """A limit at or above the chip's area changes nothing; below it the allocation shrinks
    until the chip fits; below what the crossbars and scratchpads alone take the design is
    infeasible, with the reason naming the limit."""
    from dataclasses import replace

    from pimsyn.hw.metrics import metrics_dict

    design = fixed_design(*POINTS[0])
    evaluation = design.evaluate()
    area = metrics_dict(design, evaluation)["area_mm2"]
    roomy = replace(design, area_limit_mm2=area * (1 + 1e-9)).evaluate()
    assert roomy.feasible and roomy.power_efficiency_gops_per_w == evaluation.power_efficiency_gops_per_w
    assert roomy.cycles == evaluation.cycles
    limited = replace(design, area_limit_mm2=area * 0.9)
    tight = limited.evaluate()
    assert tight.feasible and metrics_dict(limited, tight)["area_mm2"] <= area * 0.9
    assert tight.allocated_peak_power_w < evaluation.allocated_peak_power_w
    hopeless = replace(design, area_limit_mm2=1.0).evaluate()
    assert not hopeless.feasible and "1 mm² area limit" in hopeless.reason


@pytest.mark.parametrize("value, message", [("0", "--area-mm2 must be"), ("-3", "--area-mm2 must be"),
                                            ("nan", "--area-mm2 must be"), ("x", "--area-mm2 must be")])
def test_evaluate_area_option_rejects_bad_values(value, message):
    from click.testing import CliRunner

    from pimsyn.tools.cli import main

    net = str(Path(__file__).resolve().parents[1] / "data" / "networks" / "alexnet.json")
    res = CliRunner().invoke(main, ["evaluate", "-n", net, "--total-power", "49", "--xbar", "256", "--cell-res", "2",
                                    "--ratio", "0.3", "--dac-res", "1", "--dup", "1,1,1,1,1",
                                    "--macros", "8,8,8,8,8,8,8,8", "--area-mm2", value])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
