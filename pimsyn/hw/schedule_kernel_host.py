"""Host side of the compiled scheduler kernel (:mod:`pimsyn.hw.schedule_kernel`): the
per-segment tables the kernel reads (`_Static`), one kernel run over a segment with its
hand-backs to Python's step order (`KernelSegment`), the bubble records it leaves
(`_Records`), and the scratchpad bounds of every producer (`output_bounds`).

The kernel's functions live in one module because they are compiled together (numba) and
also run interpreted from the same source (the tests compare both); this module holds
what only Python runs.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np

from pimsyn.hw.schedule_kernel import (  # the kernel's memory layout and entry points
    B_E1B, B_E1K, B_E1L, B_E2B, B_E2K, B_E2L, DONE, G_BHEAD, G_BLK, G_BREC, G_BSC, G_GEN, G_LP, G_NBLK,
    G_NCOL, G_NL, G_OK, G_PAIR, G_PAR, G_PAROFF, G_POFF, G_PROV, G_ROFF, G_STACK, G_STACKCAP, H_ADCPARTNER, H_BATCH,
    H_BITS, H_BL, H_BLCAP, H_CAP, H_COFF, H_CONS, H_DELTA, H_DONE, H_EXT, H_EXTLP, H_EXTOFF, H_FLAGS, H_FREE,
    H_HEAP, H_IPLAYER, H_IPOFF, H_IPPAROFF, H_KEYADC, H_KEYCOL, H_KEYLAYER, H_KEYTAU, H_KOFF, H_LO, H_NBLK,
    H_NCOL, H_NK, H_NL, H_PAR, H_PLIST, H_PMAT, H_POFF, H_REC, H_RECCAP, H_ROFF, H_RUNNING, H_SC, H_SCRATCH,
    H_SIGMA, H_TAU, H_UCONF, H_UEND, H_UFIRST, H_UKEY, H_UOFF, H_WAITING, H_WAITS, H_WORK, H_WORKCAP, KERNEL,
    KERNEL_PY, NEED_ORDER, REC_ADC, REC_NOC, REC_PAIR, W_BATCH, W_BL, W_BREC, W_HEAP, W_REC,
    W_RUNNING, W_SCRATCH, W_WAITS, GEN_LIMIT, _ADC, _BREC_CAP, _G_SIZE, _H_SIZE, _NBL, _NEG, _NFREE, _NOC, _NREC,
    _OVERFLOW, _PY, _SC_SIZE, _STEP,
)
from pimsyn.hw.schedule_order import Bubble, adc_wait_bubble, noc_wait_bubble
from pimsyn.hw.schedule_problem import ScheduleError


def _pack(regions, header_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the (slot, values) regions into one int64 array; the header holds each
    region's offset at its slot."""
    header = np.zeros(header_size, dtype=np.int64)
    parts, offset = [], 0
    for slot, values in regions:
        values = np.asarray(values, dtype=np.int64).ravel()
        header[slot] = offset
        parts.append(values)
        offset += len(values)
    return header, np.concatenate(parts)


class _EventTable:
    """Problem-only part of :func:`output_bounds`: every producer's event columns."""

    def __init__(self, der, layout, events_of) -> None:
        rows, values, loff = [], [], [0]
        offset = 0
        for layer in range(der.num_layers):
            events = events_of(der, layer)
            if events is not None:
                start = 0
                for (col_layer, k), size in zip(events.columns, events.sizes):
                    hi = bool(events.hi_flag[start])
                    rows.append((layout.roff[col_layer], len(der.ops[col_layer]), k, size, offset + start, hi))
                    start += size
                values.append(events.value)
                offset += start
            loff.append(len(rows))
        self.tab = np.array(rows, dtype=np.int64).reshape(-1, 6)
        self.loff = np.array(loff, dtype=np.int64)
        self.values = np.concatenate(values).astype(np.int64) if values else np.zeros(0, dtype=np.int64)
        self.channels = np.array([layer.channels for layer in der.problem.layers], dtype=np.int64)
        width = int(np.diff(self.loff).max()) if der.num_layers else 0
        self.scratch_rows = max(1, width)


