"""A human-readable listing of pimsim-nn programs, and its parser (lark, `pimsim_asm.lark`).

A pimsim-nn program (docs/simulator.md, "Rules of the program format") is one JSON object:
`{"config": {...}, "core0": [{instruction}, ...], ...}`. `program_to_asm` writes it as a
listing, one statement per line, `asm_to_program` reads the listing back, and
`program_json_text` is THE serialisation of program.json, so that

    program_json_text(asm_to_program(program_to_asm(p))) == program_json_text(p)

byte for byte, key order included. Example listing:

    ; pimsim-nn program: 1 core, 3 instructions
    .config core_cnt 1
    .groups core0 1
    .core 0                                  ; 3 instructions
    setbw ibiw=8 obiw=8
    mvmul rd=2 rs1=1 mbiw=8 relu=0 group=0   ; pim.mvm "conv1" cnt 0 bit 0
    vrelu rd=2 rs1=2 len=128 offset=(0,0)

Statements (the grammar file has the exact syntax):

- `.config KEY VALUE`: one key of `config`, in key order; a bare `.config` is an empty config.
- `.groups CORE N ...`: one entry `CORE: [N, ...]` of `config.array_group_map`, written at the
  map's place among the config keys; a bare `.groups` is an empty map.
- `.core K`: the instructions that follow are the list `"coreK"` (`.core "NAME"` for a list
  under any other key); `.json KEY VALUE`: any other top-level key.
- `OPCODE KEY=VALUE ...`: one instruction, its fields in key order. When `op` is not the
  instruction's first key the line has no leading opcode and says `op="OPCODE"` in its place.
- VALUE: an integer (`-3`); `(V,S)` = `{"offset_value": V, "offset_select": S}`;
  `(k=1,j=2)` = an object of integers in that key order (`()` = `{}`); anything else as a
  JSON literal (`1.5`, `"text"`, `true`, `[1,2]`), so a non-int where an int is expected is
  kept exactly and stands out. Keys that are not identifiers are JSON strings.
- `;` starts a comment to the end of the line. The writer puts `sources[core][i]` (the IR op
  an instruction comes from) there; the parser ignores comments and blank lines.

The writer refuses (BackendError) what it cannot list losslessly: a program or instruction
that is not an object with string keys, an instruction without a valid `op`, `nop` and `sld`
(section 1: never emitted), NaN / infinite floats and values JSON cannot hold. The parser
reports errors as one line `<name>:LINE:COL: message`.

Speed (200k instructions, 13 MB listing): program_to_asm ~1 s; asm_to_program ~2.7 s. Every
statement is one line, so lines are parsed one at a time: plain instruction lines (integers and
`(V,S)` offsets only) by a regular expression matching a subset of the grammar, every other
line, and any line that path finds wrong, by the lark LALR parser (built once, transformer
applied during the parse), which also words the errors. Lark alone (`fast=False`) takes ~28 s.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from pimsyn.backend.errors import BackendError

GRAMMAR_FILE = Path(__file__).with_name("pimsim_asm.lark")

#: The opcodes of pimsim-nn (format doc section 1, the instruction table).
OPCODES = frozenset(
    "sldi sadd ssub smul saddi smuli setbw mvmul vvadd vvsub vvmul vvdmul vvmax vvsll vvsra "
    "vavg vrelu vtanh vsigm vmv vrsu vrsl ld st lldi lmv send recv sync wait".split()
)

#: Opcodes pimsim-nn knows but a program must never contain, with the reason (section 1).
REJECTED_OPCODES = {
    "nop": "pimsim-nn never retires a nop, the core deadlocks",
    "sld": "sld is broken in pimsim-nn (it writes 0 to register 0); use sldi",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CORE_KEY = re.compile(r"core(0|[1-9][0-9]*)\Z")
_OFFSET_KEYS = ("offset_value", "offset_select")
_MISSING = object()


def program_json_text(program: dict) -> str:
    """THE text of program.json: compact JSON (no spaces), key order kept, ASCII only, one
    trailing newline. NaN and infinities are refused: pimsim-nn's JSON reader rejects them."""
    try:
        return json.dumps(program, separators=(",", ":"), allow_nan=False) + "\n"
    except (TypeError, ValueError) as error:
        raise BackendError(f"the pimsim-nn program cannot be written as JSON: {error}") from None


# ----------------------------------------------------------------------------- writer


