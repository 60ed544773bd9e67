"""Attributes of the ``pim`` dialect.

* ``#pim.range<0, 29>``: a half-open index range [0, 29) of computation blocks (``cnt``) or
  input bits (``bit``) that a compact dataflow op covers (paper Table II: every computation
  IR is indexed by layer, cnt and bit); ``#pim.range<3>`` is the single index 3.
* ``#pim.hw<...>``: the crossbar and resolution parameters of a synthesis task (paper
  Table I: XbSize, ResRram, ResDAC, plus the data/weight/ADC resolutions).
* ``#pim.budget<...>``: the power budget and its split (paper Eq. 1-2: TotalPower,
  RatioRram, and the crossbar count it buys).
* ``#pim.macro_setting<unified>``: identical macros or per-layer (specified) macros
  (paper Section IV-C1).
* ``#pim.alloc<adc = 12, shiftadd = 3>``: components allocated to one layer (paper Eq. 5/6,
  CompAlloc).

Every attribute checks its own fields when it is built (also when it is parsed), so a
malformed design attribute never reaches a pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects.builtin import DictionaryAttr, FloatData, IntAttr, IntegerAttr, StringAttr
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

MACRO_SETTINGS = ("specified", "unified")


@irdl_attr_definition
class RangeAttr(ParametrizedAttribute):
    """Half-open index range [start, end) over blocks or bits."""

    name = "pim.range"

    start_attr: IntAttr
    end_attr: IntAttr

    def __init__(self, start: int, end: int | None = None) -> None:
        super().__init__(IntAttr(start), IntAttr(start + 1 if end is None else end))

    @property
    def start(self) -> int:
        return self.start_attr.data

    @property
    def end(self) -> int:
        return self.end_attr.data

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def is_single(self) -> bool:
        return self.size == 1

    def verify(self) -> None:
        if self.start < 0:
            raise VerifyException(f"#pim.range: start {self.start} must be >= 0")
        if self.end <= self.start:
            raise VerifyException(f"#pim.range: empty range [{self.start}, {self.end})")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(range_text(self))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            start = parser.parse_integer(allow_boolean=False)
            end = start + 1
            if parser.parse_optional_punctuation(",") is not None:
                end = parser.parse_integer(allow_boolean=False)
        return (IntAttr(start), IntAttr(end))


def range_text(rng: RangeAttr) -> str:
    """``3`` for a single index, ``0, 29`` otherwise (inside ``#pim.range<...>``)."""
    return str(rng.start) if rng.is_single else f"{rng.start}, {rng.end}"


def _print_fields(printer: Printer, fields: Sequence[tuple[str, str]]) -> None:
    with printer.in_angle_brackets():
        printer.print_string(", ".join(f"{key} = {text}" for key, text in fields))


def _parse_fields(parser: AttrParser, attr_name: str, spec: Mapping[str, type]) -> dict[str, int | float]:
    """Parse ``<key = number, ...>`` with exactly the keys of ``spec`` (any order)."""
    values: dict[str, int | float] = {}

    def parse_entry() -> None:
        key = parser.parse_identifier(f" (a field of #{attr_name})")
        if key not in spec:
            parser.raise_error(f"#{attr_name}: unknown field '{key}' (expected one of {', '.join(spec)})")
        if key in values:
            parser.raise_error(f"#{attr_name}: field '{key}' given twice")
        parser.parse_punctuation("=")
        if spec[key] is int:
            values[key] = parser.parse_integer(allow_boolean=False)
        else:
            values[key] = float(parser.parse_number())

    parser.parse_comma_separated_list(parser.Delimiter.ANGLE, parse_entry)
    missing = [k for k in spec if k not in values]
    if missing:
        parser.raise_error(f"#{attr_name}: missing field(s) {', '.join(missing)}")
    return values


_HW_FIELDS = ("xbar", "cell_res", "weight_res", "data_res", "dac_res", "adc_res")


@irdl_attr_definition
class HwAttr(ParametrizedAttribute):
    """Crossbar size and resolutions (bits) of one synthesis task."""

    name = "pim.hw"

    xbar_attr: IntAttr
    cell_res_attr: IntAttr
    weight_res_attr: IntAttr
    data_res_attr: IntAttr
    dac_res_attr: IntAttr
    adc_res_attr: IntAttr

    def __init__(self, xbar: int, cell_res: int, weight_res: int, data_res: int, dac_res: int, adc_res: int) -> None:
        super().__init__(*(IntAttr(v) for v in (xbar, cell_res, weight_res, data_res, dac_res, adc_res)))

    xbar = property(lambda self: self.xbar_attr.data)
    cell_res = property(lambda self: self.cell_res_attr.data)
    weight_res = property(lambda self: self.weight_res_attr.data)
    data_res = property(lambda self: self.data_res_attr.data)
    dac_res = property(lambda self: self.dac_res_attr.data)
    adc_res = property(lambda self: self.adc_res_attr.data)

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in _HW_FIELDS}

    def verify(self) -> None:
        for key, value in self.as_dict().items():
            if value <= 0:
                raise VerifyException(f"#pim.hw: {key} must be positive, got {value}")

    def print_parameters(self, printer: Printer) -> None:
        _print_fields(printer, [(k, str(v)) for k, v in self.as_dict().items()])

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        values = _parse_fields(parser, cls.name, {k: int for k in _HW_FIELDS})
        return tuple(IntAttr(int(values[k])) for k in _HW_FIELDS)


