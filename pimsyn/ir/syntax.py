"""Keyword syntax shared by the custom assembly of ``pim`` ops.

Each op lists its properties as :class:`Field` entries; printing and parsing walk the
list. A field prints as ``keyword value`` (``kernel [11, 11]``, ``in 3``, ``cnt 0 to 29``,
``bias``), or as a bare word when it is positional (``max``, ``shiftadd``). Fields equal to
their default are left out of the printed form and filled back in by the parser, so the
readable form stays short while the generic form shows every property.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    FloatAttr,
    Float64Type,
    IntegerAttr,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Operation
from xdsl.parser import Parser
from xdsl.printer import Printer

from pimsyn.ir.attributes import RangeAttr

INT = "int"  # IntegerAttr i64:            in 3
INTS = "ints"  # array<i64: ...>:          kernel [3, 3]
FLAG = "flag"  # UnitAttr:                 bias
WORD = "word"  # StringAttr bare word:     activation relu
WORDS = "words"  # ArrayAttr of StringAttr: post_ops [relu, relu]
FLOATS = "floats"  # array<f64: ...>:      clip [0.0, 6.0]
RANGE = "range"  # #pim.range:             cnt 0 to 29 | cnt 3
INT_ARRAYS = "int_arrays"  # ArrayAttr of array<i64>: parent_blocks [[0, 0], [1]]
STRINGS = "strings"  # ArrayAttr of StringAttr, quoted: layers ["conv1", "conv3"]
STRING = "string"  # StringAttr, quoted:              shared_with "conv3"
FLOAT = "float"  # FloatAttr f64:                      clock_ns 3.3275
COUNTS = "counts"  # #pim.alloc parameters:            units <ADC = 12, SHIFTADD = 2>


@dataclass(frozen=True)
class Field:
    """One property in the custom syntax."""

    key: str  # property name
    kind: str
    keyword: str = ""  # printed keyword; defaults to the key
    default: object = None  # Python value left out of the printed form
    required: bool = True  # parse error when missing and without default
    positional: bool = False  # a WORD printed without its keyword, right after the name

    @property
    def word(self) -> str:
        return self.keyword or self.key


# ---- Python value <-> attribute -------------------------------------------------------

def int_attr(value: int) -> IntegerAttr:
    return IntegerAttr(int(value), i64)


def ints_attr(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def floats_attr(values: Sequence[float]) -> DenseArrayBase:
    return DenseArrayBase.from_list(Float64Type(), [float(v) for v in values])


def words_attr(values: Sequence[str]) -> ArrayAttr:
    return ArrayAttr([StringAttr(v) for v in values])


def int_arrays_attr(rows: Sequence[Sequence[int]]) -> ArrayAttr:
    return ArrayAttr([ints_attr(row) for row in rows])


def strings_attr(values: Sequence[str]) -> ArrayAttr:
    return ArrayAttr([StringAttr(str(v)) for v in values])


def to_attr(kind: str, value: object) -> Attribute:
    if kind == STRINGS:
        return strings_attr(value)  # type: ignore[arg-type]
    if kind == STRING:
        return StringAttr(str(value))
    if kind == FLOAT:
        return FloatAttr(float(value), Float64Type())  # type: ignore[arg-type]
    if kind == COUNTS:
        from pimsyn.ir.attributes import AllocAttr

        return AllocAttr(value)  # type: ignore[arg-type]
    if kind == INT:
        return int_attr(value)  # type: ignore[arg-type]
    if kind == INTS:
        return ints_attr(value)  # type: ignore[arg-type]
    if kind == FLAG:
        return UnitAttr()
    if kind == WORD:
        return StringAttr(str(value))
    if kind == WORDS:
        return words_attr(value)  # type: ignore[arg-type]
    if kind == FLOATS:
        return floats_attr(value)  # type: ignore[arg-type]
    if kind == RANGE:
        start, end = value  # type: ignore[misc]
        return RangeAttr(start, end)
    if kind == INT_ARRAYS:
        return int_arrays_attr(value)  # type: ignore[arg-type]
    raise ValueError(f"unknown field kind {kind}")


def from_attr(kind: str, attr: Attribute | None) -> object:
    """Python value of a property (None when absent; False for an absent flag)."""
    if kind == FLAG:
        return attr is not None
    if attr is None:
        return None
    if kind == STRINGS:
        return tuple(s.data for s in attr.data)  # type: ignore[attr-defined]
    if kind == STRING:
        return attr.data  # type: ignore[attr-defined]
    if kind == FLOAT:
        return attr.value.data  # type: ignore[attr-defined]
    if kind == COUNTS:
        return attr.counts  # type: ignore[attr-defined]
    if kind == INT:
        return attr.value.data  # type: ignore[attr-defined]
    if kind in (INTS, FLOATS):
        return tuple(attr.get_values())  # type: ignore[attr-defined]
    if kind == WORD:
        return attr.data  # type: ignore[attr-defined]
    if kind == WORDS:
        return tuple(s.data for s in attr.data)  # type: ignore[attr-defined]
    if kind == RANGE:
        return (attr.start, attr.end)  # type: ignore[attr-defined]
    if kind == INT_ARRAYS:
        return tuple(tuple(row.get_values()) for row in attr.data)  # type: ignore[attr-defined]
    raise ValueError(f"unknown field kind {kind}")


# ---- printing -------------------------------------------------------------------------

def float_text(value: float) -> str:
    """Shortest exact text of a float that the MLIR lexer reads back: its float literals need
    a decimal point, which Python's repr leaves out of e.g. ``5e-324`` or ``1e+16``."""
    text = repr(float(value))
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _quoted(text: str) -> str:
    """A string literal as xDSL's printer writes it (backslash, quote and non-ASCII bytes as
    two-digit hex escapes), so that the parser reads it back."""
    out = ['"']
    for byte in text.encode("utf-8"):
        if byte == 0x5C:
            out.append("\\\\")
        elif byte < 0x20 or byte > 0x7E or byte == 0x22:
            out.append(f"\\{byte:02X}")
        else:
            out.append(chr(byte))
    out.append('"')
    return "".join(out)