def opcode_problem(op) -> str | None:
    """Why `op` is not a valid opcode, or None."""
    if not isinstance(op, str):
        return f"'op' must be a string, not {json.dumps(op) if _jsonable(op) else type(op).__name__}"
    if op in REJECTED_OPCODES:
        return f"opcode '{op}' is not allowed: {REJECTED_OPCODES[op]}"
    if op not in OPCODES:
        return f"unknown opcode '{op}' (valid: {', '.join(sorted(OPCODES))})"
    return None


def _jsonable(value) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


class _Writer:
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def key(self, key) -> str:
        text = self.keys.get(key)
        if text is None:
            if not isinstance(key, str):
                raise ValueError(f"key {key!r} is not a string")
            text = key if _NAME.match(key) else json.dumps(key)
            self.keys[key] = text
        return text

    def value(self, value) -> str:
        if type(value) is int:
            return str(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return int.__repr__(value)
        if type(value) is dict and all(_plain_int(v) for v in value.values()):
            if tuple(value) == _OFFSET_KEYS:
                return f"({int(value['offset_value'])},{int(value['offset_select'])})"
            return "(" + ",".join(f"{self.key(k)}={int(v)}" for k, v in value.items()) + ")"
        try:
            return json.dumps(value, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ValueError(f"value {value!r} cannot be written as JSON: {error}") from None


def _plain_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_group_map(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, list) and all(_plain_int(n) for n in v)
        for k, v in value.items()
    )


def _is_instruction_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) for i in value)


def _comment_text(text) -> str:
    return " ".join(str(text).split())


def program_to_asm(program: dict, sources: dict[str, list[str]] | None = None) -> str:
    """The listing of `program`. `sources[key][i]`, when present, becomes the comment of the
    i-th instruction of the list `program[key]` (key = "core0", ...)."""
    if not isinstance(program, dict):
        raise BackendError(f"a pimsim-nn program is a JSON object, not {type(program).__name__}")
    sources = sources or {}
    writer = _Writer()
    cores = [k for k, v in program.items() if k != "config" and _is_instruction_list(v)]
    count = sum(len(program[k]) for k in cores)
    lines = [
        f"; pimsim-nn program: {len(cores)} core{'s' * (len(cores) != 1)}, "
        f"{count} instruction{'s' * (count != 1)}"
    ]
    for key, value in program.items():
        where = f"program[{json.dumps(key) if isinstance(key, str) else key!r}]"
        try:
            if key == "config" and isinstance(value, dict):
                _write_config(writer, value, lines)
            elif isinstance(key, str) and _is_instruction_list(value):
                _write_core(writer, key, value, sources.get(key) or (), lines)
            else:
                lines.append(f".json {writer.key(key)} {writer.value(value)}")
        except ValueError as error:
            raise BackendError(f"cannot list the pimsim-nn program: {where}: {error}") from None
    return "\n".join(lines) + "\n"


def _write_config(writer: _Writer, config: dict, lines: list[str]) -> None:
    if not config:
        lines.append(".config")
    for key, value in config.items():
        if key == "array_group_map" and _is_group_map(value):
            if not value:
                lines.append(".groups")
            for core, groups in value.items():
                lines.append(" ".join([".groups", writer.key(core), *(str(int(n)) for n in groups)]))
        else:
            lines.append(f".config {writer.key(key)} {writer.value(value)}")


def _write_core(writer: _Writer, key: str, instructions: list, sources, lines) -> None:
    match = _CORE_KEY.match(key)
    header = f".core {match.group(1)}" if match else f".core {json.dumps(key)}"
    count = len(instructions)
    lines.append("")
    lines.append(f"{header}  ; {count} instruction{'s' * (count != 1)}")
    ints = writer.keys  # key -> key text, shared cache
    n_sources = len(sources)
    for index, instruction in enumerate(instructions):
        op = instruction.get("op", _MISSING)
        problem = "the instruction has no 'op'" if op is _MISSING else opcode_problem(op)
        if problem:
            raise ValueError(f"[{index}]: {problem}")
        items = iter(instruction.items())
        if next(iter(instruction)) == "op":
            parts = [op]
            next(items)
        else:
            parts = []
        for field, value in items:
            if type(value) is int:
                text = ints.get(field)
                parts.append(f"{text if text is not None else writer.key(field)}={value}")
            else:
                parts.append(f"{writer.key(field)}={writer.value(value)}")
        line = " ".join(parts)
        if index < n_sources and sources[index]:
            line = f"{line}  ; {_comment_text(sources[index])}"
        lines.append(line)


# ----------------------------------------------------------------------------- parser


