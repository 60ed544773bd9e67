"""The limits a chip is synthesized under: a power budget, an area, a crossbar count, or
several of them (docs/compact.md, "Compact synthesis").

One abstraction for `pimsyn synth`: :func:`plan_synthesis` decides between

* the PIMSYN flow, when the network's weights fit on the chip the limits allow: the
  DSE runs with a power budget and an area limit (`SynthesisOptions.total_power_w`,
  `area_mm2`). Without `--total-power` the budget is derived from the limits so that
  Eq. 3's crossbar budget at RatioRram θ takes at most θ of the area (and at most
  `--max-crossbars` crossbars): P = A x min(p_x / a_x) over the design space's crossbars
  (peak power over area of one crossbar), and at most N x min(p_x) / max(θ). The area
  limit then binds the allocation (`allocate_within_budget(fits=...)`), the power hardly;
* a compact design, when they do not fit: the chip of the limits (macros of the compact
  organisation, ISAAC's tile), the network run part by part (`dse/compact_design.py`).

A chip from `--area-mm2 A` has floor(A / macro area) macros; from `--max-crossbars N`,
floor(N / crossbars per macro); with both, the smaller. The weights fit when they split
into one part on that chip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pimsyn.hw.compact import CompactError
from pimsyn.hw.compact_eval import CompactChip, chip_for_area, tile_area_mm2
from pimsyn.hw.organisation import ISAAC, Organisation


@dataclass(frozen=True)
class ChipLimits:
    total_power_w: float | None = None
    area_mm2: float | None = None
    max_crossbars: int | None = None

    @property
    def sizes_the_chip(self) -> bool:
        """An area or crossbar limit: the chip has a fixed size (compact mode is possible)."""
        return self.area_mm2 is not None or self.max_crossbars is not None


@dataclass(frozen=True)
class SynthesisPlan:
    compact: bool  # the weights do not fit: a compact design
    chip: CompactChip | None  # the chip of the limits (None: power only)
    total_power_w: float | None = None  # the PIMSYN flow's budget (given or derived)
    area_mm2: float | None = None  # the PIMSYN flow's area limit
    derived_power: bool = False  # total_power_w comes from the area / crossbar limits
    max_crossbars: int | None = None  # the crossbar limit the derived power also respects


def check_max_crossbars(value) -> int | None:
    """`--max-crossbars` as a whole number >= 1 (None when absent)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CompactError(f"--max-crossbars must be a whole number, got '{value}'") from None
    if not math.isfinite(number) or number != int(number) or number < 1:
        raise CompactError(f"--max-crossbars must be a whole number >= 1, got '{value}'")
    return int(number)


def check_batch_option(value) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise CompactError(f"--batch must be a whole number >= 1, got '{value}'") from None
    if number < 1:
        raise CompactError(f"--batch must be a whole number >= 1, got '{value}'")
    return number


def limits_chip(hw, limits: ChipLimits, dram: str = "lpddr5", org: Organisation = ISAAC) -> CompactChip | None:
    """The chip the area / crossbar limits allow (None for a power budget only)."""
    chips = []
    if limits.area_mm2 is not None:
        chips.append(chip_for_area(hw, limits.area_mm2, org, dram))
    if limits.max_crossbars is not None:
        macros = limits.max_crossbars // org.crossbars_per_macro
        if macros < 1:
            raise CompactError(f"--max-crossbars {limits.max_crossbars} is smaller than one {org.name} macro "
                               f"({org.crossbars_per_macro} crossbars)")
        chips.append(CompactChip(macros=macros, organisation=org, dram=dram))
    return min(chips, key=lambda chip: chip.macros) if chips else None


def derived_power_w(hw, space, area_mm2: float | None, max_crossbars: int | None) -> float:
    """The power budget of an area / crossbar limit (module docstring)."""
    from pimsyn.hw.area import AreaTable

    table = AreaTable.from_hardware(hw)
    combos = {(x, c) for _, c, x in space.combinations() if (x, c) in hw.crossbars}
    if not combos:
        raise CompactError("the design space is empty: no --xbars x --cell-resolutions combination has a crossbar "
                           "in the hardware description")
    bounds = []
    if area_mm2 is not None:
        bounds.append(area_mm2 * min(hw.crossbar(x, c).peak_power_w / table.crossbar(x) for x, c in combos))
    if max_crossbars is not None:
        bounds.append(max_crossbars * min(hw.crossbar(x, c).peak_power_w for x, c in combos) / max(space.rram_ratios))
    return min(bounds)


def plan_synthesis(net, hw, limits: ChipLimits, space, dram: str = "lpddr5") -> SynthesisPlan:
    """The PIMSYN flow or a compact design (module docstring)."""
    from pimsyn.hw import cost_network
    from pimsyn.hw.compact import split_into_parts

    if not limits.sizes_the_chip:
        if limits.total_power_w is None:
            raise CompactError("give --total-power, --area-mm2 or --max-crossbars (or several)")
        return SynthesisPlan(compact=False, chip=None, total_power_w=limits.total_power_w)
    chip = limits_chip(hw, limits, dram)
    org = chip.organisation
    cnet = cost_network(net, hw, org.xbar_size, org.cell_res)
    if len(split_into_parts(cnet, chip.macros, chip.macro_crossbars)) > 1:
        return SynthesisPlan(compact=True, chip=chip, total_power_w=limits.total_power_w)
    area = limits.area_mm2
    if limits.max_crossbars is not None:  # the area of the crossbar limit's chip, or the given one if smaller
        chip_area = chip.macros * tile_area_mm2(hw, org)
        area = chip_area if area is None else min(area, chip_area)
    if limits.total_power_w is not None:
        return SynthesisPlan(compact=False, chip=chip, total_power_w=limits.total_power_w, area_mm2=area)
    power = derived_power_w(hw, space, area, limits.max_crossbars)
    return SynthesisPlan(compact=False, chip=chip, total_power_w=power, area_mm2=area, derived_power=True,
                         max_crossbars=limits.max_crossbars)