def output_bounds(timing, kernel, events_of) -> list[tuple[int, int]]:
    """(lower, upper) bounds of OB_l for every layer, from the network's rows (every layer
    scheduled by the kernel)."""
    der = timing.der
    table = getattr(der, "_kernel_events", None)
    if table is None:
        table = der._kernel_events = _EventTable(der, global_layout(der), events_of)
    out = np.zeros((der.num_layers, 2), dtype=np.int64)
    scratch = np.zeros((table.scratch_rows, 2), dtype=np.int64)
    bounds = _PY["_output_bounds_all"] if kernel is KERNEL_PY else kernel.bounds
    bounds(timing.rows, table.tab, table.loff, table.values, out, scratch)
    out *= table.channels[:, None]
    np.maximum(out, 0, out=out)
    return [tuple(pair) for pair in out.tolist()]


# --------------------------------------------------------------------------------------
# Python side


def kernel_segment_eligible(der, seg) -> bool:
    """What the event path resolves: NoC pairs on the first or the last op of their layers
    (TRAN, MRG), ADC-sharing pairs with no layer in two."""
    if not seg.noc_pairs and not seg.adc_pairs:
        return False
    if seg.adc_pairs and not seg.adc_disjoint:
        return False
    return all(k in (0, len(der.ops[layer]) - 1) for layer, k in seg.noc_keys)


class GlobalLayout:
    """Where every layer's starts live in the one ``rows`` array of a schedule call, and the
    network part of ``g`` (cached on the derived problem: :func:`global_layout`)."""

    def __init__(self, der) -> None:
        L = der.num_layers
        nblk = np.array(der.blocks, dtype=np.int64)
        ncol = np.array([len(ops) for ops in der.ops], dtype=np.int64)
        roff = np.zeros(L, dtype=np.int64)
        roff[1:] = np.cumsum(nblk * ncol)[:-1]
        self.roff = roff.tolist()
        self.total = int((nblk * ncol).sum())
        if self.total >= 1 << 30:  # the stamped per-node fields (schedule_kernel.STAMP)
            raise ScheduleError(f"{self.total} block-ops are more than the compiled scheduler takes (2**30)")
        poff = np.zeros(L + 1, dtype=np.int64)
        prov, paroff, parents = [], [], []
        pos = 0
        for layer in range(L):
            for p, parent in zip(der.providers[layer], der.parent_block[layer]):
                prov.append(p)
                paroff.append(pos)
                parents.append(parent)
                pos += len(parent)
            poff[layer + 1] = len(prov)
        regions = [(G_ROFF, roff), (G_NCOL, ncol), (G_NBLK, nblk), (G_POFF, poff), (G_PROV, prov),
                   (G_PAROFF, paroff), (G_PAR, np.concatenate(parents) if parents else [])]
        header, self.static = _pack(regions, _G_SIZE)
        offset = len(self.static)
        header[G_OK] = offset
        header[G_BSC] = offset + L
        header[G_BREC] = offset + L + 4
        header[G_BLK] = int(header[G_BREC]) + _BREC_CAP * W_BREC
        header[G_NL] = L
        # in ``nodes``
        header[G_LP] = 0
        header[G_BHEAD] = self.total
        header[G_PAIR] = 2 * self.total
        header[G_STACK] = 3 * self.total  # a node is on the stack once at most
        header[G_STACKCAP] = 3 * self.total
        self.header = header
        self.zeroed = offset + L + 4  # the rest of g is written before it is read
        self.size = int(header[G_BLK]) + _BREC_CAP * 5

    def memory(self) -> tuple[np.ndarray, np.ndarray]:
        """``g`` and ``nodes`` for one schedule call: no layer readable yet, no victims,
        nothing memoised (a new generation; both are views of this thread's buffers, valid
        until its next call)."""
        scratch = _SCRATCH
        if scratch.g.size < self.size:
            scratch.g = np.empty(self.size, dtype=np.int64)
        g = scratch.g[:self.size]
        g[:len(self.static)] = self.static
        g[len(self.static):self.zeroed] = 0
        g[self.header[G_BSC] + 1] = _BREC_CAP
        g[self.header[G_BSC] + 3] = _BREC_CAP
        size = 6 * self.total
        scratch.generation += 1
        if scratch.nodes.size < size or scratch.generation >= GEN_LIMIT:
            scratch.nodes = np.zeros(max(size, scratch.nodes.size), dtype=np.int64)
            scratch.generation = 1
        self.header[G_GEN] = scratch.generation
        return g, scratch.nodes[:size]


