"""Compiled time-ordered conflict resolution (numba), the same algorithm as
:class:`pimsyn.hw.schedule_events.EventSegment` (read it and
:class:`pimsyn.hw.schedule_noc.NocSegment` first).

The Python classes walk every block of a segment's layers one at a time; here the same
walk runs as a compiled kernel over flat int64 arrays: the plain op columns row by row as
soon as their inputs are final, the conflict columns (TRAN/MRG of NoC pairs, the ADC of
sharing pairs) through a heap in (start, push sequence) order, exactly as the Python
classes push and pop them, so both give the same starts, bubble counts and bubbles. The
scheduler runs it on the whole network at once when every segment is of this kind (layers
without conflicts are then plain rows; :func:`pimsyn.hw.schedule._whole_network`).

* **The ``A`` order** (:mod:`pimsyn.hw.schedule_order`), needed when several new NoC
  entries of one step conflict among themselves and their durations do not decide the
  victim, is walked in the kernel as :class:`StepOrder` walks it (:func:`_before`): last
  parents memoised per node, tied parents resolved with an explicit stack (room for every
  node), a victim's retry led by its bubble, whose pair the kernel stored when it made it,
  and each decided walk's answer stored for the pairs of settled nodes on its way (one
  pair per node, ``G_PAIR``), so that the next comparison of two pipelines, one block
  later, stops after one step instead of walking both chains again. What the kernel
  cannot read (a bubble pair that needs the order itself, an ADC burst's bubble, a layer
  the kernel did not schedule) is handed back: the kernel stops at that step with the
  entries saved, Python picks the victims with :class:`StepOrder` (reading the starts
  found so far through the ``timing.est`` views) and resumes the kernel.
* **Bubbles** for Python's step order: the kernel appends one record per victim wait (NoC:
  the blockers; ADC: the running burst; a same-step pair: both entries); they become lazy
  bubble ranges of the step order only when Python first compares nodes (most evaluations
  never do).
* **Scratchpad bounds** (:func:`_output_bounds_all`): every producer's OB bounds from its
  event columns merged in time order.

Without numba (``KERNEL is None``) the scheduler uses the Python classes instead; the
kernels also run as plain Python (``KERNEL_PY``), which the tests use to check that the
compiled kernel, the interpreted one and the Python classes agree.
"""

from __future__ import annotations

import importlib.util
import types

#: numba is imported (0.4 s) and the kernel compiled or loaded from its cache only when a
#: schedule first needs it (:func:`_compile`)
try:
    HAVE_NUMBA = importlib.util.find_spec("numba") is not None
except (ImportError, ValueError):  # pragma: no cover
    HAVE_NUMBA = False

_NEG = -(1 << 40)

# The kernel sees three int64 arrays: ``rows`` (the starts, layer after layer, (n, K) row
# major), ``m`` (every other array of the segment, one after the other) and ``h`` (where
# each of them starts in ``m``, and a few sizes). One flat memory keeps the calls between
# the kernel's functions cheap.
(H_ROFF, H_NCOL, H_KOFF, H_UOFF, H_NBLK, H_COFF, H_CONS, H_UFIRST, H_UEND, H_UCONF, H_UKEY, H_EXTOFF, H_IPOFF,
 H_IPLAYER, H_IPPAROFF, H_PAR, H_KEYADC, H_ADCPARTNER, H_POFF, H_PLIST, H_PMAT, H_KEYLAYER,
 H_EXT, H_TAU, H_DELTA, H_SIGMA, H_EXTLP, H_KEYTAU,
 H_DONE, H_WAITING, H_RUNNING, H_HEAP, H_BATCH, H_WAITS, H_FREE, H_FLAGS, H_SCRATCH, H_WORK, H_REC, H_BL, H_SC,
 H_NL, H_NK, H_CAP, H_RECCAP, H_BLCAP, H_WORKCAP, H_BITS, H_LO, H_KEYCOL) = range(50)
_H_SIZE = 50
# The whole network, for the ``A``-order walks (:func:`_before`): ``g`` holds per layer the
# offset of its rows in ``rows`` (every layer's starts live in one array), its op count and
# providers with their parent blocks; G_OK[layer] = 1 when the layer's starts are in
# ``rows``. Per bit-0 node (``nodes``, int64, offsets G_LP, G_BHEAD and G_PAIR): its
# memoised last parent, its bubble records and its last decided comparison, each stamped
# with the schedule call's generation G_GEN (a value of an older call reads as nothing):
# ``nodes`` is one buffer kept for every call, never cleared (zeroing megabytes per call,
# or touching fresh huge pages, cost more than a whole VGG schedule pass).
# G_LP memoises each node's natural last parent (StepOrder.natural: 0 unknown, 1 the
# previous op, 2 the previous block, 3 + j the j-th provider); G_STACK (in ``nodes``, one
# entry per node at most) is the explicit stack of :func:`_resolve_lp`.
# nodes[G_PAIR + a] = 2 * (b + 1) + (1 if a precedes b): the last comparison decided with
# node a first, both at their final starts (StepOrder's pair cache, one pair per node:
# the lp chains of a pipeline are compared again one block later, and without it a chain
# of 10^5 blocks is walked once per comparison).
# nodes[G_BHEAD + cell] - 1 is the latest of the node's bubble records in G_BREC (B_* fields,
# linked through B_PREV): nonzero for a victim, -1 for a victim whose bubbles could not
# all be stored (Python decides what involves it); G_BSC holds the record count and
# capacity.
(G_ROFF, G_NCOL, G_NBLK, G_POFF, G_PROV, G_PAROFF, G_PAR, G_OK, G_PAIR, G_NL, G_LP, G_STACK, G_STACKCAP,
 G_BHEAD, G_BREC, G_BSC, G_BLK, G_GEN) = range(18)