class _AsmError(Exception):
    """A semantic error at a token; asm_to_program adds the source name."""

    def __init__(self, message: str, token) -> None:
        super().__init__(message)
        self.token = token


def _key_text(token) -> str:
    return token.value if token.type == "NAME" else json.loads(token.value)


def _number(token):
    text = token.value
    if "." in text or "e" in text or "E" in text:
        value = float(text)
        if math.isinf(value):
            raise _AsmError(f"number {text} is out of range", token)
        return value
    return int(text)


def _int(token) -> int:
    text = token.value
    if "." in text or "e" in text or "E" in text:
        raise _AsmError(f"expected an integer, got {text}", token)
    return int(text)


def _fields(instruction: dict, fields) -> dict:
    for token, value in fields:
        key = token.value if token.type == "NAME" else json.loads(token.value)
        if key in instruction:
            raise _AsmError(f"duplicate field '{key}'", token)
        instruction[key] = value
    return instruction


def _transformer():
    from lark import Transformer

    class ToProgram(Transformer):
        def start(self, items):
            return items

        def config(self, c):
            return ("config", c[0], c[1:])

        def groups(self, c):
            return ("groups", c[0], (c[1], [_int(t) for t in c[2:]]) if len(c) > 1 else None)

        def core(self, c):
            token = c[1]
            if token.type == "STRING":
                return ("core", c[0], json.loads(token.value))
            if token.value.startswith("-") or _int(token) < 0:
                raise _AsmError("a core index must be >= 0", token)
            return ("core", c[0], "core" + token.value)

        def top(self, c):
            return ("json", c[0], c[1:])

        def instr(self, c):
            token = c[0]
            problem = opcode_problem(token.value)
            if problem:
                raise _AsmError(problem, token)
            return ("i", token, _fields({"op": token.value}, c[1:]))

        def instr_late_op(self, c):
            instruction = _fields({}, c)
            token = c[0][0]
            if "op" not in instruction:
                raise _AsmError("the instruction has no opcode", token)
            problem = opcode_problem(instruction["op"])
            if problem:
                raise _AsmError(problem, next(t for t, _ in c if _key_text(t) == "op"))
            return ("i", token, instruction)

        def field(self, c):
            return (c[0], c[1])

        def offset_pair(self, c):
            return {"offset_value": _int(c[0]), "offset_select": _int(c[1])}

        def okv(self, c):
            return (c[0], _int(c[1]))

        def int_object(self, c):
            return _fields({}, c)

        def number(self, c):
            return _number(c[0])

        def string(self, c):
            return json.loads(c[0].value)

        def true(self, c):
            return True

        def false(self, c):
            return False

        def null(self, c):
            return None

        def array(self, c):
            return list(c)

        def pair(self, c):
            return (json.loads(c[0].value), c[1])

        def object(self, c):
            return dict(c)

    return ToProgram()


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    return Lark(
        GRAMMAR_FILE.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        transformer=_transformer(),
        maybe_placeholders=False,
    )


_TERMINAL_NAMES = {
    "NAME": "a name",
    "INT": "an integer",
    "NUMBER": "a number",
    "STRING": "a string",
    "_NL": "end of line",
    "$END": "end of line",  # lines are parsed one at a time
}