class _Scratch(threading.local):
    """One thread's kernel memory, kept between schedule calls: fresh arrays of megabytes
    per call cost page faults (and zeroing) that outweighed a whole schedule pass; the
    per-node fields are stamped with a generation instead of cleared (schedule_kernel)."""

    def __init__(self) -> None:
        self.g = np.empty(0, dtype=np.int64)
        self.nodes = np.zeros(0, dtype=np.int64)
        self.generation = 0


_SCRATCH = _Scratch()


def global_layout(der) -> GlobalLayout:
    found = getattr(der, "_kernel_layout", None)
    if found is None:
        found = der._kernel_layout = GlobalLayout(der)
    return found


class _Static:
    """Problem-only part of one segment's kernel memory (cached on the segment)."""

    def __init__(self, der, seg) -> None:
        lo, hi = seg.lo, seg.hi
        self.lo, self.hi = lo, hi
        layers = list(range(lo, hi + 1))
        self.layers = layers
        L = len(layers)
        nblk = np.array([der.blocks[l] for l in layers], dtype=np.int64)
        ncol = np.array([len(der.ops[l]) for l in layers], dtype=np.int64)
        roff = np.array(global_layout(der).roff[lo:hi + 1], dtype=np.int64)  # in the network's rows
        koff = np.zeros(L + 1, dtype=np.int64)
        koff[1:] = np.cumsum(ncol)
        ext_off = np.zeros(L, dtype=np.int64)
        ext_off[1:] = np.cumsum(nblk)[:-1]
        self.ext_size = int(nblk.sum())
        # keys: NoC keys, then ADC keys
        adc_partner_of = {}
        for a, b in seg.adc_pairs:
            ka, kb = (a, der.op_index[a]["ADC"]), (b, der.op_index[b]["ADC"])
            adc_partner_of[ka] = kb
            adc_partner_of[kb] = ka
        key_list = list(seg.noc_keys) + [key for key in sorted(adc_partner_of) if key not in seg.noc_keys]
        key_index = {key: i for i, key in enumerate(key_list)}
        NK = len(key_list)
        noc_partners = {key: [] for key in seg.noc_keys}
        for a, b in seg.noc_pairs:  # NocSegment's partner lists, in the same order
            noc_partners[a].append(b)
            noc_partners[b].append(a)
        poff = np.zeros(NK + 1, dtype=np.int64)
        plist = []
        pmat = np.zeros((NK, NK), dtype=np.int64)
        for i, key in enumerate(key_list):
            for other in noc_partners.get(key, ()):
                plist.append(key_index[other])
                pmat[i, key_index[other]] = 1
            poff[i + 1] = len(plist)
        key_adc = np.array([key in adc_partner_of for key in key_list], dtype=np.int64)
        adc_partner = np.array([key_index[adc_partner_of[key]] if key in adc_partner_of else -1 for key in key_list],
                               dtype=np.int64)
        key_layer = np.array([key[0] - lo for key in key_list], dtype=np.int64)
        self.key_list = key_list
        self.key_flat = np.array([koff[key[0] - lo] + key[1] for key in key_list], dtype=np.int64)
        self.pmat = pmat
        # units (EventSegment): runs of plain columns and single conflict columns
        conflict = {}
        for layer, k in key_list:
            conflict.setdefault(layer, set()).add(k)
        u_first, u_end, u_conf, u_key = [], [], [], []
        uoff = np.zeros(L + 1, dtype=np.int64)
        for i, layer in enumerate(layers):
            start = 0
            count = len(der.ops[layer])
            for k in sorted(conflict.get(layer, ())):
                if k > start:
                    u_first.append(start), u_end.append(k), u_conf.append(0), u_key.append(-1)
                u_first.append(k), u_end.append(k + 1), u_conf.append(1), u_key.append(key_index[(layer, k)])
                start = k + 1
            if start < count:
                u_first.append(start), u_end.append(count), u_conf.append(0), u_key.append(-1)
            uoff[i + 1] = len(u_first)
        self.uoff = uoff
        self.num_units = len(u_first)
        self.cap = max(1, int(sum(u_conf)))
        # providers inside the segment, consumers inside the segment
        ipoff = np.zeros(L + 1, dtype=np.int64)
        ip_layer, ip_paroff, parents = [], [], []
        self.external = []  # per local layer: (has providers, [(provider, parent blocks)] before lo)
        pos = 0
        for i, layer in enumerate(layers):
            ext = []
            for p, parent in zip(der.providers[layer], der.parent_block[layer]):
                if p >= lo:
                    ip_layer.append(p - lo)
                    ip_paroff.append(pos)
                    parents.append(parent.astype(np.int64))
                    pos += len(parent)
                else:
                    ext.append((p, parent))
            ipoff[i + 1] = len(ip_layer)
            self.external.append((bool(der.providers[layer]), ext))
        coff = np.zeros(L + 1, dtype=np.int64)
        cons = []
        for i, layer in enumerate(layers):
            cons.extend(m - lo for m in der.consumers[layer] if m <= hi)
            coff[i + 1] = len(cons)
        self.nblk, self.ncol, self.roff, self.ext_off = nblk.tolist(), ncol.tolist(), roff.tolist(), ext_off.tolist()
        self.kt = int(koff[-1])
        ops_before = sum(len(der.ops[l]) for l in range(lo))
        self.op_span = (ops_before, ops_before + self.kt)  # in the flat op arrays
        regions = [
            (H_ROFF, roff), (H_NCOL, ncol), (H_KOFF, koff), (H_UOFF, uoff), (H_NBLK, nblk), (H_COFF, coff),
            (H_CONS, cons), (H_UFIRST, u_first), (H_UEND, u_end), (H_UCONF, u_conf), (H_UKEY, u_key),
            (H_EXTOFF, ext_off), (H_IPOFF, ipoff), (H_IPLAYER, ip_layer), (H_IPPAROFF, ip_paroff),
            (H_PAR, np.concatenate(parents) if parents else []), (H_KEYADC, key_adc),
            (H_ADCPARTNER, adc_partner), (H_POFF, poff), (H_PLIST, plist), (H_PMAT, pmat.ravel()),
            (H_KEYLAYER, key_layer), (H_KEYCOL, [key[1] for key in key_list]),
        ]
        header, self.memory = _pack(regions, _H_SIZE)
        offset = len(self.memory)
        work_cap = L + 2 * len(cons) + 16
        rec_cap = 1024 + 4 * (self.cap + 1)  # FLUSH drains them when nearly full
        bl_cap = 1024 + 2 * (self.cap + 1) * max(1, NK)
        # per call, then state: (slot, length)
        layout = [
            (H_EXT, self.ext_size), (H_TAU, self.kt), (H_DELTA, self.kt), (H_SIGMA, self.kt), (H_EXTLP, self.ext_size),
            (H_KEYTAU, NK), (H_DONE, self.num_units), (H_WAITING, self.num_units), (H_RUNNING, NK * W_RUNNING),
            (H_HEAP, (self.cap + 1) * W_HEAP), (H_BATCH, (self.cap + 1) * W_BATCH),
            (H_WAITS, (self.cap + 1) * W_WAITS), (H_FREE, self.cap + 1), (H_FLAGS, self.cap + 1),
            (H_SCRATCH, (self.cap + 1) * W_SCRATCH), (H_WORK, work_cap), (H_REC, rec_cap * W_REC),
            (H_BL, bl_cap * W_BL), (H_SC, _SC_SIZE),
        ]
        for slot, length in layout:
            header[slot] = offset
            offset += length
        self.total = offset
        header[H_NL], header[H_NK], header[H_CAP] = L, NK, self.cap
        header[H_RECCAP], header[H_BLCAP], header[H_WORKCAP] = rec_cap, bl_cap, work_cap
        header[H_BITS] = der.bits
        header[H_LO] = lo
        self.header = header
        self.rec_cap, self.bl_cap = rec_cap, bl_cap


