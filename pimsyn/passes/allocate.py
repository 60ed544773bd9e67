"""`allocate`: ADC / DAC / ALU units per layer under the power budget (paper Eq. 5-6, spec 5.8).

Needs `duplicate` and `partition`; writes `alloc` on every layer. The allocation depends on
the clock and scratchpad fixed point (spec 5.15), so it is computed by the full evaluation.
By default every allocation stays within the power budget; `reference-quirks=true` keeps
the reference tool's allocation exactly (spec B2: it may exceed the budget) and records
that choice on the module (`pim.reference_quirks`), where later passes read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.passes.design_state import evaluate_module, write_allocation


@dataclass(frozen=True)
class AllocatePass(ModulePass):
    name = "allocate"

    config: str = ""
    reference_quirks: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from pimsyn.passes.design_state import set_reference_quirks

        if self.reference_quirks:
            set_reference_quirks(op, True)
        _, evaluation = evaluate_module(op, self.config, self.name)
        if not evaluation.feasible:
            raise PassFailedException(f"allocate: infeasible design: {evaluation.reason}")
        write_allocation(op, evaluation)