@irdl_attr_definition
class BudgetAttr(ParametrizedAttribute):
    """Power budget of a synthesis task (paper Eq. 1-2)."""

    name = "pim.budget"

    total_power_w_attr: FloatData
    rram_ratio_attr: FloatData
    crossbars_attr: IntAttr

    def __init__(self, total_power_w: float, rram_ratio: float, crossbars: int) -> None:
        super().__init__(FloatData(float(total_power_w)), FloatData(float(rram_ratio)), IntAttr(crossbars))

    total_power_w = property(lambda self: self.total_power_w_attr.data)
    rram_ratio = property(lambda self: self.rram_ratio_attr.data)
    crossbars = property(lambda self: self.crossbars_attr.data)

    def verify(self) -> None:
        if not self.total_power_w > 0:
            raise VerifyException(f"#pim.budget: total_power_w must be positive, got {self.total_power_w}")
        if not 0 < self.rram_ratio < 1:
            raise VerifyException(f"#pim.budget: rram_ratio must be in (0, 1), got {self.rram_ratio}")
        if self.crossbars <= 0:
            raise VerifyException(f"#pim.budget: crossbars must be positive, got {self.crossbars}")

    def print_parameters(self, printer: Printer) -> None:
        _print_fields(
            printer,
            [
                ("total_power_w", repr(self.total_power_w)),
                ("rram_ratio", repr(self.rram_ratio)),
                ("crossbars", str(self.crossbars)),
            ],
        )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        values = _parse_fields(parser, cls.name, {"total_power_w": float, "rram_ratio": float, "crossbars": int})
        return (
            FloatData(float(values["total_power_w"])),
            FloatData(float(values["rram_ratio"])),
            IntAttr(int(values["crossbars"])),
        )


@irdl_attr_definition
class MacroSettingAttr(ParametrizedAttribute):
    """``specified`` (per-layer macros) or ``unified`` (identical macros)."""

    name = "pim.macro_setting"

    setting_attr: StringAttr

    def __init__(self, setting: str) -> None:
        super().__init__(StringAttr(setting))

    @property
    def setting(self) -> str:
        return self.setting_attr.data

    def verify(self) -> None:
        if self.setting not in MACRO_SETTINGS:
            raise VerifyException(
                f"#pim.macro_setting: '{self.setting}' is not one of {', '.join(MACRO_SETTINGS)}"
            )

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(self.setting)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            setting = parser.parse_identifier(" (specified or unified)")
        return (StringAttr(setting),)


@irdl_attr_definition
class AllocAttr(ParametrizedAttribute):
    """Component name -> unit count allocated to one layer (CompAlloc of Eq. 5/6)."""

    name = "pim.alloc"

    counts_attr: DictionaryAttr

    def __init__(self, counts: Mapping[str, int]) -> None:
        super().__init__(DictionaryAttr({k: IntegerAttr(int(v), 64) for k, v in counts.items()}))

    @property
    def counts(self) -> dict[str, int]:
        return {k: v.value.data for k, v in self.counts_attr.data.items()}  # type: ignore[union-attr]

    def verify(self) -> None:
        for key, value in self.counts_attr.data.items():
            if not isinstance(value, IntegerAttr):
                raise VerifyException(f"#pim.alloc: count of '{key}' must be an integer")
            if value.value.data < 0:
                raise VerifyException(f"#pim.alloc: count of '{key}' must be >= 0, got {value.value.data}")

    def print_parameters(self, printer: Printer) -> None:
        _print_fields(printer, [(k, str(v)) for k, v in self.counts.items()])

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        counts: dict[str, Attribute] = {}

        def parse_entry() -> None:
            key = parser.parse_identifier(" (a component name of #pim.alloc)")
            if key in counts:
                parser.raise_error(f"#pim.alloc: component '{key}' given twice")
            parser.parse_punctuation("=")
            counts[key] = IntegerAttr(parser.parse_integer(allow_boolean=False), 64)

        parser.parse_comma_separated_list(parser.Delimiter.ANGLE, parse_entry)
        return (DictionaryAttr(counts),)
