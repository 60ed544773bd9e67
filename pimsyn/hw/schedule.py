"""Fast dataflow-DAG schedule (spec 5.12-5.14), equal to the node-by-node oracle.

The reference builds every node (layer, block, op, bit) and steps through time. Here:

* **Bits.** Bit beta > 0 of a bit-level op only waits for bit beta-1, so it starts a fixed
  offset after bit 0 and never feeds another op: only the bit-0 nodes form the schedule
  (bits matter again only for ADC sharing, where they are expanded explicitly).
* **One layer without conflicts** is a grid of blocks x ops with right edges (inter-op,
  sigma_k) and down edges (inter-block, delta_k). Its earliest starts are a max-plus
  recurrence: the longest path from the column-0 arrival a0[c'] to (c, k) is
  a0[c'] + sum(sigma_<k) + (c - c') * max(delta_<=k), so each column is one cumulative
  maximum over blocks, shared by all columns with the same prefix-max delta.
  Inter-layer edges are a gather of the producer's last-op starts at the parent blocks.
* **Conflicts** (TRAN/MRG on shared NoC links, ADC sharing) are resolved in time order, as
  local corrections: find the earliest step where two conflicting ops overlap, pick the
  victims exactly as 5.13 does, give each a lower bound "start >= step + 1" (its bubble),
  recompute, repeat. Layers are processed in network order; layers tied together by
  cross-layer conflicts (and the layers between them) form a segment resolved jointly.
  After each step only the victims' layers and the downstream layers whose starts really
  moved are recomputed, and each pair's next conflict step is cached until a move reaches
  it. ADC sharing (each layer in at most one pair, as macro plans make it) is resolved a
  burst at a time: a layer's ADC bits form a contiguous burst of B one-cycle nodes, a
  starting burst that meets the partner's running burst is retried until that burst ends
  (through a train of back-to-back partner bursts when those starts are already final),
  and all its bubbles are made at once (:meth:`_FastTiming._adc_waits`).
  Segments whose only conflicts are NoC pairs on first/last ops (TRAN/MRG, the usual case)
  are instead simulated in time order over the conflicting nodes only, with every other
  node computed row by row as soon as its inputs are final, and a victim's whole wait
  behind running transfers made at once (:mod:`pimsyn.hw.schedule_noc`). Segments with
  ADC-sharing pairs (no layer in two) are simulated the same way, an ADC column being one
  more conflict column whose victims wait a whole partner burst at once
  (:mod:`pimsyn.hw.schedule_events`); the path above remains for segments where a layer
  shares its ADCs with two layers, or NoC-only segments with conflicts on middle ops.
  Ties in the victim rule and the scratchpad bookkeeping need the reference's order of
  nodes within a step, which :mod:`pimsyn.hw.schedule_order` reproduces lazily.
* **Compiled kernel.** With numba installed, the event simulation above runs compiled
  (:mod:`pimsyn.hw.schedule_kernel`): when every segment is of the kind the event path
  handles (always for designs from macro plans), the whole network is one kernel run, plain
  layers being rows computed as soon as their inputs are final; the kernel also walks the
  ``A`` order itself (Python's :class:`StepOrder` only for the comparisons it cannot make)
  and computes every layer's scratchpad bounds. Without numba the Python classes run; all
  paths give identical results (test_schedule_kernel.py).
* **Scratchpad** (5.14): IB_l is order-independent (max over blocks); OB_p follows from
  the time-ordered sequence of p's ST events and its consumers' LD/ST events.

cycles = 1 + the largest start step (5.13; the reference counts the final step).
"""

from __future__ import annotations

import functools
import math
from typing import Callable, Sequence

import numpy as np

from pimsyn.hw import schedule_kernel, schedule_kernel_host
from pimsyn.hw.schedule_events import EventSegment, event_segment_eligible
from pimsyn.hw.schedule_noc import NocSegment, noc_segment_eligible
from pimsyn.hw.schedule_order import TIED, Bubble, StepOrder
from pimsyn.hw.schedule_problem import (
    BIT_LEVEL_OPS, DerivedProblem, LayerSchedule, ScheduleError, ScheduleProblem, ScheduleResult,
)

__all__ = [
    "BIT_LEVEL_OPS", "LayerSchedule", "ScheduleError", "ScheduleProblem", "ScheduleResult",
    "schedule", "scratchpad_kb",
]

_NEG = -(1 << 40)  # "no arrival" for the max-plus recurrence
#: resolve segments with (disjoint) ADC-sharing pairs by time-ordered events
#: (:mod:`pimsyn.hw.schedule_events`); False falls back to the step-by-step path, which
#: stays for segments where a layer is in two sharing pairs
EVENT_SEGMENTS = True
#: resolve every segment the event path handles with the compiled kernel
#: (:mod:`pimsyn.hw.schedule_kernel`; None without numba: then the Python classes run).
#: Tests set it to ``schedule_kernel.KERNEL_PY`` (the same kernel, interpreted) or None.
KERNEL = schedule_kernel.KERNEL


def scratchpad_kb(buffer_elements: float, data_res: int) -> int:
    """Spec 5.14: bytes = ceil(Z * data_res/8); K = trunc(2^ceil(log2(0.9*bytes)) / 1024).

    Powers of two below 1024 bytes give 0 KB; Z = 0 gives 0.
    """
    size_bytes = math.ceil(buffer_elements * (data_res / 8))
    if size_bytes <= 0:
        return 0
    return int(2 ** math.ceil(math.log2(0.9 * size_bytes)) / 1024)


