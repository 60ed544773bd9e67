"""emit_text targets and write_outputs (all files, partial results on a failing emitter)."""

import json

import pytest
from backend_designs import DESIGN_A_UNIFIED_GOPS_PER_W, design_a

import pimsyn.backend.outputs as outputs
from pimsyn.backend.errors import BackendError
from pimsyn.backend.outputs import FILE_NAMES, TARGETS, emit_text, write_outputs
from pimsyn.dse.result import ComboOutcome, SynthesisOptions, SynthesisResult
from pimsyn.frontend.network_json import network_from_json


def _result():
    design, evaluation = design_a("unified")
    outcome = ComboOutcome(index=0, rram_ratio=0.3, cell_res=2, xbar_size=256, status="explored",
                           crossbars=12250, best_gops_per_w=DESIGN_A_UNIFIED_GOPS_PER_W, best_dac_res=1)
    return SynthesisResult(design=design, evaluation=evaluation, outcomes=(outcome,),
                           options=SynthesisOptions(total_power_w=49.0, macro_setting="unified"),
                           evaluations=1, wall_seconds=0.5)


@pytest.mark.parametrize("target", [t for t in TARGETS if t != "mlir"])
def test_emit_text_targets(target):
    design, evaluation = design_a("unified")
    text = emit_text(design, target, evaluation=evaluation)
    assert text.endswith("\n")
    if target == "report":
        assert "572.307" in text
        return
    data = json.loads(text)
    if target == "accelerator-json":
        assert data["power_efficiency"] == DESIGN_A_UNIFIED_GOPS_PER_W
    elif target == "pimcomp":
        assert (data["CoreH"], data["CoreW"]) == (16, 16)
    elif target == "pimcomp-config":
        assert data["chip_config"]["network_config"]["layout"] == [8, 8]
    else:
        assert network_from_json(data, design.network.name) == design.network  # round trip


def test_emit_text_evaluates_when_not_given_an_evaluation():
    design, evaluation = design_a("unified")
    assert emit_text(design, "accelerator-json") == emit_text(design, "accelerator-json", evaluation=evaluation)


def test_emit_mlir_is_the_design_module():
    design, _ = design_a("unified")
    text = emit_text(design, "mlir")
    assert text.startswith("builtin.module @alexnet")
    assert all(f'"{node.name}"' in text for node in design.network.nodes if node.kind != "input")


def test_unknown_target_is_a_clear_error():
    design, evaluation = design_a("unified")
    with pytest.raises(BackendError, match="unknown output target 'verilog'"):
        emit_text(design, "verilog", evaluation=evaluation)


def test_write_outputs_writes_every_file(tmp_path):
    result = _result()
    outdir = tmp_path / "out" / "alexnet"
    paths = write_outputs(result, outdir)
    assert sorted(p.name for p in paths) == sorted(FILE_NAMES.values())
    assert all(p.parent == outdir and p.stat().st_size > 0 for p in paths)
    accelerator = json.loads((outdir / "accelerator.json").read_text())
    assert accelerator["power_efficiency"] == DESIGN_A_UNIFIED_GOPS_PER_W
    assert (outdir / "accelerator.json").read_text() == emit_text(result.design, "accelerator-json",
                                                                  evaluation=result.evaluation)
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

    monkeypatch.setattr(outputs, "pimcomp_json_text", broken)
    with pytest.raises(BackendError, match=r"pimcomp.json: mesh too large"):
        write_outputs(_result(), tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(name for name in FILE_NAMES.values() if name != "pimcomp.json")


def test_write_outputs_reraises_a_bug_after_writing_the_rest(tmp_path, monkeypatch):
    def buggy(design, evaluation):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(outputs, "accelerator_json_text", buggy)
    with pytest.raises(ZeroDivisionError):
        write_outputs(_result(), tmp_path)
    assert (tmp_path / "report.md").exists() and (tmp_path / "pimcomp-config.json").exists()
    assert not (tmp_path / "accelerator.json").exists()


def test_write_outputs_of_an_infeasible_design_keeps_what_it_can(tmp_path):
    from dataclasses import replace

    result = _result()
    result = replace(result, evaluation=replace(result.evaluation, feasible=False, reason="too little power"))
    with pytest.raises(BackendError, match="accelerator.json: cannot write the accelerator JSON: the design is "
                                           "infeasible"):
        write_outputs(result, tmp_path)
    assert (tmp_path / "report.md").exists() and (tmp_path / "network.json").exists()
    assert "too little power" in (tmp_path / "report.md").read_text()