class KernelSegment:
    """Runs the compiled (or, with ``kernel=KERNEL_PY``, the interpreted) kernel on one segment
    and writes the starts into ``timing.est``."""

    def __init__(self, timing, seg, kernel=None) -> None:
        self.timing = timing
        self.der = timing.der
        self.seg = seg
        self.kernel = kernel or KERNEL
        static = getattr(seg, "_kernel_static", None)
        if static is None:
            static = seg._kernel_static = _Static(self.der, seg)
        self.static = static

    def _region(self, slot: int, length: int) -> np.ndarray:
        start = int(self.h[slot])
        return self.m[start:start + length]

    def run(self) -> None:
        timing, s = self.timing, self.static
        h = self.h = s.header
        m = self.m = np.zeros(s.total, dtype=np.int64)
        m[:len(s.memory)] = s.memory
        layers = s.layers
        # per call: durations and the arrivals from layers before the segment
        first, end = s.op_span
        tau = self._region(H_TAU, s.kt)
        tau[:] = timing.tau_flat[first:end]
        self._region(H_DELTA, s.kt)[:] = timing.delta_flat[first:end]
        self._region(H_SIGMA, s.kt)[:] = timing.sigma_flat[first:end]
        key_tau = self._region(H_KEYTAU, len(s.key_list))
        key_tau[:] = tau[s.key_flat]
        ext = self._region(H_EXT, s.ext_size)
        ext_lp = self._region(H_EXTLP, s.ext_size)
        ext[:] = _NEG
        ext_lp[:] = _NEG
        for i, layer in enumerate(layers):
            has_providers, external = s.external[i]
            lo, hi = s.ext_off[i], s.ext_off[i] + s.nblk[i]
            part, lp = ext[lo:hi], ext_lp[lo:hi]
            if not has_providers:
                part[0] = 0
            for p, parent in external:
                last = timing.est[p][parent, -1]
                np.maximum(lp, last, out=lp)
                np.maximum(part, last + timing.taus[p][-1], out=part)
        self._region(H_RUNNING, len(s.key_list) * W_RUNNING)[0::W_RUNNING] = _NEG
        rows, g, gh, nodes = timing.rows, timing.g, timing.gh, timing.nodes
        # est views of the rows: the step order reads the starts found so far during the run
        for i, layer in enumerate(layers):
            view = rows[s.roff[i]:s.roff[i] + s.nblk[i] * s.ncol[i]].reshape(s.nblk[i], s.ncol[i])
            timing.est[layer] = view
            timing._est_rows[layer] = view
            g[gh[G_OK] + layer] = 1
        sc = self._region(H_SC, _SC_SIZE)
        kernel = self.kernel
        status = kernel(rows, m, h, g, gh, nodes, 0)
        while status != DONE:
            self._drain(sc)
            if status == NEED_ORDER:
                self._decide(sc, key_tau)
                status = kernel(rows, m, h, g, gh, nodes, 1)
            else:
                status = kernel(rows, m, h, g, gh, nodes, 0)
        self._drain(sc)
        if sc[_OVERFLOW]:
            raise ScheduleError("segment work stack overflow (scheduler invariant)")
        timing.noc_bubbles += int(sc[_NOC])
        timing.adc_bubbles += int(sc[_ADC])
        done = self._region(H_DONE, s.num_units)
        uoff = s.uoff
        for i, layer in enumerate(layers):
            if int(done[uoff[i]:uoff[i + 1]].min()) != s.nblk[i]:
                raise ScheduleError(f"layer {layer} was not fully scheduled (scheduler invariant)")
            timing._est_rows[layer] = None

    def _drain(self, sc) -> None:
        """Hand the bubble records made so far to the step order; a node's records become
        bubbles when the order first looks the node up (`_Records`)."""
        count = int(sc[_NREC])
        if not count:
            return
        s = self.static
        records = self._region(H_REC, s.rec_cap * W_REC)[:count * W_REC].reshape(count, W_REC).copy()
        nbl = int(sc[_NBL])
        blockers = self._region(H_BL, s.bl_cap * W_BL)[:nbl * W_BL].reshape(nbl, W_BL).copy()
        sc[_NREC] = 0
        sc[_NBL] = 0
        self.timing.order.add_lazy(_Records(records, blockers, s.lo, s.key_list, self.timing.order))

    def _decide(self, sc, key_tau) -> None:
        """NocSegment._free_victims with the ``A`` order: the flags mark the involved free
        entries on entry and the victims on return."""
        timing = self.timing
        order = timing.order
        s = self.static
        lo = s.lo
        cap = s.cap + 1
        batch = self._region(H_BATCH, cap * W_BATCH).reshape(cap, W_BATCH)
        free = self._region(H_FREE, cap)
        flags = self._region(H_FLAGS, cap)
        step = int(sc[_STEP])
        nfree = int(sc[_NFREE])
        by_node = {}
        slot_of = {}
        for a in range(nfree):
            if flags[a]:
                i = int(free[a])
                node = (int(batch[i, 2]) + lo, int(batch[i, 3]), int(batch[i, 4]), 0)
                by_node[node] = int(batch[i, 6])
                slot_of[node] = a
        flags[:nfree] = 0
        pmat = s.pmat
        entries = order.sort_entries([(node, step) for node in by_node])
        marked = [False] * len(entries)
        for i in range(len(entries)):
            if marked[i]:
                continue
            key_i = by_node[entries[i][0]]
            for j in range(i + 1, len(entries)):
                if marked[j]:
                    continue
                key_j = by_node[entries[j][0]]
                if not pmat[key_i, key_j]:
                    continue
                first_yields = key_tau[key_i] > key_tau[key_j]
                victim = i if first_yields else j
                node = entries[victim][0]
                order.set_bubble(node, Bubble(step, 1, (entries[i], entries[j])))
                flags[slot_of[node]] = 1
                _store_known(timing.g, timing.gh, timing.nodes, node, step, entries[i][0], entries[j][0])
                timing.noc_bubbles += 1
                if first_yields:
                    break
                marked[j] = True