_G_SIZE = 18
#: generation stamps (`_read`, `_write`): value = G_GEN * STAMP + field, every field <
#: STAMP (G_LP: the slot; G_BHEAD: record index + 1, UNKNOWN for -1; G_PAIR: 2 * (b + 1) +
#: answer). One base for
#: every region: the buffer is shared by problems of other sizes, whose regions lay
#: elsewhere, and a value of an earlier call, whatever it held, is below G_GEN * STAMP.
STAMP = 1 << 32
UNKNOWN = STAMP - 1  # G_BHEAD's field for -1 (a victim whose bubbles are not all stored)
#: generations stay below this (STAMP * GEN_LIMIT < 2**63); then the buffer is cleared
GEN_LIMIT = 1 << 30
_BREC_CAP = 1 << 14
# a bubble record: the victim's attempts first..end-1 were bubbled by the pair (entry 1,
# entry 2); B_TYPE 1: entry 1 = (a blocker, its start) and entry 2 = (the victim, the
# attempt); 2: both entries given (one step); 3: several blockers, B_E1L the first of
# B_E1B blockers (start, end, layer, block, k) in G_BLK, entry 2 = (the victim, the
# attempt); 0: not readable here (Python decides). G_BSC: record count, capacity,
# blocker count, capacity.
B_PREV, B_FIRST, B_END, B_TYPE, B_E1L, B_E1B, B_E1K, B_E1S, B_E2L, B_E2B, B_E2K = range(11)
W_BREC = 11
#: longest lp-chain walk of one comparison before handing it to Python
_WALK_LIMIT = 1 << 20
#: widths of the 2D regions
W_HEAP, W_BATCH, W_WAITS, W_SCRATCH, W_REC, W_BL, W_RUNNING = 6, 7, 2, 3, 14, 4, 2
# heap / batch fields: start, push sequence, layer (local), block, column, retry, [key]
# sc (scalar state) slots
_HSIZE, _SEQ, _NOC, _ADC, _NREC, _NBL, _STEP, _NBATCH, _NWAIT, _NFREE, _STARTED, _TOP, _OVERFLOW = range(13)
_SC_SIZE = 13
# status codes
DONE, NEED_ORDER, FLUSH = 0, 1, 2
# record kinds (rec field 0)
REC_NOC, REC_ADC, REC_PAIR, REC_SORTED = 0, 1, 2, 3


# --------------------------------------------------------------------------------------
# kernel (numba-compatible Python)


def _heap_less(m, hp, a, b):
    x = hp + a * W_HEAP
    y = hp + b * W_HEAP
    if m[x] != m[y]:
        return m[x] < m[y]
    return m[x + 1] < m[y + 1]


def _heap_swap(m, hp, a, b):
    x = hp + a * W_HEAP
    y = hp + b * W_HEAP
    for f in range(W_HEAP):
        t = m[x + f]
        m[x + f] = m[y + f]
        m[y + f] = t


def _push(m, h, start, blk, block, column, retry):
    sc = h[H_SC]
    hp = h[H_HEAP]
    m[sc + _SEQ] += 1
    i = m[sc + _HSIZE]
    m[sc + _HSIZE] = i + 1
    x = hp + i * W_HEAP
    m[x] = start
    m[x + 1] = m[sc + _SEQ]
    m[x + 2] = blk
    m[x + 3] = block
    m[x + 4] = column
    m[x + 5] = retry
    while i > 0:
        parent = (i - 1) // 2
        if _heap_less(m, hp, i, parent):
            _heap_swap(m, hp, i, parent)
            i = parent
        else:
            break


def _pop(m, h, pos):
    """Pop the smallest heap entry into batch row ``pos``."""
    sc = h[H_SC]
    hp = h[H_HEAP]
    out = h[H_BATCH] + pos * W_BATCH
    for f in range(W_HEAP):
        m[out + f] = m[hp + f]
    last = m[sc + _HSIZE] - 1
    m[sc + _HSIZE] = last
    if last > 0:
        for f in range(W_HEAP):
            m[hp + f] = m[hp + last * W_HEAP + f]
        i = 0
        while True:
            left = 2 * i + 1
            if left >= last:
                break
            child = left
            if left + 1 < last and _heap_less(m, hp, left + 1, left):
                child = left + 1
            if _heap_less(m, hp, child, i):
                _heap_swap(m, hp, i, child)
                i = child
            else:
                break


def _column0(rows, m, h, blk, c):
    """Column-0 start of block c of local layer blk from final inputs; (False, 0) if an
    input is not final (NocSegment._column0)."""
    roff, ncol, koff, uoff, done = h[H_ROFF], h[H_NCOL], h[H_KOFF], h[H_UOFF], h[H_DONE]
    ipoff, iplayer, ipparoff, par, tau = h[H_IPOFF], h[H_IPLAYER], h[H_IPPAROFF], h[H_PAR], h[H_TAU]
    value = m[h[H_EXT] + m[h[H_EXTOFF] + blk] + c]
    for j in range(m[ipoff + blk], m[ipoff + blk + 1]):
        p = m[iplayer + j]
        parent = m[par + m[ipparoff + j] + c]
        if parent >= m[done + m[uoff + p + 1] - 1]:
            return False, 0
        kp = m[ncol + p]
        ready = rows[m[roff + p] + parent * kp + kp - 1] + m[tau + m[koff + p] + kp - 1]
        if ready > value:
            value = ready
    if c:
        ready = rows[m[roff + blk] + (c - 1) * m[ncol + blk]] + m[h[H_DELTA] + m[koff + blk]]
        if ready > value:
            value = ready
    return True, value


def _advance(rows, m, h, blk):
    """EventSegment._advance: compute what became computable; True if the last unit advanced."""
    sigma, delta = h[H_SIGMA], h[H_DELTA]
    done, waiting = h[H_DONE], h[H_WAITING]
    ufirst, uend, uconf = h[H_UFIRST], h[H_UEND], h[H_UCONF]
    n = m[h[H_NBLK] + blk]
    K = m[h[H_NCOL] + blk]
    base = m[h[H_ROFF] + blk]
    ko = m[h[H_KOFF] + blk]
    u0 = m[h[H_UOFF] + blk]
    u1 = m[h[H_UOFF] + blk + 1]
    before = m[done + u1 - 1]
    limit = n
    for u in range(u0, u1):
        if u > u0:
            limit = m[done + u - 1]
        c = m[done + u]
        first = m[ufirst + u]
        if m[uconf + u]:
            if c < limit and not m[waiting + u]:
                if first == 0:
                    ok, value = _column0(rows, m, h, blk, c)
                else:
                    ok = True
                    value = rows[base + c * K + first - 1] + m[sigma + ko + first - 1]
                    if c:
                        other = rows[base + (c - 1) * K + first] + m[delta + ko + first]
                        if other > value:
                            value = other
                if ok:
                    _push(m, h, value, blk, c, first, 0)
                    m[waiting + u] = 1
            continue
        end = m[uend + u]
        while c < limit:
            row = base + c * K
            k = first
            if first == 0:
                ok, value = _column0(rows, m, h, blk, c)
                if not ok:
                    break
                rows[row] = value
                k = 1
            last = rows[row + k - 1]
            if c:
                prev = row - K
                for kk in range(k, end):
                    a = last + m[sigma + ko + kk - 1]
                    b = rows[prev + kk] + m[delta + ko + kk]
                    last = a if a > b else b
                    rows[row + kk] = last
            else:
                for kk in range(k, end):
                    last += m[sigma + ko + kk - 1]
                    rows[row + kk] = last
            c += 1
        m[done + u] = c
    return m[done + u1 - 1] > before


