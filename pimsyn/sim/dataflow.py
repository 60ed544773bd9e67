"""What the simulator reads: the scheduled compact ``pim.dataflow`` and the ``pim.chip`` of a
design.mlir, as plain records (docs/simulator.md, "The built-in simulator").

Nothing here comes from the cost model: op latencies are the ops' ``latency`` (clock
cycles per block, per bit for the bit-level ops), the block and bit ranges are the ops'
``cnt`` / ``bit``, the inter-layer dependencies the first op's tokens and
``parent_blocks``, and the macros every op uses come from the op's ``src`` / ``dst`` and
the layer's ``pim.map``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from pimsyn.sim.errors import SimError

#: op kinds repeated once per input-bit slice (paper Table II: DAC/crossbar, ADC, shift-add)
BIT_KINDS = frozenset({"mvm", "adc", "shiftadd"})
#: op kinds that move data between macros over the NoC
NOC_KINDS = frozenset({"transfer", "merge"})


@dataclass(frozen=True)
class FlowOp:
    """One compact dataflow op: every block (and bit) of one op kind of one layer."""

    kind: str  # mvm, adc, load, store, transfer, merge, or the ALU op (shiftadd, add, pool, ...)
    reps: int  # bits per block (1 for the ops that are not bit-level)
    latency: int  # clock cycles per block (per bit for the bit-level ops)
    src: tuple[int, ...] = ()  # transfer/merge: sending macros
    dst: tuple[int, ...] = ()  # transfer/merge: receiving macros

    @property
    def is_bit(self) -> bool:
        return self.kind in BIT_KINDS


@dataclass(frozen=True)
class FlowLayer:
    name: str
    blocks: int
    ops: tuple[FlowOp, ...]
    providers: tuple[int, ...]  # layer indices (dataflow order), one per provider token
    parent_blocks: tuple[np.ndarray, ...]  # per provider: the producer block of each block
    home: tuple[int, ...]  # macros holding the layer's crossbars (its pim.map macros)
    run: tuple[int, ...]  # macros its loads, stores and ALU ops run on
    partner: int  # layer index of the layer it shares macros (and ADCs) with, -1 none


@dataclass(frozen=True)
class Flow:
    """A scheduled, placed design as the simulator sees it."""

    name: str
    layers: tuple[FlowLayer, ...]
    bits: int
    clock_ns: float
    model_cycles: int  # the cost model's cycles (pim.dataflow cycles)
    rows: int
    cols: int
    positions: dict[int, tuple[int, int]]  # macro id -> (row, col)
    metrics: dict[str, float]

    @property
    def nodes(self) -> int:
        """(layer, block, op, bit) events of one inference."""
        return sum(layer.blocks * sum(op.reps for op in layer.ops) for layer in self.layers)


def read_flow(module: ModuleOp) -> Flow:
    """The simulator's view of a synthesized design.mlir module (raises :class:`SimError`)."""
    from pimsyn.ir import design as ir_design
    from pimsyn.ir.dataflow_ops import layer_groups
    from pimsyn.ir.physical import chip_of, layer_runs

    from pimsyn.ir.compact_ops import compact_of

    compact = compact_of(module)
    if compact is not None:
        raise SimError("this is a compact design (the network runs part by part on a chip too small for its "
                       "weights, docs/compact.md): the built-in simulator runs designs that hold every weight; "
                       f"its batch metrics are in report.md and accelerator.json")
    region = ir_design.dataflow_region(module)
    if region is None or not region.dataflow_ops():
        raise SimError("the design has no pim.dataflow; run the synthesis passes or `pimsyn synth`")
    if region.is_unrolled:
        raise SimError("the design's pim.dataflow is unrolled; simulate the compact design.mlir "
                       "that `pimsyn synth` writes")
    if not region.is_scheduled:
        raise SimError("the design's pim.dataflow is not scheduled (no latency on its ops); "
                       "run the 'schedule' pass")
    chip = chip_of(module)
    if chip is None:
        raise SimError("the design is not placed (no pim.chip); run the 'place' pass")
    maps = {op.layer_name: op for op in chip.map_ops()}
    runs = layer_runs(chip)
    groups = layer_groups(region.dataflow_ops())
    index = {group[0].layer_name: i for i, group in enumerate(groups)}
    last_op = {id(group[-1]): i for i, group in enumerate(groups)}
    bits = 1
    layers = []
    for group in groups:
        name = group[0].layer_name
        ops = []
        for op in group:
            src, dst = op.ints("src") if op.kind in NOC_KINDS else None, op.ints("dst") if op.kind in NOC_KINDS else None
            if op.kind in NOC_KINDS and src is None:
                raise SimError(f"{op.name} \"{name}\" has no src/dst macros; run the 'place' pass")
            reps = op.bit.size
            if reps > 1 and op.kind not in BIT_KINDS:
                raise SimError(f"{op.name} \"{name}\" covers {reps} bits but is not a bit-level op")
            if op.kind in BIT_KINDS:
                bits = max(bits, reps)
            ops.append(FlowOp(kind=op.kind, reps=reps, latency=op.param("latency"),
                              src=tuple(src or ()), dst=tuple(dst or ())))
        first = group[0]
        providers = tuple(last_op[id(dep.owner)] for dep in first.deps)
        rows = tuple(np.asarray(row, dtype=np.int64) - groups[p][0].cnt.start
                     for p, row in zip(providers, first.parent_block_rows()))
        home = maps[name].macro_ids if name in maps else ()
        partner = maps[name].partner if name in maps else None
        layers.append(FlowLayer(
            name=name, blocks=first.cnt.size, ops=tuple(ops), providers=providers, parent_blocks=rows,
            home=tuple(home), run=tuple(runs.get(name, home)),
            partner=index.get(partner, -1) if partner else -1,
        ))
    positions = {m.macro_id: m.position for m in chip.macro_ops()}
    return Flow(
        name=module.sym_name.data if module.sym_name else "network", layers=tuple(layers), bits=bits,
        clock_ns=region.clock_ns.value.data, model_cycles=region.cycles.value.data,
        rows=chip.rows, cols=chip.cols, positions=positions, metrics=ir_design.get_metrics(module) or {},
    )
