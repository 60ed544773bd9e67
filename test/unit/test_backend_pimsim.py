"""The pimsim-nn program backend (pimsyn/backend/pimsim.py) and its checker (pimsim_check.py).

pimsim-nn itself is not run: the programs are checked against the format's rules
(/work/shared/docs/pimsim-nn-format.md, Section 1) and their send/recv matching replayed.
"""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from design_points import POINTS, fixed_design

from pimsyn.backend import pimsim
from pimsyn.backend.design_view import read_design
from pimsyn.backend.pimsim import pimsim_files, pimsim_program, program_bytes, program_sources
from pimsyn.backend.pimsim_check import check_program, replay_transfers
from pimsyn.ir.context import parse_module, print_module
from pimsyn.ir.design import dataflow_region
from pimsyn.ir.physical import chip_of
from pimsyn.passes.pipeline import design_to_module

ROOT = Path(__file__).resolve().parents[2]
PIMSYN_OPT = Path(sys.executable).parent / "pimsyn-opt"
TINY_PIPELINE = ("duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,"
                 "partition{seed=1 generations=2},allocate,place,schedule,evaluate")


@lru_cache(maxsize=None)
def tiny():
    text = subprocess.run([str(PIMSYN_OPT), str(ROOT / "test/lit/Inputs/tiny-net.mlir"), "-p", TINY_PIPELINE],
                          check=True, capture_output=True, text=True).stdout
    return read_design(parse_module(text))


@lru_cache(maxsize=None)
def network(point):
    return read_design(parse_module(print_module(design_to_module(fixed_design(*point)))))


@lru_cache(maxsize=None)
def program_of(point):
    return pimsim_program(*network(point))


def expected_groups(design) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for mp in chip_of(design.module).map_ops():
        for macro, xbars in zip(mp.macro_ids, mp.crossbar_counts):
            if xbars:
                groups.setdefault(f"core{macro}", []).append(xbars)
    return groups


def test_tiny_program_follows_the_format_and_the_ir():
    design, evaluation = tiny()
    program = pimsim_program(design, evaluation)
    assert check_program(program) == []
    assert replay_transfers(program) == []
    assert program["config"]["core_cnt"] == evaluation.total_macros == 5
    assert program["config"]["array_group_map"] == expected_groups(design)
    sources = program_sources(design, evaluation)
    for k in range(5):
        assert len(sources[f"core{k}"]) == len(program[f"core{k}"])
        for inst, comment in zip(program[f"core{k}"], sources[f"core{k}"]):
            if inst["op"] not in ("setbw", "sldi"):
                assert comment.startswith("pim."), comment
    # conv1's crossbars are on macros 0 and 1: one mvmul per block on each, none elsewhere
    mvm = [(k, c) for k in range(5) for i, c in zip(program[f"core{k}"], sources[f"core{k}"]) if i["op"] == "mvmul"]
    assert (0, 'pim.mvm "conv1" cnt 0 bit 0 to 16') in mvm and (1, 'pim.mvm "conv1" cnt 0 bit 0 to 16') in mvm
    assert sorted(k for k, c in mvm if '"conv1"' in c) == [0, 1]
    # the merge of conv1 ends at macro 3: three recvs there, one send on each source
    merges = [(k, i["op"], i["core"]) for k in range(5) for i, c in zip(program[f"core{k}"], sources[f"core{k}"])
              if c.startswith('pim.merge "conv1"')]
    assert sorted(merges) == [(0, "send", 3), (1, "send", 3), (2, "send", 3),
                              (3, "recv", 0), (3, "recv", 1), (3, "recv", 2)]
    # the network input is read from global memory, the output written to it
    assert any(i["op"] == "ld" for i in program["core0"])
    assert program["core4"][-1]["op"] == "st"


def test_tiny_files():
    design, evaluation = tiny()
    files = pimsim_files(design, evaluation)
    assert set(files) == {"program.json", "arch.json", "network.json"}
    assert json.loads(files["program.json"]) == json.loads(json.dumps(pimsim_program(design, evaluation)))
    arch = json.loads(files["arch.json"])
    sim = arch["sim_config"]
    assert sim["sim_mode"] == 1
    latency_ms = evaluation.latency_ns * 1e-6
    # pimsim-nn must not stop before its (slower, instruction-level) run ends: 300 x ours, >= 1 ms
    from pimsyn.backend.pimsim import SIM_TIME_FACTOR, UNIT_NS

    assert max(1.0, latency_ms * SIM_TIME_FACTOR) <= sim["sim_time"] <= max(1.0, latency_ms * SIM_TIME_FACTOR) * 1.01
    chip = arch["chip_config"]
    assert chip["network_config"]["net_config_file_path"] == "network.json"
    matrix = chip["core_config"]["matrix_config"]
    assert matrix["xbar_size"] == [design.xbar_size, design.xbar_size]
    assert matrix["cell_precision"] == design.cell_res and matrix["dac_resolution"] == design.dac_res
    assert chip["core_config"]["period"] == pytest.approx(evaluation.clock_ns)
    # the matrix unit and scratchpad run on the components' own (ns) latencies
    assert matrix["period"] == UNIT_NS and chip["core_config"]["local_memory_config"]["period"] == UNIT_NS
    assert matrix["adc_latency_cycle"] == max(1, round(design.hw.adc(design.adc_res).latency_ns / UNIT_NS))
    noc = json.loads(files["network.json"])
    macros = {m.macro_id: m.position for m in chip_of(design.module).macro_ops()}
    for a, (ra, ca) in macros.items():
        for b, (rb, cb) in macros.items():
            if a != b:
                hops = abs(ra - rb) + abs(ca - cb)
                # a flit takes one NoC cycle (spec 5.5); its energy counts every hop
                assert noc["latency"][str(a)][str(b)] == pytest.approx(UNIT_NS)
                assert noc["energy"][str(a)][str(b)] == pytest.approx(hops * design.hw.noc_power_w * UNIT_NS * 1e3)


