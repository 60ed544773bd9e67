"""The built-in simulator (`pimsyn sim`, docs/simulator.md): hand-computed schedules, the
cost model's schedule as an independent check, traces, batches and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from design_points import POINTS, fixed_design
from pimsyn.hw import evaluate
from pimsyn.hw.schedule import schedule
from pimsyn.ir.context import print_module
from pimsyn.passes.pipeline import design_to_module
from pimsyn.sim import SimError, simulate
from pimsyn.sim.dataflow import Flow, FlowLayer, FlowOp, read_flow
from pimsyn.sim.resources import conflict_pairs
from pimsyn.sim.simulate import simulate_with_starts
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]


def flow_of(layers, positions=None, rows=1, cols=1, bits=1) -> Flow:
    return Flow(name="t", layers=tuple(layers), bits=bits, clock_ns=10.0, model_cycles=1, rows=rows, cols=cols,
                positions=positions or {0: (0, 0)}, metrics={})


def layer(name, ops, blocks=1, providers=(), parent_blocks=(), partner=-1, home=(0,), run=(0,)):
    return FlowLayer(name=name, blocks=blocks, ops=tuple(ops), providers=tuple(providers),
                     parent_blocks=tuple(np.asarray(r, dtype=np.int64) for r in parent_blocks),
                     home=home, run=run, partner=partner)


def starts(flow, **kw):
    result, (_, program), start = simulate_with_starts(flow, **kw)
    return result, program, start


# ---- hand-computed schedules ---------------------------------------------------------

def test_intra_layer_edges_by_hand():
    """LD (2 cycles), MVM and ADC (3 bits of 1 cycle), ADD (1), two blocks.

    sigma = (2, 1, 3, 1): MVM feeds ADC bit by bit, ADC feeds ADD after all 3 bits.
    delta = (max(2, 2+3-1)=4, max(3, 1+3-1)=3, max(3, 3+1-1)=3, 1).
    Block 0: LD 0, MVM 2 3 4, ADC 3 4 5, ADD 6.
    Block 1: LD 4, MVM max(4+2, 2+3)=6 7 8, ADC max(6+1, 3+3)=7 8 9, ADD max(7+3, 6+1)=10.
    """
    ops = [FlowOp("load", 1, 2), FlowOp("mvm", 3, 1), FlowOp("adc", 3, 1), FlowOp("add", 1, 1)]
    result, program, start = starts(flow_of([layer("a", ops, blocks=2)], bits=3))
    assert start.tolist() == [0, 2, 3, 4, 3, 4, 5, 6, 4, 6, 7, 8, 7, 8, 9, 10]
    assert result.cycles == 11  # 1 + the last start (spec 5.13)
    assert result.finish_cycles == 11
    assert result.layers[0].busy_cycles == 11


def test_inter_layer_edges_use_parent_blocks():
    """P: one store of 2 cycles, 3 blocks (0, 2, 4). Q waits for P's blocks [1, 2]:
    Q0 = 2 + 2 = 4, Q1 = max(4 + 2, 4 + 1) = 6."""
    p = layer("p", [FlowOp("store", 1, 2)], blocks=3)
    q = layer("q", [FlowOp("load", 1, 1)], blocks=2, providers=(0,), parent_blocks=([1, 2],))
    result, _, start = starts(flow_of([p, q]))
    assert start.tolist() == [0, 2, 4, 4, 6]
    assert result.cycles == 7


def test_shared_adcs_serialise_conversions():
    """Two layers sharing ADCs, 2 bits each, both ready at 0: layer a (earlier) converts
    bit 0 at 0; at 1 a's bit 1 beats b's bit 0 (higher bit first); b converts at 2 and 3."""
    ops = [FlowOp("adc", 2, 1)]
    flow = flow_of([layer("a", ops, partner=1), layer("b", ops, partner=0)], bits=2)
    result, _, start = starts(flow)
    assert start.tolist() == [0, 1, 2, 3]
    assert result.cycles == 4
    assert result.layers[1].stall_cycles["adc"] == 2
    free, _, start = starts(flow, contention=False)
    assert start.tolist() == [0, 1, 0, 1] and free.cycles == 2


def test_noc_links_serialise_transfers_shorter_first():
    """A 1x3 mesh: a sends 0 -> 2 for 3 cycles, b sends 1 -> 2 for 2 cycles; both use the
    link 1 -> 2, so the shorter (b) goes first and a waits 2 cycles."""
    positions = {0: (0, 0), 1: (0, 1), 2: (0, 2)}
    a = layer("a", [FlowOp("transfer", 1, 3, src=(0,), dst=(2,))])
    b = layer("b", [FlowOp("transfer", 1, 2, src=(1,), dst=(2,))])
    flow = flow_of([a, b], positions=positions, cols=3)
    result, _, start = starts(flow)
    assert start.tolist() == [2, 0]
    assert result.layers[0].stall_cycles["noc"] == 2
    # disjoint routes never wait: b sends 1 -> 0 (westward link)
    b_west = layer("b", [FlowOp("transfer", 1, 2, src=(1,), dst=(0,))])
    _, _, start = starts(flow_of([a, b_west], positions=positions, cols=3))
    assert start.tolist() == [0, 0]


def test_scratchpad_ports_are_optional():
    """Two layers loading on the same macro: with --spm-ports one waits for the read port."""
    flow = flow_of([layer("a", [FlowOp("load", 1, 3)]), layer("b", [FlowOp("load", 1, 3)])])
    assert starts(flow)[2].tolist() == [0, 0]
    assert starts(flow, spm_ports=True)[2].tolist() == [0, 3]


def test_batch_pipelines_inferences():
    """One op of 2 cycles, 2 blocks, 3 inferences back to back: blocks at 0, 2, ..., 10;
    inference i ends at 1 + 4i + 2, so the measured period is 4 cycles."""
    result, _, start = starts(flow_of([layer("a", [FlowOp("store", 1, 2)], blocks=2)]), batch=3)
    assert start.tolist() == [0, 2, 4, 6, 8, 10]
    assert result.inference_cycles == (3, 7, 11)
    assert result.period_cycles == 4.0
    assert result.throughput_inferences_per_s == pytest.approx(1e9 / (4 * 10.0))


# ---- against the cost model -------------------------------------------------------------

@lru_cache(maxsize=None)
def fixed(point):
    design = fixed_design(*point)
    return design, design_to_module(design)


def captured_problem(design):
    """The cost model's schedule problem and op durations of the final schedule."""
    seen = []

    def spy(problem, tau, **kw):
        seen.append((problem, tau))
        return schedule(problem, tau, **kw)

    evaluation = evaluate(design.cost_network, design.hw, design.point, design.state,
                          np.asarray(design.macros), np.asarray(design.partners), scheduler=spy)
    return evaluation, seen[-1]