def schedule(
    problem: ScheduleProblem, op_cycles: Sequence[Sequence[int]], *, layer_buffers: bool = False,
    op_starts: bool = False, buffer_key: Callable[[float], object] | None = None,
) -> ScheduleResult:
    """Cycle count, bubbles and scratchpad need of one DAG schedule (spec 5.12-5.14).

    With ``layer_buffers`` the result also lists IB_l and OB_l of every layer; without it
    only Z is exact (layers that cannot reach the maximum are bounded, not replayed). With
    ``op_starts`` it lists, per layer and op, the cycle block 0 (bit 0) of that op starts.

    ``buffer_key`` (a monotone function of Z, e.g. the scratchpad table entry Z needs)
    says how much of Z the caller needs: Z is then only resolved until every value still
    possible has the same key, and ``buffer_elements`` is the upper end of that bracket
    (``buffer_exact`` False when it may not be Z itself). The DSE's fitness needs only the
    table entry; replaying the tied scratchpad events in the reference's order is the
    costliest part of a big network's schedule (docs/cost-model.md, "Scratchpad size").
    """
    der = problem.derived
    taus = der.check_cycles(op_cycles)
    timing = _FastTiming(der, _segments(der), taus)
    timing.run()
    inputs = der.input_buffer
    if layer_buffers:
        outputs = [timing.output_buffer(layer) for layer in range(der.num_layers)]
        buffer_elements = max(ib + ob for ib, ob in zip(inputs, outputs))
        extra = dict(input_buffers=tuple(inputs), output_buffers=tuple(outputs))
    else:
        buffer_elements, exact = timing.buffer_elements(buffer_key)
        extra = {} if exact else dict(buffer_exact=False)
    if op_starts:
        extra["op_starts"] = tuple(
            tuple(timing.start((layer, 0, k, 0)) for k in range(len(der.ops[layer])))
            for layer in range(der.num_layers)
        )
    return ScheduleResult(
        cycles=timing.cycles(), noc_bubbles=timing.noc_bubbles, adc_bubbles=timing.adc_bubbles,
        buffer_elements=float(buffer_elements), nodes=der.nodes, **extra,
    )


# --------------------------------------------------------------------------------------
# problem-only plan: which layers must be resolved together


class _Segment:
    """Consecutive layers lo..hi (inclusive) and the conflict pairs inside them."""

    def __init__(self, lo: int, hi: int, noc_pairs: list, adc_pairs: list) -> None:
        self.lo, self.hi = lo, hi
        self.noc_pairs = noc_pairs
        self.adc_pairs = adc_pairs
        self.noc_keys = sorted({key for pair in noc_pairs for key in pair})
        self.adc_layers = sorted({layer for pair in adc_pairs for layer in pair})
        #: every layer shares its ADCs with at most one other layer (always so for designs
        #: from macro plans, whose partners are symmetric): then ADC bursts never overlap
        #: within a layer and conflicts are resolved a whole burst at a time
        #: (:meth:`_FastTiming._adc_waits`)
        self.adc_disjoint = len(self.adc_layers) == 2 * len(adc_pairs)


def _segments(der: DerivedProblem) -> list[_Segment]:
    cached = getattr(der, "_fast_segments", None)
    if cached is not None:
        return cached
    spans: list[list[int]] = []
    for (a, _), (b, _) in der.noc_pairs:
        spans.append([min(a, b), max(a, b)])
    for a, b in der.adc_pairs:
        spans.append([a, b])
    spans.sort()
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    segments = []
    for lo, hi in merged:
        noc = [pair for pair in der.noc_pairs if lo <= pair[0][0] <= hi]
        adc = [pair for pair in der.adc_pairs if lo <= pair[0] <= hi]
        segments.append(_Segment(lo, hi, noc, adc))
    der._fast_segments = segments
    return segments


class _OpShape:
    """Problem-only masks over the flat op list (every layer's ops one after the other)."""

    def __init__(self, der: DerivedProblem) -> None:
        counts = [len(ops) for ops in der.ops]
        self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64).tolist()
        self.is_bit = np.concatenate(der.is_bit)
        last = np.zeros(len(self.is_bit), dtype=bool)
        last[np.asarray(self.offsets[1:]) - 1] = True
        self.last = last
        # the next op of the layer is not bit-level (False for a layer's last op)
        self.next_plain = ~last & ~np.roll(self.is_bit, -1)


def _op_shape(der: DerivedProblem) -> _OpShape:
    found = getattr(der, "_fast_op_shape", None)
    if found is None:
        found = der._fast_op_shape = _OpShape(der)
    return found


def _whole_network(der: DerivedProblem) -> _Segment | None:
    """All layers as one segment, when the kernel resolves every segment (else None)."""
    found = getattr(der, "_kernel_whole", False)
    if found is False:
        whole = _Segment(0, der.num_layers - 1, list(der.noc_pairs), list(der.adc_pairs))
        ok = all(schedule_kernel_host.kernel_segment_eligible(der, seg) for seg in _segments(der))
        found = der._kernel_whole = whole if ok else None
    return found


# --------------------------------------------------------------------------------------
# the schedule