def _work_push(m, h, blk):
    sc = h[H_SC]
    top = m[sc + _TOP]
    if top >= h[H_WORKCAP]:
        m[sc + _OVERFLOW] = 1  # cannot happen (capacity: layers + 2 * edges); reported by Python
        return
    m[h[H_WORK] + top] = blk
    m[sc + _TOP] = top + 1


def _propagate(rows, m, h):
    """Advance the layers on the work stack and, when a layer's last unit advanced, its
    consumers (NocSegment._propagate)."""
    sc, coff, cons, work = h[H_SC], h[H_COFF], h[H_CONS], h[H_WORK]
    while m[sc + _TOP] > 0:
        m[sc + _TOP] -= 1
        blk = m[work + m[sc + _TOP]]
        if _advance(rows, m, h, blk):
            for j in range(m[coff + blk], m[coff + blk + 1]):
                _work_push(m, h, m[cons + j])


def _unit_of(m, h, blk, column):
    ufirst, uconf, uoff = h[H_UFIRST], h[H_UCONF], h[H_UOFF]
    for u in range(m[uoff + blk], m[uoff + blk + 1]):
        if m[ufirst + u] == column and m[uconf + u]:
            return u
    return -1


def _start(rows, m, h, blk, block, column, step):
    """EventSegment._start: the node starts at ``step``; propagate what it unblocks."""
    rows[m[h[H_ROFF] + blk] + block * m[h[H_NCOL] + blk] + column] = step
    u = _unit_of(m, h, blk, column)
    key = m[h[H_UKEY] + u]
    running = h[H_RUNNING] + key * W_RUNNING
    m[running] = step
    m[running + 1] = block
    m[h[H_DONE] + u] += 1
    m[h[H_WAITING] + u] = 0
    if u == m[h[H_UOFF] + blk + 1] - 1:
        coff, cons = h[H_COFF], h[H_CONS]
        for j in range(m[coff + blk], m[coff + blk + 1]):
            _work_push(m, h, m[cons + j])
    _work_push(m, h, blk)
    _propagate(rows, m, h)


def _add_wait(m, h, batch_row, end):
    sc = h[H_SC]
    w = m[sc + _NWAIT]
    x = h[H_WAITS] + w * W_WAITS
    m[x] = batch_row
    m[x + 1] = end
    m[sc + _NWAIT] = w + 1


def _record(rows, m, h, g, gh, nodes, kind, i, step, end):
    """A bubble record for the node of batch row i (a victim; the caller stores its bubble
    for the walks with :func:`_store_bubble`); returns its offset in m."""
    sc = h[H_SC]
    r = m[sc + _NREC]
    m[sc + _NREC] = r + 1
    x = h[H_REC] + r * W_REC
    b = h[H_BATCH] + i * W_BATCH
    m[x] = kind
    m[x + 1] = m[b + 2]
    m[x + 2] = m[b + 3]
    m[x + 3] = m[b + 4]
    m[x + 4] = step
    m[x + 5] = end
    return x


def _record_pair(m, h, x, i, j):
    """The pair of a same-step bubble: the nodes of batch rows i and j."""
    bi = h[H_BATCH] + i * W_BATCH
    bj = h[H_BATCH] + j * W_BATCH
    m[x + 8] = m[bi + 2]
    m[x + 9] = m[bi + 3]
    m[x + 10] = m[bi + 4]
    m[x + 11] = m[bj + 2]
    m[x + 12] = m[bj + 3]
    m[x + 13] = m[bj + 4]


def _store_bubble(g, gh, nodes, layer, block, k, first, end, kind):
    """Append a bubble record of node (layer, block, k); returns its offset, -1 if full."""
    bsc = gh[G_BSC]
    count = g[bsc]
    at = gh[G_BHEAD] + _cell(g, gh, layer, block, k)
    head = _bhead(gh, nodes, at)
    if head < 0:
        return -1
    if count >= g[bsc + 1]:
        _write(gh, nodes, at, UNKNOWN)  # its bubbles are unknown here (-1)
        return -1
    g[bsc] = count + 1
    x = gh[G_BREC] + count * W_BREC
    g[x + B_PREV] = head
    _write(gh, nodes, at, count + 1)
    g[x + B_FIRST] = first
    g[x + B_END] = end
    g[x + B_TYPE] = kind
    return x


def _cell(g, gh, layer, block, k):
    """Position of bit-0 node (layer, block, k) in ``rows`` (and in each per-node region)."""
    return g[gh[G_ROFF] + layer] + block * g[gh[G_NCOL] + layer] + k


def _read(gh, nodes, at):
    """The per-node field at ``at`` written in this schedule call, -1 if none (STAMP)."""
    value = nodes[at] - gh[G_GEN] * STAMP
    return value if value >= 0 else -1


def _write(gh, nodes, at, field):
    nodes[at] = gh[G_GEN] * STAMP + field


def _bhead(gh, nodes, at):
    """The G_BHEAD field at ``at``: 0 none, -1 unknown here, else record index + 1."""
    value = _read(gh, nodes, at)
    if value < 0:
        return 0
    return -1 if value == UNKNOWN else value


