"""The `pimsyn` command line: results, reference option spellings, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pimsyn.tools.cli import main
from pimsyn.tools.commands import parse_bool

ROOT = Path(__file__).resolve().parent.parent
ALEXNET = str(ROOT / "data" / "networks" / "alexnet.json")
REFERENCE = str(ROOT / "data" / "reference-designs" / "alexnet-49W.json")
DESIGN_A = ["--total-power", "49", "--xbar", "256", "--cell-res", "2", "--ratio", "0.3", "--dac-res", "1",
            "--dup", "110,26,6,7,6", "--macros", "11,10,5,5,3,18,8,4"]


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_evaluate_design_a_as_json_unified_and_specified():
    # Spec 8.3 (the reference's allocation): design A is 572.3071531441486 GOPS/W unified,
    # 663.0168201154678 specified.
    for setting, expected in (("unified", 572.3071531441486), ("specified", 663.0168201154678)):
        out = run(["evaluate", "--network", ALEXNET, *DESIGN_A, "--macro-setting", setting, "--format", "json",
                   "--reference-quirks"])
        assert out.exit_code == 0, out.output
        metrics = json.loads(out.output)
        assert metrics["power_efficiency_gops_per_w"] == expected
        assert metrics["cycles"] == 1028 and metrics["spm_kb"] == 64
        assert metrics["clock_ns"] == 102.15676959619952
        assert set(metrics["energy_nj"]) >= {"component_static", "component_dynamic", "crossbar_static",
                                             "crossbar_dynamic", "memory_dynamic", "memory_static", "noc", "total"}


def test_evaluate_design_a_within_the_budget_by_default():
    """Without --reference-quirks the allocation fits the 49 W budget in both settings, at
    a lower efficiency than the reference's over-budget allocation."""
    for setting, reference in (("unified", 572.3071531441486), ("specified", 663.0168201154678)):
        out = run(["evaluate", "--network", ALEXNET, *DESIGN_A, "--macro-setting", setting, "--format", "json"])
        assert out.exit_code == 0, out.output
        metrics = json.loads(out.output)
        assert metrics["allocated_peak_power_w"] <= 49.0
        assert 0 < metrics["power_efficiency_gops_per_w"] < reference


def test_evaluate_reference_design_file_is_b_fresh():
    # The reference file's layer details are design B; evaluated fresh (no pool history) that
    # is B-fresh of spec 8.2: 522.8731691145955 GOPS/W unified.
    out = run(["evaluate", "--network", ALEXNET, "--design", REFERENCE, "--total-power", "49",
               "--macro-setting", "unified", "--format", "json", "--reference-quirks"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["power_efficiency_gops_per_w"] == 522.8731691145955


def test_evaluate_rejects_wrong_lengths_in_one_line():
    args = [a if a != "110,26,6,7,6" else "110,26" for a in DESIGN_A]
    out = CliRunner().invoke(main, ["evaluate", "--network", ALEXNET, *args])
    assert out.exit_code == 2
    assert "--dup has 2 values but the network has 5 conv layers" in out.output
    assert "Traceback" not in out.output


@pytest.mark.parametrize("text,value", [("True", True), ("False", False), ("true", True), ("0", False), ("1", True)])
def test_macro_reuse_strings_parse_as_a_person_means(text, value):
    assert parse_bool(text) is value  # unlike the reference, where bool("False") is True (A6)


def test_synth_accepts_the_reference_command_line(tmp_path):
    out_file = tmp_path / "output" / "alexnet.json"
    pimcomp = tmp_path / "output" / "alexnet_pimcomp.json"
    result = run([
        "synth", "--network", ALEXNET, "--total_power", "49", "--macro_setting", "specified",
        "--config", str(ROOT.parent / "pimsyn" / "data" / "default-hw.json"), "--macro_reuse", "False",
        "--output", str(out_file), "--pimcomp", str(pimcomp),
        "--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2", "--effort", "0.05", "--quiet",
    ])
    assert result.exit_code == 0, result.output
    accelerator = json.loads(out_file.read_text())
    assert list(accelerator)[:9] == ["rram_ratio", "rram_res", "xbar_size", "power_efficiency", "dac_res",
                                     "adc_res", "macro_h", "macro_w", "spm_capacity"]
    assert all(entry.get("macro_sharing", "None") == "None" for entry in accelerator.values() if isinstance(entry, dict))
    assert json.loads(pimcomp.read_text())["CrossbarH"] == 256
    for name in ("design.mlir", "report.md", "pimcomp-config.json", "network.json"):
        assert (out_file.parent / name).exists()


def test_synth_impossible_budget_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["synth", str(ROOT / "data" / "networks" / "vgg16.json"),
                                       "--total-power", "0.5", "-q", "-o", str(tmp_path)])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: 0.5 W cannot hold the weights of vgg16")
    assert "try --total-power" in lines[0]


def test_emit_reproduces_the_synthesized_files(tmp_path):
    result = run(["synth", ALEXNET, "--total-power", "49", "--ratios", "0.3", "--xbars", "256",
                  "--cell-resolutions", "2", "--effort", "0.05", "--no-macro-reuse", "-q", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for target, name in (("accelerator-json", "accelerator.json"), ("pimcomp", "pimcomp.json")):
        out = run(["emit", str(tmp_path / "design.mlir"), "--target", target])
        assert out.exit_code == 0
        assert out.output == (tmp_path / name).read_text()


def test_unknown_model_file_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["layers", str(tmp_path / "missing.onnx")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_synth_onnx_path_writes_the_network_json_like_the_reference(tmp_path):
    import onnx

    light = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light" / "light_bvlc_alexnet.onnx"
    before = light.read_bytes()
    network = tmp_path / "models" / "alexnet.json"
    network.parent.mkdir()
    result = run(["synth", "--onnx_path", str(light), "--network", str(network), "--total_power", "49",
                  "--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2", "--effort", "0.05",
                  "--no-macro-reuse", "-q", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert json.loads(network.read_text())["node_list"][0]["operation"] == "OP_INPUT"
    assert light.read_bytes() == before  # the reference's frontend overwrites its input; ours never
    assert (tmp_path / "out" / "accelerator.json").exists()
