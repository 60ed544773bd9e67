"""`duplicate`: weight duplication per layer (paper Section IV-A, Eq. 2-4; spec 2.2-3).

Fixes the synthesis task (crossbar size, cell and DAC resolution, power budget and its RRAM
share), computes the crossbar budget (Eq. 3), runs the SA filter (or a baseline) over the
conv layers and writes the chosen candidate: `dup` and `blocks` on every layer (spec 2.3),
`#pim.hw` and `#pim.budget` on the module.
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
from pimsyn.passes.design_state import hardware_for, write_duplication


@dataclass(frozen=True)
class DuplicatePass(ModulePass):
    """Duplicate weights per layer under the crossbar budget of a power budget (Eq. 2-4)."""

    name = "duplicate"

    total_power: float | int = 49.0  # W (an integer like 49 is accepted too)
    ratio: float | int = 0.3  # RatioRram
    xbar: int = 256
    cell_res: int = 2
    dac_res: int = 1
    strategy: str = "sa"  # sa | woho | uniform
    energy: str = "computation"  # SA energy: computation | eq4
    seed: int = 1
    candidates: int = 10
    pick: int = 0  # which candidate (best first)
    effort: float | int = 1.0
    config: str = ""  # hardware file ("" = bundled reference table)

    def checked(self, option: str):
        """The value of an option field, validated like the CLI's (`pimsyn.options`)."""
        from pimsyn.options import OptionError, check

        try:
            return check(option, getattr(self, option.replace("-", "_")), prefix=f"{self.name}: ")
        except OptionError as err:
            raise PassFailedException(str(err)) from None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from pimsyn.hw import adc_resolution, apply_duplication, cost_network, crossbar_budget
        from pimsyn.ir.attributes import BudgetAttr, HwAttr
        from pimsyn.search.duplication import sa_filter
        from pimsyn.search.duplication_baselines import no_duplication, woho_duplication
        from pimsyn.search.duplication_problem import DuplicationError, DuplicationProblem

        total_power, ratio = float(self.checked("total-power")), float(self.checked("ratio"))
        for option in ("xbar", "cell-res", "dac-res", "seed", "candidates", "pick", "effort"):
            self.checked(option)
        if self.strategy not in ("sa", "woho", "uniform"):
            raise PassFailedException(f"duplicate: strategy must be sa, woho or uniform, got '{self.strategy}'")
        hw = hardware_for(op, self.config)
        net = module_to_network(op)
        from pimsyn.hw.limits import MemoryLimitError, check_network_memory

        try:
            check_network_memory(net)
        except MemoryLimitError as err:
            raise PassFailedException(f"duplicate: {err}") from None
        cnet = cost_network(net, hw, self.xbar, self.cell_res)
        budget = crossbar_budget(hw, total_power, ratio, self.xbar, self.cell_res, cnet)
        problem = DuplicationProblem.from_cost_network(cnet)
        try:
            if budget.rejected:
                raise DuplicationError(
                    f"{total_power:g} W x RatioRram {ratio:g} buys {budget.total_crossbars} crossbars "
                    f"of {self.xbar}x{self.xbar}, the weights need {budget.needed_crossbars}"
                )
            if self.strategy == "woho":
                candidates = [woho_duplication(problem, budget.conv_crossbars)]
            elif self.strategy == "uniform":
                candidates = [no_duplication(problem)]
            else:
                candidates = sa_filter(
                    problem, budget.conv_crossbars, rng=np.random.default_rng(self.seed), energy=self.energy,
                    alpha=hw.annealing.alpha, iters=hw.annealing.iterations, chains=hw.annealing.chains,
                    sigma=hw.annealing.cooling, effort=float(self.effort), candidates=self.candidates,
                )
        except DuplicationError as err:
            raise PassFailedException(f"duplicate: {err}") from None
        if not 0 <= self.pick < len(candidates):
            raise PassFailedException(f"duplicate: pick={self.pick} but only {len(candidates)} candidate(s)")
        state = apply_duplication(cnet, candidates[self.pick])
        ir_design.set_hw(op, HwAttr(self.xbar, self.cell_res, hw.weight_res, hw.data_res, self.dac_res,
                                    adc_resolution(self.xbar, self.cell_res, self.dac_res)))
        ir_design.set_budget(op, BudgetAttr(total_power, ratio, budget.total_crossbars))
        write_duplication(op, cnet, state)