def _bubble_pair(g, gh, nodes, layer, block, k, step):
    """The Proc-ordered pair of the node's bubble at ``step``: (True, entry 1, entry 2) as
    (layer, block, k, step) each, or (False, ...) when it is not readable here."""
    idx = _bhead(gh, nodes, gh[G_BHEAD] + _cell(g, gh, layer, block, k))
    while idx > 0:
        x = gh[G_BREC] + (idx - 1) * W_BREC
        if g[x + B_FIRST] <= step < g[x + B_END]:
            kind = g[x + B_TYPE]
            if kind == 1:
                return (True, g[x + B_E1L], g[x + B_E1B], g[x + B_E1K], g[x + B_E1S],
                        layer, block, k, step)
            if kind == 2:
                return (True, g[x + B_E1L], g[x + B_E1B], g[x + B_E1K], step,
                        g[x + B_E2L], g[x + B_E2B], g[x + B_E2K], step)
            if kind == 3:
                # EventSegment._bubble_wait: the first blocker (by start, then end) still
                # running; several with that start need the A order (Python)
                best = -1
                count = 0
                for j in range(g[x + B_E1B]):
                    y = gh[G_BLK] + (g[x + B_E1L] + j) * 5
                    if g[y + 1] > step:
                        if best < 0 or g[y] < g[gh[G_BLK] + best * 5]:
                            best = g[x + B_E1L] + j
                            count = 1
                        elif g[y] == g[gh[G_BLK] + best * 5]:
                            count += 1
                if best >= 0 and count == 1:
                    y = gh[G_BLK] + best * 5
                    return True, g[y + 2], g[y + 3], g[y + 4], g[y], layer, block, k, step
            break
        idx = g[x + B_PREV]
    return False, 0, 0, 0, 0, 0, 0, 0, 0


def _parent(g, gh, nodes, layer, block, k, slot):
    """(layer, block, k) of the parent in ``slot`` (see G_LP)."""
    if slot == 1:
        return layer, block, k - 1
    if slot == 2:
        return layer, block - 1, k
    j = g[gh[G_POFF] + layer] + slot - 3
    p = g[gh[G_PROV] + j]
    return p, g[gh[G_PAR] + g[gh[G_PAROFF] + j] + block], g[gh[G_NCOL] + p] - 1


def _start_of(rows, g, gh, nodes, layer, block, k):
    return rows[_cell(g, gh, layer, block, k)]


def _last_parent(rows, g, gh, nodes, layer, block, k, step):
    """StepOrder._try_last_parent of bit-0 node (layer, block, k) at attempt ``step``:
    (kind, layer, block, k, start of the parent), kind 0 a node, 1 its bubble of step - 1
    (the node is a victim: it retried every step until it started), 2 none (a source), 3
    unknown here (a layer this walk cannot read), 4 tied parents not resolved yet (resolve
    the node with :func:`_resolve_lp`)."""
    if not g[gh[G_OK] + layer]:
        return 3, 0, 0, 0, 0
    cell = _cell(g, gh, layer, block, k)
    idx = _bhead(gh, nodes, gh[G_BHEAD] + cell)
    if idx:
        # a victim retried every step of its waits: at such a retry its last parent is the
        # bubble of the previous step; at a first attempt, its parents as for any node
        if idx < 0:
            return 3, 0, 0, 0, 0
        while idx:
            x = gh[G_BREC] + (idx - 1) * W_BREC
            if g[x + B_FIRST] <= step - 1 < g[x + B_END]:
                return 1, layer, block, k, step - 1
            idx = g[x + B_PREV]
    memo = _read(gh, nodes, gh[G_LP] + cell)
    if memo > 0:
        pl, pb, pk = _parent(g, gh, nodes, layer, block, k, memo)
        return 0, pl, pb, pk, _start_of(rows, g, gh, nodes, pl, pb, pk)
    best = -1
    tied = False
    slot = 0
    if k > 0:
        best = rows[cell - 1]
        slot = 1
    if block > 0:
        start = rows[cell - g[gh[G_NCOL] + layer]]
        if start > best:
            best, tied, slot = start, False, 2
        elif start == best:
            tied = True
    if k == 0:
        poff, prov, paroff, par = gh[G_POFF], gh[G_PROV], gh[G_PAROFF], gh[G_PAR]
        first = g[poff + layer]
        for j in range(first, g[poff + layer + 1]):
            p = g[prov + j]
            if not g[gh[G_OK] + p]:
                return 3, 0, 0, 0, 0
            start = _start_of(rows, g, gh, nodes, p, g[par + g[paroff + j] + block], g[gh[G_NCOL] + p] - 1)
            if start > best:
                best, tied, slot = start, False, 3 + j - first
            elif start == best:
                tied = True
    if tied:
        return 4, 0, 0, 0, 0
    if slot == 0:
        return 2, 0, 0, 0, 0
    _write(gh, nodes, gh[G_LP] + cell, slot)
    pl, pb, pk = _parent(g, gh, nodes, layer, block, k, slot)
    return 0, pl, pb, pk, best


def _child_rank(g, gh, nodes, pl, pb, pk, layer, block, k):
    """Order among a parent's children (5.12, StepOrder.child_index): the next op (0), the
    next block (1), (its bits), then the consumers' blocks (2), in consumer order (layers
    ascending) and block order within a consumer."""
    if layer == pl and block == pb and k == pk + 1:
        return 0
    if layer == pl and block == pb + 1 and k == pk:
        return 1
    return 2


def _try_before(rows, g, gh, nodes, al, ab, ak, astep, bl, bb, bk, bstep, now):
    """One walk of StepOrder._try_before: (1 or 0, ...) when a precedes b or not, (2, ...)
    when this walk cannot tell (Python decides), (4, layer, block, k) when that node's
    tied parents must be resolved first. A decided walk is walked again to store its answer
    in every pair of nodes on the way that started before step ``now`` (G_PAIR: their
    starts are final)."""
    result, ql, qb, qk, tops = _walk(rows, g, gh, nodes, al, ab, ak, astep, bl, bb, bk, bstep, now, -1, _WALK_LIMIT)
    if (result == 0 or result == 1) and tops > 0:
        _walk(rows, g, gh, nodes, al, ab, ak, astep, bl, bb, bk, bstep, now, result, tops)
    return result, ql, qb, qk


