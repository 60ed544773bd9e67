"""Node-by-node dataflow-DAG schedule: the oracle for :func:`pimsyn.hw.schedule.schedule`.

This follows spec 5.12-5.14 literally: it builds every DAG node (layer, block, op, bit) in
creation order with its ordered child list, then runs the step loop of 5.13 (lists Prev,
Semi, Proc, ageing, scratchpad bookkeeping, ADC then NoC conflict resolution, bubble nodes).
It is meant to be obviously right, not fast; the fast scheduler is tested against it.

One deliberate deviation, B11: in the ADC-conflict loop the reference bubbles an entry
without marking it, so the same entry can be chosen again (and then trips its assertion).
Here a bubbled entry is marked and skipped by both loops. Everything else, including the
reference's ``break`` after every ADC victim, is kept.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from pimsyn.hw.geometry import input_buffer_elements
from pimsyn.hw.schedule_problem import ScheduleError, ScheduleProblem, ScheduleResult

_LOAD_STORE = ("LD", "ST")


def schedule_reference(
    problem: ScheduleProblem, op_cycles: Sequence[Sequence[int]], *, layer_buffers: bool = False
) -> ScheduleResult:
    """Same contract as :func:`pimsyn.hw.schedule.schedule` (``layer_buffers`` adds the
    per-layer IB and OB to the result)."""
    der = problem.derived
    taus = der.check_cycles(op_cycles)
    dag = _Dag(problem, taus)
    return _run(problem, dag, layer_buffers)


class _Dag:
    """Nodes as parallel lists indexed by node id (creation order, spec 5.12)."""

    def __init__(self, problem: ScheduleProblem, taus: list[list[int]]) -> None:
        der = problem.derived
        bits = der.bits
        self.layer: list[int] = []
        self.block: list[int] = []
        self.op: list[str] = []
        self.bit: list[int] = []
        self.tau: list[int] = []
        self.bubble: list[bool] = []
        self.children: list[list[tuple[int, int]]] = []
        self.indeg: list[int] = []
        first_id: list[int] = []  # id of (l, 0, 0, 0)
        per_block: list[int] = []
        op_offset: list[list[int]] = []  # offset of (l, c, k, 0) inside a block
        for idx, ops in enumerate(der.ops):
            offsets, size = [], 0
            for k in range(len(ops)):
                offsets.append(size)
                size += bits if der.is_bit[idx][k] else 1
            op_offset.append(offsets)
            per_block.append(size)

        def node_id(layer: int, block: int, k: int, bit: int = 0) -> int:
            return first_id[layer] + block * per_block[layer] + op_offset[layer][k] + bit

        for idx, ops in enumerate(der.ops):
            first_id.append(len(self.layer))
            tau = taus[idx]
            is_bit = der.is_bit[idx].tolist()
            reps = [bits if b else 1 for b in is_bit]
            count = len(ops)
            n = der.blocks[idx]
            provs = der.providers[idx]
            # inter-op delay sigma_k and inter-block delay (spec 5.11, 5.12)
            sigma = [
                tau[k] * reps[k] if (is_bit[k] and k + 1 < count and not is_bit[k + 1]) else tau[k]
                for k in range(count)
            ]
            block_delay = [
                max(tau[k] * reps[k], sigma[k] + tau[k + 1] * reps[k + 1] - 1) if k + 1 < count
                else tau[k] * reps[k]
                for k in range(count)
            ]
            for c in range(n):
                for k in range(count):
                    for b in range(reps[k]):
                        me = len(self.layer)
                        self.layer.append(idx)
                        self.block.append(c)
                        self.op.append(ops[k])
                        self.bit.append(b)
                        self.tau.append(tau[k])
                        self.bubble.append(False)
                        kids: list[tuple[int, int]] = []
                        indeg = 0
                        if b == 0:
                            if k + 1 < count:
                                kids.append((me + reps[k], sigma[k]))
                            if c + 1 < n:
                                kids.append((me + per_block[idx], block_delay[k]))
                            indeg += (k > 0) + (c > 0)
                        if is_bit[k] and b + 1 < bits:
                            kids.append((me + 1, tau[k]))
                        if b > 0:
                            indeg += 1
                        if k == 0:
                            for i, p in enumerate(provs):
                                parent = node_id(p, int(der.parent_block[idx][i][c]), len(der.ops[p]) - 1)
                                self.children[parent].append((me, taus[p][-1]))
                                indeg += 1
                        self.children.append(kids)
                        self.indeg.append(indeg)
        self.nodes = len(self.layer)
        self.est = [0] * self.nodes

    def add_bubble(self, victim: int) -> int:
        """A one-cycle node whose only child is the victim (spec 5.13 step 9)."""
        me = len(self.layer)
        self.layer.append(self.layer[victim])
        self.block.append(self.block[victim])
        self.op.append("bubble")
        self.bit.append(0)
        self.tau.append(1)
        self.bubble.append(True)
        self.children.append([(victim, 1)])
        self.indeg.append(0)
        self.est.append(self.est[victim])
        self.indeg[victim] = 1
        return me


class _Scratchpad:
    """Spec 5.14 bookkeeping: per-layer IB, OB and the output window (lo, hi)."""

    def __init__(self, problem: ScheduleProblem) -> None:
        der = problem.derived
        self.der = der
        self.layers = problem.layers
        n = der.num_layers
        self.input_buffer = [0.0] * n
        self.output_buffer = [0] * n
        self.lo = [0] * n
        self.hi = [0] * n
        self.inbuf = [
            [input_buffer_elements(np.arange(layer.blocks), der.geometry[idx], der.geometry[p]).tolist()
             for p in der.providers[idx]]
            for idx, layer in enumerate(problem.layers)
        ]
        self.start = [[arr.tolist() for arr in per_layer] for per_layer in der.window_start]

    def visit(self, layer: int, block: int, op: str) -> None:
        if op not in _LOAD_STORE:
            return
        cap = 0
        for i, p in enumerate(self.der.providers[layer]):
            cap += self.inbuf[layer][i][block]
            self.lo[p] = self.start[layer][i][block]
            self.output_buffer[p] = max(self.output_buffer[p], (self.hi[p] - self.lo[p]) * self.layers[p].channels)
        self.input_buffer[layer] = max(self.input_buffer[layer], cap)
        if op == "ST":
            self.hi[layer] = self.layers[layer].dup * (block + 1)
            self.output_buffer[layer] = max(
                self.output_buffer[layer], (self.hi[layer] - self.lo[layer]) * self.layers[layer].channels
            )

    def elements(self) -> float:
        return float(max(ib + ob for ib, ob in zip(self.input_buffer, self.output_buffer)))


def _run(problem: ScheduleProblem, dag: _Dag, layer_buffers: bool) -> ScheduleResult:
    der = problem.derived
    noc_pairs = {frozenset(((a, der.ops[a][ka]), (b, der.ops[b][kb]))) for (a, ka), (b, kb) in der.noc_pairs}
    adc_pairs = {frozenset(pair) for pair in der.adc_pairs}
    pad = _Scratchpad(problem)
    est, indeg, children = dag.est, dag.indeg, dag.children
    prev = [x for x in range(dag.nodes) if indeg[x] == 0]
    semi: list[int] = []
    proc: list[list[int]] = [[x, 0] for x in prev]  # [node, elapsed]
    step = 0
    noc_bubbles = adc_bubbles = 0
    while prev or semi:
        step += 1
        started: list[int] = []  # "A"
        if semi:
            waiting = []
            for x in semi:
                (started if est[x] == step else waiting).append(x)
            semi = waiting
        for x in prev:
            ex = est[x]
            for y, delay in children[x]:
                indeg[y] -= 1
                if ex + delay > est[y]:
                    est[y] = ex + delay
                if indeg[y] == 0:
                    (started if est[y] == step else semi).append(y)
        # ageing: one more elapsed cycle; finished entries leave
        aged = []
        for entry in proc:
            entry[1] += 1
            if entry[1] != dag.tau[entry[0]]:
                aged.append(entry)
        proc = aged
        proc.extend([y, 0] for y in started)
        for y in started:
            pad.visit(dag.layer[y], dag.block[y], dag.op[y])
        adc_victims = _adc_victims(dag, proc, started, adc_pairs) if adc_pairs else []
        noc_victims = _noc_victims(dag, proc, started, noc_pairs) if noc_pairs else []
        for victim in adc_victims + noc_victims:
            bubble = dag.add_bubble(victim)
            started.append(bubble)
            proc.append([bubble, 0])
        adc_bubbles += len(adc_victims)
        noc_bubbles += len(noc_victims)
        prev = started
    extra = {}
    if layer_buffers:
        extra = dict(input_buffers=tuple(float(x) for x in pad.input_buffer),
                     output_buffers=tuple(pad.output_buffer))
    return ScheduleResult(
        cycles=step, noc_bubbles=noc_bubbles, adc_bubbles=adc_bubbles,
        buffer_elements=pad.elements(), nodes=dag.nodes, **extra,
    )


def _remove_victim(proc: list[list[int]], started: list[int], entry: list[int]) -> int:
    node = entry[0]
    if node not in started:
        raise ScheduleError(f"conflict victim node {node} did not start this step (scheduler invariant)")
    started.remove(node)
    proc.remove(entry)
    return node


def _noc_victims(dag: _Dag, proc, started, pairs) -> list[int]:
    """Spec 5.13 NoC conflict resolution: the later starter yields; on a tie the one with
    more remaining work; on a full tie the later Proc entry."""
    queue = [e for e in proc if not dag.bubble[e[0]] and dag.op[e[0]] in ("TRAN", "MRG")]
    keys = [(dag.layer[e[0]], dag.op[e[0]]) for e in queue]
    marked = [False] * len(queue)
    victims = []
    for i in range(len(queue)):
        if marked[i]:
            continue
        for j in range(i + 1, len(queue)):
            if marked[j] or frozenset((keys[i], keys[j])) not in pairs:
                continue
            el_i, el_j = queue[i][1], queue[j][1]
            rem_i, rem_j = dag.tau[queue[i][0]] - el_i, dag.tau[queue[j][0]] - el_j
            first_yields = el_i < el_j or (el_i == el_j and rem_i > rem_j)
            victims.append(_remove_victim(proc, started, queue[i] if first_yields else queue[j]))
            if first_yields:
                break
            marked[j] = True
    return victims


def _adc_victims(dag: _Dag, proc, started, pairs) -> list[int]:
    """Spec 5.13 ADC conflict resolution: the lower bit yields, on equal bits the later
    layer; the j loop is left after every victim; victims are marked (B11 fixed)."""
    queue = [e for e in proc if not dag.bubble[e[0]] and dag.op[e[0]] == "ADC"]
    marked = [False] * len(queue)
    victims = []
    for i in range(len(queue)):
        if marked[i]:
            continue
        for j in range(i + 1, len(queue)):
            if marked[j]:
                continue
            x, y = queue[i][0], queue[j][0]
            if frozenset((dag.layer[x], dag.layer[y])) not in pairs:
                continue
            first_yields = dag.bit[x] < dag.bit[y] or (dag.bit[x] == dag.bit[y] and dag.layer[x] > dag.layer[y])
            victim = i if first_yields else j
            victims.append(_remove_victim(proc, started, queue[victim]))
            marked[victim] = True
            break
    return victims
