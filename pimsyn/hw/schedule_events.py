"""Time-ordered resolution of NoC *and* ADC-sharing conflicts in one segment of layers
(spec 5.13), a whole victim wait at a time.

This extends :class:`pimsyn.hw.schedule_noc.NocSegment` (read its docstring first) to
segments with ADC-sharing pairs, when no layer shares its ADCs with two layers (always so
for designs from macro plans). Conflicting ops may sit in any op column: each layer's
op columns are cut into units: single *conflict columns* (TRAN/MRG of a NoC pair, the ADC
of a sharing pair), whose bit-0 starts wait in the heap and are decided in time order, and
runs of plain columns between them, computed row by row as soon as their inputs are final.

ADC sharing (5.13, victims marked: the B11 fix of the oracle). ADC takes 1 cycle under
sharing (5.9), so a block's ADC bits form a contiguous burst of B one-cycle nodes, and a
layer's bursts never overlap (its inter-block delay is >= B). With disjoint pairs, two
ADC entries conflict only when a burst of one layer starts (bit 0) while its partner's
burst runs or starts:

* the partner's burst started earlier: its running bit is > 0, so the starter (bit 0)
  yields, at every step until that burst ends (a running burst cannot be stopped);
* both start at the same step: equal bits 0, the later layer yields, and then waits for
  the rest of the winner's burst.

Running bits are never victims, so (as for NoC victims) the whole wait is made at once,
with one bubble per retry whose pair is (the victim's attempt, the partner's running bit),
put in Proc order lazily; the bubbles of a wait are themselves made only when the step
order asks for one (:meth:`StepOrder.set_bubble_range`). ADC and NoC victims of one step
are independent (different ops); their bubbles are ordered by kind
(:class:`pimsyn.hw.schedule_order.Bubble`).
"""

from __future__ import annotations

import heapq

import numpy as np

from pimsyn.hw.schedule_noc import NocSegment
from pimsyn.hw.schedule_order import adc_wait_bubble, noc_wait_bubble
from pimsyn.hw.schedule_problem import ScheduleError


def event_segment_eligible(der, seg) -> bool:
    """ADC-sharing pairs, every layer in at most one of them; NoC pairs (if any) on the first
    or the last op of their layers, as TRAN and MRG always are."""
    if not seg.adc_pairs or not seg.adc_disjoint:
        return False
    return all(k in (0, len(der.ops[layer]) - 1) for layer, k in seg.noc_keys)