def _walk(rows, g, gh, nodes, al, ab, ak, astep, bl, bb, bk, bstep, now, write, limit):
    """The walk of :func:`_try_before` for at most ``limit`` steps: (result, layer, block,
    k, steps), steps = the pairs visited before the answer was known. ``write`` < 0: an
    answer cached for a pair on the way ends the walk; else ``write`` is stored for every
    such pair (the answer of a walk that visited them)."""
    akind, bkind = 0, 0
    for top in range(limit):
        if akind == 0 and bkind == 0 and astep < now and bstep < now and g[gh[G_OK] + al] and g[gh[G_OK] + bl]:
            ca = _cell(g, gh, al, ab, ak)
            cb = _cell(g, gh, bl, bb, bk)
            if rows[ca] == astep and rows[cb] == bstep:
                if write >= 0:
                    _write(gh, nodes, gh[G_PAIR] + ca, 2 * (cb + 1) + write)
                else:
                    known = _read(gh, nodes, gh[G_PAIR] + ca)
                    if known >= 0 and known >> 1 == cb + 1:
                        return known & 1, 0, 0, 0, top
        if akind == 1 or bkind == 1:
            if akind != 1 or bkind != 1:
                return (1 if bkind == 1 else 0), 0, 0, 0, top + 1  # normal nodes precede the step's bubbles
            # two NoC bubbles of one step: ordered by their pairs (StepOrder._compare_step)
            ok, a1l, a1b, a1k, a1s, a2l, a2b, a2k, a2s = _bubble_pair(g, gh, nodes, al, ab, ak, astep)
            if not ok:
                return 2, 0, 0, 0, top + 1
            ok, b1l, b1b, b1k, b1s, b2l, b2b, b2k, b2s = _bubble_pair(g, gh, nodes, bl, bb, bk, bstep)
            if not ok:
                return 2, 0, 0, 0, top + 1
            if a1l != b1l or a1b != b1b or a1k != b1k or a1s != b1s:
                al, ab, ak, astep, bl, bb, bk, bstep = a1l, a1b, a1k, a1s, b1l, b1b, b1k, b1s
            elif a2l != b2l or a2b != b2b or a2k != b2k or a2s != b2s:
                al, ab, ak, astep, bl, bb, bk, bstep = a2l, a2b, a2k, a2s, b2l, b2b, b2k, b2s
            else:
                return 2, 0, 0, 0, top + 1
            if astep != bstep:
                return (1 if astep < bstep else 0), 0, 0, 0, top + 1
            akind, bkind = 0, 0
            continue
        ka, pal, pab, pak, ra = _last_parent(rows, g, gh, nodes, al, ab, ak, astep)
        if ka == 3:
            return 2, 0, 0, 0, top + 1
        if ka == 4:
            return 4, al, ab, ak, top + 1
        kb, pbl, pbb, pbk, rb = _last_parent(rows, g, gh, nodes, bl, bb, bk, bstep)
        if kb == 3:
            return 2, 0, 0, 0, top + 1
        if kb == 4:
            return 4, bl, bb, bk, top + 1
        if ka == 2 or kb == 2:
            if ka == 2 and kb == 2:  # two sources: creation order
                if al != bl:
                    return (1 if al < bl else 0), 0, 0, 0, top + 1
                if ab != bb:
                    return (1 if ab < bb else 0), 0, 0, 0, top + 1
                return (1 if ak < bk else 0), 0, 0, 0, top + 1
            return (1 if ka == 2 else 0), 0, 0, 0, top + 1
        if ra != rb:
            return (1 if ra < rb else 0), 0, 0, 0, top + 1
        if ka == 0 and kb == 0 and pal == pbl and pab == pbb and pak == pbk:
            rank_a = _child_rank(g, gh, nodes, pal, pab, pak, al, ab, ak)
            rank_b = _child_rank(g, gh, nodes, pal, pab, pak, bl, bb, bk)
            if rank_a != rank_b:
                return (1 if rank_a < rank_b else 0), 0, 0, 0, top + 1
            if rank_a < 2:
                return 2, 0, 0, 0, top + 1  # (cannot happen: two different children)
            if al != bl:
                return (1 if al < bl else 0), 0, 0, 0, top + 1
            return (1 if ab < bb else 0), 0, 0, 0, top + 1
        al, ab, ak, astep, akind = pal, pab, pak, ra, ka
        bl, bb, bk, bstep, bkind = pbl, pbb, pbk, rb, kb
    return 2, 0, 0, 0, limit


def _resolve_lp(rows, g, gh, nodes, layer, block, k, now):
    """StepOrder._resolve: the natural last parent of a node with tied parents, resolving
    what it needs first (explicit stack). False if a comparison needs Python."""
    stack, cap = gh[G_STACK], gh[G_STACKCAP]
    top = 0
    nodes[stack] = layer
    nodes[stack + 1] = block
    nodes[stack + 2] = k
    top = 1
    while top > 0:
        nl, nb, nk = nodes[stack + 3 * (top - 1)], nodes[stack + 3 * (top - 1) + 1], nodes[stack + 3 * (top - 1) + 2]
        cell = _cell(g, gh, nl, nb, nk)
        if _read(gh, nodes, gh[G_LP] + cell) > 0:
            top -= 1
            continue
        # the parents with the latest start, in StepOrder.parents order
        latest = -1
        nslots = 2 + g[gh[G_POFF] + nl + 1] - g[gh[G_POFF] + nl] if nk == 0 else 2
        for slot in range(1, nslots + 1):
            if (slot == 1 and nk == 0) or (slot == 2 and nb == 0):
                continue
            pl, pb, pk = _parent(g, gh, nodes, nl, nb, nk, slot)
            start = _start_of(rows, g, gh, nodes, pl, pb, pk)
            if start > latest:
                latest = start
        winner = 0
        needed = False
        for slot in range(1, nslots + 1):
            if (slot == 1 and nk == 0) or (slot == 2 and nb == 0):
                continue
            pl, pb, pk = _parent(g, gh, nodes, nl, nb, nk, slot)
            if _start_of(rows, g, gh, nodes, pl, pb, pk) != latest:
                continue
            if winner == 0:
                winner = slot
                continue
            wl, wb, wk = _parent(g, gh, nodes, nl, nb, nk, winner)
            later, ql, qb, qk = _try_before(rows, g, gh, nodes, wl, wb, wk, latest, pl, pb, pk, latest, now)
            if later == 2:
                return False
            if later == 4:
                if top >= cap // 3:
                    return False
                nodes[stack + 3 * top] = ql
                nodes[stack + 3 * top + 1] = qb
                nodes[stack + 3 * top + 2] = qk
                top += 1
                needed = True
                break
            if later == 1:  # the winner precedes: the other one is traversed last
                winner = slot
        if needed:
            continue
        _write(gh, nodes, gh[G_LP] + cell, winner)
        top -= 1
    return True


