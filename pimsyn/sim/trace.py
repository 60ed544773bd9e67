"""Chrome trace-event output of a simulation (opens in Perfetto or chrome://tracing).

One process (track group) per macro, named "macro K (row, col)"; inside it one thread per
(layer, op kind) that keeps the macro busy (:func:`pimsyn.sim.intervals.op_macros`), so
slices on one thread never overlap. One complete event ("ph": "X") per block of an op,
from its first bit's start to its last bit's end; times in microseconds. A run with more
events than ``max_events`` keeps the earliest ones (whole cycles) and says so in the
trace's metadata.
"""

from __future__ import annotations

import json

import numpy as np

from pimsyn.sim.dataflow import Flow
from pimsyn.sim.intervals import op_intervals, op_macros
from pimsyn.sim.program import Program

DEFAULT_MAX_EVENTS = 500_000


def trace_events(flow: Flow, program: Program, start: np.ndarray, max_events: int = DEFAULT_MAX_EVENTS) -> dict:
    us = flow.clock_ns / 1000.0
    spans = []  # (macro, tid, name, begins, ends)
    threads: dict[tuple[int, int], str] = {}
    for lay, fl in enumerate(flow.layers):
        for j, k in enumerate(range(program.op_ptr[lay], program.op_ptr[lay + 1])):
            begin, end = op_intervals(program, start, lay, k)
            tid = lay * 32 + j
            label = f"{fl.name} {fl.ops[j].kind}"
            for macro in op_macros(flow, lay, j):
                threads[(macro, tid)] = label
                spans.append((macro, tid, fl.ops[j].kind, fl.name, begin, end))
    total = sum(len(b) for *_, b, _ in spans)
    cut = None
    if total > max_events:
        all_begins = np.sort(np.concatenate([b for *_, b, _ in spans]))
        cut = int(all_begins[max_events - 1])
    events = []
    for macro, (row, col) in sorted(flow.positions.items()):
        events.append({"ph": "M", "name": "process_name", "pid": macro, "tid": 0,
                       "args": {"name": f"macro {macro} ({row}, {col})"}})
        events.append({"ph": "M", "name": "process_sort_index", "pid": macro, "tid": 0, "args": {"sort_index": macro}})
    for (macro, tid), label in sorted(threads.items()):
        events.append({"ph": "M", "name": "thread_name", "pid": macro, "tid": tid, "args": {"name": label}})
    blocks = {lay: int(program.blocks[lay]) for lay in range(program.layers)}
    index = {fl.name: lay for lay, fl in enumerate(flow.layers)}
    for macro, tid, kind, layer, begin, end in spans:
        keep = np.nonzero(begin <= cut)[0] if cut is not None else range(len(begin))
        n = blocks[index[layer]]
        for c in keep:
            events.append({"ph": "X", "name": kind, "cat": layer, "pid": macro, "tid": tid,
                           "ts": round(float(begin[c]) * us, 6), "dur": round(float(end[c] - begin[c]) * us, 6),
                           "args": {"layer": layer, "block": int(c) % n, "inference": int(c) // n}})
    meta = {"network": flow.name, "clock_ns": flow.clock_ns, "batch": program.batch,
            "truncated_at_cycle": cut}
    return {"traceEvents": events, "displayTimeUnit": "ns", "otherData": meta}


def trace_json(flow: Flow, program: Program, start: np.ndarray, max_events: int = DEFAULT_MAX_EVENTS) -> str:
    return json.dumps(trace_events(flow, program, start, max_events), separators=(",", ":")) + "\n"
