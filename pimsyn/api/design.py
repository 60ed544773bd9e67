"""`Design` and `DesignPoint`: a design as the Python API hands it out.

A `DesignPoint` is what a person specifies by hand (the options of `pimsyn evaluate`: the
paper's outer-loop coordinates RatioRram, XbSize, ResRram, ResDAC plus the per-layer
decisions: conv duplication, macros per weight layer, sharing pairs). A `Design` wraps the
one `pimsyn.hw.design.Design` every evaluation and backend reads (docs/architecture.md,
"The design IR as the single source"), adds its metrics, and converts to and from the
design.mlir text that `pimsyn synth` writes. Its decision fields (`xbar_size`,
`conv_dup`, `macros`, ...) read through to the wrapped design.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pimsyn.api.metrics import Metrics


@dataclass(frozen=True)
class DesignPoint:
    """One design point, fully specified (no search): `pimsyn.evaluate(net, point)`."""

    total_power_w: float
    xbar_size: int
    cell_res: int
    rram_ratio: float
    dac_res: int
    conv_dup: tuple[int, ...]  # weight duplication per conv layer, in conv order
    macros: tuple[int, ...]  # macros per weight layer: the convs, then the FCs
    adc_res: int | None = None  # None: derived from the crossbar and DAC (docs/cost-model.md)
    share: tuple[tuple[int, int], ...] = ()  # inter-layer macro sharing pairs (gene indices)
    macro_setting: str = "specified"  # "specified" | "unified"
    area_mm2: float | None = None  # an area limit as well as the power budget


class Design:
    """A complete accelerator design and its metrics (evaluated once, on first use)."""

    __slots__ = ("core", "_evaluation", "_search")

    def __init__(self, core, evaluation=None, search: dict | None = None) -> None:
        object.__setattr__(self, "core", core)  # pimsyn.hw.design.Design
        object.__setattr__(self, "_evaluation", evaluation)
        object.__setattr__(self, "_search", search)  # what pim.search records (synthesis runs)

    # -- the decisions, read through --------------------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("_") or name == "core":
            raise AttributeError(name)
        return getattr(self.core, name)

    def __setattr__(self, name, value) -> None:
        raise AttributeError("a Design is immutable: use design.replace(field=value)")

    def __getstate__(self):
        return (self.core, self._evaluation, self._search)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            object.__setattr__(self, name, value)

    def __eq__(self, other) -> bool:
        """Equal designs make the same decisions for the same network on the same hardware
        (where the hardware was read from, and the search seed, do not matter)."""
        return isinstance(other, Design) and _decisions(self.core) == _decisions(other.core)

    def __hash__(self) -> int:
        c = self.core
        return hash((c.network.name, c.total_power_w, c.rram_ratio, c.xbar_size, c.cell_res, c.dac_res, c.conv_dup,
                     c.macros, c.partners))

    def __repr__(self) -> str:
        from pimsyn.hw.metrics import design_point_line

        return f"<pimsyn.Design {self.core.network.name}: {design_point_line(self.core)}>"

    def replace(self, **changes) -> "Design":
        """The same design with some decisions changed (re-evaluated on use)."""
        return Design(replace(self.core, **changes))

    # -- evaluation ----------------------------------------------------------------------------
    @property
    def evaluation(self):
        """The cost model's full `Evaluation` (per-layer figures, energy terms, schedule sizes)."""
        if self._evaluation is None:
            object.__setattr__(self, "_evaluation", self.core.evaluate())
        return self._evaluation

    @property
    def metrics(self) -> Metrics:
        return Metrics.from_evaluation(self.core, self.evaluation)

    # -- design.mlir ---------------------------------------------------------------------------
    def to_mlir(self, hardware_path: str | Path | None = None) -> str:
        """The design.mlir text `pimsyn synth` writes for this design: the decisions, the
        physical design, the schedule, the metrics and the hardware table (self-contained)."""
        from pimsyn.passes.pipeline import design_to_module_text

        return design_to_module_text(self.core, str(hardware_path) if hardware_path else None, self._search)

    @classmethod
    def from_mlir(cls, source: str | Path, hardware: str | Path | None = None) -> "Design":
        """Read a design.mlir (a path, or the text itself); its hardware from the table
        embedded in it unless `hardware` names another hardware file."""
        from pimsyn.ir.context import parse_module, read_module
        from pimsyn.passes.design_state import design_from_module

        text = str(source)
        if isinstance(source, Path) or not text.lstrip().startswith(("builtin.module", "module", '"builtin.module"')):
            module = read_module(str(source))
        else:
            module = parse_module(text, "<design.mlir text>")
        return cls(design_from_module(module, str(hardware) if hardware else None))


def _decisions(core) -> tuple:
    from dataclasses import fields

    hw = core.hw
    hardware = tuple(getattr(hw, f.name) for f in fields(hw) if f.compare and f.name != "source")
    return replace(core, hw=None, seed=None), hardware


def design_from_point(network, hardware, point: DesignPoint) -> Design:
    """The `Design` of a hand-specified point (validated as `pimsyn evaluate` validates it)."""
    from pimsyn.dse.design import design_from_options
    from pimsyn.options import check, check_optional

    check_macro_setting(point.macro_setting)
    share = ",".join(f"{int(i)}:{int(j)}" for i, j in point.share) or None
    core = design_from_options(
        network, hardware, total_power_w=check("total-power", point.total_power_w),
        xbar_size=check("xbar", point.xbar_size), cell_res=check("cell-res", point.cell_res),
        rram_ratio=check("ratio", point.rram_ratio), dac_res=check("dac-res", point.dac_res),
        adc_res=check_optional("adc-res", point.adc_res), conv_dup=tuple(int(d) for d in point.conv_dup),
        macros=tuple(int(m) for m in point.macros), share=share, macro_setting=point.macro_setting,
    )
    if point.area_mm2 is not None:
        core = replace(core, area_limit_mm2=float(check("area-mm2", point.area_mm2)))
    return Design(core)


MACRO_SETTINGS = ("specified", "unified")


def check_macro_setting(value: str) -> str:
    from pimsyn.options import OptionError

    if value not in MACRO_SETTINGS:
        raise OptionError(f"macro_setting must be one of {', '.join(MACRO_SETTINGS)}, got {value!r}")
    return value
