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
        from pimsyn.errors import PimsynError

        for ratio in self.rram_ratios:
            if not 0.0 < ratio < 1.0:
                raise PimsynError(f"RatioRram {ratio} is outside (0, 1)")
        for name, values in (
            ("cell resolution", self.cell_resolutions),
            ("crossbar size", self.xbar_sizes),
            ("DAC resolution", self.dac_resolutions),
        ):
            if not values:
                raise PimsynError(f"the design space has no {name}")
            if any(v <= 0 for v in values):
                raise PimsynError(f"{name} values must be positive, got {list(values)}")


def parse_values(text: str, kind: type) -> tuple:
    """Parse '0.1,0.2' or a range 'lo:hi:step' (ratios) into a tuple."""
    text = text.strip()
    if ":" in text:
        lo, hi, step = (float(x) for x in text.split(":"))
        return _ratio_range(lo, hi, step)
    return tuple(kind(x) for x in text.split(",") if x.strip())
