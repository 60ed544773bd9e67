"""Time-ordered NoC conflict resolution for one segment of layers (spec 5.13), a whole
victim wait at a time.

Used by :mod:`pimsyn.hw.schedule` for segments whose only conflicts are NoC pairs and whose
conflicting ops are the first (TRAN) or the last (MRG) op of their layer. Only the bit-0
nodes are simulated (later bits never feed another op). Without conflicts, every node's
start is fixed once its parents' starts are: such nodes are computed row by row (block by
block), as soon as their inputs are final, in no particular time order. Only the starts of
conflicting TRAN/MRG nodes wait in a heap and are decided in time order: at step s, with
every start < s final, all nodes that may start at s are in the heap.

Which nodes of step s are victims (5.13: Q in Proc order; the later starter yields, then
the one with more remaining work, then the later Proc entry):

* Entries that started before s ("old") are never victims: a conflicting partner running
  at their start would have made them victims then. They come first in Proc order, so
  the first old entry conflicting with a new entry V reaches V in its j loop and bubbles
  it (V has elapsed 0), before any new entry is an i. V is therefore bubbled at every
  step while an old conflicting op ("blocker") runs, and in those steps it is skipped by
  everyone else: its whole wait (until the last blocker that runs at s ends) is made at
  once. Blockers started before s are final, so this needs no look-ahead.
* New entries without blockers play the 5.13 loop among themselves, in ``A`` order
  (:mod:`pimsyn.hw.schedule_order`); their victims wait one step (step-by-step path).

Every retry still gets its bubble (for the count and for the ``A`` order of later steps):
the bubble of step t records the pair that bubbled the victim, i.e. the first blocker in
Proc order still running at t.
"""

from __future__ import annotations

import heapq

import numpy as np

from pimsyn.hw.schedule_order import Bubble, noc_wait_bubble
from pimsyn.hw.schedule_problem import ScheduleError

_NEG = -(1 << 40)


def noc_segment_eligible(der, seg) -> bool:
    """NoC pairs only, each conflicting op first or last (not both) in a layer of >= 2 ops."""
    if seg.adc_pairs or not seg.noc_pairs:
        return False
    for layer, k in seg.noc_keys:
        count = len(der.ops[layer])
        if count < 2 or k not in (0, count - 1):
            return False
    return True


