"""Budgets are honoured by default, and a network too large for the machine is refused
before any work (issue "Nothing lost, nothing silently wrong")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from design_points import fixed_design

from pimsyn.hw.limits import MemoryLimitError, check_network_memory, schedule_memory_bytes
from pimsyn.model.network import Network, Node
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = ROOT / "test" / "data" / "networks" / "alexnet.json"


def test_default_designs_allocate_within_their_budget():
    """Spec 8.3 design A: the reference's allocation exceeds 49 W (specified: 49.03 W from
    rounding unit counts up; unified: 78.2 W with every macro at the per-macro maximum, B2);
    by default the same design points fit their budget."""
    from dataclasses import replace

    from backend_designs import design_a

    for setting, reference_peak in (("specified", 49.0336784), ("unified", 78.1601284)):
        design, reference = design_a(setting)
        assert reference.allocated_peak_power_w == pytest.approx(reference_peak)
        default = replace(design, reference_quirks=False).evaluate()
        assert default.feasible and default.allocated_peak_power_w <= 49.0


def test_synthesized_designs_allocate_within_their_budget(tmp_path):
    for setting in ("specified", "unified"):
        out = tmp_path / setting
        result = CliRunner().invoke(main, [
            "synth", str(ALEXNET), "--total-power", "49", "--macro-setting", setting, "--ratios", "0.3",
            "--xbars", "256", "--cell-resolutions", "2", "--effort", "0.05", "--jobs", "1", "-q", "-o", str(out)])
        assert result.exit_code == 0, result.output
        metrics = json.loads((out / "accelerator.json").read_text())["metrics"]
        assert metrics["allocated_peak_power_w"] <= 49.0
        assert "pim.reference_quirks" not in (out / "design.mlir").read_text()


def test_reference_quirks_are_recorded_in_the_design(tmp_path):
    result = CliRunner().invoke(main, [
        "synth", str(ALEXNET), "--total-power", "49", "--macro-setting", "unified", "--ratios", "0.3",
        "--xbars", "256", "--cell-resolutions", "2", "--effort", "0.05", "--jobs", "1", "--reference-quirks",
        "-q", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "pim.reference_quirks" in (tmp_path / "design.mlir").read_text()
    again = CliRunner().invoke(main, ["evaluate", "--design", str(tmp_path / "design.mlir"), "--format", "json"])
    assert json.loads(again.output) == json.loads((tmp_path / "accelerator.json").read_text())["metrics"]


def _huge_conv(side: int = 100000) -> Network:
    return Network(name="huge", nodes=(
        Node(name="x", kind="input", inputs=(), shape=(1, 8, side, side)),
        Node(name="conv", kind="conv", inputs=(0,), shape=(1, 8, side, side), kernel=(3, 3),
             pads=(1, 1, 1, 1), in_channels=8, out_channels=8),
    ))


def test_memory_bound_of_a_huge_layer():
    need, layer, blocks = schedule_memory_bytes(_huge_conv())
    assert (layer, blocks) == ("conv", 10**10)
    assert need == 10**10 * 10 * 64
    with pytest.raises(MemoryLimitError, match=r"layer 'conv' has 10,000,000,000 computation blocks"):
        check_network_memory(_huge_conv(), memory_bytes=24 << 30)
    check_network_memory(fixed_design("alexnet", 49.0, 0.3, 256, "specified").network, memory_bytes=1 << 30)


def test_synth_refuses_a_network_too_large_for_the_machine(tmp_path):
    """One 3x3 conv on a 1x8x16000x16000 input (within the reader's 2**31-element limit;
    1x8x100000x100000 is refused by the reader already): 256 million blocks, one line naming
    the layer, exit 2, at once (the process used to grow until the kernel killed it)."""
    from pimsyn.frontend.network_json_export import network_to_json

    path = tmp_path / "huge.json"
    path.write_text(json.dumps(network_to_json(_huge_conv(16000))))
    result = CliRunner().invoke(main, ["synth", str(path), "--total-power", "49", "--jobs", "1", "-q",
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "layer 'conv' has 256,000,000 computation blocks" in lines[0]
    assert not (tmp_path / "out" / "design.mlir").exists()


def test_a_window_wholly_in_the_padding_waits_for_the_first_block(tmp_path):
    """A 1x1 conv with padding 1 after a conv: its corner windows read no producer pixel
    (found by the network JSON property test: the schedule raised on block -1)."""
    from pimsyn.frontend.network_json_export import network_to_json

    net = Network(name="padded", nodes=(
        Node(name="x", kind="input", inputs=(), shape=(1, 4, 4, 4)),
        Node(name="n0", kind="conv", inputs=(0,), shape=(1, 4, 4, 4), kernel=(3, 3), pads=(1, 1, 1, 1),
             in_channels=4, out_channels=4),
        Node(name="n1", kind="conv", inputs=(1,), shape=(1, 4, 6, 6), kernel=(1, 1), pads=(1, 1, 1, 1),
             in_channels=4, out_channels=4),
    ))
    path = tmp_path / "padded.json"
    path.write_text(json.dumps(network_to_json(net)))
    result = CliRunner().invoke(main, ["synth", str(path), "--total-power", "50", "--ratios", "0.3", "--xbars", "128",
                                       "--cell-resolutions", "2", "--dac-resolutions", "1", "--effort", "0.02",
                                       "--jobs", "1", "-q", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "design.mlir").exists()
