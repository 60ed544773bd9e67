"""`allocate`: ADC / DAC / ALU units per layer under the power budget (paper Eq. 5-6, spec 5.8).

Needs `duplicate` and `partition`; writes `alloc` on every layer. The allocation depends on
the clock and scratchpad fixed point (spec 5.15), so it is computed by the full evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.passes.design_state import design_from_module, write_allocation


@dataclass(frozen=True)
class AllocatePass(ModulePass):
    name = "allocate"

    config: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        evaluation = design_from_module(op, self.config, self.name).evaluate()
        if not evaluation.feasible:
            raise PassFailedException(f"allocate: infeasible design: {evaluation.reason}")
        write_allocation(op, evaluation)
