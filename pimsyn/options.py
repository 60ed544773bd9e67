"""Every numeric option of pimsyn, validated in one place (layer 0).

`OPTIONS` maps an option name (the CLI spelling without dashes, also the pass option
spelling of `pimsyn-opt`) to its type, range and unit; `check(name, value)` converts a
value (a number or the text a person typed) and raises `OptionError` (a `PimsynError`)
with a one-line message when it is not a finite number of the right type in range. The
click commands (`pimsyn.tools.commands`, `pimsyn.tools.cli`) and the passes' option
fields (`pimsyn.passes.duplicate`, `pimsyn.passes.partition`) all call it, so a value is
accepted or rejected the same way everywhere (docs/errors.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pimsyn.errors import PimsynError

#: Largest power budget accepted, in W (a whole datacenter rack is ~1e4 W; 1e6 W is no
#: design input for an accelerator, and beyond it the cost model's arithmetic overflows).
MAX_POWER_W = 1e6


class OptionError(PimsynError):
    """A numeric option that is not a finite number of the right type in its range."""


@dataclass(frozen=True)
class Spec:
    kind: type  # int or float
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True
    unit: str = ""

    def describe(self) -> str:
        what = "an integer" if self.kind is int else "a finite number"
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        unit = f" {self.unit}" if self.unit else ""
        return f"{what} in {left}{_number(self.low)}, {_number(self.high)}{right}{unit}"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


OPTIONS: dict[str, Spec] = {
    "total-power": Spec(float, 0.0, MAX_POWER_W, low_inclusive=False, unit="W"),
    "area-mm2": Spec(float, 0.0, 1e6, low_inclusive=False, unit="mm²"),
    "ratio": Spec(float, 0.0, 1.0, low_inclusive=False, high_inclusive=False),
    "xbar": Spec(int, 2, 8192),
    "cell-res": Spec(int, 1, 16, unit="bits"),
    "dac-res": Spec(int, 1, 16, unit="bits"),
    "adc-res": Spec(int, 1, 32, unit="bits"),
    "seed": Spec(int, 0, 2**32 - 1),
    "jobs": Spec(int, 1, 2**31 - 1),
    "effort": Spec(float, 0.0, 100.0, low_inclusive=False),
    "candidates": Spec(int, 1, 1000),
    "pick": Spec(int, 0, 999),
    "population": Spec(int, 1, 100_000),
    "generations": Spec(int, 0, 1_000_000),
    "patience": Spec(int, 0, 1_000_000),
    "dup": Spec(int, 1, 1_000_000),
    "macros": Spec(int, 1, 1_000_000),
}

#: Longest value list a design-space option (--ratios, --xbars, ...) may expand to.
MAX_GRID_VALUES = 1000


def _convert(spec: Spec, value: object) -> int | float | None:
    """The value as spec.kind, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            number: float | int = int(text) if spec.kind is int else float(text)
        except ValueError:
            if spec.kind is not int:
                return None
            try:  # "4.0" is an integer written as a float
                number = float(text)
            except ValueError:
                return None
        value = number
    if isinstance(value, int):
        return value if spec.kind is int else float(value)
    if isinstance(value, float):
        if spec.kind is float:
            return value
        if math.isfinite(value) and value == int(value):
            return int(value)
        return None
    try:  # numpy scalars
        return _convert(spec, value.item())  # type: ignore[attr-defined]
    except AttributeError:
        return None


def _shown(value: object) -> str:
    text = value if isinstance(value, str) and value.isprintable() else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check(name: str, value: object, prefix: str = "--") -> int | float:
    """`value` converted to the option's type, or `OptionError`: "<prefix><name> must be
    <type> in <range>, got <value>". `prefix` is "--" for the CLI and "<pass>: " for a pass."""
    spec = OPTIONS[name]
    number = _convert(spec, value)
    shown = _shown(value)
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        raise OptionError(f"{prefix}{name} must be {spec.describe()}, got {shown}")
    too_low = number < spec.low or (number == spec.low and not spec.low_inclusive)
    too_high = number > spec.high or (number == spec.high and not spec.high_inclusive)
    if too_low or too_high:
        raise OptionError(f"{prefix}{name} must be {spec.describe()}, got {shown}")
    return number


def check_optional(name: str, value: object, prefix: str = "--") -> int | float | None:
    """`check` for an option that may be absent (None)."""
    return None if value is None else check(name, value, prefix)