def _before(rows, g, gh, nodes, al, ab, ak, astep, bl, bb, bk, bstep):
    """StepOrder.before for two bit-0 nodes at attempts astep, bstep: 1 if a precedes b in
    ``A``, 0 if not, 2 if this walk cannot tell (Python decides)."""
    now = max(astep, bstep)
    for _ in range(_WALK_LIMIT):
        result, nl, nb, nk = _try_before(rows, g, gh, nodes, al, ab, ak, astep, bl, bb, bk, bstep, now)
        if result != 4:
            return result
        if not _resolve_lp(rows, g, gh, nodes, nl, nb, nk, now):
            return 2
    return 2


def _order_victims(rows, m, h, g, gh, nodes, step):
    """The 5.13 loop among the involved new NoC entries (flags = 1), put in ``A`` order by
    :func:`_before`. Sets the flags to the victims and returns True, or returns False (flags
    unchanged) when a comparison needs Python (:class:`StepOrder`)."""
    sc, batch, free, flags, scratch = h[H_SC], h[H_BATCH], h[H_FREE], h[H_FLAGS], h[H_SCRATCH]
    keytau, pmat, nk = h[H_KEYTAU], h[H_PMAT], h[H_NK]
    nfree = m[sc + _NFREE]
    lo = h[H_LO]
    count = 0
    for a in range(nfree):
        if m[flags + a]:
            b = batch + m[free + a] * W_BATCH
            layer, block, column = m[b + 2] + lo, m[b + 3], m[b + 4]
            pos = count  # insertion sort in A order
            while pos > 0:
                c = batch + m[free + m[scratch + (pos - 1) * W_SCRATCH]] * W_BATCH
                earlier = _before(rows, g, gh, nodes, m[c + 2] + lo, m[c + 3], m[c + 4], step, layer, block, column, step)
                if earlier == 2:
                    return False
                if earlier == 1:
                    break
                m[scratch + pos * W_SCRATCH] = m[scratch + (pos - 1) * W_SCRATCH]
                pos -= 1
            m[scratch + pos * W_SCRATCH] = a
            count += 1
    for a in range(nfree):
        m[flags + a] = 0
    for x in range(count):
        m[scratch + x * W_SCRATCH + 2] = 0
    for x in range(count):
        if m[scratch + x * W_SCRATCH + 2]:
            continue
        ix = m[free + m[scratch + x * W_SCRATCH]]
        kx = m[batch + ix * W_BATCH + 6]
        for y in range(x + 1, count):
            if m[scratch + y * W_SCRATCH + 2]:
                continue
            iy = m[free + m[scratch + y * W_SCRATCH]]
            ky = m[batch + iy * W_BATCH + 6]
            if not m[pmat + kx * nk + ky]:
                continue
            first_yields = m[keytau + kx] > m[keytau + ky]
            victim = x if first_yields else y
            iv = m[free + m[scratch + victim * W_SCRATCH]]
            rec = _record(rows, m, h, g, gh, nodes, REC_SORTED, iv, step, step + 1)
            _record_pair(m, h, rec, ix, iy)
            lo = h[H_LO]
            y_ = _store_bubble(g, gh, nodes, m[rec + 1] + lo, m[rec + 2], m[rec + 3], step, step + 1, 2)
            if y_ >= 0:
                g[y_ + B_E1L] = m[rec + 8] + lo
                g[y_ + B_E1B] = m[rec + 9]
                g[y_ + B_E1K] = m[rec + 10]
                g[y_ + B_E2L] = m[rec + 11] + lo
                g[y_ + B_E2B] = m[rec + 12]
                g[y_ + B_E2K] = m[rec + 13]
            m[flags + m[scratch + victim * W_SCRATCH]] = 1
            m[sc + _NOC] += 1
            if first_yields:
                break
            m[scratch + y * W_SCRATCH + 2] = 1
    return True