@pytest.mark.parametrize("point", POINTS, ids=[p[0] for p in POINTS])
def test_without_contention_equals_the_cost_models_conflict_free_schedule(point):
    design, module = fixed(point)
    evaluation, (problem, tau) = captured_problem(design)
    free = schedule(replace(problem, noc_conflicts=frozenset(), adc_conflicts=frozenset()), tau)
    sim = simulate(module, contention=False)
    assert sim.cycles == free.cycles
    assert sim.events == problem.derived.nodes
    assert all(sum(s.stall_cycles.values()) == 0 for s in sim.layers)


@pytest.mark.parametrize("point", POINTS, ids=[p[0] for p in POINTS])
def test_contention_is_the_cost_models_conflicts(point):
    """The simulator's own XY routes reproduce the cost model's NoC conflict pairs (spec
    5.4), and its cycles are within 1 % of the cost model's."""
    design, module = fixed(point)
    evaluation, (problem, _) = captured_problem(design)
    names = design.cost_network.names
    kinds = {"TRAN": "transfer", "MRG": "merge"}
    model_pairs = {frozenset((names[a], kinds[k]) for a, k in pair) for pair in evaluation.noc_conflicts}
    flow = read_flow(module)
    sim_noc = {p for p in conflict_pairs(flow) if all(kind in ("transfer", "merge") for _, kind in p)}
    assert sim_noc == model_pairs
    sim = simulate(module)
    assert sim.model_cycles == evaluation.cycles
    assert abs(sim.deviation) <= 0.01


def test_block0_starts_are_the_irs_without_conflicts():
    """On a design whose ops never meet on a shared resource, every op's first event starts
    at the cycle the schedule pass wrote (`start`), and the cycles are equal."""
    design, module = fixed(POINTS[2])  # VGG-13: no sharing pairs
    result, program, start = starts(module)
    assert sum(sum(s.stall_cycles.values()) for s in result.layers) == 0
    assert result.cycles == result.model_cycles
    from pimsyn.ir import design as ir_design

    ir_starts = [op.param("start") for op in ir_design.dataflow_region(module).dataflow_ops()]
    first_events = [int(start[program.base[lay] + program.offset[k]])
                    for lay in range(program.layers) for k in range(program.op_ptr[lay], program.op_ptr[lay + 1])]
    assert first_events == ir_starts