class EventSegment(NocSegment):
    """Earliest starts of the segment's layers, written into ``timing.est`` / ``_est_rows``."""

    def __init__(self, timing, seg, parent_lists) -> None:
        super().__init__(timing, seg, parent_lists)
        der = self.der
        self.bits = der.bits
        #: ADC key (layer, ADC column) -> the partner's ADC key
        self.adc_partner: dict[tuple[int, int], tuple[int, int]] = {}
        for a, b in seg.adc_pairs:
            key_a, key_b = (a, der.op_index[a]["ADC"]), (b, der.op_index[b]["ADC"])
            self.adc_partner[key_a] = key_b
            self.adc_partner[key_b] = key_a
        conflict_columns: dict[int, set[int]] = {}
        for layer, k in list(seg.noc_keys) + list(self.adc_partner):
            conflict_columns.setdefault(layer, set()).add(k)
        #: per layer: units (first column, end column, is a conflict column), column order
        self.units: dict[int, list[tuple[int, int, bool]]] = {}
        self.unit_of: dict[tuple[int, int], int] = {}
        for layer in range(self.lo, self.hi + 1):
            units, start = [], 0
            for k in sorted(conflict_columns.get(layer, ())):
                if k > start:
                    units.append((start, k, False))
                self.unit_of[(layer, k)] = len(units)
                units.append((k, k + 1, True))
                start = k + 1
            if start < self.count[layer]:
                units.append((start, self.count[layer], False))
            self.units[layer] = units
        #: per layer and unit: how many blocks (from block 0) have final starts there
        self.done = {layer: [0] * len(units) for layer, units in self.units.items()}
        self.waiting = {layer: [False] * len(units) for layer, units in self.units.items()}

    # -- rows ------------------------------------------------------------------------------
    def _final_last(self, layer: int) -> int:
        return self.done[layer][-1]

    def _advance(self, layer: int) -> bool:
        """Compute what became computable in the layer; True if its last column advanced."""
        rows = self.rows[layer]
        n = len(rows)
        timing = self.timing
        sigma, delta = timing.sigma[layer], timing.delta[layer]
        done, waiting = self.done[layer], self.waiting[layer]
        before = done[-1]
        limit = n
        for u, (first, end, conflict) in enumerate(self.units[layer]):
            if u:
                limit = done[u - 1]
            c = done[u]
            if conflict:
                if c < limit and not waiting[u]:
                    if first == 0:
                        value = self._column0(layer, c)
                    else:
                        value = rows[c][first - 1] + sigma[first - 1]
                        if c:
                            value = max(value, rows[c - 1][first] + delta[first])
                    if value is not None:
                        self._push(value, layer, c, first)
                        waiting[u] = True
                continue
            while c < limit:
                row = rows[c]
                k = first
                if first == 0:
                    value = self._column0(layer, c)
                    if value is None:
                        break
                    row[0] = value
                    k = 1
                if c:
                    prev = rows[c - 1]
                    for k in range(k, end):
                        a = row[k - 1] + sigma[k - 1]
                        b = prev[k] + delta[k]
                        row[k] = a if a > b else b
                else:
                    for k in range(k, end):
                        row[k] = row[k - 1] + sigma[k - 1]
                c += 1
            done[u] = c
        return done[-1] > before

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
            if min(self.done[layer]) != len(self.rows[layer]):
                raise ScheduleError(f"layer {layer} was not fully scheduled (scheduler invariant)")
            timing.est[layer] = np.array(self.rows[layer], dtype=np.int64)

    def _start(self, entry, step: int) -> None:
        """The entry's node starts at ``step``: final, and what it unblocks is computed."""
        _, _, layer, block, k = entry
        self.rows[layer][block][k] = step
        self.running[(layer, k)] = (step, block)
        u = self.unit_of[(layer, k)]
        self.done[layer][u] += 1
        self.waiting[layer][u] = False
        last = u == len(self.units[layer]) - 1
        self._propagate(self.consumers[layer] + [layer] if last else [layer])

    def _resolve_step(self, step: int, batch: list) -> None:
        adc_partner = self.adc_partner
        noc_batch, adc_batch = [], []
        for entry in batch:
            (adc_batch if (entry[2], entry[4]) in adc_partner else noc_batch).append(entry)
        waits = self._adc_step(step, adc_batch) if adc_batch else []
        if noc_batch:
            waits += self._noc_step(step, noc_batch)
        for entry, end in waits:
            _, _, layer, block, k = entry
            self._push(end, layer, block, k)

    def _adc_step(self, step: int, batch: list) -> list:
        """ADC entries of ``step``: start, or wait for the partner's burst (module doc)."""
        bits = self.bits
        running = self.running
        waits = []
        free = {}
        for entry in batch:
            _, _, layer, block, k = entry
            partner = self.adc_partner[(layer, k)]
            state = running.get(partner)
            if state is not None and state[0] + bits > step:
                waits.append((entry, self._adc_wait((layer, block, k, 0), step, partner, state)))
            else:
                free[(layer, k)] = entry
        for key, entry in list(free.items()):
            partner = self.adc_partner[key]
            if partner in free and key[0] > partner[0]:
                # both bursts start now: equal bits 0, the later layer yields
                winner = free[partner]
                del free[key]
                node = (key[0], entry[3], key[1], 0)
                waits.append((entry, self._adc_wait(node, step, partner, (step, winner[3]))))
        for entry in free.values():
            self._start(entry, step)
        return waits

    def _adc_wait(self, node, step: int, partner, state) -> int:
        """Bubbles of the victim for every step of the partner's burst from ``step`` on."""
        start, block = state
        end = start + self.bits
        order = self.timing.order
        runner_layer, runner_k = partner
        make = adc_wait_bubble(node, runner_layer, block, runner_k, start, order)
        order.set_bubble_range(node, step, end, make)
        self.timing.adc_bubbles += end - step
        return end

    def _bubble_wait(self, node, step: int, blockers: list, order) -> int:
        """As :meth:`NocSegment._bubble_wait`, with the bubbles made on first use."""
        end = max(b[1] for b in blockers)
        make = noc_wait_bubble(node, blockers, order)
        order.set_bubble_range(node, step, end, make)
        self.timing.noc_bubbles += end - step
        return end

    def _noc_step(self, step: int, batch: list) -> list:
        """NoC entries of ``step``, as :meth:`NocSegment._resolve_step` decides them."""
        order = self.timing.order
        free, waits = self._split_blocked(step, batch)
        victims = self._free_victims(step, free, order) if len(free) > 1 else ()
        for entry in free:
            if id(entry) in victims:
                waits.append((entry, step + 1))
            else:
                self._start(entry, step)
        return waits