def _resolve_step(rows, m, h, g, gh, nodes, step):
    """EventSegment._resolve_step up to the victims of the new NoC entries; NEED_ORDER when
    those need the ``A`` order (then Python decides and :func:`_finish_step` continues)."""
    sc, batch, free, flags, running = h[H_SC], h[H_BATCH], h[H_FREE], h[H_FLAGS], h[H_RUNNING]
    keyadc, adcpartner, keytau, poff, plist, pmat = (h[H_KEYADC], h[H_ADCPARTNER], h[H_KEYTAU], h[H_POFF],
                                                      h[H_PLIST], h[H_PMAT])
    keylayer, ukey, nk, bits = h[H_KEYLAYER], h[H_UKEY], h[H_NK], h[H_BITS]
    nb = m[sc + _NBATCH]
    m[sc + _NWAIT] = 0
    # -- ADC entries (EventSegment._adc_step) -------------------------------------------
    nfree = 0
    for i in range(nb):
        b = batch + i * W_BATCH
        key = m[ukey + _unit_of(m, h, m[b + 2], m[b + 4])]
        m[b + 6] = key
        if not m[keyadc + key]:
            continue
        partner = m[adcpartner + key]
        start = m[running + partner * W_RUNNING]
        if start + bits > step:
            end = start + bits
            x = _record(rows, m, h, g, gh, nodes, REC_ADC, i, step, end)
            _store_bubble(g, gh, nodes, m[x + 1] + h[H_LO], m[x + 2], m[x + 3], step, end, 0)
            m[x + 6] = partner
            m[x + 7] = m[running + partner * W_RUNNING + 1]
            m[x + 8] = start
            m[sc + _ADC] += end - step
            _add_wait(m, h, i, end)
        else:
            m[free + nfree] = i
            m[flags + nfree] = 1
            nfree += 1
    for a in range(nfree):
        i = m[free + a]
        key = m[batch + i * W_BATCH + 6]
        partner = m[adcpartner + key]
        if m[keylayer + key] <= m[keylayer + partner]:
            continue
        for c in range(nfree):
            j = m[free + c]
            if m[flags + c] and m[batch + j * W_BATCH + 6] == partner:
                # both bursts start now: equal bits 0, the later layer yields
                m[flags + a] = 0
                end = step + bits
                x = _record(rows, m, h, g, gh, nodes, REC_ADC, i, step, end)
                _store_bubble(g, gh, nodes, m[x + 1] + h[H_LO], m[x + 2], m[x + 3], step, end, 0)
                m[x + 6] = partner
                m[x + 7] = m[batch + j * W_BATCH + 3]
                m[x + 8] = step
                m[sc + _ADC] += end - step
                _add_wait(m, h, i, end)
                break
    for a in range(nfree):
        if m[flags + a]:
            b = batch + m[free + a] * W_BATCH
            _start(rows, m, h, m[b + 2], m[b + 3], m[b + 4], step)
    # -- NoC entries (NocSegment._split_blocked) -----------------------------------------
    nfree = 0
    for i in range(nb):
        key = m[batch + i * W_BATCH + 6]
        if m[keyadc + key]:
            continue
        blocked = 0
        end = step
        for j in range(m[poff + key], m[poff + key + 1]):
            other = m[plist + j]
            other_end = m[running + other * W_RUNNING] + m[keytau + other]
            if other_end > step:
                blocked += 1
                if other_end > end:
                    end = other_end
        if blocked:
            x = _record(rows, m, h, g, gh, nodes, REC_NOC, i, step, end)
            m[x + 6] = m[sc + _NBL]
            m[x + 7] = blocked
            for j in range(m[poff + key], m[poff + key + 1]):
                other = m[plist + j]
                other_start = m[running + other * W_RUNNING]
                other_end = other_start + m[keytau + other]
                if other_end > step:
                    y = h[H_BL] + m[sc + _NBL] * W_BL
                    m[y] = other_start
                    m[y + 1] = other_end
                    m[y + 2] = other
                    m[y + 3] = m[running + other * W_RUNNING + 1]
                    m[sc + _NBL] += 1
            lo = h[H_LO]
            bsc = gh[G_BSC]
            several = blocked > 1 and g[bsc + 2] + blocked <= g[bsc + 3]
            y = _store_bubble(g, gh, nodes, m[x + 1] + lo, m[x + 2], m[x + 3], step, end,
                              1 if blocked == 1 else (3 if several else 0))
            if y >= 0 and several:
                g[y + B_E1L] = g[bsc + 2]
                g[y + B_E1B] = blocked
                for j in range(blocked):
                    z = h[H_BL] + (m[sc + _NBL] - blocked + j) * W_BL
                    other = m[z + 2]
                    w = gh[G_BLK] + g[bsc + 2] * 5
                    g[w] = m[z]
                    g[w + 1] = m[z + 1]
                    g[w + 2] = m[h[H_KEYLAYER] + other] + lo
                    g[w + 3] = m[z + 3]
                    g[w + 4] = m[h[H_KEYCOL] + other]
                    g[bsc + 2] += 1
            if y >= 0 and blocked == 1:
                z = h[H_BL] + (m[sc + _NBL] - 1) * W_BL
                other = m[z + 2]
                g[y + B_E1L] = m[h[H_KEYLAYER] + other] + lo
                g[y + B_E1B] = m[z + 3]
                g[y + B_E1K] = m[h[H_KEYCOL] + other]
                g[y + B_E1S] = m[z]
            m[sc + _NOC] += end - step
            _add_wait(m, h, i, end)
        else:
            m[free + nfree] = i
            m[flags + nfree] = 0
            nfree += 1
    m[sc + _NFREE] = nfree
    if nfree > 1:
        # NocSegment._free_victims: entries without a conflicting partner among them are left out
        for a in range(nfree):
            ka = m[batch + m[free + a] * W_BATCH + 6]
            for c in range(a + 1, nfree):
                kc = m[batch + m[free + c] * W_BATCH + 6]
                if m[pmat + ka * nk + kc]:
                    m[flags + a] = 1
                    m[flags + c] = 1
        involved = 0
        first = -1
        second = -1
        for a in range(nfree):
            if m[flags + a]:
                involved += 1
                if first < 0:
                    first = a
                elif second < 0:
                    second = a
        if involved:
            decided = False
            if involved == 2:
                ia, ib = m[free + first], m[free + second]
                ta = m[keytau + m[batch + ia * W_BATCH + 6]]
                tb = m[keytau + m[batch + ib * W_BATCH + 6]]
                if ta != tb:
                    # the longer one yields; its bubble's pair is put in Proc order lazily
                    victim = first if ta > tb else second
                    for a in range(nfree):
                        m[flags + a] = 0
                    m[flags + victim] = 1
                    # the pair in Proc order when the walk can tell (else Python, lazily)
                    lo = h[H_LO]
                    ba, bb_ = batch + ia * W_BATCH, batch + ib * W_BATCH
                    order = _before(rows, g, gh, nodes, m[ba + 2] + lo, m[ba + 3], m[ba + 4], step,
                                    m[bb_ + 2] + lo, m[bb_ + 3], m[bb_ + 4], step)
                    if order == 2:
                        x = _record(rows, m, h, g, gh, nodes, REC_PAIR, m[free + victim], step, step + 1)
                        _record_pair(m, h, x, ia, ib)
                        _store_bubble(g, gh, nodes, m[x + 1] + lo, m[x + 2], m[x + 3], step, step + 1, 0)
                    else:
                        if order == 0:
                            ia, ib = ib, ia
                        x = _record(rows, m, h, g, gh, nodes, REC_SORTED, m[free + victim], step, step + 1)
                        _record_pair(m, h, x, ia, ib)
                        y = _store_bubble(g, gh, nodes, m[x + 1] + lo, m[x + 2], m[x + 3], step, step + 1, 2)
                        if y >= 0:
                            for f in range(3):
                                g[y + B_E1L + f] = m[x + 8 + f] + (lo if f == 0 else 0)
                                g[y + B_E2L + f] = m[x + 11 + f] + (lo if f == 0 else 0)
                    m[sc + _NOC] += 1
                    decided = True
            if not decided and not _order_victims(rows, m, h, g, gh, nodes, step):
                m[sc + _STEP] = step
                return NEED_ORDER  # the flags mark the involved entries
    _finish_step(rows, m, h, g, gh, nodes, step)
    return DONE


def _finish_step(rows, m, h, g, gh, nodes, step):
    """Start the free NoC entries that are not victims (flag 1: a victim, retried next
    step), then push every wait in order."""
    sc, batch, free, flags, waits = h[H_SC], h[H_BATCH], h[H_FREE], h[H_FLAGS], h[H_WAITS]
    for a in range(m[sc + _NFREE]):
        i = m[free + a]
        if m[flags + a]:
            _add_wait(m, h, i, step + 1)
        else:
            b = batch + i * W_BATCH
            _start(rows, m, h, m[b + 2], m[b + 3], m[b + 4], step)
    for w in range(m[sc + _NWAIT]):
        i = m[waits + w * W_WAITS]
        b = batch + i * W_BATCH
        _push(m, h, m[waits + w * W_WAITS + 1], m[b + 2], m[b + 3], m[b + 4], 1)
    m[sc + _NWAIT] = 0


