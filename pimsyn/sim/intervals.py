"""Busy intervals of a finished simulation: per (layer, op) and per macro.

An op of one block spans from its bit 0's start to its last bit's end (start + latency).
"""

from __future__ import annotations

import numpy as np

from pimsyn.sim.dataflow import BIT_KINDS, NOC_KINDS, Flow
from pimsyn.sim.program import Program


def op_intervals(program: Program, start: np.ndarray, layer: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of every block of global op ``k`` of ``layer`` over the batch."""
    n = int(program.blocks[layer]) * program.batch
    first = program.base[layer] + np.arange(n, dtype=np.int64) * program.per_block[layer] + program.offset[k]
    begin = start[first]
    end = start[first + program.reps[k] - 1] + program.tau[k]
    return begin, end


def union_length(begin: np.ndarray, end: np.ndarray) -> int:
    """Cycles covered by the union of [begin, end) intervals."""
    if len(begin) == 0:
        return 0
    order = np.argsort(begin, kind="stable")
    b, e = begin[order], end[order]
    reach = np.maximum.accumulate(e)
    prev = np.concatenate(([b[0]], reach[:-1]))
    return int(np.maximum(0, e - np.maximum(b, prev)).sum())


def op_macros(flow: Flow, layer: int, k: int) -> tuple[int, ...]:
    """Macros an op keeps busy: crossbar-side ops on the layer's home macros, transfers and
    merges on both ends, loads/stores/ALU ops on the macros the layer runs on."""
    fl = flow.layers[layer]
    op = fl.ops[k]
    if op.kind in NOC_KINDS:
        return tuple(sorted(set(op.src) | set(op.dst)))
    if op.kind in BIT_KINDS and fl.home:
        return fl.home
    return fl.run