def test_energy_terms_match_the_cost_model_at_equal_cycles():
    design, module = fixed(POINTS[2])
    sim = simulate(module)
    metrics = read_flow(module).metrics
    assert sim.energy_per_inference_nj == pytest.approx(metrics["energy_total_nj"], rel=1e-9)
    assert sim.power_efficiency_gops_per_w == pytest.approx(metrics["power_efficiency_gops_per_w"], rel=1e-9)


def test_interpreted_kernel_gives_the_same_result(tmp_path):
    """Without numba (NUMBA_DISABLE_JIT=1: the same functions run as plain Python) the
    result is identical."""
    design, module = fixed(POINTS[0])  # AlexNet, with a sharing pair (ADC contention)
    path = tmp_path / "design.mlir"
    path.write_text(print_module(module))
    outputs = []
    for disable in ("0", "1"):
        env = dict(os.environ, NUMBA_DISABLE_JIT=disable)
        proc = subprocess.run([sys.executable, "-c", "from pimsyn.tools.cli import main; main()", "sim", str(path), "--json", "--batch", "2"],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        assert data.pop("compiled") is (disable == "0")
        data.pop("wall_s"), data.pop("events_per_s")
        outputs.append(data)
    assert outputs[0] == outputs[1]
    assert outputs[0]["events"] == 2 * read_flow(module).nodes


# ---- trace and CLI -----------------------------------------------------------------------

def test_trace_has_one_track_per_macro(tmp_path):
    design, module = fixed(POINTS[0])
    path = tmp_path / "design.mlir"
    path.write_text(print_module(module))
    trace = tmp_path / "trace.json"
    res = CliRunner().invoke(main, ["sim", str(path), "--trace", str(trace)])
    assert res.exit_code == 0, res.output
    data = json.loads(trace.read_text())
    events = data["traceEvents"]
    macros = set(read_flow(module).positions)
    named = {e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    assert named == macros
    slices = [e for e in events if e["ph"] == "X"]
    assert slices and {e["pid"] for e in slices} <= macros
    by_thread: dict = {}
    for e in slices:
        assert e["ts"] >= 0 and e["dur"] > 0
        by_thread.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for spans in by_thread.values():  # slices of one thread never overlap
        spans.sort()
        assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:]))
    assert data["otherData"]["truncated_at_cycle"] is None
    small = tmp_path / "small.json"
    assert CliRunner().invoke(main, ["sim", str(path), "--trace", str(small), "--trace-events", "100"]).exit_code == 0
    cut = json.loads(small.read_text())
    assert cut["otherData"]["truncated_at_cycle"] is not None
    assert 100 <= sum(e["ph"] == "X" for e in cut["traceEvents"]) < len(slices)


def test_cli_summary_and_json(tmp_path):
    design, module = fixed(POINTS[0])
    path = tmp_path / "design.mlir"
    path.write_text(print_module(module))
    res = CliRunner().invoke(main, ["sim", str(path), "--batch", "2"])
    assert res.exit_code == 0, res.output
    assert "steady-state period" in res.output and "power efficiency" in res.output
    out = tmp_path / "sim.json"
    assert CliRunner().invoke(main, ["sim", str(path), "--json", "-o", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    assert data["model_cycles"] == design.evaluate().cycles
    assert len(data["macros"]) == len(read_flow(module).positions)
    assert all(0 <= m["crossbar_utilisation"] <= m["utilisation"] <= 1 for m in data["macros"])


@pytest.mark.parametrize("args, message", [
    (["--batch", "0"], "--batch must be >= 1"),
    (["--batch", "x"], "--batch must be a whole number"),
    (["--trace-events", "0"], "--trace-events must be >= 1"),
])
def test_cli_bad_options(tmp_path, args, message):
    path = tmp_path / "design.mlir"
    path.write_text(print_module(fixed(POINTS[0])[1]))
    res = CliRunner().invoke(main, ["sim", str(path), *args])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_cli_rejects_unsimulatable_designs(tmp_path):
    """A module without a schedule gets one line naming what is missing."""
    from pimsyn.frontend import load_model
    from pimsyn.ir.build import network_to_module

    net = load_model(ROOT / "test/data/networks/alexnet.json")
    path = tmp_path / "net.mlir"
    path.write_text(print_module(network_to_module(net)))
    res = CliRunner().invoke(main, ["sim", str(path)])
    assert res.exit_code == 2 and "no pim.dataflow" in res.output
    with pytest.raises(SimError, match="no pim.dataflow"):
        simulate(network_to_module(net))
