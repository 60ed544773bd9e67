"""``#pim.hw_table<{...}>``: the whole hardware description a design was made with.

design.mlir embeds the table (every value of the hardware file: component powers,
latencies, crossbar and memory entries, SA/EA parameters), so that a design copied alone to
another machine is re-evaluated to the same metrics without the file it came from
(docs/architecture.md, "The physical design in the IR"). The table is the hardware file's
JSON as a nested ``DictionaryAttr``: integers as ``i64``, reals as ``f64`` (printed
exactly), strings as strings. The attribute verifies by reading the table the way
``pimsyn.hw.config.hardware_from_dict`` does, so a broken table fails verification with the
hardware reader's own message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xdsl.dialects.builtin import (
    ArrayAttr, DictionaryAttr, Float64Type, FloatAttr, IntegerAttr, IntegerType, StringAttr, i64,
)
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException


def to_attribute(value: Any, where: str = "table") -> Attribute:
    """JSON value -> attribute (dict, list, bool, int, float, str)."""
    if isinstance(value, Mapping):
        return DictionaryAttr({str(k): to_attribute(v, f"{where}.{k}") for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return ArrayAttr([to_attribute(v, f"{where}[{i}]") for i, v in enumerate(value)])
    if isinstance(value, bool):
        return IntegerAttr(int(value), IntegerType(1))
    if isinstance(value, int):
        return IntegerAttr(value, i64)
    if isinstance(value, float):
        return FloatAttr(value, Float64Type())
    if isinstance(value, str):
        return StringAttr(value)
    raise VerifyException(f"#pim.hw_table: {where} has a value of type {type(value).__name__}")


def to_python(attr: Attribute) -> Any:
    """Attribute -> JSON value (inverse of :func:`to_attribute`)."""
    if isinstance(attr, DictionaryAttr):
        return {k: to_python(v) for k, v in attr.data.items()}
    if isinstance(attr, ArrayAttr):
        return [to_python(v) for v in attr.data]
    if isinstance(attr, IntegerAttr):
        value = attr.value.data
        return bool(value) if attr.type == IntegerType(1) else int(value)
    if isinstance(attr, FloatAttr):
        return float(attr.value.data)
    if isinstance(attr, StringAttr):
        return attr.data
    raise VerifyException(f"#pim.hw_table: unsupported entry {attr}")


@irdl_attr_definition
class HwTableAttr(ParametrizedAttribute):
    """The hardware description (the hardware file's JSON) of one design."""

    name = "pim.hw_table"

    table_attr: DictionaryAttr

    def __init__(self, table: Mapping[str, Any]) -> None:
        attr = to_attribute(table)
        assert isinstance(attr, DictionaryAttr)
        super().__init__(attr)

    @property
    def table(self) -> dict[str, Any]:
        return to_python(self.table_attr)

    def hardware(self, source: str = "design.mlir"):
        """The table as a :class:`pimsyn.hw.config.HardwareConfig`."""
        from pimsyn.hw.config import hardware_from_dict

        return hardware_from_dict(self.table, source=source)

    def verify(self) -> None:
        from pimsyn.hw.config import HardwareError

        try:
            self.hardware("#pim.hw_table")
        except HardwareError as err:
            raise VerifyException(str(err)) from None

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.table_attr)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            table = parser.parse_attribute()
        if not isinstance(table, DictionaryAttr):
            parser.raise_error("#pim.hw_table expects a dictionary of hardware values")
        return (table,)
