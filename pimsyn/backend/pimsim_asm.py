"""A human-readable listing of pimsim-nn programs, and its parser (lark, `pimsim_asm.lark`).

A pimsim-nn program (shared/docs/pimsim-nn-format.md, section 1) is one JSON object:
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

Speed: the parser is lark LALR with the transformer applied during the parse (no tree is
built), cached once per process.
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
                _write_core(writer, key, value, sources.get(key) or (), lines, where)
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


def _write_core(writer: _Writer, key: str, instructions: list, sources, lines, where) -> None:
    match = _CORE_KEY.match(key)
    header = f".core {match.group(1)}" if match else f".core {json.dumps(key)}"
    count = len(instructions)
    lines.append("")
    lines.append(f"{header}  ; {count} instruction{'s' * (count != 1)}")
    ints = writer.keys  # key -> key text, shared cache
    n_sources = len(sources)
    for index, instruction in enumerate(instructions):
        parts = []
        first = True
        for field, value in instruction.items():
            if field == "op" and first:
                problem = opcode_problem(value)
                if problem:
                    raise ValueError(f"[{index}]: {problem}")
                parts.append(value)
            elif type(value) is int:
                text = ints.get(field)
                parts.append(f"{text if text is not None else writer.key(field)}={value}")
            else:
                parts.append(f"{writer.key(field)}={writer.value(value)}")
            first = False
        if not first and "op" in instruction and parts[0] is not instruction["op"]:
            problem = opcode_problem(instruction["op"])
            if problem:
                raise ValueError(f"[{index}]: {problem}")
        elif "op" not in instruction:
            raise ValueError(f"[{index}]: the instruction has no 'op'")
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
            return ("config", c[0], c[1]) if c else ("config", None, None)

        def groups(self, c):
            return ("groups", c[0] if c else None, [int(t.value) for t in c[1:]])

        def core(self, c):
            token = c[0]
            if token.type == "STRING":
                return ("core", token, json.loads(token.value))
            if token.value.startswith("-"):
                raise _AsmError("a core index must be >= 0", token)
            return ("core", token, "core" + token.value)

        def top(self, c):
            return ("json", c[0], c[1])

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
            return {"offset_value": int(c[0].value), "offset_select": int(c[1].value)}

        def okv(self, c):
            return (c[0], int(c[1].value))

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
    "$END": "end of input",
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


def _syntax_error(parser, error, source_name: str) -> BackendError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line, column = error.line, error.column
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            got = "end of input"
        elif token.type == "_NL":
            got = "end of line"
        else:
            got = repr(token.value)
        message = f"expected {_describe_expected(parser, error.expected)}, got {got}"
    elif isinstance(error, UnexpectedCharacters):
        message = (
            f"expected {_describe_expected(parser, error.allowed or ())}, "
            f"got unexpected character {error.char!r}"
        )
    elif isinstance(error, UnexpectedEOF):
        message = f"expected {_describe_expected(parser, error.expected)}, got end of input"
        line = line if line and line > 0 else 1
        column = column if column and column > 0 else 1
    else:  # pragma: no cover - other lark errors
        message = str(error).splitlines()[0]
    return BackendError(f"{source_name}:{line}:{column}: {message}")


def asm_to_program(text: str, source_name: str = "<asm>") -> dict:
    """The program of a listing written by `program_to_asm` (or by hand). Raises BackendError
    `<source_name>:LINE:COL: message` on the first error."""
    from lark.exceptions import UnexpectedInput

    parser = _parser()
    try:
        statements = parser.parse(text)
        return _assemble(statements)
    except UnexpectedInput as error:
        raise _syntax_error(parser, error, source_name) from None
    except _AsmError as error:
        token = error.token
        raise BackendError(f"{source_name}:{token.line}:{token.column}: {error}") from None


def _assemble(statements) -> dict:
    program: dict = {}
    current = None
    config = None
    for kind, token, value in statements:
        if kind == "i":
            if current is None:
                raise _AsmError("an instruction outside a .core section", token)
            current.append(value)
            continue
        current = None
        if kind == "core":
            if value in program:
                raise _AsmError(f"the program already has a key {json.dumps(value)}", token)
            current = program[value] = []
            continue
        if kind == "json":
            key = _key_text(token)
            if key in program:
                raise _AsmError(f"the program already has a key {json.dumps(key)}", token)
            program[key] = value
            continue
        # .config / .groups
        if config is None:
            if "config" in program:
                raise _AsmError('the program already has a key "config"', token or _Where())
            config = program["config"] = {}
        if token is None:
            continue
        key = _key_text(token)
        if kind == "config":
            if key in config:
                raise _AsmError(f"duplicate config key {json.dumps(key)}", token)
            config[key] = value
            continue
        groups = config.get("array_group_map")
        if groups is None:
            groups = config["array_group_map"] = {}
        elif not isinstance(groups, dict):
            raise _AsmError("config.array_group_map is already set by .config", token)
        if key in groups:
            raise _AsmError(f"duplicate .groups entry {json.dumps(key)}", token)
        groups[key] = value
    return program


class _Where:
    line = 0
    column = 0