class _FastTiming:
    """Earliest starts of the bit-0 nodes, per layer an (n, K) int64 array."""

    def __init__(self, der: DerivedProblem, segments: list[_Segment], taus: list[list[int]]) -> None:
        self.der = der
        self.segments = segments
        self.taus = taus
        bits = der.bits
        self.bits = bits
        # per op, all layers one after the other (flat: der.op_offset[layer] + k)
        shape = _op_shape(der)
        tau = np.array([t for row in taus for t in row], dtype=np.int64)
        span = np.where(shape.is_bit, tau * bits, tau)  # tau * nu
        # a bit-level op followed by a non-bit op hands over after all its bits
        sigma = np.where(shape.is_bit & shape.next_plain, span, tau)
        delta = np.where(shape.last, span, np.maximum(span, sigma + np.roll(span, -1) - 1))
        self.tau_flat, self.sigma_flat, self.delta_flat = tau, sigma, delta
        #: (B - 1) * tau_k of bit-level ops (their last bit starts that much after bit 0), else 0
        self.tail_flat = np.where(shape.is_bit, (bits - 1) * tau, 0)
        self._per_layer: dict[str, list] = {}
        self.est: list[np.ndarray | None] = [None] * der.num_layers
        self._est_rows: list[list | None] = [None] * der.num_layers  # est as lists, for StepOrder
        self.floor: dict[int, np.ndarray] = {}  # layer -> (n, K) lower bounds from bubbles
        self.bit_floor: dict[int, np.ndarray] = {}  # ADC layer -> (n, B) bit lower bounds
        self._first_floor_column: dict[int, int] = {}  # layer -> first op column k > 0 with a bound
        self.noc_bubbles = 0
        self.adc_bubbles = 0
        self.order = StepOrder(self)
        self._ramps: dict[int, np.ndarray] = {}
        #: with the compiled kernel: every layer's starts in one array (``est`` holds views),
        #: and the kernel's network memory (which layers it may read, victim flags)
        self.rows = self.g = self.gh = self.nodes = None
        self._whole = False  # every layer scheduled by one kernel run (rows hold all starts)
        self._bounds = None  # (lower, upper) OB bounds per layer, from the kernel
        if KERNEL is not None and EVENT_SEGMENTS:
            layout = schedule_kernel_host.global_layout(der)
            self._layout = layout
            self.rows = np.empty(layout.total, dtype=np.int64)
            self.g, self.nodes = layout.memory()
            self.gh = layout.header

    # -- per-layer views of the flat op arrays (the Python paths) --------------------------
    def _split(self, name: str) -> list:
        found = self._per_layer.get(name)
        if found is None:
            offsets = _op_shape(self.der).offsets
            if name in ("sigma", "delta"):
                flat = (self.sigma_flat if name == "sigma" else self.delta_flat).tolist()
                found = [flat[offsets[i]:offsets[i + 1]] for i in range(self.der.num_layers)]
            else:  # column_offset, column_group, group_delta (closed form of _compute_layer)
                offset_of, group_of, groups_of = [], [], []
                for sigma, delta in zip(self.sigma, self.delta):
                    offset, total = [], 0
                    groups, group, best = [], [], 0
                    for k in range(len(sigma)):
                        offset.append(total)
                        total += sigma[k]
                        if not groups or delta[k] > best:
                            best = delta[k] if not groups else max(best, delta[k])
                            groups.append(best)
                        group.append(len(groups) - 1)
                    offset_of.append(np.array(offset, dtype=np.int64))
                    group_of.append(np.array(group, dtype=np.intp))
                    groups_of.append(groups)
                self._per_layer["column_offset"] = offset_of
                self._per_layer["column_group"] = group_of
                self._per_layer["group_delta"] = groups_of
                found = self._per_layer[name]
            self._per_layer[name] = found
        return found

    @property
    def sigma(self) -> list[list[int]]:
        """Inter-op delay sigma_k (5.11) per layer."""
        return self._split("sigma")

    @property
    def delta(self) -> list[list[int]]:
        """Inter-block delay (5.12) per layer."""
        return self._split("delta")

    @property
    def column_offset(self) -> list[np.ndarray]:
        """Sum of sigma before column k, per layer."""
        return self._split("column_offset")

    @property
    def column_group(self) -> list[np.ndarray]:
        """Index of max(delta_<=k) among the distinct prefix maxima, per layer."""
        return self._split("column_group")

    @property
    def group_delta(self) -> list[list[int]]:
        """The distinct prefix maxima of delta, per layer."""
        return self._split("group_delta")

    # -- earliest starts ------------------------------------------------------------------
    def run(self) -> None:
        der = self.der
        if self.rows is not None:
            whole = _whole_network(der)
            if whole is not None:
                # one kernel run over every layer: plain layers are rows computed as soon as
                # their inputs are final, conflicts resolved in time order (schedule_kernel)
                schedule_kernel_host.KernelSegment(self, whole, KERNEL).run()
                self._whole = True
                return
        layer = 0
        for seg in self.segments + [None]:
            stop = der.num_layers if seg is None else seg.lo
            while layer < stop:
                self._compute_layer(layer, shared=True)
                layer += 1
            if seg is not None:
                self._resolve_segment(seg)
                layer = seg.hi + 1

    def _arrivals(self, layer: int) -> np.ndarray:
        """Column-0 arrival per block: inter-layer edges (or the source at block 0)."""
        der = self.der
        n = der.blocks[layer]
        provs = der.providers[layer]
        if not provs:
            arrival = np.full(n, _NEG, dtype=np.int64)
            arrival[0] = 0
            return arrival
        arrival = None
        for p, parent in zip(provs, der.parent_block[layer]):
            ready = self.est[p][parent, -1] + self.taus[p][-1]
            arrival = ready if arrival is None else np.maximum(arrival, ready)
        return arrival

    def _compute_layer(self, layer: int, shared: bool = False) -> None:
        """Earliest starts of the layer from its arrivals and bubble bounds; ``shared``: write
        them into the network's rows (the kernel may read the layer: no victims in it)."""
        der = self.der
        n = der.blocks[layer]
        count = len(der.ops[layer])
        arrival = self._arrivals(layer)
        floor = self.floor.get(layer)
        first_floor = count
        if floor is not None:
            arrival = np.maximum(arrival, floor[:, 0])
            first_floor = self._first_floor_column[layer]
        blocks = self._block_ramp(n)
        # closed form (module docstring): column k = offset_k + best(c; max delta_<=k)
        groups = self.group_delta[layer]
        column_group = self.column_group[layer]
        best = np.empty((len(groups), n), dtype=np.int64)
        for g, value in enumerate(groups):
            if first_floor < count and column_group[first_floor - 1] < g:
                break
            ramp = blocks * value
            best[g] = np.maximum.accumulate(arrival - ramp) + ramp
        est = best[column_group].T + self.column_offset[layer]
        if first_floor < count:
            est = np.ascontiguousarray(est)
            sigma, delta = self.sigma[layer], self.delta[layer]
            for k in range(first_floor, count):
                ramp = blocks * delta[k]
                ready = np.maximum(est[:, k - 1] + sigma[k - 1], floor[:, k])
                est[:, k] = np.maximum.accumulate(ready - ramp) + ramp
        if shared and self.rows is not None:
            start = self._layout.roff[layer]
            view = self.rows[start:start + est.size].reshape(est.shape)
            view[...] = est
            est = view
            self.g[self.gh[schedule_kernel.G_OK] + layer] = 1
        self.est[layer] = est
        self._est_rows[layer] = None

    def _block_ramp(self, n: int) -> np.ndarray:
        ramp = self._ramps.get(n)
        if ramp is None:
            ramp = self._ramps[n] = np.arange(n, dtype=np.int64)
        return ramp

    def _bit_starts(self, layer: int) -> np.ndarray:
        """(n, B) start of every bit of the layer's ADC op (tau 1 under ADC sharing)."""
        k = self.der.op_index[layer]["ADC"]
        steps = np.arange(self.bits, dtype=np.int64)
        bit_floor = self.bit_floor.get(layer)
        first = self.est[layer][:, k]
        if bit_floor is None:
            return first[:, None] + steps[None, :]
        bound = bit_floor.copy()
        bound[:, 0] = first
        return np.maximum.accumulate(bound - steps, axis=1) + steps

    # -- conflicts --------------------------------------------------------------------------
    def _resolve_segment(self, seg: _Segment) -> None:
        if KERNEL is not None and EVENT_SEGMENTS and schedule_kernel_host.kernel_segment_eligible(self.der, seg):
            schedule_kernel_host.KernelSegment(self, seg, KERNEL).run()
            return
        # A segment of one layer (its own TRAN-MRG pair, as every AlexNet layer) has few
        # conflicts: the vectorised step path below beats the event simulation there. Both
        # are exact; the choice is speed only.
        if seg.hi > seg.lo and noc_segment_eligible(self.der, seg):
            NocSegment(self, seg, _parent_block_lists(self.der)).run()
            return
        if EVENT_SEGMENTS and event_segment_eligible(self.der, seg):
            EventSegment(self, seg, _parent_block_lists(self.der)).run()
            return
        for layer in range(seg.lo, seg.hi + 1):
            self._compute_layer(layer)
        self._conflict_cache = {}
        step = 0
        while True:
            step = self._next_conflict(seg, step)
            if step is None:
                return
            hits = [key for key, (_, found) in self._conflict_cache.items() if found == step]
            if seg.adc_disjoint:
                horizon = self._horizon(hits, step)
                victims = self._adc_waits([key[1] for key in hits if key[0] == "burst"], step, horizon)
            else:
                victims = self._adc_victims(seg, step)
            if any(key[0] == "noc" for key in hits):
                victims += self._noc_victims(seg, step)
            self._update_after_victims(seg, {node[0] for node in victims})

    def _horizon(self, hits: list, step: int) -> float:
        """For a lone ADC conflict of a pair (a, b) at ``step``: the earliest other pending
        conflict that could move a's ADC column (its victim would be an op that column
        depends on). a's ADC starts up to that step are final (see :meth:`_adc_waits`)."""
        if len(hits) != 1 or hits[0][0] != "burst":
            return step
        (a, ka), _ = hits[0][1]
        upstream = _ancestors(self.der)[a]
        horizon = math.inf
        for (kind, columns), (_, found) in self._conflict_cache.items():
            # a's ADC column waits for a's earlier ops and for every op of its ancestors
            if found is not None and step < found < horizon and any(
                    (layer != a and layer in upstream) or (layer == a and k <= ka) for layer, k in columns):
                horizon = found
        return horizon

    def _update_after_victims(self, seg: _Segment, victim_layers: set[int]) -> None:
        """Recompute the victims' layers and, downstream, only layers whose providers' starts
        changed (a victim of step s only moves nodes that start after s); then drop the
        cached conflict steps that the changes may have moved."""
        if not victim_layers:
            return
        der = self.der
        changed: dict[int, list[float]] = {}  # layer -> per op column, earliest start that moved
        for layer in range(min(victim_layers), seg.hi + 1):
            if layer not in victim_layers and not any(p in changed for p in der.providers[layer]):
                continue
            old = (self.est[layer], self._est_rows[layer])
            self._compute_layer(layer)
            new = self.est[layer]
            moved = old[0] != new
            if not moved.any():
                self.est[layer], self._est_rows[layer] = old
                continue
            earliest = np.where(moved, np.minimum(old[0], new), np.iinfo(np.int64).max).min(axis=0)
            changed[layer] = earliest.tolist()
        cache = self._conflict_cache
        for key in list(cache):
            kind, columns = key
            found = cache[key][1]
            if kind == "adc":  # bit-level bounds: any change of its layers
                if any(layer in changed or layer in victim_layers for layer, _ in columns):
                    del cache[key]
                continue
            for layer, k in columns:
                # a conflict at step f depends only on starts <= f
                if layer in changed and (found is None or changed[layer][k] <= found):
                    del cache[key]
                    break

    def _next_conflict(self, seg: _Segment, after: int) -> int | None:
        """Earliest step > after at which two conflicting ops run together and one starts.

        Per conflict pair the answer is cached (see :meth:`_update_after_victims`): an
        answer found for an earlier ``after`` that is still later than ``after`` stays exact.
        """
        best = None
        der = self.der
        kind = "burst" if seg.adc_disjoint else "adc"
        keys = [("noc", pair) for pair in seg.noc_pairs]
        keys += [(kind, ((a, der.op_index[a]["ADC"]), (b, der.op_index[b]["ADC"]))) for a, b in seg.adc_pairs]
        for key in keys:
            found = self._pair_conflict(key, after)
            if found is not None and (best is None or found < best):
                best = found
        return best

    def _pair_conflict(self, key: tuple, after: int) -> int | None:
        cache = self._conflict_cache
        hit = cache.get(key)
        if hit is not None and (hit[1] is None or hit[1] > after):
            return hit[1]
        kind, ((la, ka), (lb, kb)) = key
        if kind == "noc":
            found = _first_overlap(self.est[la][:, ka], self.taus[la][ka],
                                   self.est[lb][:, kb], self.taus[lb][kb], after)
        elif kind == "burst":  # contiguous ADC bursts of B one-cycle bits
            found = _first_overlap(self.est[la][:, ka], self.bits, self.est[lb][:, kb], self.bits, after)
        else:
            common = np.intersect1d(self._bit_starts(la).ravel(), self._bit_starts(lb).ravel())
            common = common[common > after]
            found = int(common[0]) if common.size else None
        cache[key] = (after, found)
        return found

    def _adc_waits(self, pairs: list, step: int, horizon: float) -> list[tuple]:
        """Spec 5.13 ADC resolution at ``step`` for the ADC pairs ((a, ka), (b, kb)) that
        conflict there, when no layer is in two sharing pairs.

        Then at most one ADC bit of each layer runs per step, and a pair's two bursts meet
        only when one of them starts: its bit 0 is lower than the running burst's bit, so it
        yields (on equal bits 0 the later layer b yields). The running burst cannot be
        stopped, so the victim is retried and bubbled at every step until that burst ends;
        all those bubbles are made at once. If the victim is b and a's next burst starts
        right then, b yields again (equal bits 0), and so on through a's train of
        back-to-back bursts, as long as those starts are final: no other conflict is
        pending before ``horizon``, and b's delay cannot move a (a precedes b), nor create
        conflicts before the step b is released at.
        """
        bits = self.bits
        victims = []
        for (a, ka), (b, kb) in pairs:
            starts_a, starts_b = self.est[a][:, ka], self.est[b][:, kb]
            block_a = int(starts_a.searchsorted(step, side="right")) - 1
            block_b = int(starts_b.searchsorted(step, side="right")) - 1
            if block_a < 0 or block_b < 0:
                continue
            start_a, start_b = int(starts_a[block_a]), int(starts_b[block_b])
            if start_a + bits <= step or start_b + bits <= step:
                continue
            if max(start_a, start_b) != step:
                raise ScheduleError(f"ADC bursts of layers {a} and {b} overlap before step {step} "
                                    f"(scheduler invariant)")
            if start_b >= start_a:
                victim, runner, runner_starts = (b, block_b, kb, 0), a, starts_a
                train = [(block_a, start_a)]
                end = start_a + bits
                following = block_a + 1
                while (following < len(starts_a) and end <= horizon
                       and int(starts_a[following]) == end):
                    train.append((following, end))
                    end += bits
                    following += 1
                runner_k = ka
            else:
                victim, runner, runner_k = (a, block_a, ka, 0), b, kb
                train = [(block_b, start_b)]
                end = start_b + bits
            layer, block, k, _ = victim
            self._set_floor(layer, block, k, end)
            order = self.order
            attempt = step
            for runner_block, runner_start in train:
                for attempt in range(attempt, runner_start + bits):
                    running_bit = (runner, runner_block, runner_k, attempt - runner_start)
                    order.set_bubble(victim, Bubble(attempt, 0, ((victim, attempt), (running_bit, attempt)), order))
                attempt = runner_start + bits
            self.adc_bubbles += end - step
            victims.append(victim)
        return victims

    def _noc_victims(self, seg: _Segment, step: int) -> list[tuple]:
        """Spec 5.13 NoC resolution at ``step`` over the segment's TRAN/MRG entries."""
        entries = []
        for layer, k in seg.noc_keys:
            starts = self.est[layer][:, k]
            idx = int(starts.searchsorted(step, side="right")) - 1
            if idx >= 0 and starts[idx] + self.taus[layer][k] > step:
                entries.append(((layer, idx, k, 0), int(starts[idx])))
        if len(entries) < 2:
            return []
        entries = self.order.sort_entries(entries)
        keys = [(node[0], node[2]) for node, _ in entries]
        pairs = {frozenset(pair) for pair in seg.noc_pairs}
        marked = [False] * len(entries)
        victims = []
        for i in range(len(entries)):
            if marked[i]:
                continue
            for j in range(i + 1, len(entries)):
                if marked[j] or frozenset((keys[i], keys[j])) not in pairs:
                    continue
                (node_i, start_i), (node_j, start_j) = entries[i], entries[j]
                el_i, el_j = step - start_i, step - start_j
                rem_i = self.taus[node_i[0]][node_i[2]] - el_i
                rem_j = self.taus[node_j[0]][node_j[2]] - el_j
                first_yields = el_i < el_j or (el_i == el_j and rem_i > rem_j)
                victim = entries[i] if first_yields else entries[j]
                self._bubble(victim, step, 1, (entries[i], entries[j]))
                victims.append(victim[0])
                if first_yields:
                    break
                marked[j] = True
        self.noc_bubbles += len(victims)
        return victims

    def _adc_victims(self, seg: _Segment, step: int) -> list[tuple]:
        """Spec 5.13 ADC resolution at ``step`` (victims marked: B11 fixed)."""
        if not seg.adc_pairs:
            return []
        entries = []
        for layer in seg.adc_layers:
            k = self.der.op_index[layer]["ADC"]
            blocks, bits = np.nonzero(self._bit_starts(layer) == step)
            entries.extend(((layer, int(c), k, int(b)), step) for c, b in zip(blocks, bits))
        if len(entries) < 2:
            return []
        entries = self.order.sort_entries(entries)
        pairs = {frozenset(pair) for pair in seg.adc_pairs}
        marked = [False] * len(entries)
        victims = []
        for i in range(len(entries)):
            if marked[i]:
                continue
            for j in range(i + 1, len(entries)):
                if marked[j]:
                    continue
                x, y = entries[i][0], entries[j][0]
                if frozenset((x[0], y[0])) not in pairs:
                    continue
                first_yields = x[3] < y[3] or (x[3] == y[3] and x[0] > y[0])
                victim = i if first_yields else j
                self._bubble(entries[victim], step, 0, (entries[i], entries[j]))
                victims.append(entries[victim][0])
                marked[victim] = True
                break
        self.adc_bubbles += len(victims)
        return victims

    def _bubble(self, entry: tuple, step: int, kind: int, pair: tuple) -> None:
        """The victim restarts one step later, released by its bubble (5.13 step 9)."""
        node, start = entry
        if start != step:
            raise ScheduleError(f"conflict victim {node} did not start at step {step} (scheduler invariant)")
        layer, block, k, bit = node
        if bit == 0:
            self._set_floor(layer, block, k, step + 1)
        else:
            bit_floor = self.bit_floor.get(layer)
            if bit_floor is None:
                bit_floor = self.bit_floor[layer] = np.zeros((self.der.blocks[layer], self.bits), dtype=np.int64)
            bit_floor[block, bit] = step + 1
        self.order.set_bubble(node, Bubble(step, kind, pair))

    def _set_floor(self, layer: int, block: int, k: int, start: int) -> None:
        """Bit 0 of op k of the block starts no earlier than ``start`` (its bubble's release)."""
        floor = self.floor.get(layer)
        if floor is None:
            floor = self.floor[layer] = np.zeros(self.est[layer].shape, dtype=np.int64)
        floor[block, k] = start
        if k > 0:
            self._first_floor_column[layer] = min(self._first_floor_column.get(layer, k), k)
        else:
            self._first_floor_column.setdefault(layer, len(self.der.ops[layer]))

    # -- node queries used by StepOrder ---------------------------------------------------
    def start(self, node) -> int:
        if isinstance(node, Bubble):
            return node.step
        layer, block, k, bit = node
        if bit == 0:
            return int(self._rows(layer)[block][k])
        if layer in self.bit_floor and self.der.op_index[layer].get("ADC") == k:
            return int(self._bit_starts(layer)[block, bit])
        # rows, not est: an event segment fills its rows first (schedule_events)
        return int(self._rows(layer)[block][k]) + bit * int(self.taus[layer][k])

    def unique_last_parent(self, node):
        """The parent with the latest start if it is unique, None for a source, else TIED."""
        layer, block, k, bit = node
        if bit > 0:
            return (layer, block, k, bit - 1)
        rows = self._rows(layer)
        best, parent, tied = -1, None, False
        if k > 0:
            best, parent = rows[block][k - 1], (layer, block, k - 1, 0)
        if block > 0:
            start = rows[block - 1][k]
            if start > best:
                best, parent, tied = start, (layer, block - 1, k, 0), False
            elif start == best:
                tied = True
        if k == 0:
            der = self.der
            parent_lists = _parent_block_lists(der)[layer]
            for i, p in enumerate(der.providers[layer]):
                parent_block = parent_lists[i][block]
                start = self._rows(p)[parent_block][-1]
                if start > best:
                    best, parent, tied = start, (p, parent_block, len(der.ops[p]) - 1, 0), False
                elif start == best:
                    tied = True
        return TIED if tied else parent

    def _rows(self, layer: int) -> list:
        rows = self._est_rows[layer]
        if rows is None:
            rows = self._est_rows[layer] = self.est[layer].tolist()
        return rows

    def parents(self, node) -> list:
        layer, block, k, bit = node
        if bit > 0:
            return [(layer, block, k, bit - 1)]
        out = []
        if k > 0:
            out.append((layer, block, k - 1, 0))
        if block > 0:
            out.append((layer, block - 1, k, 0))
        if k == 0:
            der = self.der
            for p, parent in zip(der.providers[layer], der.parent_block[layer]):
                out.append((p, int(parent[block]), len(der.ops[p]) - 1, 0))
        return out

    def child_index(self, parent, node) -> int:
        """Position of node in parent's child list (spec 5.12 child order)."""
        if isinstance(parent, Bubble):
            return 0
        layer, block, k, bit = parent
        if bit > 0:
            return 0
        der = self.der
        count = len(der.ops[layer])
        has_op_child = k + 1 < count
        has_block_child = block + 1 < der.blocks[layer]
        if node == (layer, block, k + 1, 0):
            return 0
        if node == (layer, block + 1, k, 0):
            return int(has_op_child)
        if node == (layer, block, k, 1):
            return int(has_op_child) + int(has_block_child)
        index = int(has_op_child) + int(has_block_child) + int(bool(der.is_bit[layer][k]) and self.bits > 1)
        consumer, consumer_block = node[0], node[1]
        for cons in der.consumers[layer]:
            parent_blocks = der.parent_block[cons][der.providers[cons].index(layer)]
            if cons == consumer:
                return index + int(np.count_nonzero(parent_blocks[:consumer_block] == block))
            index += int(np.count_nonzero(parent_blocks == block))
        raise AssertionError(f"{node} is not a child of {parent}")

    def creation_key(self, node) -> tuple:
        return node[0], node[1], node[2], node[3]

    # -- results ------------------------------------------------------------------------
    def cycles(self) -> int:
        """1 + the last start: the latest column start plus, for a bit-level op, its last
        bit's offset (B - 1) * tau."""
        column_max = np.concatenate([est.max(axis=0) for est in self.est])
        last = int((column_max + self.tail_flat).max())
        for layer in self.bit_floor:
            last = max(last, int(self._bit_starts(layer).max()))
        return last + 1

    def buffer_elements(self, key=None) -> tuple[float, bool]:
        """(Z, True) with Z = max_l (IB_l + OB_l) (5.14). OB_l is bracketed first; only layers
        whose bounds differ and whose upper bound could still reach the maximum are replayed
        in order. With ``key`` (monotone in Z) the replays stop as soon as the smallest and
        the largest Z still possible have the same key: then (that largest Z, False)."""
        inputs = self.der.input_buffer
        pending = []
        best = 0.0
        for layer, input_elems in enumerate(inputs):
            lower, upper = self._output_bounds(layer)
            best = max(best, input_elems + lower)
            if upper != lower:
                pending.append((input_elems + upper, layer))
        for reach, layer in sorted(pending, reverse=True):
            if reach <= best:
                break
            if key is not None and key(best) == key(reach):  # every Z in [best, reach] has one key
                return reach, False
            best = max(best, inputs[layer] + self.output_buffer(layer))
        return best, True

    def _output_bounds(self, layer: int) -> tuple[int, int]:
        """(lower, upper) bounds of OB_l from the two extreme orders of same-step events."""
        if self._whole:
            if self._bounds is None:
                self._bounds = schedule_kernel_host.output_bounds(self, KERNEL, _output_events)
            return self._bounds[layer]
        events = _output_events(self.der, layer)
        if events is None:
            return 0, 0
        time = np.concatenate([self.est[l][:, k] for l, k in events.columns])
        upper_order = np.lexsort((events.upper_key, time))
        upper = events.replay(upper_order)
        sorted_time = time[upper_order]
        if not np.any(sorted_time[1:] == sorted_time[:-1]):
            return upper, upper
        return events.replay(np.lexsort((events.lower_key, time))), upper

    def output_buffer(self, layer: int) -> int:
        """OB_l: replay l's ST events and its consumers' LD/ST events in ``A`` order.

        Events of one step may come in any order in the reference's list; two bounding
        orders are tried first (producer ST first and the smallest window start last, which
        maximises every later value; and the opposite). When they agree, that is the
        answer; otherwise the steps with several events are put in the reference's order.
        """
        lower, upper = self._output_bounds(layer)
        if lower == upper:
            return upper
        events = _output_events(self.der, layer)
        time = np.concatenate([self.est[l][:, k] for l, k in events.columns])
        order = np.argsort(time, kind="stable")
        sorted_time = time[order]
        ties = np.flatnonzero(sorted_time[1:] == sorted_time[:-1])
        return events.replay(
            self._order_ties(order, ties, events.sizes, events.columns, events.hi_flag, events.value)
        )

    @staticmethod
    def _order_irrelevant(order, positions, hi_flag, value) -> bool:
        """Events of one step whose order cannot change OB: all window starts equal, and
        (if the producer's ST is among them) equal to the window start before the step."""
        events = order[positions.start:positions.stop]
        lo_values = value[events][~hi_flag[events]]
        if lo_values.size and np.any(lo_values != lo_values[0]):
            return False
        if not hi_flag[events].any() or not lo_values.size:
            return True
        previous = 0
        for pos in range(positions.start - 1, -1, -1):
            if not hi_flag[order[pos]]:
                previous = value[order[pos]]
                break
        return bool(previous == lo_values[0])

    def _order_ties(self, order, ties, sizes, nodes, hi_flag, value) -> np.ndarray:
        """Reorder runs of equal-time events by the reference's ``A`` order."""
        bounds = np.cumsum([0] + sizes)
        group = np.searchsorted(bounds, order, side="right") - 1  # event group of each position
        block = order - bounds[group]
        order = order.copy()
        breaks = np.flatnonzero(np.diff(ties) != 1) + 1
        for run in np.split(ties, breaks):
            positions = range(int(run[0]), int(run[-1]) + 2)
            if self._order_irrelevant(order, positions, hi_flag, value):
                continue
            event_of = {}
            for pos in positions:
                layer, k = nodes[int(group[pos])]
                event_of[(layer, int(block[pos]), k, 0)] = int(order[pos])
            ranked = self.order.sort_nodes(list(event_of))
            for pos, node in zip(positions, ranked):
                order[pos] = event_of[node]
        return order


