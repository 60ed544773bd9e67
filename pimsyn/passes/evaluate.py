"""`evaluate`: attach the design's metrics to the module (spec 5.9-5.17).

Cycles, clock, latency, throughput, scratchpad capacity, every energy term, power and
power efficiency, as float entries of `pim.metrics`. An infeasible design gets
`feasible = 0` and its efficiency 0, and the pass reports why.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.passes.design_state import evaluate_module, write_metrics


@dataclass(frozen=True)
class EvaluatePass(ModulePass):
    name = "evaluate"

    config: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        design, evaluation = evaluate_module(op, self.config, self.name)
        write_metrics(op, design, evaluation)
        if not evaluation.feasible:
            raise PassFailedException(f"evaluate: infeasible design: {evaluation.reason}")
