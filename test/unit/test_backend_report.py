"""metrics_dict / metrics_text (pimsyn.hw.metrics) and the Markdown report."""

import json
import re
from dataclasses import replace

import pytest
from backend_designs import DESIGN_A_UNIFIED_GOPS_PER_W, design_a

from functools import lru_cache

from pimsyn.backend.design_view import read_design
from pimsyn.backend.report import period_share, report_markdown, search_summary
from pimsyn.ir.context import parse_module, print_module
from pimsyn.passes.pipeline import design_to_module
from pimsyn.hw.metrics import metrics_dict, metrics_text
from pimsyn.dse.result import ComboOutcome, SynthesisOptions, SynthesisResult

# spec 8.3, design A unified
CYCLES, CLOCK_NS, LATENCY_NS = 1028, 102.15676959619952, 105017.15914489311
TOTAL_NJ = 2495822.3082705913
ENERGY_A = {
    "component_static": 775182.5639672093, "component_dynamic": 1183051.228352,
    "crossbar_static": 154652.4692431354, "crossbar_dynamic": 259697.664, "memory_dynamic": 20892.860092,
    "memory_static": 91423.73806517814, "noc": 10921.784551068884,
}


def test_metrics_dict_of_design_a():
    design, evaluation = design_a("unified")
    metrics = metrics_dict(design, evaluation)
    assert json.loads(json.dumps(metrics)) == metrics  # JSON-ready
    assert metrics["feasible"] is True and "reason" not in metrics
    assert metrics["power_efficiency_gops_per_w"] == DESIGN_A_UNIFIED_GOPS_PER_W
    assert (metrics["cycles"], metrics["clock_ns"], metrics["latency_ns"]) == (CYCLES, CLOCK_NS, LATENCY_NS)
    assert metrics["spm_kb"] == 64 and metrics["power_budget_w"] == 49.0
    assert metrics["ops"] == 1_428_376_960
    assert metrics["energy_per_inference_nj"] == TOTAL_NJ
    assert set(metrics["energy_nj"]) == set(ENERGY_A) | {"total"}
    for term, value in ENERGY_A.items():
        assert metrics["energy_nj"][term] == pytest.approx(value, rel=1e-9)
    # derived: throughput 1/T, EDP E*T, average power E/T, efficiency ops/E
    assert metrics["throughput_inferences_per_s"] == pytest.approx(1e9 / LATENCY_NS, rel=1e-12)
    assert metrics["edp_nj_ns"] == pytest.approx(TOTAL_NJ * LATENCY_NS, rel=1e-12)
    assert metrics["average_power_w"] == pytest.approx(TOTAL_NJ / LATENCY_NS, rel=1e-12)
    assert metrics["ops"] / metrics["energy_per_inference_nj"] == pytest.approx(
        metrics["power_efficiency_gops_per_w"], rel=1e-12)
    assert metrics["peak_power_efficiency_gops_per_w"] > metrics["power_efficiency_gops_per_w"]
    assert metrics["design_point"] == {
        "total_power_w": 49.0, "rram_ratio": 0.3, "xbar_size": 256, "cell_res": 2, "dac_res": 1, "adc_res": 9,
        "macro_setting": "unified",
    }


def test_metrics_dict_of_an_infeasible_design():
    design, evaluation = design_a("unified")
    infeasible = replace(evaluation, feasible=False, reason="scratchpad too large")
    metrics = metrics_dict(design, infeasible)
    assert metrics["feasible"] is False and metrics["reason"] == "scratchpad too large"
    assert metrics["power_efficiency_gops_per_w"] is None and metrics["latency_ns"] is None
    assert metrics["energy_nj"] == {}
    assert "scratchpad too large" in metrics_text(design, infeasible)


def test_metrics_text_of_design_a():
    design, evaluation = design_a("unified")
    text = metrics_text(design, evaluation)
    assert "572.307 GOPS/W" in text
    assert "1028 cycles x 102.1568 ns" in text
    assert "64 macros on a 8x8 mesh" in text
    # energy breakdown: percentages of the total, e.g. component dynamic 47.4 %
    assert re.search(r"peripheral components, dynamic\s+1183051\.228 nJ\s+47\.4 %", text)
    shares = [float(m) for m in re.findall(r"nJ\s+([0-9.]+) %", text)]
    assert sum(shares[:-1]) == pytest.approx(100.0, abs=0.5) and shares[-1] == 100.0