def _describe_expected(parser, names) -> str:
    described = set()
    for name in names:
        if name in _TERMINAL_NAMES:
            described.add(_TERMINAL_NAMES[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            described.add(name)
            continue
        described.add(repr(pattern.value) if pattern.type == "str" else name)
    return ", ".join(sorted(described)) or "nothing"


def _accepted_before(parser, text: str, error):
    """The terminals the grammar accepts where lark's lexer stopped (its own set comes from
    merged LALR states and may list too many)."""
    try:
        interactive = parser.parse_interactive(text[: error.pos_in_stream])
        interactive.exhaust_lexer()
        return interactive.accepts()
    except Exception:  # noqa: BLE001 - fall back to lark's set
        return error.allowed or ()


def _syntax_error(parser, error, source_name: str, lineno: int, line: str) -> BackendError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    column = error.column
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = error.expected
        try:
            expected = error.accepts or expected
        except Exception:  # noqa: BLE001 - a callback failing while lark simulates the parse
            pass
        if token.type == "$END":
            got = "end of line"
            column = getattr(token, "end_column", None) or column
        else:
            got = repr(token.value)
        message = f"expected {_describe_expected(parser, expected)}, got {got}"
    elif isinstance(error, UnexpectedCharacters):
        message = (
            f"expected {_describe_expected(parser, _accepted_before(parser, line, error))}, "
            f"got unexpected character {error.char!r}"
        )
    else:  # UnexpectedEOF and the like
        message = f"expected {_describe_expected(parser, getattr(error, 'expected', ()))}"
    column = column if isinstance(column, int) and column > 0 else 1
    return BackendError(f"{source_name}:{lineno}:{column}: {message}")


# The common instruction line, `mvmul rd=2 rs1=1 ... offset=(0,0)  ; comment`: a subset of the
# grammar, read without lark (about 10 times faster). Anything else, and any line this path
# finds wrong, goes to lark, which decides and words the error.
_INT_RE = r"-?(?:0|[1-9][0-9]*)"
_FAST_LINE = re.compile(
    r"[ \t]*([a-z]+)((?:[ \t]+[A-Za-z_][A-Za-z0-9_]*=(?:%s|\(%s,%s\)))*)[ \t]*(?:;.*)?\r?\Z"
    % (_INT_RE, _INT_RE, _INT_RE)
)
_FAST_FIELD = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*)=(?:(%s)|\((%s),(%s)\))" % (_INT_RE, _INT_RE, _INT_RE)
)
_BLANK_LINE = re.compile(r"[ \t]*(?:;.*)?\r?\Z")


def asm_to_program(text: str, source_name: str = "<asm>", *, fast: bool = True) -> dict:
    """The program of a listing written by `program_to_asm` (or by hand). Raises BackendError
    `<source_name>:LINE:COL: message` on the first error. Every statement is one line; lines
    are parsed by the lark grammar, except (when `fast`) plain instruction lines, which a
    regular expression matching a subset of the grammar reads directly."""
    from lark.exceptions import UnexpectedInput

    parser = _parser()
    statements: list = []
    append = statements.append
    fast_line = _FAST_LINE.match
    fields_of = _FAST_FIELD.findall
    opcodes = OPCODES
    for lineno, line in enumerate(text.split("\n"), 1):
        if fast:
            match = fast_line(line)
            if match is not None and match.group(1) in opcodes:
                instruction = {"op": match.group(1)}
                fields = fields_of(match.group(2))
                for key, value, offset_value, offset_select in fields:
                    instruction[key] = (
                        int(value)
                        if value
                        else {"offset_value": int(offset_value), "offset_select": int(offset_select)}
                    )
                if len(instruction) == len(fields) + 1:
                    append(("i", lineno, match.start(1) + 1, instruction))
                    continue
            elif _BLANK_LINE.match(line):
                continue
        try:
            for kind, token, value in parser.parse(line):
                append((kind, lineno, token.column, value))
        except UnexpectedInput as error:
            raise _syntax_error(parser, error, source_name, lineno, line) from None
        except _AsmError as error:
            raise BackendError(f"{source_name}:{lineno}:{error.token.column}: {error}") from None
    try:
        return _assemble(statements)
    except _AsmError as error:
        line, column = error.token
        raise BackendError(f"{source_name}:{line}:{column}: {error}") from None


def _assemble(statements) -> dict:
    program: dict = {}
    current = None
    config = None
    groups = None  # config.array_group_map, made by .groups
    for kind, line, column, value in statements:
        if kind == "i":
            if current is None:
                raise _AsmError("an instruction outside a .core section", (line, column))
            current.append(value)
            continue
        current = None
        if kind == "core":
            if value in program:
                raise _AsmError(f"the program already has a key {json.dumps(value)}", (line, column))
            current = program[value] = []
            continue
        if kind == "json":
            key = _key_text(value[0])
            if key in program:
                raise _AsmError(
                    f"the program already has a key {json.dumps(key)}", (line, value[0].column)
                )
            program[key] = value[1]
            continue
        # .config / .groups
        if config is None:
            if "config" in program:
                raise _AsmError('the program already has a key "config"', (line, column))
            config = program["config"] = {}
        if kind == "config":
            if value:
                key = _key_text(value[0])
                if key in config:
                    raise _AsmError(f"duplicate config key {json.dumps(key)}", (line, value[0].column))
                config[key] = value[1]
            continue
        if groups is None:
            if "array_group_map" in config:
                raise _AsmError("config.array_group_map is already set by .config", (line, column))
            groups = config["array_group_map"] = {}
        if value:
            key = _key_text(value[0])
            if key in groups:
                raise _AsmError(f"duplicate .groups entry {json.dumps(key)}", (line, value[0].column))
            groups[key] = value[1]
    return program
