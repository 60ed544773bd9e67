"""emit_text targets and write_outputs (all files, partial results on a failing emitter)."""

import json
from dataclasses import replace
from functools import lru_cache

import pytest
from backend_designs import DESIGN_A_DUP, DESIGN_A_UNIFIED_GOPS_PER_W, alexnet_design, design_a

import pimsyn.backend.outputs as outputs
from pimsyn.backend.errors import BackendError
from pimsyn.backend.outputs import FILE_NAMES, TARGETS, emit_text, write_outputs
from pimsyn.dse.result import ComboOutcome, SynthesisOptions, SynthesisResult
from pimsyn.frontend.network_json import network_from_json
from pimsyn.ir.context import parse_module, print_module, read_module
from pimsyn.passes.pipeline import design_to_module


def _result():
    design, evaluation = design_a("unified")
    outcome = ComboOutcome(index=0, rram_ratio=0.3, cell_res=2, xbar_size=256, status="explored",
                           crossbars=12250, best_gops_per_w=DESIGN_A_UNIFIED_GOPS_PER_W, best_dac_res=1)
    return SynthesisResult(design=design, evaluation=evaluation, outcomes=(outcome,),
                           options=SynthesisOptions(total_power_w=49.0, macro_setting="unified"),
                           evaluations=1, wall_seconds=0.5)


@lru_cache(maxsize=None)
def _module(setting: str = "unified"):
    design, _ = design_a(setting)
    return parse_module(print_module(design_to_module(design)))


@pytest.mark.parametrize("target", TARGETS)
def test_emit_text_targets(target):
    design, _ = design_a("unified")
    if target in outputs.unavailable_targets():
        pytest.skip(outputs.unavailable_targets()[target])
    text = emit_text(_module(), target)
    assert text.endswith("\n")
    if target == "report":
        assert "572.307" in text
        return
    if target == "pimsim-asm":
        assert text.startswith("; pimsim-nn program: 64 cores") and "\n.core 0" in text
        return
    if target == "report-html":  # figures: test_backend_report_html.py
        assert text.startswith("<!DOCTYPE html>") and "572.307" in text and text.count("<figure") == 4
        return
    if target == "verilog":
        pytest.importorskip("circt")
        assert text.startswith("// PIMSYN accelerator for alexnet") and "module Accelerator(" in text
        return
    data = json.loads(text)
    if target == "netlist-json":
        assert data["top"] == "Accelerator" and data["modules"][-1]["parameters"]["macros"] == 64
        return
    if target == "accelerator-json":
        assert data["power_efficiency"] == DESIGN_A_UNIFIED_GOPS_PER_W
    elif target == "pimcomp":
        assert (data["CoreH"], data["CoreW"]) == (16, 16)
    elif target == "pimcomp-config":
        assert data["chip_config"]["network_config"]["layout"] == [8, 8]
    else:
        assert network_from_json(data, design.network.name) == design.network  # round trip


@pytest.mark.parametrize("setting", ["unified", "specified"])
def test_emitted_from_the_ir_equals_emitted_from_the_evaluation(setting):
    """The records read from design.mlir carry every number the emitters need: the
    accelerator JSON from the IR is the one computed from the Design and its Evaluation."""
    from pimsyn.backend.accelerator_json import accelerator_json_text

    design, evaluation = design_a(setting)
    assert emit_text(_module(setting), "accelerator-json") == accelerator_json_text(design, evaluation)


def test_emit_from_a_module_without_a_design_is_a_clear_error():
    from pimsyn.ir.build import network_to_module

    module = network_to_module(design_a("unified")[0].network)
    with pytest.raises(BackendError, match="not a synthesized design"):
        emit_text(module, "accelerator-json")


def test_unknown_target_is_a_clear_error():
    with pytest.raises(BackendError, match="unknown output target 'gds'"):
        emit_text(_module(), "gds")


def test_write_outputs_writes_every_file(tmp_path):
    result = _result()
    outdir = tmp_path / "out" / "alexnet"
    skipped = []
    paths = write_outputs(result, outdir, on_skip=lambda name, why: skipped.append(name))
    written = sorted(str(p.relative_to(outdir)) for p in paths)
    assert sorted(written + skipped) == sorted(outputs.synth_file_names())
    assert all(p.is_relative_to(outdir) and p.stat().st_size > 0 for p in paths)
    accelerator = json.loads((outdir / "accelerator.json").read_text())
    assert accelerator["power_efficiency"] == DESIGN_A_UNIFIED_GOPS_PER_W
    assert (outdir / "accelerator.json").read_text() == emit_text(read_module(str(outdir / "design.mlir")),
                                                                  "accelerator-json")
    assert "Design-space exploration" in (outdir / "report.md").read_text()
    assert json.loads((outdir / "network.json").read_text())["node_list"][0]["operation"] == "OP_INPUT"


def test_write_outputs_reference_paths(tmp_path):
    """--output file.json puts the accelerator file there; --pimcomp writes a copy."""
    result = _result()
    accelerator_path = tmp_path / "ref" / "alexnet.json"
    pimcomp_path = tmp_path / "ref" / "alexnet_pimcomp.json"
    paths = write_outputs(result, tmp_path / "out", accelerator_path=accelerator_path, pimcomp_path=pimcomp_path)
    assert accelerator_path in paths and pimcomp_path in paths
    assert not (tmp_path / "out" / "accelerator.json").exists()
    assert pimcomp_path.read_text() == (tmp_path / "out" / "pimcomp.json").read_text()
    assert json.loads(accelerator_path.read_text())["macro_h"] == 8


def test_write_outputs_survives_one_failing_emitter(tmp_path, monkeypatch):
    def broken(design, evaluation):
        raise BackendError("mesh too large")

    monkeypatch.setitem(outputs.EMITTERS, "pimcomp", broken)
    with pytest.raises(BackendError, match=r"pimcomp.json: mesh too large"):
        write_outputs(_result(), tmp_path)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(name for name in outputs.synth_file_names() if name != "pimcomp.json")


def test_write_outputs_reraises_a_bug_after_writing_the_rest(tmp_path, monkeypatch):
    def buggy(design, evaluation):
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(outputs.EMITTERS, "accelerator-json", buggy)
    with pytest.raises(ZeroDivisionError):
        write_outputs(_result(), tmp_path)
    assert (tmp_path / "report.md").exists() and (tmp_path / "pimcomp-config.json").exists()
    assert not (tmp_path / "accelerator.json").exists()


def test_write_outputs_of_an_infeasible_design_writes_nothing(tmp_path):
    """An infeasible design has no allocation, placement or schedule: one clear error, and
    no design.mlir that would pass for a result."""
    from xdsl.utils.exceptions import PassFailedException

    design = alexnet_design(DESIGN_A_DUP, "unified", total_power_w=2.0)
    assert not design.evaluate().feasible
    result = replace(_result(), design=design, evaluation=design.evaluate())
    with pytest.raises(PassFailedException, match="infeasible design"):
        write_outputs(result, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_outputs_are_readable_like_any_written_file(tmp_path):
    import os
    import stat

    paths = write_outputs(_result(), tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert {stat.S_IMODE(p.stat().st_mode) for p in paths} == {0o666 & ~umask}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