class _OutputEvents:
    """Problem-only part of a producer's scratchpad events (5.14): its ST events set the
    window end hi = d*(c+1); its consumers' LD/ST events set the window start lo."""

    def __init__(self, columns, values, hi_flags, channels: int) -> None:
        self.columns = columns  # [(layer, op position)] whose start times give event times
        self.sizes = [len(v) for v in values]
        self.value = np.concatenate(values)
        self.hi_flag = np.concatenate(hi_flags)
        self.channels = channels

    # the sort keys of the two bounding orders, for the Python replays only (the compiled
    # kernel bounds every layer itself): made on first use
    @functools.cached_property
    def upper_key(self) -> np.ndarray:
        return np.where(self.hi_flag, -np.int64(1 << 62), -self.value)

    @functools.cached_property
    def lower_key(self) -> np.ndarray:
        return np.where(self.hi_flag, np.int64(1 << 62), self.value)

    def replay(self, order: np.ndarray) -> int:
        value, hi_flag = self.value[order], self.hi_flag[order]
        hi = np.maximum.accumulate(np.where(hi_flag, value, 0))
        last_lo = np.maximum.accumulate(np.where(hi_flag, -1, np.arange(len(value))))
        lo = np.where(last_lo >= 0, value[np.maximum(last_lo, 0)], 0)
        return max(0, int(((hi - lo) * self.channels).max()))