class NocSegment:
    """Earliest starts of the segment's layers, written into ``timing.est`` / ``_est_rows``."""

    def __init__(self, timing, seg, parent_lists) -> None:
        der = timing.der
        self.timing = timing
        self.der = der
        self.lo, self.hi = seg.lo, seg.hi
        self.parent_lists = parent_lists
        keys = set(seg.noc_keys)
        self.partners: dict[tuple[int, int], list[tuple[int, int]]] = {key: [] for key in keys}
        for a, b in seg.noc_pairs:
            self.partners[a].append(b)
            self.partners[b].append(a)
        self.partner_sets = {key: set(found) for key, found in self.partners.items()}
        layers = range(self.lo, self.hi + 1)
        self.count = {l: len(der.ops[l]) for l in layers}
        self.noc_first = {l: (l, 0) in keys for l in layers}
        self.noc_last = {l: (l, self.count[l] - 1) in keys for l in layers}
        self.end_mid = {l: self.count[l] - 1 if self.noc_last[l] else self.count[l] for l in layers}
        self.rows = {l: [[0] * self.count[l] for _ in range(der.blocks[l])] for l in layers}
        self.f0 = dict.fromkeys(layers, 0)  # blocks with a final column 0
        self.fm = dict.fromkeys(layers, 0)  # blocks with final columns up to end_mid
        self.fl = dict.fromkeys(layers, 0)  # blocks with a final last column (noc_last)
        self.pend0 = dict.fromkeys(layers, False)
        self.pendl = dict.fromkeys(layers, False)
        self.consumers = {l: [m for m in der.consumers[l] if m <= self.hi] for l in layers}
        self.heap: list = []
        self.seq = 0
        self.running: dict[tuple[int, int], tuple[int, int]] = {}  # key -> (start, block)

    # -- rows ------------------------------------------------------------------------------
    def _final_last(self, layer: int) -> int:
        return self.fl[layer] if self.noc_last[layer] else self.fm[layer]

    def _push(self, start: int, layer: int, block: int, column: int) -> None:
        """Queue a conflicting node (column 0 or the last column) at its tentative start."""
        self.seq += 1
        heapq.heappush(self.heap, (start, self.seq, layer, block, column))

    def _column0(self, layer: int, block: int):
        """Start of column 0 of the block from final inputs, or None if one is not final."""
        timing = self.timing
        value = _NEG
        provs = self.der.providers[layer]
        if not provs:
            value = 0 if block == 0 else _NEG
        for p, parents in zip(provs, self.parent_lists[layer]):
            parent = parents[block]
            if p >= self.lo:
                if parent >= self._final_last(p):
                    return None
                ready = self.rows[p][parent][-1] + timing.taus[p][-1]
            else:
                ready = timing._rows(p)[parent][-1] + timing.taus[p][-1]
            if ready > value:
                value = ready
        if block:
            ready = self.rows[layer][block - 1][0] + timing.delta[layer][0]
            if ready > value:
                value = ready
        return value

    def _advance(self, layer: int) -> bool:
        """Compute what became computable in the layer; True if its last column advanced."""
        rows = self.rows[layer]
        n = len(rows)
        sigma, delta = self.timing.sigma[layer], self.timing.delta[layer]
        end_mid = self.end_mid[layer]
        before = self._final_last(layer)
        f0, fm = self.f0[layer], self.fm[layer]
        while True:
            progressed = False
            if f0 < n and not self.pend0[layer]:
                value = self._column0(layer, f0)
                if value is not None:
                    if self.noc_first[layer]:
                        self._push(value, layer, f0, 0)
                        self.pend0[layer] = True
                    else:
                        rows[f0][0] = value
                        f0 += 1
                        progressed = True
            while fm < f0:
                row = rows[fm]
                if fm:
                    prev = rows[fm - 1]
                    for k in range(1, end_mid):
                        a = row[k - 1] + sigma[k - 1]
                        b = prev[k] + delta[k]
                        row[k] = a if a > b else b
                else:
                    for k in range(1, end_mid):
                        row[k] = row[k - 1] + sigma[k - 1]
                fm += 1
            if not progressed:
                break
        self.f0[layer], self.fm[layer] = f0, fm
        if self.noc_last[layer]:
            fl = self.fl[layer]
            if fl < fm and not self.pendl[layer]:
                last = end_mid
                value = rows[fl][last - 1] + sigma[last - 1]
                if fl:
                    value = max(value, rows[fl - 1][last] + delta[last])
                self._push(value, layer, fl, last)
                self.pendl[layer] = True
        return self._final_last(layer) > before

    def _propagate(self, layers) -> None:
        work = list(layers)
        while work:
            layer = work.pop()
            if self._advance(layer):
                work.extend(self.consumers[layer])

    # -- time order ------------------------------------------------------------------------
    def run(self) -> None:
        timing = self.timing
        for layer in range(self.lo, self.hi + 1):
            timing._est_rows[layer] = self.rows[layer]
        self._propagate(range(self.hi, self.lo - 1, -1))
        heap = self.heap
        while heap:
            step = heap[0][0]
            batch = []
            while heap and heap[0][0] == step:
                batch.append(heapq.heappop(heap))
            self._resolve_step(step, batch)
        for layer in range(self.lo, self.hi + 1):
            if self.f0[layer] != len(self.rows[layer]) or self._final_last(layer) != len(self.rows[layer]):
                raise ScheduleError(f"layer {layer} was not fully scheduled (scheduler invariant)")
            timing.est[layer] = np.array(self.rows[layer], dtype=np.int64)

    def _split_blocked(self, step: int, batch: list) -> tuple[list, list]:
        """Split the NoC entries starting at ``step`` into those free to start (or to play the
        same-step rule among themselves) and those an older running op blocks, each with the
        end of its whole wait (bubbles made at once)."""
        taus = self.timing.taus
        running = self.running
        order = self.timing.order
        free = []  # new entries without an old blocker
        waits = []  # (entry, end of the wait)
        for entry in batch:
            _, _, layer, block, k = entry
            blockers = []
            for other in self.partners[(layer, k)]:
                state = running.get(other)
                if state is not None:
                    end = state[0] + taus[other[0]][other[1]]
                    if end > step:
                        blockers.append((state[0], end, (other[0], state[1], other[1], 0)))
            if blockers:
                waits.append((entry, self._bubble_wait((layer, block, k, 0), step, blockers, order)))
            else:
                free.append(entry)
        return free, waits

    def _resolve_step(self, step: int, batch: list) -> None:
        running = self.running
        order = self.timing.order
        free, waits = self._split_blocked(step, batch)
        victims = self._free_victims(step, free, order) if len(free) > 1 else ()
        for entry in free:
            _, _, layer, block, k = entry
            if id(entry) in victims:
                self._push(step + 1, layer, block, k)
                continue
            self.rows[layer][block][k] = step
            running[(layer, k)] = (step, block)
            if k:
                self.fl[layer] += 1
                self.pendl[layer] = False
                self._propagate(self.consumers[layer] + [layer])
            else:
                self.f0[layer] += 1
                self.pend0[layer] = False
                self._propagate([layer])
        for entry, end in waits:
            _, _, layer, block, k = entry
            self._push(end, layer, block, k)

    def _bubble_wait(self, node, step: int, blockers: list, order) -> int:
        """Bubbles of the victim for every step until its last blocker ends; returns that step."""
        end = max(b[1] for b in blockers)
        make = noc_wait_bubble(node, blockers, order)
        for attempt in range(step, end):
            order.set_bubble(node, make(attempt))
        self.timing.noc_bubbles += end - step
        return end

    def _free_victims(self, step: int, free: list, order) -> set:
        """The 5.13 loop among new entries without blockers (all elapsed 0), in ``A`` order.

        Entries without a conflicting partner among them cannot change the loop and are
        left out; two entries with different durations need no order (the longer one
        yields; its bubble's pair is put in Proc order lazily)."""
        keys = [(e[2], e[4]) for e in free]
        partner_sets = self.partner_sets
        involved = set()
        for i in range(len(keys)):
            partners = partner_sets[keys[i]]
            for j in range(i + 1, len(keys)):
                if keys[j] in partners:
                    involved.add(i)
                    involved.add(j)
        if not involved:
            return ()
        taus = self.timing.taus
        by_node = {}
        for i in sorted(involved):
            entry, key = free[i], keys[i]
            by_node[(entry[2], entry[3], key[1], 0)] = (entry, key)
        if len(by_node) == 2:
            (node_a, (entry_a, key_a)), (node_b, (entry_b, key_b)) = by_node.items()
            tau_a, tau_b = taus[key_a[0]][key_a[1]], taus[key_b[0]][key_b[1]]
            if tau_a != tau_b:
                node, entry = (node_a, entry_a) if tau_a > tau_b else (node_b, entry_b)
                order.set_bubble(node, Bubble(step, 1, ((node_a, step), (node_b, step)), order))
                self.timing.noc_bubbles += 1
                return {id(entry)}
        entries = order.sort_entries([(node, step) for node in by_node])
        marked = [False] * len(entries)
        victims = set()
        for i in range(len(entries)):
            if marked[i]:
                continue
            key_i = by_node[entries[i][0]][1]
            for j in range(i + 1, len(entries)):
                if marked[j]:
                    continue
                key_j = by_node[entries[j][0]][1]
                if key_j not in partner_sets[key_i]:
                    continue
                first_yields = taus[key_i[0]][key_i[1]] > taus[key_j[0]][key_j[1]]
                victim = i if first_yields else j
                node = entries[victim][0]
                order.set_bubble(node, Bubble(step, 1, (entries[i], entries[j])))
                victims.add(id(by_node[node][0]))
                self.timing.noc_bubbles += 1
                if first_yields:
                    break
                marked[j] = True
        return victims
