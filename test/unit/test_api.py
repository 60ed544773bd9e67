"""The Python API (`import pimsyn`, docs/api.md): the README's session runs as written, the
API and the CLI give the same design and bytes, design.mlir round-trips through
`Design.to_mlir` / `Design.from_mlir`, and errors are the CLI's typed exceptions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pimsyn

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = ROOT / "test" / "data" / "networks" / "alexnet.json"
PIMSYN = str(Path(sys.executable).parent / "pimsyn")
SPACE_ARGS = ["--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2", "--dac-resolutions", "1,2"]
SPACE = pimsyn.DesignSpace(rram_ratios=(0.3,), xbar_sizes=(256,), cell_resolutions=(2,), dac_resolutions=(1, 2))


def readme_python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_the_readme_session_runs_as_written(tmp_path, monkeypatch):
    blocks = readme_python_blocks()
    assert blocks, "README.md has no ```python block"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "test" / "data" / "networks").mkdir(parents=True)
    (tmp_path / "test" / "data" / "networks" / "alexnet.json").write_bytes(ALEXNET.read_bytes())
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    assert (tmp_path / "out" / "alexnet-api" / "design.mlir").is_file()
    assert (tmp_path / "out" / "alexnet-api" / "accelerator.json").is_file()


@pytest.fixture(scope="module")
def api_run(tmp_path_factory):
    net = pimsyn.load_model(ALEXNET)
    result = pimsyn.synthesize(net, total_power_w=49, space=SPACE, effort=0.1, seed=3, jobs=1)
    outdir = tmp_path_factory.mktemp("api")
    result.write(outdir)
    return net, result, outdir


def test_the_cli_and_the_api_write_the_same_accelerator(api_run, tmp_path):
    _, result, outdir = api_run
    cli = subprocess.run([PIMSYN, "synth", str(ALEXNET), "--total-power", "49",
                          "--seed", "3", "--effort", "0.1", "--jobs", "2", "-q", "-o", str(tmp_path), *SPACE_ARGS],
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert (tmp_path / "accelerator.json").read_bytes() == (outdir / "accelerator.json").read_bytes()
    cli_metrics = json.loads((tmp_path / "accelerator.json").read_text())["metrics"]
    assert cli_metrics["power_efficiency_gops_per_w"] == result.metrics.power_efficiency_gops_per_w


def test_design_mlir_round_trips_through_the_api(api_run):
    _, result, outdir = api_run
    text = result.design.to_mlir()
    assert text == (outdir / "design.mlir").read_text()
    from_text = pimsyn.Design.from_mlir(text)
    from_file = pimsyn.Design.from_mlir(outdir / "design.mlir")
    for design in (from_text, from_file):
        assert design == result.design
        assert (design.conv_dup, design.macros, design.partners) == \
            (result.design.conv_dup, result.design.macros, result.design.partners)
        assert design.metrics == result.metrics


def test_metrics_are_typed_and_match_the_evaluate_command(api_run):
    net, result, _ = api_run
    d = result.design
    point = pimsyn.DesignPoint(total_power_w=49, xbar_size=d.xbar_size, cell_res=d.cell_res, rram_ratio=d.rram_ratio,
                               dac_res=d.dac_res, conv_dup=d.conv_dup, macros=d.macros,
                               share=tuple((i, j) for i, j in enumerate(d.partners) if 0 <= i < j))
    metrics = pimsyn.evaluate(net, point)
    assert metrics == result.metrics  # the same design point, evaluated without the search
    assert isinstance(metrics.power_efficiency_gops_per_w, float) and isinstance(metrics.cycles, int)
    share = ",".join(f"{i}:{j}" for i, j in point.share)
    cli = subprocess.run(
        [PIMSYN, "evaluate", "-n", str(ALEXNET), "--total-power", "49",
         "--xbar", str(d.xbar_size), "--cell-res", str(d.cell_res), "--ratio", str(d.rram_ratio),
         "--dac-res", str(d.dac_res), "--dup", ",".join(map(str, d.conv_dup)),
         "--macros", ",".join(map(str, d.macros)), *(["--share", share] if share else []), "--format", "json"],
        capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert pimsyn.Metrics.from_dict(json.loads(cli.stdout)) == metrics
    assert pimsyn.Metrics.from_dict({**metrics.to_dict(), "ops": metrics.ops_per_inference}) == metrics


def test_errors_are_the_typed_exceptions_the_cli_reports(tmp_path):
    net = pimsyn.load_model(ALEXNET)
    with pytest.raises(pimsyn.ModelNotFoundError):
        pimsyn.load_model(tmp_path / "missing.onnx")
    with pytest.raises(pimsyn.OptionError, match="total-power"):
        pimsyn.synthesize(net, total_power_w=-1, space=SPACE)
    with pytest.raises(pimsyn.OptionError, match="macro_setting"):
        pimsyn.synthesize(net, total_power_w=49, space=SPACE, macro_setting="both")
    with pytest.raises(pimsyn.ImpossibleBudgetError, match="cannot hold the weights"):
        pimsyn.synthesize(net, total_power_w=5, space=SPACE, effort=0.1, jobs=1)
    with pytest.raises(TypeError, match="bogus"):
        pimsyn.synthesize(net, total_power_w=49, bogus=1)
    bad = tmp_path / "hw.json"
    bad.write_text("{")
    with pytest.raises(pimsyn.HardwareError):
        pimsyn.load_hardware(bad)
    for cls in (pimsyn.ModelNotFoundError, pimsyn.HardwareError, pimsyn.IRError, pimsyn.OptionError,
                pimsyn.ImpossibleBudgetError, pimsyn.BackendError):
        assert issubclass(cls, pimsyn.PimsynError)


def test_a_design_is_immutable_and_pickles(api_run):
    import pickle

    _, result, _ = api_run
    with pytest.raises(AttributeError):
        result.design.xbar_size = 128
    again = pickle.loads(pickle.dumps(result.design))
    assert again == result.design and again.metrics == result.metrics
    smaller = result.design.replace(total_power_w=45.0)
    assert smaller.total_power_w == 45.0 and result.design.total_power_w == 49.0


def test_a_chip_too_small_for_the_weights_gives_a_compact_result(tmp_path):
    from test_compact_synth import tiny_network

    net = tiny_network()
    notes = []
    result = pimsyn.synthesize(net, area_mm2=0.8, batch=8, record_dram_trace=True, on_note=notes.append)
    assert isinstance(result, pimsyn.CompactResult)
    assert len(result.design.parts) > 1 and result.design.chip.batch == 8
    assert result.design.chip.area_mm2 <= 0.8
    written = result.write(tmp_path, dram_trace_path=tmp_path / "trace.csv")
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"design.mlir", "accelerator.json", "report.md", "trace.csv"} <= names
    acc = json.loads((tmp_path / "accelerator.json").read_text())
    assert acc["mode"] == "compact" and len(acc["parts"]) == len(result.design.parts)
    # the CLI writes the same design.mlir for the same limits
    from click.testing import CliRunner

    from pimsyn.tools.cli import main

    net_file = tmp_path / "tiny.json"
    from pimsyn.frontend.network_json_export import network_to_json

    net_file.write_text(json.dumps(network_to_json(net)))
    cli = CliRunner().invoke(main, ["synth", str(net_file), "--area-mm2", "0.8", "--batch", "8", "-q",
                                    "-o", str(tmp_path / "cli")])
    assert cli.exit_code == 0, cli.output
    assert (tmp_path / "cli" / "design.mlir").read_text() == result.to_mlir()
