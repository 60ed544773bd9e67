"""A synthesized design: every decision needed to evaluate it, and nothing else.

The reference tool writes an output that mixes two designs (spec A3): its efficiency comes
from one duplication candidate and its layer details from another. Here a `Design` is the
single source of every evaluation: the metrics are always recomputed from these fields.
It lives in `hw/` (with the cost model it feeds) so that the passes, the DSE and the
backends all read the same class without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pimsyn.model.network import Network


@dataclass(frozen=True)
class Design:
    network: Network
    hw: object  # pimsyn.hw.config.HardwareConfig
    total_power_w: float
    rram_ratio: float
    xbar_size: int
    cell_res: int
    dac_res: int
    adc_res: int
    macro_setting: str
    conv_dup: tuple[int, ...]  # weight duplication per conv layer, conv order
    macros: tuple[int, ...]  # macros per weight layer, gene order (convs then FCs)
    partners: tuple[int, ...]  # gene index of the sharing partner, -1 for none
    macro_reuse: bool = True
    seed: int | None = None
    #: the reference tool's allocation exactly (may exceed the budget, spec B2); default:
    #: every allocation within the budget (docs/cost-model.md, "Budgets are honoured")
    reference_quirks: bool = False
    #: a fixed component organisation (hw/organisation.py, e.g. "isaac") instead of the
    #: synthesized allocation; only `pimsyn evaluate --preset` builds such designs
    organisation: str | None = None
    #: the chip may not exceed this area (mm²); None: no limit (docs/cost-model.md, "Area")
    area_limit_mm2: float | None = None
    extra: dict = field(default_factory=dict, compare=False)  # search statistics for reports

    @cached_property
    def cost_network(self):
        from pimsyn.hw import cost_network

        return cost_network(self.network, self.hw, self.xbar_size, self.cell_res)

    @property
    def weight_slices(self) -> int:
        """R = ceil(weight_res / cell_res): crossbars one full-precision weight tile spans."""
        return -(-int(self.hw.weight_res) // int(self.cell_res))

    @cached_property
    def point(self):
        from pimsyn.hw import DesignPoint

        return DesignPoint(
            total_power_w=self.total_power_w, rram_ratio=self.rram_ratio, xbar_size=self.xbar_size,
            cell_res=self.cell_res, dac_res=self.dac_res, adc_res=self.adc_res,
            macro_setting=self.macro_setting, reference_quirks=self.reference_quirks,
            organisation=self.organisation, area_limit_mm2=self.area_limit_mm2,
        )

    @cached_property
    def state(self):
        from pimsyn.hw import apply_duplication

        return apply_duplication(self.cost_network, np.asarray(self.conv_dup, dtype=np.int64))

    def evaluate(self):
        from pimsyn.hw import evaluate
        from pimsyn.hw.limits import check_network_memory

        check_network_memory(self.network)
        return evaluate(
            self.cost_network, self.hw, self.point, self.state,
            np.asarray(self.macros, dtype=np.int64), np.asarray(self.partners, dtype=np.int64),
        )
