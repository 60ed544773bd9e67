"""`pimsyn synth --area-mm2 / --max-crossbars` (docs/compact.md, "Compact synthesis"):
a network whose weights do not fit gives a compact design whose design.mlir records the
parts and round-trips, whose every output is lowered from design.mlir (emit == synth
bytes), and whose numbers agree with the model; a network that fits runs the PIMSYN flow
within the area; bad limits are one line, exit 2."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from pimsyn.tools.cli import main
from test_cli_hardening import assert_one_error_line, invoke

TILE_MM2 = 0.24517904  # one ISAAC macro with the default area table (test_compact_eval)
CELL_BYTES = 128 * 128 * 2 // 8  # one 128 x 128 crossbar of 2-bit cells


def tiny_network():
    """conv1 3->64 (16x16), pool, conv2 64->128, conv3 128->256 (8x8), pool, fc 4096->10.
    ISAAC tiles (128 x 128 crossbars, 8 bit slices): conv1 1x1 tiles = 8 crossbars, conv2
    5x1 = 40, conv3 9x2 = 144 (2 macros), fc 32x1 = 256 (3 macros)."""
    from pimsyn.model.network import Network, Node

    conv = dict(kernel=(3, 3), pads=(1, 1, 1, 1), activation="relu")
    return Network("tiny", (
        Node("data", "input", (), (1, 3, 16, 16)),
        Node("conv1", "conv", (0,), (1, 64, 16, 16), in_channels=3, out_channels=64, **conv),
        Node("pool1", "pool", (1,), (1, 64, 8, 8), kernel=(2, 2), stride=(2, 2), pool_method="max"),
        Node("conv2", "conv", (2,), (1, 128, 8, 8), in_channels=64, out_channels=128, **conv),
        Node("conv3", "conv", (3,), (1, 256, 8, 8), in_channels=128, out_channels=256, **conv),
        Node("pool2", "pool", (4,), (1, 256, 4, 4), kernel=(2, 2), stride=(2, 2), pool_method="max"),
        Node("fc", "fc", (5,), (1, 10), in_channels=4096, out_channels=10),
    ))


@pytest.fixture(scope="module")
def net_file(tmp_path_factory):
    from pimsyn.frontend.network_json_export import network_to_json

    path = tmp_path_factory.mktemp("net") / "tiny.json"
    path.write_text(json.dumps(network_to_json(tiny_network()), indent=2))
    return path


@pytest.fixture(scope="module")
def compact(net_file, tmp_path_factory):
    """One area-only synth of the tiny network on 3 macros (0.8 mm²), batch 8, with a trace."""
    out = tmp_path_factory.mktemp("compact")
    result = invoke(["synth", net_file, "--area-mm2", "0.8", "--batch", "8", "--dram", "lpddr4",
                     "--dram-trace", out / "trace.csv", "-o", out / "design", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out, result.output


def module_of(path: Path):
    from pimsyn.ir.context import read_module

    return read_module(str(path))


def test_compact_design_records_parts_that_fit_and_cover_every_weight(compact):
    from pimsyn.hw import cost_network, load_hardware
    from pimsyn.ir.compact_records import compact_design_of

    out, output = compact
    assert "compact design: tiny does not fit on 3 isaac macros" in output
    design = compact_design_of(module_of(out / "design" / "design.mlir"))
    chip = design.chip
    assert chip.macros == math.floor(0.8 / TILE_MM2) == 3 and chip.batch == 8 and chip.dram == "lpddr4"
    assert chip.area_limit_mm2 == 0.8 and chip.total_power_w is None
    assert len(design.parts) > 1
    cnet = cost_network(tiny_network(), load_hardware(), 128, 2)
    tiles = {cnet.names[i]: int(cnet.row_tiles[i]) * int(cnet.col_tiles[i]) for i in range(cnet.num_layers)
             if cnet.is_weight[i]}
    covered = {name: 0 for name in tiles}
    for part in design.parts:
        assert part.macros <= chip.macros
        for s in part.slices:
            covered[s.layer] += (s.rows[1] - s.rows[0]) * (s.cols[1] - s.cols[0])
            assert s.crossbars == 8 * (s.rows[1] - s.rows[0]) * (s.cols[1] - s.cols[0])
            assert s.dup == (s.ddm if part.duplication == "ddm" else s.sa)
            weights = [x for x in part.loads if x.kind == "weights" and x.layer == s.layer]
            assert [x.bytes for x in weights] == [s.crossbars * CELL_BYTES]  # reloaded once per batch
    assert covered == tiles  # every weight tile resident exactly once
    conv1 = design.parts[0].slices[0]
    assert (conv1.layer, conv1.crossbars) == ("conv1", 8)


def test_dram_traffic_in_the_ir_is_what_the_metrics_count(compact):
    from pimsyn.ir import design as ir_design
    from pimsyn.ir.compact_records import compact_design_of

    out, _ = compact
    module = module_of(out / "design" / "design.mlir")
    design, metrics = compact_design_of(module), ir_design.get_metrics(module)
    n = design.chip.batch
    weights = sum(p.weight_bytes for p in design.parts)
    reads = sum(x.bytes for p in design.parts for x in p.loads if x.kind == "activations") * n
    writes = sum(x.bytes for p in design.parts for x in p.stores) * n
    assert (weights, reads, writes) == (metrics["dram_weights_read_bytes"], metrics["dram_activations_read_bytes"],
                                        metrics["dram_activations_written_bytes"])
    assert metrics["reloads_per_inference"] == len(design.parts) / n
    # the trace: one row per 64-byte LPDDR4 burst, whole bursts per transfer
    rows = list(csv.reader((out / "trace.csv").open()))
    assert rows[0] == ["time_ns", "type", "address"]
    kinds = [r[1] for r in rows[1:]]
    assert kinds.count("R") * 64 >= weights + reads and kinds.count("W") * 64 >= writes
    assert kinds.count("R") * 64 < weights + reads + 64 * (2 * len(design.parts) + 1)


def test_design_mlir_round_trips(compact):
    from pimsyn.ir.compact_records import compact_design_of, compact_op
    from pimsyn.ir.context import parse_module, print_module

    out, _ = compact
    text = (out / "design" / "design.mlir").read_text()
    module = parse_module(text)
    assert print_module(module) == text
    design = compact_design_of(module)
    assert compact_design_of(parse_module(print_module(module))) == design
    op = compact_op(design)  # records -> op -> records
    again = parse_module(text)
    old = [o for o in again.ops if o.name == "pim.compact"][0]
    again.body.block.insert_op_before(op, old)
    again.body.block.erase_op(old)
    assert print_module(again) == text


@pytest.mark.parametrize("target,name", [("accelerator-json", "accelerator.json"), ("report", "report.md"),
                                         ("network-json", "network.json"), ("netlist-json", "netlist.json"),
                                         ("verilog", "accelerator.v")])
def test_emit_writes_the_bytes_synth_wrote(compact, target, name, tmp_path):
    out, _ = compact
    result = invoke(["emit", out / "design" / "design.mlir", "--target", target, "-o", tmp_path / name])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes() == (out / "design" / name).read_bytes()


def test_outputs_parse_and_describe_the_parts(compact):
    from pimsyn.frontend import load_model
    from pimsyn.ir.compact_records import compact_design_of

    out, _ = compact
    d = out / "design"
    design = compact_design_of(module_of(d / "design.mlir"))
    acc = json.loads((d / "accelerator.json").read_text())
    assert acc["mode"] == "compact" and acc["batch"] == 8 and acc["chip"]["macros"] == 3
    assert [p["layers"] for p in acc["parts"]] == [list(p.layers) for p in design.parts]
    assert [[r["dup"] for r in p["resident"]] for p in acc["parts"]] == \
        [[s.dup for s in p.slices] for p in design.parts]
    assert load_model(str(d / "network.json")).nodes == tiny_network().nodes
    netlist = json.loads((d / "netlist.json").read_text())
    top = next(m for m in netlist["modules"] if m["name"] == netlist["top"])
    assert sum(1 for i in top["instances"] if i["module"] == "pim_tile") == 3
    verilog = (d / "accelerator.v").read_text()
    assert verilog.count("module ") == verilog.count("endmodule") and "pim_tile tile2 (" in verilog
    report = (d / "report.md").read_text()
    assert "## Batch size" in report and "## Parts" in report and "T_p DDM" in report and "T_p SA" in report
    for row in design.batch_table:
        assert f"\n| {row.batch} | " in report


def test_dram_share_falls_and_throughput_rises_with_the_batch(compact):
    from pimsyn.ir.compact_records import compact_design_of

    out, _ = compact
    table = compact_design_of(module_of(out / "design" / "design.mlir")).batch_table
    assert [r.batch for r in table] == [1, 2, 4, 8, 16, 32, 64]
    shares = [r.dram_energy_share for r in table]
    assert all(a > b for a, b in zip(shares, shares[1:]))
    speeds = [r.throughput_inferences_per_s for r in table]
    assert all(a < b for a, b in zip(speeds, speeds[1:]))
    for r in table:  # the default is per part the better of the two
        assert r.throughput_inferences_per_s >= max(r.throughput_ddm, r.throughput_sa) * (1 - 1e-12)


def test_max_crossbars_gives_the_chip_of_the_same_macros(net_file, compact, tmp_path):
    from pimsyn.ir.compact_records import compact_design_of

    out, _ = compact
    result = invoke(["synth", net_file, "--max-crossbars", "300", "--batch", "8", "--dram", "lpddr4", "--seed", "3",
                     "-o", tmp_path])
    assert result.exit_code == 0, result.output
    by_area = compact_design_of(module_of(out / "design" / "design.mlir"))
    by_xbars = compact_design_of(module_of(tmp_path / "design.mlir"))
    assert by_xbars.chip.max_crossbars == 300 and by_xbars.chip.area_limit_mm2 is None
    assert (by_xbars.parts, by_xbars.batch_table) == (by_area.parts, by_area.batch_table)  # 300 // 96 = 3 macros


def test_a_pimsim_program_per_part(compact, tmp_path):
    from pimsyn.backend.pimsim_asm import program_json_text
    from pimsyn.backend.pimsim_check import check_program, replay_transfers
    from pimsyn.ir.compact_records import compact_design_of

    out, _ = compact
    design = compact_design_of(module_of(out / "design" / "design.mlir"))
    result = invoke(["emit", out / "design" / "design.mlir", "--target", "pimsim", "-o", tmp_path])
    assert result.exit_code == 0, result.output
    for part in design.parts:
        folder = out / "design" / "pimsim" / f"part{part.index}"
        for name in ("program.json", "arch.json", "network.json"):
            assert (tmp_path / f"part{part.index}" / name).read_bytes() == (folder / name).read_bytes()
        program = json.loads((folder / "program.json").read_text())
        assert check_program(program) == [] and replay_transfers(program) == []
        assert (folder / "program.json").read_text() == program_json_text(program)  # the one serialisation
        assert program["config"]["core_cnt"] == 3
        groups = program["config"]["array_group_map"]
        assert sum(x for g in groups.values() for x in g) == sum(s.crossbars * s.dup for s in part.slices)
        # the reload: one copy of the part's weights, split over the slices' cores
        reload = sum(next(i["size"] for i in program[core] if i["op"] == "ld") for core in groups)
        assert part.weight_bytes <= reload < part.weight_bytes + len(groups)
    conv1 = design.parts[0].slices[0]  # core 0: one mvmul per block (ceil(16 x 16 / copies)) per input
    program = json.loads((out / "design" / "pimsim" / "part0" / "program.json").read_text())
    mvmuls = sum(1 for i in program["core0"] if i["op"] == "mvmul")
    assert (conv1.layer, mvmuls) == ("conv1", 8 * -(-256 // conv1.dup))


@pytest.mark.parametrize("target", ["pimcomp", "pimcomp-config", "pimsim-asm"])
def test_targets_without_a_compact_form_are_one_line(compact, target, tmp_path):
    out, _ = compact
    result = invoke(["emit", out / "design" / "design.mlir", "--target", target, "-o", tmp_path / "x"])
    assert_one_error_line(result, "a compact design")


@pytest.mark.parametrize("args,contains", [
    (["--area-mm2", "0"], "--area-mm2"), (["--area-mm2", "-3"], "--area-mm2"), (["--area-mm2", "nan"], "--area-mm2"),
    (["--area-mm2", "0.1"], "smaller than one isaac macro"), (["--max-crossbars", "0"], "--max-crossbars"),
    (["--max-crossbars", "95"], "smaller than one isaac macro (96 crossbars)"),
    (["--max-crossbars", "2.5"], "--max-crossbars"), (["--area-mm2", "1", "--batch", "0"], "--batch"),
    ([], "give --total-power, --area-mm2 or --max-crossbars"),
])
def test_bad_limits_are_one_line(net_file, tmp_path, args, contains):
    result = invoke(["synth", net_file, *args, "-o", tmp_path / "out"])
    assert_one_error_line(result, contains)
    assert not (tmp_path / "out" / "design.mlir").exists()


def test_derived_power_is_the_crossbar_power_density_times_the_area():
    """Eq. 3 with P = A x p_x / a_x gives crossbars taking RatioRram of the area: with the
    bundled table p_x / a_x = 0.0003 W / 2.5e-5 mm² = 12 W/mm² for every crossbar size."""
    from pimsyn.dse.chip_limits import derived_power_w
    from pimsyn.dse.space import DesignSpace
    from pimsyn.hw import crossbar_budget, load_hardware

    hw, space = load_hardware(), DesignSpace(rram_ratios=(0.2, 0.4), xbar_sizes=(128, 256), cell_resolutions=(2,))
    assert derived_power_w(hw, space, 30.0, None) == pytest.approx(360.0)
    assert derived_power_w(hw, space, None, 960) == pytest.approx(960 * 0.0003 / 0.4)
    assert derived_power_w(hw, space, 30.0, 960) == pytest.approx(0.72)
    for ratio in space.rram_ratios:
        crossbars = crossbar_budget(hw, 360.0, ratio, 128, 2).total_crossbars
        assert crossbars * 2.5e-5 <= ratio * 30.0 * (1 + 1e-9)


def test_a_network_that_fits_runs_the_pimsyn_flow_within_the_area():
    """Area only, weights that fit: the PIMSYN flow at the derived power with the area as the
    allocation's limit; design.mlir holds that design (the passes re-derive the same
    allocation: the area limit is recorded), so its metrics are the DSE's."""
    from pimsyn.backend.design_view import read_design
    from pimsyn.dse.chip_limits import ChipLimits, plan_synthesis
    from pimsyn.dse.driver import synthesize
    from pimsyn.dse.result import SynthesisOptions
    from pimsyn.dse.space import DesignSpace
    from pimsyn.hw import load_hardware
    from pimsyn.hw.metrics import metrics_dict
    from pimsyn.ir.context import parse_module
    from pimsyn.passes.pipeline import design_to_module_text

    net, hw = tiny_network(), load_hardware()
    space = DesignSpace(rram_ratios=(0.3,), xbar_sizes=(128,), cell_resolutions=(2,), dac_resolutions=(1,))
    plan = plan_synthesis(net, hw, ChipLimits(area_mm2=30.0), space)
    assert not plan.compact and plan.derived_power and plan.area_mm2 == 30.0
    assert plan.total_power_w == pytest.approx(360.0)
    options = SynthesisOptions(total_power_w=plan.total_power_w, area_mm2=plan.area_mm2, seed=2, jobs=1, effort=0.02,
                               space=space, progress=False)
    result = synthesize(net, hw, options)
    area = metrics_dict(result.design, result.evaluation)["area_mm2"]
    assert result.evaluation.feasible and area <= 30.0
    design, evaluation = read_design(parse_module(design_to_module_text(result.design)))
    assert evaluation.metrics["area_mm2"] == pytest.approx(area, rel=1e-12)
    assert evaluation.metrics["power_efficiency_gops_per_w"] == pytest.approx(
        result.evaluation.power_efficiency_gops_per_w, rel=1e-12)
    # with --total-power too, the given budget is kept (the existing power + area flow)
    both = plan_synthesis(net, hw, ChipLimits(total_power_w=5.0, area_mm2=30.0), space)
    assert (both.compact, both.total_power_w, both.area_mm2, both.derived_power) == (False, 5.0, 30.0, False)
    assert replace(both, total_power_w=None).total_power_w is None