class _Records:
    """One drained batch of the kernel's bubble records, indexed by victim node; ``take``
    turns a node's records into bubbles (in record order) the first time it is asked."""

    def __init__(self, records, blockers, lo: int, keys, order) -> None:
        self.records, self.blockers, self.lo, self.keys, self.order = records, blockers, lo, keys, order
        self.span = None  # victim node -> (first, end) in by_node, built on the first take

    def _index(self) -> None:
        records, lo = self.records, self.lo
        by_node = np.argsort((records[:, 1] * (int(records[:, 2].max()) + 1) + records[:, 2])
                             * (int(records[:, 3].max()) + 1) + records[:, 3], kind="stable")
        cols = records[by_node, 1:4]
        first = np.flatnonzero(np.concatenate(([True], np.any(cols[1:] != cols[:-1], axis=1))))
        ends = np.append(first[1:], len(by_node)).tolist()
        heads = cols[first] + np.array([lo, 0, 0])
        nodes = zip(heads[:, 0].tolist(), heads[:, 1].tolist(), heads[:, 2].tolist(), itertools.repeat(0))
        self.by_node = by_node
        self.span = dict(zip(nodes, zip(first.tolist(), ends)))

    def victims(self):
        """The nodes this batch holds bubbles of."""
        if self.span is None:
            self._index()
        return self.span.keys()

    def take(self, node) -> None:
        """Register node's bubbles (the step order asks only for ``victims()`` it found)."""
        span = self.span.pop(node, None)
        if span is None:
            return
        order, keys, blockers = self.order, self.keys, self.blockers
        for row in self.records[self.by_node[span[0]:span[1]]].tolist():
            kind, _, _, _, step, end = row[:6]
            if kind == REC_NOC:
                first, count = row[6], row[7]
                found = [(b[0], b[1], (keys[b[2]][0], b[3], keys[b[2]][1], 0))
                         for b in blockers[first:first + count].tolist()]
                order.register_bubble_range(node, step, end, noc_wait_bubble(node, found, order))
            elif kind == REC_ADC:
                runner_layer, runner_k = keys[row[6]]
                order.register_bubble_range(node, step, end,
                                            adc_wait_bubble(node, runner_layer, row[7], runner_k, row[8], order))
            else:
                node_a = (row[8] + self.lo, row[9], row[10], 0)
                node_b = (row[11] + self.lo, row[12], row[13], 0)
                # REC_PAIR: the pair is put in Proc order on first use; REC_SORTED: in order
                lazy = order if kind == REC_PAIR else None
                order.register_bubble(node, Bubble(step, 1, ((node_a, step), (node_b, step)), lazy))


def _store_known(g, gh, nodes, node, step, first, second) -> None:
    """A victim bubbled at ``step`` by the Proc-ordered pair (first, second) (all at that
    step), made in Python: flag it and store the pair for the kernel's walks."""
    layer, block, k, _ = node
    x = _PY["_store_bubble"](g, gh, nodes, layer, block, k, step, step + 1, 2)
    if x >= 0:
        g[x + B_E1L], g[x + B_E1B], g[x + B_E1K] = first[:3]
        g[x + B_E2L], g[x + B_E2B], g[x + B_E2K] = second[:3]
