"""`partition`: macros per layer and inter-layer macro sharing (paper Alg. 2, spec 4).

Runs the evolving EA (children are evaluated and selected, unlike the reference, spec A1)
with the full evaluation as fitness, and writes `macros` (and `share_with`) on the weight
layers and `#pim.macro_setting` on the module. If a dataflow region exists it is rebuilt,
since the placement now decides the transfer and merge ops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.ir import design as ir_design
from pimsyn.ir.extract import module_to_network
from pimsyn.passes.design_state import conv_duplication, hardware_for, require_hw, write_partition


def _quirks(op: ModuleOp) -> dict:
    """The module's `pim.reference_quirks` choice for the fitness (spec B2), when set."""
    from pimsyn.passes import design_state

    if getattr(design_state, "reference_quirks", None) is not None and design_state.reference_quirks(op):
        return {"reference_quirks": True}
    return {}


@dataclass(frozen=True)
class PartitionPass(ModulePass):
    """Choose macros per layer and inter-layer macro sharing with the evolving EA (Alg. 2)."""

    name = "partition"

    seed: int = 1
    macro_setting: str = "specified"
    macro_reuse: bool = True
    population: int = 40
    generations: int = 60
    patience: int = 12
    effort: float | int = 1.0
    config: str = ""

    def checked(self, option: str):
        """The value of an option field, validated like the CLI's (`pimsyn.options`)."""
        from pimsyn.options import OptionError, check

        try:
            return check(option, getattr(self, option.replace("-", "_")), prefix=f"{self.name}: ")
        except OptionError as err:
            raise PassFailedException(str(err)) from None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from pimsyn.hw import DesignPoint, apply_duplication, cost_network, fitness
        from pimsyn.search.partition import evolve_partition
        from pimsyn.search.partition_space import MacroSizeRange, PartitionError, PartitionProblem

        for option in ("seed", "population", "generations", "patience", "effort"):
            self.checked(option)
        if self.macro_setting not in ("specified", "unified"):
            raise PassFailedException(f"partition: macro-setting must be specified or unified, got '{self.macro_setting}'")
        hw_attr, budget = require_hw(op, self.name)
        hw = hardware_for(op, self.config)
        cnet = cost_network(module_to_network(op), hw, hw_attr.xbar, hw_attr.cell_res)
        conv_dup = conv_duplication(op, self.name)
        state = apply_duplication(cnet, conv_dup)
        point = DesignPoint(
            total_power_w=budget.total_power_w, rram_ratio=budget.rram_ratio, xbar_size=hw_attr.xbar,
            cell_res=hw_attr.cell_res, dac_res=hw_attr.dac_res, adc_res=hw_attr.adc_res,
            macro_setting=self.macro_setting, **_quirks(op),
        )
        sizes = MacroSizeRange(hw.evolution.min_macro_size, hw.evolution.max_macro_size, hw.evolution.macro_size_stride)
        try:
            problem = PartitionProblem.from_cost_network(
                cnet, conv_dup, mode=self.macro_setting, macro_reuse=self.macro_reuse, sizes=sizes)
        except PartitionError as err:
            raise PassFailedException(f"partition: {err}") from None
        result = evolve_partition(
            problem, lambda macros, partners: fitness(cnet, hw, point, state, macros, partners),
            rng=np.random.default_rng(self.seed), population=self.population,
            generations=self.generations, patience=self.patience, effort=float(self.effort),
        )
        if result.fitness <= 0:
            raise PassFailedException(
                "partition: no feasible macro partition (the power left for components cannot "
                "hold one ADC/ALU per macro); lower RatioRram or raise the power budget")
        write_partition(op, cnet, result.macros, result.partners, self.macro_setting)
        if ir_design.dataflow_region(op) is not None:
            from pimsyn.passes.build_deps import rebuild_dataflow

            rebuild_dataflow(op)