def _output_events(der: DerivedProblem, layer: int) -> _OutputEvents | None:
    cache = getattr(der, "_fast_output_events", None)
    if cache is None:
        cache = der._fast_output_events = {}
    if layer in cache:
        return cache[layer]
    columns, values, hi_flags = [], [], []
    index = der.op_index[layer]
    if "ST" in index:
        n = der.blocks[layer]
        columns.append((layer, index["ST"]))
        values.append(der.problem.layers[layer].dup * np.arange(1, n + 1, dtype=np.int64))
        hi_flags.append(np.ones(n, dtype=bool))
    for cons in der.consumers[layer]:
        i = der.providers[cons].index(layer)
        for op in ("LD", "ST"):
            if op in der.op_index[cons]:
                columns.append((cons, der.op_index[cons][op]))
                values.append(der.window_start[cons][i].astype(np.int64))
                hi_flags.append(np.zeros(der.blocks[cons], dtype=bool))
    events = None
    if columns:
        events = _OutputEvents(columns, values, hi_flags, der.problem.layers[layer].channels)
    cache[layer] = events
    return events


def _first_overlap(starts_a: np.ndarray, tau_a: int, starts_b: np.ndarray, tau_b: int, after: int) -> int | None:
    """Earliest start > after of an op of one column while an op of the other runs.

    Both columns are increasing (inter-block delays are >= 1); an op started at t runs
    during steps t .. t + tau - 1.
    """
    best = None
    for starts, others, other_tau in ((starts_a, starts_b, tau_b), (starts_b, starts_a, tau_a)):
        starts = starts[int(starts.searchsorted(after, side="right")):]
        if not starts.size:
            continue
        idx = others.searchsorted(starts, side="right") - 1
        hit = (idx >= 0) & (others[np.maximum(idx, 0)] + other_tau > starts)
        if hit.any():
            found = int(starts[hit.argmax()])
            best = found if best is None else min(best, found)
    return best


def _ancestors(der: DerivedProblem) -> list[frozenset[int]]:
    """Per layer: itself and every layer it depends on through provider edges."""
    found = getattr(der, "_fast_ancestors", None)
    if found is None:
        found = []
        for layer, provs in enumerate(der.providers):
            found.append(frozenset({layer}).union(*(found[p] for p in provs)))
        der._fast_ancestors = found
    return found


def _parent_block_lists(der: DerivedProblem) -> list[list[list[int]]]:
    lists = getattr(der, "_fast_parent_lists", None)
    if lists is None:
        lists = der._fast_parent_lists = [[arr.tolist() for arr in per_layer] for per_layer in der.parent_block]
    return lists