def test_the_compact_design_is_deterministic_for_a_seed():
    from pimsyn.dse.compact_design import build_compact_design
    from pimsyn.dse.compact_ir import compact_design_to_module_text
    from pimsyn.hw import load_hardware
    from pimsyn.hw.compact_eval import chip_for_area

    net, hw = tiny_network(), load_hardware()
    chip = chip_for_area(hw, 0.8, dram="lpddr3")
    texts = {compact_design_to_module_text(net, hw, build_compact_design(net, hw, chip, 4, seed=7)) for _ in range(2)}
    assert len(texts) == 1 and net == tiny_network()


def test_no_pimsyn_design_within_the_area_falls_back_to_resident_weights(net_file, tmp_path):
    """2.5 mm²: 10 ISAAC macros hold every weight (1 + 1 + 2 + 3 + 3 macros), but no PIMSYN
    design (its macros carry their own scratchpad and router) fits: a compact design of one
    part, no reloads, with a note."""
    from pimsyn.ir.compact_records import compact_design_of

    result = invoke(["synth", net_file, "--area-mm2", "2.5", "--ratios", "0.3", "--xbars", "128",
                     "--cell-resolutions", "2", "--dac-resolutions", "1", "--effort", "0.02", "-j", "1", "-q",
                     "-o", tmp_path])
    assert result.exit_code == 0, result.output
    assert "the weights stay resident on 10 isaac macros" in result.stderr
    design = compact_design_of(module_of(tmp_path / "design.mlir"))
    assert len(design.parts) == 1 and design.chip.macros == 10 and design.chip.total_power_w is None
    assert [x for x in design.parts[0].loads if x.kind == "weights"] == []
    assert all(row.reloads_per_inference == 0 for row in design.batch_table)


@pytest.mark.parametrize("command", [["evaluate", "--design"], ["sim"]])
def test_evaluate_and_sim_say_a_design_is_compact(compact, command):
    out, _ = compact
    result = invoke([*command, out / "design" / "design.mlir"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "compact design" in lines[0] and "report.md" in lines[0]
