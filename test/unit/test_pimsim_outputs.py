"""The pimsim-nn program in the outputs: `pimsyn synth` writes OUTDIR/pimsim/ (program.json,
arch.json, network.json) from design.mlir; `pimsyn emit --target pimsim -o DIR` writes the
same files; the listing (`--target pimsim-asm`) assembles back (`pimsyn asm`) into the
same program.json byte for byte."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from pimsyn.backend.pimsim_check import check_program, replay_transfers
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = ROOT / "test" / "data" / "networks" / "alexnet.json"


def _load(path: Path) -> dict:
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)


def test_synth_writes_the_pimsim_directory_and_the_listing_round_trips(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "synth", str(ALEXNET), "--total-power", "49", "--ratios", "0.3", "--xbars", "256",
        "--cell-resolutions", "2", "--effort", "0.05", "--jobs", "1", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    program = _load(out / "pimsim" / "program.json")
    assert check_program(program) == [] and replay_transfers(program) == []
    chip_macros = (out / "design.mlir").read_text().count("pim.macro ")
    assert program["config"]["core_cnt"] == chip_macros
    arch = json.loads((out / "pimsim" / "arch.json").read_text())
    assert arch["chip_config"]["network_config"]["net_config_file_path"] == "network.json"
    assert arch["sim_config"]["sim_mode"] == 1
    assert not (out / "pimsim" / "program.s").exists()  # the listing is written on request only

    emitted = tmp_path / "emitted"
    again = CliRunner().invoke(main, ["emit", str(out / "design.mlir"), "--target", "pimsim", "-o", str(emitted)])
    assert again.exit_code == 0, again.output
    for name in ("program.json", "arch.json", "network.json"):
        assert (emitted / name).read_bytes() == (out / "pimsim" / name).read_bytes(), name

    listing = tmp_path / "program.s"
    asm = CliRunner().invoke(main, ["emit", str(out / "design.mlir"), "--target", "pimsim-asm", "-o", str(listing)])
    assert asm.exit_code == 0, asm.output
    assert "; pim.mvm" in listing.read_text()
    rebuilt = tmp_path / "program.json"
    back = CliRunner().invoke(main, ["asm", str(listing), "-o", str(rebuilt)])
    assert back.exit_code == 0, back.output
    original = (out / "pimsim" / "program.json").read_bytes()
    if original[:2] == b"\x1f\x8b":
        original = gzip.decompress(original)
    assert rebuilt.read_bytes() == original


def test_pimsim_needs_an_output_directory(tmp_path):
    result = CliRunner().invoke(main, ["emit", str(tmp_path / "missing.mlir"), "--target", "pimsim"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")


def test_asm_parse_error_names_line_and_column(tmp_path):
    listing = tmp_path / "bad.s"
    listing.write_text(".core 0\nsetbw ibiw=8 obiw=8\nmvmul rd=2 rs1=\n")
    result = CliRunner().invoke(main, ["asm", str(listing)])
    assert result.exit_code == 2
    assert f"{listing}:3:" in result.output and "Traceback" not in result.output
