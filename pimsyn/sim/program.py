"""The simulated event graph as flat arrays (docs/simulator.md, "What the simulator executes").

One event per (inference, layer, block, op, bit). Events are never materialised as
objects and their edges are not stored: an event id encodes its position,

    id = base[layer] + block * per_block[layer] + offset[layer][op] + bit,

where a layer's blocks run over all inferences of the batch (block c of inference i is
layer block i * blocks + c), and the kernel derives each event's successors from the
tables below. The dependency edges and their delays (clock cycles, each >= 1) are the
compact dataflow's (spec 5.11-5.12), with tau_k the op's `latency` and R_k its bits:

* **inter-bit**: bit b+1 of a bit-level op waits for bit b to finish (tau_k);
* **inter-op**: op k+1 of a block waits for bit 0 of op k, for sigma_k = tau_k, or
  tau_k * R_k when a bit-level op feeds an op that is not (it needs every bit);
* **inter-block**: op k of block c+1 waits for op k of block c, for
  delta_k = max(tau_k * R_k, sigma_k + tau_{k+1} * R_{k+1} - 1): the unit must have
  finished every bit of block c, and op k+1 must have (all but) consumed block c's
  result, so one block of results sits between two ops (the last op: tau_k * R_k);
* **inter-layer**: op 0 of block c waits for the last op of each provider's block
  `parent_blocks[c]` (of the same inference) to finish.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.sim.dataflow import Flow
from pimsyn.sim.resources import Resources



@dataclass(frozen=True)
class Program:
    batch: int
    layers: int
    nodes: int
    base: np.ndarray  # [L] first event id of the layer
    per_block: np.ndarray  # [L] events per block
    blocks: np.ndarray  # [L] blocks of one inference
    op_ptr: np.ndarray  # [L+1] into the per-op arrays
    offset: np.ndarray  # per op: offset of bit 0 inside a block
    reps: np.ndarray
    tau: np.ndarray
    sigma: np.ndarray
    delta: np.ndarray
    group: np.ndarray  # per op: resource group, -1 none
    prio_kind: np.ndarray  # per op: resources.NONE / ADC / NOC / SPM
    slot_ptr: np.ndarray  # [L+1] into slot_op
    slot_op: np.ndarray  # per layer, per position inside a block: the op index (global)
    cons_ptr: np.ndarray  # [L] first entry of the layer's blocks in blk_ptr
    blk_ptr: np.ndarray  # per producer block of one inference: range in cons_layer/cons_block
    cons_layer: np.ndarray
    cons_block: np.ndarray
    group_ptr: np.ndarray
    group_res: np.ndarray
    resources: int
    indeg: np.ndarray  # [nodes] int8, initial in-degrees
    resource_nodes: int  # events that wait on a shared resource


def build_program(flow: Flow, res: Resources, batch: int = 1) -> Program:
    L = len(flow.layers)
    bits = flow.bits
    per_block = np.zeros(L, dtype=np.int64)
    blocks = np.asarray([layer.blocks for layer in flow.layers], dtype=np.int64)
    op_ptr = [0]
    offset, reps, tau, sigma, delta, group, prio_kind, slot_op, slot_ptr = [], [], [], [], [], [], [], [], [0]
    resource_nodes = 0
    for li, layer in enumerate(flow.layers):
        ops = layer.ops
        K = len(ops)
        t = [op.latency for op in ops]
        r = [op.reps for op in ops]
        for k, op in enumerate(ops):
            if t[k] < 1:
                from pimsyn.sim.errors import SimError

                raise SimError(f"layer \"{layer.name}\": op {op.kind} has latency {t[k]}; every op takes >= 1 cycle")
        sig = [t[k] * r[k] if (ops[k].is_bit and k + 1 < K and not ops[k + 1].is_bit) else t[k] for k in range(K)]
        dl = [max(t[k] * r[k], sig[k] + t[k + 1] * r[k + 1] - 1) if k + 1 < K else t[k] * r[k] for k in range(K)]
        pos = 0
        for k in range(K):
            offset.append(pos)
            pos += r[k]
        per_block[li] = pos
        reps += r
        tau += t
        sigma += sig
        delta += dl
        for k in range(K):
            group.append(res.group[li][k])
            prio_kind.append(res.kind[li][k])
            if res.group[li][k] >= 0:
                resource_nodes += layer.blocks * r[k] * batch
        first = op_ptr[-1]
        slot_op.extend(np.repeat(np.arange(first, first + K), r).tolist())
        slot_ptr.append(len(slot_op))
        op_ptr.append(first + K)
    base = np.zeros(L, dtype=np.int64)
    sizes = per_block * blocks * batch
    base[1:] = np.cumsum(sizes)[:-1]
    nodes = int(sizes.sum())
    # inverse parent maps: producer block (one inference) -> consumer (layer, block)
    entries: list[list[tuple[int, int]]] = [[] for _ in range(L)]
    for li, layer in enumerate(flow.layers):
        for p, row in zip(layer.providers, layer.parent_blocks):
            entries[p].append((li, row))
    cons_ptr = np.zeros(L, dtype=np.int64)
    blk_ptr_parts, cl_parts, cb_parts = [], [], []
    at = 0
    for p in range(L):
        cons_ptr[p] = at
        n_p = int(blocks[p])
        if entries[p]:
            prod = np.concatenate([row for _, row in entries[p]])
            cl = np.concatenate([np.full(len(row), li, dtype=np.int64) for li, row in entries[p]])
            cb = np.concatenate([np.arange(len(row), dtype=np.int64) for _, row in entries[p]])
            order = np.argsort(prod, kind="stable")
            counts = np.bincount(prod, minlength=n_p)
            cl_parts.append(cl[order])
            cb_parts.append(cb[order])
        else:
            counts = np.zeros(n_p, dtype=np.int64)
        blk_ptr_parts.append(counts)
        at += n_p
    counts_all = np.concatenate(blk_ptr_parts) if blk_ptr_parts else np.zeros(0, dtype=np.int64)
    blk_ptr = np.zeros(len(counts_all) + 1, dtype=np.int64)
    blk_ptr[1:] = np.cumsum(counts_all)
    cons_layer = np.concatenate(cl_parts) if cl_parts else np.zeros(0, dtype=np.int64)
    cons_block = np.concatenate(cb_parts) if cb_parts else np.zeros(0, dtype=np.int64)
    indeg = _initial_indegrees(flow, per_block, blocks, np.asarray(offset), np.asarray(reps), op_ptr, batch, nodes)
    return Program(
        batch=batch, layers=L, nodes=nodes, base=base, per_block=per_block, blocks=blocks,
        op_ptr=np.asarray(op_ptr, dtype=np.int64), offset=np.asarray(offset, dtype=np.int64),
        reps=np.asarray(reps, dtype=np.int64), tau=np.asarray(tau, dtype=np.int64),
        sigma=np.asarray(sigma, dtype=np.int64), delta=np.asarray(delta, dtype=np.int64),
        group=np.asarray(group, dtype=np.int64), prio_kind=np.asarray(prio_kind, dtype=np.int64),
        slot_ptr=np.asarray(slot_ptr, dtype=np.int64), slot_op=np.asarray(slot_op, dtype=np.int64),
        cons_ptr=cons_ptr, blk_ptr=blk_ptr, cons_layer=cons_layer, cons_block=cons_block,
        group_ptr=res.group_ptr, group_res=res.group_res, resources=res.count, indeg=indeg,
        resource_nodes=resource_nodes,
    )


def _initial_indegrees(flow, per_block, blocks, offset, reps, op_ptr, batch, nodes) -> np.ndarray:
    """Parents of every event: the previous bit; else the previous op (k > 0) and the
    previous block (c > 0), plus one per provider token for op 0."""
    indeg = np.zeros(nodes, dtype=np.int8)
    at = 0
    for li, layer in enumerate(flow.layers):
        pb = int(per_block[li])
        n = int(blocks[li]) * batch
        block = np.zeros(pb, dtype=np.int8)
        for j, k in enumerate(range(op_ptr[li], op_ptr[li + 1])):
            o, r = int(offset[k]), int(reps[k])
            block[o + 1:o + r] = 1  # later bits: the previous bit
            block[o] = (1 if j > 0 else len(layer.providers)) + 1  # + the previous block
        rows = np.tile(block, n).reshape(n, pb)
        for k in range(op_ptr[li], op_ptr[li + 1]):
            rows[0, int(offset[k])] -= 1  # block 0 has no previous block
        indeg[at:at + n * pb] = rows.ravel()
        at += n * pb
    return indeg