def _result(design, evaluation):
    outcomes = (
        ComboOutcome(index=0, rram_ratio=0.3, cell_res=2, xbar_size=256, status="explored", crossbars=12250,
                     candidates=10, best_gops_per_w=DESIGN_A_UNIFIED_GOPS_PER_W, best_dac_res=1,
                     best_conv_dup=(110, 26, 6, 7, 6), finalist=True, evaluations=800, seconds=3.0),
        ComboOutcome(index=1, rram_ratio=0.1, cell_res=4, xbar_size=512, status="skipped",
                     reason="FC layers need more crossbars than the budget", crossbars=1020),
    )
    return SynthesisResult(design=design, evaluation=evaluation, outcomes=outcomes,
                           options=SynthesisOptions(total_power_w=49.0, macro_setting="unified", seed=7),
                           evaluations=1234, wall_seconds=12.34)


@lru_cache(maxsize=None)
def records(setting: str = "unified", with_search: bool = False, hw_file: str | None = None):
    """The design and evaluation records of design A's design.mlir (what report.md reads)."""
    design, evaluation = design_a(setting)
    search = search_summary(_result(design, evaluation)) if with_search else None
    return read_design(parse_module(print_module(design_to_module(design, hw_file, search))))


def test_period_share_definition():
    design, evaluation = records("unified")
    conv1, pool1 = evaluation.layers[0], evaluation.layers[1]
    assert (conv1.blocks, pool1.blocks) == (28, 28)  # spec 8.3
    assert period_share(design, evaluation, conv1) == 28 * 16 / CYCLES  # B = 16/1 bit slices
    assert period_share(design, evaluation, pool1) == 28 / CYCLES


def test_report_for_design_contains_the_numbers():
    report = report_markdown(*records("unified"))
    assert report.startswith("# PIMSYN accelerator for alexnet")
    for expected in ("| effective power efficiency | 572.307 | GOPS/W |", "| latency | 105017.159 |",
                     "| energy per inference | 2495822.308 | nJ |", "1028 cycles", "| power budget | 49 | W |",
                     "| macro mesh | 8 x 8 (64 macros) |", "| scratchpad per macro | 64 KB |",
                     "| crossbars per macro (unified) | 256 |"):
        assert expected in report, expected
    # per-layer rows: conv1 dup 110, 28 blocks, 11 macros, 4411 ADCs (spec 8.3), 1760 crossbars,
    # period share 28*16/1028 = 43.6 %
    assert "| /features/features.0/Conv_output_0 | conv | 110 | 28 | 11 | - | 4411 | 1760 | 43.6 % |" in report
    assert "| /features/features.2/MaxPool_output_0 | pool | 27 | 28 | - | - | - | - | 2.7 % |" in report
    # component split: DAC units = DAC workload (spec 8.2: allocation = workload)
    assert re.search(r"\| ADC \| \d+ \| 673790\.093 \| 1172448\.640 \|", report)
    assert "| **total** | 2495822.308 | 100.0 % |" in report
    assert "Design-space exploration" not in report
    # unified mode instantiates the per-macro maxima everywhere: 78.2 W allocated for 49 W
    assert "| allocated peak power | 78.160 | W (159.5 % of the budget) |" in report
    assert "exceeds the 49 W budget. In unified mode" in report


def test_report_for_specified_design_a():
    report = report_markdown(*records("specified"))
    assert "| effective power efficiency | 663.017 | GOPS/W |" in report  # spec 8.3
    assert "crossbars per macro (unified)" not in report


def test_report_markdown_has_the_search_section():
    report = report_markdown(*records("unified", True, "my-hw.json"))
    base = report_markdown(*records("unified", False, "my-hw.json"))
    assert base.split("## Metrics")[1].rstrip("\n") in report  # same design sections, plus the search
    assert "| seed | 7 |" in report and "| seed |" not in base
    assert "| hardware file | my-hw.json |" in report
    assert "| 0 | 0.3 | 2 | 256 | explored | 12250 | 572.307 | 1 | yes |" in report
    assert "| 1 | 0.1 | 4 | 512 | skipped: FC layers need more crossbars than the budget | 1020 | - | - |  |" in report
    assert "- evaluations: 1,234" in report
    assert "- wall time: 12.3 s" in report
    assert "1 explored, 1 skipped" in report
    assert "seed 7" in report


def test_report_of_an_infeasible_design():
    design, evaluation = records("unified", True)
    infeasible = replace(evaluation, feasible=False, reason="minimum power 9 W >= available 3 W")
    report = report_markdown(design, infeasible)
    assert "**infeasible**: minimum power 9 W >= available 3 W" in report
    assert "## Layers" not in report
    assert "Design-space exploration" in report