def test_large_programs_are_gzipped(monkeypatch):
    program = pimsim_program(*tiny())
    assert program_bytes(program)[:1] == b"{"
    monkeypatch.setattr(pimsim, "GZIP_ABOVE_BYTES", 100)
    data = program_bytes(program)
    assert data[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(data)) == json.loads(json.dumps(program))


@pytest.mark.parametrize("point", POINTS, ids=[p[0] for p in POINTS])
def test_shared_networks(point):
    design, evaluation = network(point)
    program = program_of(point)
    assert check_program(program) == []
    assert replay_transfers(program) == []
    assert program["config"]["core_cnt"] == evaluation.total_macros
    assert program["config"]["array_group_map"] == expected_groups(design)
    # one mvmul per block and home macro of every weight layer
    maps = {mp.layer_name: mp for mp in chip_of(design.module).map_ops()}
    expected = sum(op.cnt.size * sum(1 for x in maps[op.layer_name].crossbar_counts if x)
                   for op in dataflow_region(design.module).dataflow_ops() if op.kind == "mvm")
    got = sum(1 for k in range(program["config"]["core_cnt"]) for i in program[f"core{k}"] if i["op"] == "mvmul")
    assert got == expected


# --- the checker fails on each broken rule -------------------------------------------------

OFF = {"offset_select": 0, "offset_value": 0}


def good() -> dict:
    return {"config": {"core_cnt": 2, "array_group_map": {"core0": [1]}},
            "core0": [{"op": "setbw", "ibiw": 8, "obiw": 8}, {"op": "sldi", "rd": 1, "imm": 0},
                      {"op": "mvmul", "rd": 2, "rs1": 1, "mbiw": 8, "relu": 0, "group": 0},
                      {"op": "send", "rd": 2, "rs1": 2, "core": 1, "size": 256, "offset": dict(OFF)}],
            "core1": [{"op": "setbw", "ibiw": 8, "obiw": 8},
                      {"op": "recv", "rd": 3, "core": 0, "size": 256, "offset": dict(OFF)},
                      {"op": "vrelu", "rd": 3, "rs1": 3, "len": 128, "offset": dict(OFF)}]}


def test_checker_accepts_the_doc_examples():
    assert check_program(good()) == [] and replay_transfers(good()) == []


def _broken(edit):
    program = copy.deepcopy(good())
    edit(program)
    return program


BROKEN = {
    "nop": lambda p: p["core1"].insert(1, {"op": "nop"}),
    "setbw first": lambda p: p["core1"].pop(0),
    "last scalar": lambda p: p["core1"].append({"op": "sldi", "rd": 1, "imm": 3}),
    "last setbw": lambda p: p["core1"].append({"op": "setbw", "ibiw": 8, "obiw": 8}),
    "register": lambda p: p["core0"][2].update(rd=32),
    "missing core": lambda p: p["core0"].append({"op": "send", "rd": 2, "rs1": 2, "core": 5, "size": 8}),
    "sld": lambda p: p["core0"].insert(1, {"op": "sld", "rd": 1, "rs1": 0}),
    "group": lambda p: p["core0"][2].update(group=1),
    "group of a core without map": lambda p: p["core1"].insert(1, {"op": "mvmul", "rd": 1, "rs1": 1, "mbiw": 8,
                                                                    "group": 0}),
    "string field": lambda p: p["core0"][1].update(imm="0"),
    "float field": lambda p: p["core1"][2].update(len=128.0),
    "offset not object": lambda p: p["core1"][2].update(offset=0),
    "no array_group_map": lambda p: p["config"].pop("array_group_map"),
    "empty core": lambda p: p.update(core1=[]),
    "unknown opcode": lambda p: p["core1"].insert(1, {"op": "VRELU", "rd": 3, "rs1": 3, "len": 1}),
}


@pytest.mark.parametrize("rule", list(BROKEN))
def test_checker_detects(rule):
    assert check_program(_broken(BROKEN[rule])), rule


def test_replay_detects_a_deadlock():
    def recv(src):
        return {"op": "recv", "rd": 3, "core": src, "size": 64, "offset": dict(OFF)}

    def send(dst):
        return {"op": "send", "rd": 3, "rs1": 3, "core": dst, "size": 64, "offset": dict(OFF)}

    setbw = {"op": "setbw", "ibiw": 8, "obiw": 8}
    program = {"config": {"core_cnt": 2, "array_group_map": {}},
               "core0": [setbw, recv(1), send(1)], "core1": [setbw, recv(0), send(0)]}
    assert check_program(program) == []
    problems = replay_transfers(program)
    assert any("deadlock" in p and "core0" in p and "core1" in p for p in problems)
    # the same exchange ordered send-first on one side is fine
    program["core0"] = [setbw, send(1), recv(1)]
    assert replay_transfers(program) == []


def test_replay_detects_unmatched_and_size_mismatch():
    unmatched = _broken(lambda p: p["core0"].append({"op": "send", "rd": 2, "rs1": 2, "core": 1, "size": 8}))
    assert any("never received" in p for p in replay_transfers(unmatched))
    size = _broken(lambda p: p["core1"][1].update(size=128))
    assert any("bytes" in p for p in replay_transfers(size))
    lonely = _broken(lambda p: p["core1"].insert(1, {"op": "recv", "rd": 3, "core": 0, "size": 256}))
    assert any("deadlock" in p for p in replay_transfers(lonely))
