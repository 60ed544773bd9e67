"""design.mlir is the single source of every output (issue: "The design IR as the single
source"): it is self-contained (hardware table embedded), every backend emits from it alone
and gives the same bytes after a print/parse round trip, and the numbers it carries are the
cost model's (the accelerator JSON from the IR equals the one computed from the Design)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from design_points import POINTS, fixed_design

from pimsyn.backend.accelerator_json import accelerator_json_text
from pimsyn.backend.outputs import TARGETS, emit_text, unavailable_targets
from pimsyn.backend.pimcomp_config import default_pimcomp_config, key_tree_mismatches
from pimsyn.ir.context import parse_module, print_module, read_module
from pimsyn.ir.design import get_metrics
from pimsyn.passes.pipeline import design_to_module
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = ROOT / "test" / "data" / "networks"
SHARED_PIMCOMP = ROOT.parent / "shared" / "data" / "pimcomp" / "config.json"
@pytest.mark.parametrize("point", POINTS, ids=[p[0] for p in POINTS])
def test_every_file_is_emitted_again_identically_from_the_written_design(point, tmp_path):
    design = fixed_design(*point)
    module = design_to_module(design)
    path = tmp_path / "design.mlir"
    path.write_text(print_module(module))
    reread = read_module(str(path))
    assert print_module(reread) == path.read_text()  # print -> parse -> print is a fixed point
    for target in TARGETS:
        if target not in unavailable_targets():
            assert emit_text(reread, target) == emit_text(module, target), target
    # the IR carries the cost model's numbers: same file as from the Design and its Evaluation
    assert emit_text(reread, "accelerator-json") == accelerator_json_text(design, design.evaluate())
    config = json.loads(emit_text(reread, "pimcomp-config"))
    assert key_tree_mismatches(default_pimcomp_config(), config) == []
    if SHARED_PIMCOMP.exists():  # PIMCOMP-NN's own default, beside a CI clone
        assert key_tree_mismatches(json.loads(SHARED_PIMCOMP.read_text()), config) == []


def test_the_physical_design_has_the_accelerator_json_counts():
    """Each macro of the IR holds what accelerator.json says of its layer: c macros of
    ceil(X/c)-crossbar size with the per-macro ADC / ALU counts (specified mode)."""
    design = fixed_design(*POINTS[0])
    module = design_to_module(design)
    accelerator = json.loads(emit_text(module, "accelerator-json"))
    chip = next(op for op in module.ops if op.name == "pim.chip")
    maps = {m.layer_name: m for m in chip.map_ops()}
    macros = {m.macro_id: m for m in chip.macro_ops()}
    assert len(macros) == sum(design.macros) <= chip.rows * chip.cols
    for name, entry in accelerator.items():
        if not isinstance(entry, dict) or "macro_num" not in entry:
            continue
        home = maps[name].macro_ids
        assert len(home) == entry["macro_num"]
        for macro_id in home:
            macro = macros[macro_id]
            assert macro.count("size") == entry["macro_size"]
            assert macro.count("adc") == entry.get("ADC", 0)
            assert macro.layer_names[0] == name
            if entry["macro_sharing"] != "None":
                assert macro.layer_names == (name, entry["macro_sharing"])


def test_a_design_stays_evaluable_without_its_hardware_file(tmp_path):
    """Synthesize with a custom hardware file, delete the file, re-evaluate design.mlir:
    the same metrics (the table is embedded), by `pimsyn evaluate --design` and by the
    `evaluate` pass."""
    table = json.loads((ROOT / "pimsyn" / "data" / "default-hw.json").read_text())
    table["noc_power"] = 0.25  # a value the bundled table does not have
    hw_file = tmp_path / "my-hw.json"
    hw_file.write_text(json.dumps(table))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "synth", str(NETWORKS / "alexnet.json"), "--total-power", "49", "--config", str(hw_file),
        "--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2", "--effort", "0.05", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    hw_file.unlink()
    accelerator = json.loads((out / "accelerator.json").read_text())
    evaluated = CliRunner().invoke(main, ["evaluate", "--design", str(out / "design.mlir"), "--format", "json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.output) == accelerator["metrics"]
    text = CliRunner().invoke(main, ["evaluate", "--design", str(out / "design.mlir")])
    assert f"{accelerator['power_efficiency']:.3f} GOPS/W" in text.output
    # the bundled table would give other numbers: the embedded one is what was used
    module = read_module(str(out / "design.mlir"))
    assert module.attributes["pim.hardware"].table["noc_power"] == 0.25
    assert str(hw_file) in str(module.attributes["pim.hw_file"])
    again = subprocess.run([str(Path(sys.executable).parent / "pimsyn-opt"), str(out / "design.mlir"), "-p", "evaluate"],
                           capture_output=True, text=True, check=True).stdout
    assert get_metrics(parse_module(again)) == get_metrics(module)


def test_synth_and_emit_write_the_same_bytes(tmp_path):
    result = CliRunner().invoke(main, [
        "synth", str(NETWORKS / "alexnet.json"), "--total-power", "49", "--ratios", "0.3", "--xbars", "256",
        "--cell-resolutions", "2", "--effort", "0.05", "-q", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {"accelerator-json": "accelerator.json", "pimcomp": "pimcomp.json",
             "pimcomp-config": "pimcomp-config.json", "network-json": "network.json", "report": "report.md",
             "report-html": "report.html"}
    for target, name in names.items():
        out = CliRunner().invoke(main, ["emit", str(tmp_path / "design.mlir"), "--target", target])
        assert out.exit_code == 0, out.output
        assert out.output == (tmp_path / name).read_text(), target
        # and through xDSL's target mechanism
        opt = subprocess.run([str(Path(sys.executable).parent / "pimsyn-opt"), str(tmp_path / "design.mlir"),
                              "-t", target], capture_output=True, text=True)
        assert opt.returncode == 0, opt.stderr
        assert opt.stdout == (tmp_path / name).read_text(), target