def _run(rows, m, h, g, gh, nodes, resume):
    """Main loop; returns DONE, NEED_ORDER (decide victims, then call again with resume=1) or
    FLUSH (the record buffers are nearly full: drain them, call again with resume=0)."""
    sc, hp = h[H_SC], h[H_HEAP]
    if resume:
        _finish_step(rows, m, h, g, gh, nodes, m[sc + _STEP])
    elif not m[sc + _STARTED]:
        m[sc + _STARTED] = 1
        for blk in range(h[H_NL] - 1, -1, -1):
            _work_push(m, h, blk)
        _propagate(rows, m, h)
    cap = h[H_CAP]
    while m[sc + _HSIZE] > 0:
        if m[sc + _NREC] + 2 * cap > h[H_RECCAP] or m[sc + _NBL] + cap * h[H_NK] > h[H_BLCAP]:
            return FLUSH
        step = m[hp]
        nb = 0
        while m[sc + _HSIZE] > 0 and m[hp] == step:
            _pop(m, h, nb)
            nb += 1
        m[sc + _NBATCH] = nb
        status = _resolve_step(rows, m, h, g, gh, nodes, step)
        if status != DONE:
            return status
    return DONE


def _output_bounds_all(rows, tab, loff, values, out, scratch):
    """(lower, upper) of every producer's OB / C (spec 5.14, ``_FastTiming._output_bounds``):
    its ST events (window end d*(c+1)) and its consumers' LD/ST events (window start)
    merged in time order (each column's starts increase), the events of one step in the two
    bounding orders: upper = ST first, then larger window starts first; lower = smaller
    window starts first, ST last (ties keep the column order). tab rows: (row offset, K,
    column, blocks, value offset, is ST)."""
    big = 1 << 62
    for layer in range(loff.shape[0] - 1):
        c0, c1 = loff[layer], loff[layer + 1]
        ncols = c1 - c0
        for j in range(ncols):
            scratch[j, 0] = 0  # head
        hi_u, lo_u, best_u = 0, 0, 0
        hi_l, lo_l, best_l = 0, 0, 0
        while True:
            t = big
            for j in range(ncols):
                row = c0 + j
                head = scratch[j, 0]
                if head < tab[row, 3]:
                    time = rows[tab[row, 0] + head * tab[row, 1] + tab[row, 2]]
                    if time < t:
                        t = time
            if t == big:
                break
            g = 0
            has_hi = False
            hi_value = 0
            for j in range(ncols):
                row = c0 + j
                head = scratch[j, 0]
                if head < tab[row, 3] and rows[tab[row, 0] + head * tab[row, 1] + tab[row, 2]] == t:
                    value = values[tab[row, 4] + head]
                    scratch[j, 0] = head + 1
                    if tab[row, 5]:
                        has_hi = True
                        hi_value = value
                    else:
                        # insertion, ascending value, stable
                        pos = g
                        while pos > 0 and scratch[pos - 1, 1] > value:
                            scratch[pos, 1] = scratch[pos - 1, 1]
                            pos -= 1
                        scratch[pos, 1] = value
                        g += 1
            # upper: ST first, then descending window starts (equal ones: any order, same lo)
            if has_hi and hi_value > hi_u:
                hi_u = hi_value
            if has_hi and hi_u - lo_u > best_u:
                best_u = hi_u - lo_u
            for x in range(g - 1, -1, -1):
                lo_u = scratch[x, 1]
                if hi_u - lo_u > best_u:
                    best_u = hi_u - lo_u
            # lower: ascending window starts, ST last
            for x in range(g):
                lo_l = scratch[x, 1]
                if hi_l - lo_l > best_l:
                    best_l = hi_l - lo_l
            if has_hi:
                if hi_value > hi_l:
                    hi_l = hi_value
                if hi_l - lo_l > best_l:
                    best_l = hi_l - lo_l
        out[layer, 0] = best_l
        out[layer, 1] = best_u


_KERNEL_FUNCS = ("_heap_less", "_heap_swap", "_push", "_pop", "_column0", "_advance", "_work_push", "_propagate",
                 "_unit_of", "_start", "_add_wait", "_record", "_record_pair", "_cell", "_read", "_write", "_bhead", "_store_bubble", "_bubble_pair", "_parent", "_start_of",
                 "_last_parent", "_child_rank", "_try_before", "_walk", "_resolve_lp", "_before", "_order_victims",
                 "_resolve_step", "_finish_step", "_run", "_output_bounds_all")


def _interpreted():
    """The kernel functions bound to a namespace of their own, never compiled."""
    space = dict(globals())
    for name in _KERNEL_FUNCS:
        fn = globals()[name]
        space[name] = types.FunctionType(fn.__code__, space, name, fn.__defaults__, fn.__closure__)
    return space["_run"]


#: the interpreted kernel (the same code as the compiled one, run by CPython)
KERNEL_PY = _interpreted()
_PY = KERNEL_PY.__globals__
_COMPILED: dict = {}


def _compile() -> dict:
    """The compiled kernel (numba, on first use; cached on disk by numba). Should numba not
    import after all, the interpreted kernel stands in (same results)."""
    if not _COMPILED:
        try:
            from numba import njit
        except ImportError:  # pragma: no cover - a broken numba installation
            njit = None
        if njit is None:  # pragma: no cover
            _COMPILED.update(run=KERNEL_PY, bounds=_PY["_output_bounds_all"])
            return _COMPILED
        for name in _KERNEL_FUNCS:
            # nothing is allocated in the kernel: no reference counting; integer divisions
            # only by constants (no division-by-zero checks)
            globals()[name] = njit(cache=True, nogil=True, _nrt=False, error_model="numpy")(globals()[name])
        _COMPILED.update(run=globals()["_run"], bounds=globals()["_output_bounds_all"])
    return _COMPILED


class _CompiledKernel:
    """Calls the compiled kernel, compiling it on first use."""

    def __call__(self, *args):
        return _compile()["run"](*args)

    def bounds(self, *args):
        return _compile()["bounds"](*args)

    @property
    def dispatcher(self):
        return _compile()["run"]


#: the compiled kernel, None without numba (the scheduler then runs the Python classes)
KERNEL = _CompiledKernel() if HAVE_NUMBA else None
