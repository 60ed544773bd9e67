"""The design space the DSE walks (paper Table I, Algorithm 1 lines 3-5).

RatioRram x ResRram x XbSize are the outer loops (each combination fixes the crossbar
budget, Eq. 3); ResDAC is tried inside each combination, with the ADC resolution derived
from it (spec 2.2). The paper explores RatioRram over 0.1-0.4; the reference tool only
tries 0.15-0.3 (spec 2.1, A10), available as ``DesignSpace.reference()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _ratio_range(lo: float, hi: float, step: float) -> tuple[float, ...]:
    count = int(round((hi - lo) / step)) + 1
    # Round to kill binary noise (0.1 + 3*0.05 = 0.25000000000000006) so the printed ratio
    # and the budget computed from it match what a person typed.
    return tuple(round(lo + i * step, 10) for i in range(count))


@dataclass(frozen=True)
class DesignSpace:
    rram_ratios: tuple[float, ...] = field(default_factory=lambda: _ratio_range(0.1, 0.4, 0.05))
    cell_resolutions: tuple[int, ...] = (1, 2, 4)
    xbar_sizes: tuple[int, ...] = (128, 256, 512)
    dac_resolutions: tuple[int, ...] = (1, 2, 4)

    @classmethod
    def reference(cls) -> "DesignSpace":
        """Exactly the reference tool's grid (spec 2.1)."""
        return cls(rram_ratios=(0.15, 0.2, 0.25, 0.3))

    def combinations(self) -> list[tuple[float, int, int]]:
        """(rram_ratio, cell_res, xbar_size) in the reference's loop order (ratio outermost)."""
        return [
            (ratio, cell_res, xbar)
            for ratio in self.rram_ratios
            for cell_res in self.cell_resolutions
            for xbar in self.xbar_sizes
        ]

    def validate(self) -> None:
        """Every value in range (`pimsyn.options`), every axis non-empty; errors name the
        option that is wrong (or empty)."""
        from pimsyn.errors import PimsynError
        from pimsyn.options import check

        for option, name, values in (
            ("ratios", "ratio", self.rram_ratios),
            ("cell-resolutions", "cell-res", self.cell_resolutions),
            ("xbars", "xbar", self.xbar_sizes),
            ("dac-resolutions", "dac-res", self.dac_resolutions),
        ):
            if not values:
                raise PimsynError(f"the design space is empty: --{option} has no value")
            for value in values:
                check(name, value, prefix=f"--{option}: ")

    def check_hardware(self, hw) -> None:
        """Fail before the search, naming the option, when no combination of the space has
        the tables it needs in the hardware description `hw`."""
        from pimsyn.errors import PimsynError
        from pimsyn.hw import adc_resolution

        pairs = [(x, c) for c in self.cell_resolutions for x in self.xbar_sizes if (x, c) in hw.crossbars]
        have = ", ".join(f"{x}_{c}" for x, c in sorted(hw.crossbars))
        if not pairs:
            xbars = {x for x, _ in hw.crossbars}
            option = ("--xbars" if not xbars & set(self.xbar_sizes) else "--cell-resolutions"
                      if not {c for _, c in hw.crossbars} & set(self.cell_resolutions) else "--xbars x --cell-resolutions")
            raise PimsynError(
                f"the design space is empty: {option} selects no crossbar of the hardware description "
                f"(--xbars {_listed(self.xbar_sizes)}, --cell-resolutions {_listed(self.cell_resolutions)}; "
                f"it has {have})")
        if not any(adc_resolution(x, c, d) in hw.adcs for x, c in pairs for d in self.dac_resolutions):
            raise PimsynError(
                f"the design space is empty: no --dac-resolutions value ({_listed(self.dac_resolutions)}) "
                f"gives an ADC resolution the hardware description has "
                f"({', '.join(str(r) for r in sorted(hw.adcs))} bits)")


def _listed(values) -> str:
    return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def parse_values(text: str, kind: type, option: str = "values") -> tuple:
    """Parse '0.1,0.2' or a range 'lo:hi:step' (ratios) into a tuple; a malformed list or
    range is a one-line PimsynError naming `option` (range checks: `DesignSpace.validate`)."""
    import math

    from pimsyn.errors import PimsynError
    from pimsyn.options import MAX_GRID_VALUES

    text = text.strip()
    if ":" in text:
        parts = text.split(":")
        try:
            lo, hi, step = (float(x) for x in parts)
        except ValueError:
            raise PimsynError(f"--{option} expects 'lo:hi:step' with three numbers, got '{text}'") from None
        if not all(math.isfinite(v) for v in (lo, hi, step)) or step <= 0 or hi < lo:
            raise PimsynError(f"--{option} range '{text}' needs finite lo <= hi and a step > 0")
        if (hi - lo) / step + 1 > MAX_GRID_VALUES:
            raise PimsynError(f"--{option} range '{text}' has more than {MAX_GRID_VALUES} values")
        return _ratio_range(lo, hi, step)
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise PimsynError(f"--{option} is empty")
    if len(items) > MAX_GRID_VALUES:
        raise PimsynError(f"--{option} has more than {MAX_GRID_VALUES} values")
    try:
        return tuple(kind(x) for x in items)
    except ValueError:
        what = "integers" if kind is int else "numbers"
        raise PimsynError(f"--{option} must be a comma-separated list of {what}, got '{text}'") from None
