"""The pimsim-nn program listing (pimsyn.backend.pimsim_asm, shared/docs/pimsim-nn-format.md)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pimsyn.backend.errors import BackendError
from pimsyn.backend.pimsim_asm import (
    OPCODES, asm_to_program, program_json_text, program_to_asm,
)

# The fields of each opcode (format doc, section 1 table).
FIELDS = {
    "sldi": ["rd", "imm"], "sadd": ["rd", "rs1", "rs2"], "ssub": ["rd", "rs1", "rs2"],
    "smul": ["rd", "rs1", "rs2"], "saddi": ["rd", "rs1", "imm"], "smuli": ["rd", "rs1", "imm"],
    "setbw": ["ibiw", "obiw"], "mvmul": ["rd", "rs1", "mbiw", "relu", "group"],
    **{op: ["rd", "rs1", "rs2", "len", "offset"]
       for op in "vvadd vvsub vvmul vvdmul vvmax vvsll vvsra".split()},
    **{op: ["rd", "rs1", "len", "offset"] for op in "vavg vrelu vtanh vsigm vmv vrsu vrsl".split()},
    "ld": ["rd", "rs1", "size"], "st": ["rd", "rs1", "size"], "lldi": ["rd", "len"],
    "lmv": ["rd", "rs1", "len", "size"], "send": ["rd", "rs1", "core", "size"],
    "recv": ["rd", "core", "size"], "sync": ["core", "event_register"],
    "wait": ["event_register", "wait_value"],
}

SMALLEST = {"config": {"core_cnt": 1, "array_group_map": {"core0": [1]}},
            "core0": [
                {"op": "setbw", "ibiw": 8, "obiw": 8},
                {"op": "sldi", "rd": 1, "imm": 0},
                {"op": "sldi", "rd": 2, "imm": 1024},
                {"op": "mvmul", "rd": 2, "rs1": 1, "mbiw": 8, "relu": 0, "group": 0},
                {"op": "vrelu", "rd": 2, "rs1": 2, "len": 128,
                 "offset": {"offset_select": 0, "offset_value": 0}}]}

TWO_CORES = {"config": {"core_cnt": 2, "array_group_map": {"core0": [1], "core1": []}},
             "core0": [
                 {"op": "setbw", "ibiw": 8, "obiw": 8},
                 {"op": "sldi", "rd": 2, "imm": 0},
                 {"op": "send", "rd": 2, "rs1": 2, "core": 1, "size": 256}],
             "core1": [
                 {"op": "setbw", "ibiw": 8, "obiw": 8},
                 {"op": "sldi", "rd": 3, "imm": 512},
                 {"op": "recv", "rd": 3, "core": 0, "size": 256},
                 {"op": "vrelu", "rd": 3, "rs1": 3, "len": 128,
                  "offset": {"offset_value": 0, "offset_select": 0}}]}


def round_trips(program, sources=None, fast=True):
    text = program_to_asm(program, sources)
    back = asm_to_program(text, fast=fast)
    assert program_json_text(back) == program_json_text(program)
    return text


def test_program_json_text_is_compact_json_with_a_newline():
    text = program_json_text(SMALLEST)
    assert text.endswith("}\n") and " " not in text
    assert json.loads(text) == SMALLEST


@pytest.mark.parametrize("program", [SMALLEST, TWO_CORES])
@pytest.mark.parametrize("fast", [True, False])
def test_format_doc_examples_round_trip(program, fast):
    round_trips(program, fast=fast)


def test_listing_looks_like_the_documented_syntax():
    text = program_to_asm(TWO_CORES, {"core0": ["a", "", 'pim.mvm "conv1"\ncnt 3 bit 0']})
    lines = text.splitlines()
    assert ".config core_cnt 2" in lines
    assert ".groups core0 1" in lines and ".groups core1" in lines
    assert "setbw ibiw=8 obiw=8  ; a" in lines
    assert "sldi rd=2 imm=0" in lines  # empty source: no comment
    assert 'send rd=2 rs1=2 core=1 size=256  ; pim.mvm "conv1" cnt 3 bit 0' in lines
    assert "vrelu rd=3 rs1=3 len=128 offset=(0,0)" in lines
    assert any(line.startswith(".core 1") for line in lines)
    # The documented example's offset keys are select-first: kept in that order.
    assert "offset=(offset_select=0,offset_value=0)" in program_to_asm(SMALLEST)


def test_comments_and_blank_lines_are_ignored():
    text = program_to_asm(TWO_CORES, {"core1": ["x ; y = (", "z"] * 2})
    noisy = "; head\n\n" + text.replace("\n", "   ; trailing\n\n  ; own line\n")
    assert program_json_text(asm_to_program(noisy)) == program_json_text(TWO_CORES)
    assert program_json_text(asm_to_program(noisy, fast=False)) == program_json_text(TWO_CORES)


def test_order_types_and_odd_keys_are_kept():
    program = {
        "core1": [{"rd": 1, "op": "sldi", "imm": 2}],  # op not first, core before config
        "config": {"sim_mode": 1, "array_group_map": {}, "core_cnt": 2, "name": "x;y",
                   "weird key": [1.5, None, True]},
        "core0": [{"op": "vvadd", "rd": 1.0, "rs1": True, "rs2": "3", "len": 10**30,
                   "offset": {"offset_value": 1, "offset_select": 1.5}, "x y": -1, "e": {}}],
        "core007": [], "meta": {"a": [1, {"b": None}]},
    }
    text = round_trips(program)
    round_trips(program, fast=False)
    assert 'rd=1 op="sldi" imm=2' in text and "rd=1.0 rs1=true" in text
    assert ".groups\n" in text and '.core "core007"' in text
    round_trips({"config": {}, "core0": []})
    round_trips({})


@pytest.mark.parametrize(("program", "message"), [
    ({"core0": [{"op": "nop"}]}, "nop"),
    ({"core0": [{"op": "sld", "rd": 1}]}, "sld"),
    ({"core0": [{"op": "jump"}]}, "unknown opcode 'jump'"),
    ({"core0": [{"rd": 1}]}, "no 'op'"),
    ({"core0": [{"op": "sldi", "imm": float("nan")}]}, "JSON"),
    ({"core0": [{"op": "sldi", "imm": object()}]}, "JSON"),
])
def test_writer_refuses_what_it_cannot_list(program, message):
    with pytest.raises(BackendError, match=message):
        program_to_asm(program)


@pytest.mark.parametrize(("text", "where", "message"), [
    (".core 0\nmvmul rd=", "f.asm:2:10:", "expected .* got end of line"),
    (".core 0\n\nmvmul rd=1 $", "f.asm:3:12:",
     "expected a name, a string, end of line, got unexpected character '\\$'"),
    (".core 0\nvvadd rd=1 offset=(1,2,3)", "f.asm:2:23:", "expected '\\)', got ','"),
    (".core 0\nmvmul rd=01", "f.asm:2:10:", "expected"),
    (".groups core0 1.5", "f.asm:1:15:", "expected an integer"),
    (".bogus", "f.asm:1:1:", "expected '.config', '.core'"),
    (".core 0\n  foo rd=1", "f.asm:2:3:", "unknown opcode 'foo'"),
    (".core 0\nnop", "f.asm:2:1:", "not allowed: pimsim-nn never retires a nop"),
    (".core 0\nsld rd=1", "f.asm:2:1:", "sld is broken"),
    ('.core 0\nrd=1 op="nop"', "f.asm:2:6:", "nop"),
    (".core 0\nrd=1 x=2", "f.asm:2:1:", "no opcode"),
    (".core 0\nmvmul rd=1 rd=2", "f.asm:2:12:", "duplicate field 'rd'"),
    ("mvmul rd=1", "f.asm:1:1:", "outside a .core section"),
    (".core 0\n.core 0", "f.asm:2:1:", "already has a key \"core0\""),
    (".config a 1\n.config a 2", "f.asm:2:9:", "duplicate config key"),
    (".groups a 1\n.groups a 2", "f.asm:2:9:", "duplicate .groups entry"),
    (".json config 1\n.config", "f.asm:2:1:", "already has a key \"config\""),
])
@pytest.mark.parametrize("fast", [True, False])
def test_parse_errors_name_line_and_column(text, where, message, fast):
    with pytest.raises(BackendError) as info:
        asm_to_program(text, "f.asm", fast=fast)
    error = str(info.value)
    assert "\n" not in error
    assert error.startswith(where + " ")
    assert __import__("re").search(message, error)


# ----------------------------------------------------------------------------- property

_small = st.integers(-(2**31), 2**31 - 1)
_reg = st.integers(0, 31)


@st.composite
def instructions(draw):
    op = draw(st.sampled_from(sorted(OPCODES)))
    instruction = {"op": op}
    for field in FIELDS[op]:
        if field == "offset":
            pair = {"offset_value": draw(_small), "offset_select": draw(_small)}
            if draw(st.booleans()):
                pair = dict(reversed(list(pair.items())))
            instruction[field] = pair
        else:
            instruction[field] = draw(_reg if field.startswith("r") else _small)
    return instruction


@st.composite
def programs(draw):
    cores = draw(st.integers(0, 4))
    groups = {f"core{i}": draw(st.lists(st.integers(0, 64), max_size=3)) for i in range(cores)}
    config = {"core_cnt": cores, "array_group_map": groups}
    config[draw(st.sampled_from(["sim_mode", "comment", "x-y"]))] = draw(
        st.one_of(st.integers(), st.text(max_size=8), st.floats(allow_nan=False, allow_infinity=False)))
    program = {"config": config}
    for i in draw(st.permutations(range(cores))):
        program[f"core{i}"] = draw(st.lists(instructions(), max_size=8))
    return program


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.booleans())
def test_generated_programs_round_trip_byte_identically(program, fast):
    sources = {key: [f'pim.mvm "l{i}" cnt {i}' for i in range(len(value))]
               for key, value in program.items() if key != "config"}
    text = round_trips(program, sources, fast=fast)
    assert text.count("  ; pim.mvm") == sum(len(v) for v in sources.values())