def _value_text(kind: str, value: object) -> str:
    if kind == STRINGS:
        return "[" + ", ".join(_quoted(v) for v in value) + "]"  # type: ignore[union-attr]
    if kind == STRING:
        return _quoted(str(value))
    if kind == FLOAT:
        return float_text(value)  # type: ignore[arg-type]
    if kind == COUNTS:
        return "<" + ", ".join(f"{k} = {v}" for k, v in value.items()) + ">"  # type: ignore[union-attr]
    if kind == INT:
        return str(value)
    if kind == INTS:
        return "[" + ", ".join(str(v) for v in value) + "]"  # type: ignore[union-attr]
    if kind == WORD:
        return str(value)
    if kind == WORDS:
        return "[" + ", ".join(value) + "]"  # type: ignore[arg-type]
    if kind == FLOATS:
        return "[" + ", ".join(float_text(v) for v in value) + "]"  # type: ignore[union-attr]
    if kind == RANGE:
        start, end = value  # type: ignore[misc]
        return str(start) if end == start + 1 else f"{start} to {end}"
    if kind == INT_ARRAYS:
        return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in value) + "]"  # type: ignore[union-attr]
    raise ValueError(f"unknown field kind {kind}")


def print_fields(
    printer: Printer, op: Operation, fields: Sequence[Field], positional: bool, exclude: Collection[str] = ()
) -> None:
    """Print the positional words (``positional=True``) or the keyword fields."""
    parts: list[str] = []
    for field in fields:
        if field.positional != positional or field.key in exclude:
            continue
        value = from_attr(field.kind, op.properties.get(field.key))
        if value is None or value is False:
            continue
        if field.default is not None and value == field.default:
            continue
        if field.kind == FLAG:
            parts.append(field.word)
        elif field.positional:
            parts.append(_value_text(field.kind, value))
        else:
            parts.append(f"{field.word} {_value_text(field.kind, value)}")
    if parts:
        printer.print_string(" " + " ".join(parts))


# ---- parsing --------------------------------------------------------------------------

def _parse_int_list(parser: Parser) -> list[int]:
    return parser.parse_comma_separated_list(
        parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False)
    )


