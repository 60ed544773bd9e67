"""Chip area of a design in mm² (docs/cost-model.md, "Area").

Every component's area comes from one table: the defaults below, overridden entry by entry
by an optional ``"area_mm2"`` section of the hardware file. The defaults are ISAAC's
published per-component areas (Shafiee et al., ISCA 2016, Table 1, 32 nm), divided by the
unit counts ISAAC lists for them:

| entry | mm² per unit | ISAAC's figure |
|---|---|---|
| ``crossbar_128`` | 2.5e-5 | 8 memristor arrays of 128x128 (2-bit cells): 0.0002 |
| ``SH`` | 3.9e-8 | 8 x 128 sample-and-hold circuits: 0.00004 |
| ``DAC_1`` | 1.66e-7 | 8 x 128 1-bit DACs: 0.00017 |
| ``ADC_8`` | 1.2e-3 | 8 ADCs of 8 bits (1.28 GS/s): 0.0096 |
| ``SHIFTADD`` | 6e-5 | 4 shift-and-add units: 0.00024 |
| ``POOL`` | 2.4e-4 | 1 max-pool unit: 0.00024 |
| ``SIGMOID`` | 3e-4 | 2 sigmoid units: 0.0006 |
| ``memory_64`` | 0.083 | 64 KB eDRAM buffer: 0.083 |
| ``router`` | 0.0378 | one router (0.151) shared by 4 tiles |

Sizes the table does not list are scaled from the nearest listed one of the same kind:
crossbars by the number of cells (S²; the cell resolution does not change the array),
DACs and ADCs by 2^bits (each extra bit doubles the comparator/capacitor array), memory by
capacity. ADDITION, RELU and ELTWISE take a shift-add unit's area and the other
activations a sigmoid unit's, unless the file lists them.

Counted per design: the used crossbars X and their S&H circuits (one per column), the
allocated DACs, ADCs and ALU units of every layer (`alloc`), and per macro one scratchpad
of the chosen capacity and one router. Not counted: wiring, buses, input/output registers
and the off-chip interface (ISAAC's HyperTransport), so the total is a lower bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from pimsyn.hw.config import HardwareError

DEFAULT_AREA_MM2: dict[str, float] = {
    "crossbar_128": 2.5e-5,
    "SH": 3.9e-8,
    "DAC_1": 1.66e-7,
    "ADC_8": 1.2e-3,
    "SHIFTADD": 6e-5,
    "POOL": 2.4e-4,
    "SIGMOID": 3e-4,
    "memory_64": 0.083,
    "router": 0.0378,
}
#: components without an entry take the area of this one
_SAME_AS = {"ADDITION": "SHIFTADD", "RELU": "SHIFTADD", "ELTWISE": "SHIFTADD"}


class AreaError(HardwareError):
    """An area table entry that is not a positive number (a bad hardware file: one line,
    exit 2)."""


@dataclass(frozen=True)
class AreaTable:
    entries: Mapping[str, float]

    @classmethod
    def from_hardware(cls, hw) -> "AreaTable":
        """The hardware's table, built once per hardware object (the area limit asks for it
        on every allocation trial of the DSE)."""
        cached = getattr(hw, "_area_table", None)
        if cached is None:
            cached = cls._parse(hw)
            try:
                object.__setattr__(hw, "_area_table", cached)
            except (AttributeError, TypeError):  # an object without a __dict__: parse each time
                pass
        return cached

    @classmethod
    def _parse(cls, hw) -> "AreaTable":
        raw = getattr(hw, "raw", None) or {}
        table = dict(DEFAULT_AREA_MM2)
        given = raw.get("area_mm2", {})
        if not isinstance(given, Mapping):
            raise AreaError(f"{getattr(hw, 'source', 'hardware file')}: 'area_mm2' must be an object of "
                            f"component -> mm², got {type(given).__name__}")
        for key, value in given.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise AreaError(f"{getattr(hw, 'source', 'hardware file')}: area_mm2.{key} must be a positive "
                                f"number, got {value!r}")
            table[str(key)] = float(value)
        return cls(table)

    def _sized(self, kind: str, size: int, scale) -> float:
        exact = self.entries.get(f"{kind}_{size}")
        if exact is not None:
            return exact
        listed = sorted((int(k.split("_", 1)[1]), v) for k, v in self.entries.items()
                        if k.startswith(kind + "_") and k.split("_", 1)[1].isdigit())
        ref, area = min(listed, key=lambda item: (abs(item[0] - size), item[0]))
        return area * scale(size) / scale(ref)

    def crossbar(self, xbar_size: int) -> float:
        return self._sized("crossbar", xbar_size, lambda s: s * s)

    def dac(self, bits: int) -> float:
        return self._sized("DAC", bits, lambda b: 2.0 ** b)

    def adc(self, bits: int) -> float:
        return self._sized("ADC", bits, lambda b: 2.0 ** b)

    def memory(self, kb: int) -> float:
        return self._sized("memory", kb, lambda k: float(k))

    def alu(self, name: str) -> float:
        if name in self.entries:
            return self.entries[name]
        return self.entries[_SAME_AS.get(name, "SIGMOID")]


@dataclass(frozen=True)
class AreaBreakdown:
    terms: dict[str, float]  # crossbars, sample_hold, dac, adc, alu, scratchpad, router (mm²)

    @property
    def total_mm2(self) -> float:
        return float(sum(self.terms.values()))


def area_from_counts(hw, crossbars: int, units: dict[str, int], total_macros: int, spm_kb: int, xbar_size: int,
                     dac_res: int, adc_res: int) -> AreaBreakdown:
    """Area of `crossbars` used crossbars, the component `units` (DAC, ADC, ALU names ->
    counts), and `total_macros` macros with `spm_kb` scratchpads (module docstring)."""
    table = AreaTable.from_hardware(hw)
    alu = sum(count * table.alu(comp) for comp, count in sorted(units.items()) if comp not in ("DAC", "ADC"))
    return AreaBreakdown({
        "crossbars": crossbars * table.crossbar(xbar_size),
        "sample_hold": crossbars * xbar_size * table.entries["SH"],
        "dac": units.get("DAC", 0) * table.dac(dac_res),
        "adc": units.get("ADC", 0) * table.adc(adc_res),
        "alu": alu,
        "scratchpad": total_macros * table.memory(spm_kb) if spm_kb > 0 else 0.0,
        "router": total_macros * table.entries["router"],
    })


def chip_area(hw, layers, total_macros: int, spm_kb: int, xbar_size: int, dac_res: int,
              adc_res: int) -> AreaBreakdown:
    """Area of a design from its per-layer `alloc` (whole-layer units) and `crossbars`
    (used crossbars), its macro count and scratchpad capacity (module docstring)."""
    units: dict[str, int] = {}
    for layer in layers:
        for comp, count in layer.alloc.items():
            units[comp] = units.get(comp, 0) + int(count)
    return area_from_counts(hw, sum(int(layer.crossbars) for layer in layers), units, total_macros, spm_kb,
                            xbar_size, dac_res, adc_res)


def design_area(design, evaluation) -> AreaBreakdown:
    """:func:`chip_area` of an evaluated design (an `Evaluation`, or the records the backends
    read from design.mlir: both carry `layers`, `total_macros` and `spm_kb`)."""
    return chip_area(design.hw, evaluation.layers, int(evaluation.total_macros), int(evaluation.spm_kb),
                     int(design.xbar_size), int(design.dac_res), int(design.adc_res))
