"""`schedule`: the dataflow schedule as the cost model computed it (spec 5.11-5.13, 5.15).

Needs `place` (the dataflow of the placed design). Writes on every dataflow op the cycle
its block 0 (bit 0) starts and its latency in clock cycles (per block; per bit for the
bit-level ops mvm, adc and shift-add), and on `pim.dataflow` the clock period and the
cycles of one inference. The accelerator starts one inference every `cycles` clock
cycles, so the pipeline period is `cycles * clock_ns` (throughput 1 / period, spec 5.16).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import Float64Type, FloatAttr, ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.ir import design as ir_design
from pimsyn.ir.dataflow_ops import layer_groups
from pimsyn.ir.syntax import int_attr


@dataclass(frozen=True)
class SchedulePass(ModulePass):
    """Write start cycles and op latencies on the dataflow, clock and cycles on the region."""

    name = "schedule"

    config: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from pimsyn.passes.design_state import evaluate_module

        from pimsyn.ir.physical import chip_of

        region = ir_design.dataflow_region(op)
        if region is None or region.is_unrolled or chip_of(op) is None:
            raise PassFailedException("schedule: the module is not placed (no pim.chip and compact pim.dataflow); run 'place' first")
        _, evaluation = evaluate_module(op, self.config, self.name)
        if not evaluation.feasible:
            raise PassFailedException(f"schedule: infeasible design: {evaluation.reason}")
        write_schedule(region, evaluation)


def write_schedule(region, evaluation) -> None:
    layers = {layer.name: layer for layer in evaluation.layers}
    for group in layer_groups(region.dataflow_ops()):
        layer = layers.get(group[0].layer_name)
        if layer is None or len(layer.ops) != len(group) or len(layer.op_starts) != len(group):
            raise PassFailedException(
                f"schedule: the dataflow of layer '{group[0].layer_name}' does not match the design "
                "(run 'place' after the last change)")
        for op, start, cycles in zip(group, layer.op_starts, layer.op_cycles):
            op.properties["start"] = int_attr(start)
            op.properties["latency"] = int_attr(cycles)
    region.properties["clock_ns"] = FloatAttr(float(evaluation.clock_ns), Float64Type())
    region.properties["cycles"] = int_attr(evaluation.cycles)