def _parse_value(parser: Parser, field: Field) -> Attribute:
    kind = field.kind
    if kind == STRINGS:
        return strings_attr(parser.parse_comma_separated_list(
            parser.Delimiter.SQUARE, lambda: parser.parse_str_literal(f" (an entry of '{field.word}')")))
    if kind == STRING:
        return StringAttr(parser.parse_str_literal(f" (value of '{field.word}')"))
    if kind == FLOAT:
        return FloatAttr(float(parser.parse_number(context_msg=f" after '{field.word}'")), Float64Type())
    if kind == COUNTS:
        from pimsyn.ir.attributes import AllocAttr

        counts: dict[str, int] = {}
        parser.parse_punctuation("<", f" (after '{field.word}')")
        if parser.parse_optional_punctuation(">") is None:
            while True:
                key = parser.parse_identifier(f" (a unit name in '{field.word}')")
                if key in counts:
                    parser.raise_error(f"'{field.word}': unit '{key}' given twice")
                parser.parse_punctuation("=")
                counts[key] = parser.parse_integer(allow_boolean=False)
                if parser.parse_optional_punctuation(",") is None:
                    break
            parser.parse_punctuation(">")
        return AllocAttr(counts)
    if kind == INT:
        return int_attr(parser.parse_integer(allow_boolean=False, context_msg=f" after '{field.word}'"))
    if kind == INTS:
        return ints_attr(_parse_int_list(parser))
    if kind == WORD:
        return StringAttr(parser.parse_identifier(f" (value of '{field.word}')"))
    if kind == WORDS:
        return words_attr(
            parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: parser.parse_identifier())
        )
    if kind == FLOATS:
        return floats_attr(
            parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: float(parser.parse_number()))
        )
    if kind == RANGE:
        start = parser.parse_integer(allow_boolean=False, context_msg=f" after '{field.word}'")
        end = start + 1
        if parser.parse_optional_keyword("to") is not None:
            end = parser.parse_integer(allow_boolean=False, context_msg=f" after '{field.word} {start} to'")
        if start < 0 or end <= start:
            parser.raise_error(f"'{field.word}': empty or negative range {start} to {end}")
        return RangeAttr(start, end)
    if kind == INT_ARRAYS:
        return int_arrays_attr(
            parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: _parse_int_list(parser))
        )
    raise ValueError(f"unknown field kind {kind}")


def parse_positional(parser: Parser, fields: Sequence[Field], properties: dict[str, Attribute]) -> None:
    for field in fields:
        if field.positional:
            properties[field.key] = _parse_value(parser, field)


def parse_keyword_fields(
    parser: Parser,
    op_name: str,
    fields: Sequence[Field],
    properties: dict[str, Attribute],
    extra: Mapping[str, Callable[[], None]] | None = None,
) -> None:
    """Parse keyword fields in any order, then fill defaults and check required ones.

    ``extra`` maps further keywords (e.g. ``after``) to callbacks that parse what follows.
    """
    by_word = {f.word: f for f in fields if not f.positional}
    extra = extra or {}
    words = set(by_word) | set(extra)
    while (word := parser.parse_optional_keyword_in(words)) is not None:
        if word in extra:
            extra[word]()
            continue
        field = by_word[word]
        if field.key in properties:
            parser.raise_error(f"{op_name}: '{word}' given twice")
        properties[field.key] = UnitAttr() if field.kind == FLAG else _parse_value(parser, field)
    for field in fields:
        if field.key in properties or field.kind == FLAG:
            continue
        if field.default is not None:
            properties[field.key] = to_attr(field.kind, field.default)
        elif field.required:
            parser.raise_error(f"{op_name}: missing '{field.word}'")


def in_field_order(properties: dict[str, Attribute], first: str, fields: Sequence[Field]) -> dict[str, Attribute]:
    """Properties ordered as printed (``first``, then the fields), whatever the input order."""
    order = [first, *(f.key for f in fields)]
    ordered = {k: properties[k] for k in order if k in properties}
    ordered.update((k, v) for k, v in properties.items() if k not in ordered)
    return ordered
