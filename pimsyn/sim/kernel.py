"""The event-driven core of the simulator (docs/simulator.md, "How it runs").

An event starts when its last parent has started (every edge carries a delay >= 1, so
events become ready strictly after the event that releases them). Events that hold no
shared resource start at their ready cycle at once (a stack, no ordering needed). Events
that hold a shared resource (:mod:`pimsyn.sim.resources`) go through a priority queue
ordered by (ready cycle, priority): popped in that order, one starts if all its resources
are free and holds them for its latency; otherwise it is ready again the cycle its last
busy resource frees. Because every edge delays by at least one cycle, every event that can
be ready in a cycle is queued before the first event of that cycle is popped, so the
priority settles ties exactly.

The functions are compiled with numba when it is installed (`make` installs it, extra
`fast`); without it (or with NUMBA_DISABLE_JIT=1) the same Python code runs interpreted,
with identical results.
"""

from __future__ import annotations

import numpy as np

try:  # numba is optional (extra `fast`): the same code runs interpreted without it
    from numba import config as _config
    from numba import njit as _njit

    def jit(func):
        return _njit(cache=True, nogil=True)(func)

    COMPILED = not _config.DISABLE_JIT
except ImportError:  # pragma: no cover - exercised by the interpreted-kernel test
    def jit(func):
        return func

    COMPILED = False

_SHIFT = 32  # heap key = (ready cycle << 32) | priority
_TAU_CAP = 1023
_AGE_SHIFT = 24  # the inference's age above the per-kind priority (< 2^24 for < 16k layers)
_AGE_CAP = 127


def _priority(kind, bit, bits, tau, layer, layers, inference):
    """Tie-break among events ready in the same cycle (lower first): the older inference
    first; then ADC conversions by higher bit, then earlier layer; NoC transfers by
    shorter latency, then earlier layer; scratchpad ports by earlier layer (spec 5.13's
    victim rules, seen from the winner)."""
    age = min(inference, _AGE_CAP) << _AGE_SHIFT
    if kind == 1:
        return age + 1 + (bits - 1 - bit) * layers + layer
    if kind == 2:
        return age + 1 + min(tau, _TAU_CAP) * layers + layer
    return age + 1 + layer


def _heap_push(hkey, hval, n, key, val):
    i = n
    hkey[i] = key
    hval[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if hkey[parent] < key or (hkey[parent] == key and hval[parent] < val):
            break
        hkey[i] = hkey[parent]
        hval[i] = hval[parent]
        i = parent
    hkey[i] = key
    hval[i] = val
    return n + 1


def _heap_pop(hkey, hval, n):
    """Remove the root; returns the new size (the root is read by the caller first)."""
    n -= 1
    key = hkey[n]
    val = hval[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and (hkey[child + 1] < hkey[child]
                              or (hkey[child + 1] == hkey[child] and hval[child + 1] < hval[child])):
            child += 1
        if hkey[child] > key or (hkey[child] == key and hval[child] > val):
            break
        hkey[i] = hkey[child]
        hval[i] = hval[child]
        i = child
    if n > 0:
        hkey[i] = key
        hval[i] = val
    return n


def _run(base, per_block, blocks, batch, op_ptr, offset, reps, tau, sigma, delta, group, prio_kind,
         slot_ptr, slot_op, cons_ptr, blk_ptr, cons_layer, cons_block, group_ptr, group_res,
         resources, indeg, resource_nodes, bits):
    layers = base.shape[0]
    nodes = indeg.shape[0]
    start = np.zeros(nodes, np.int64)  # ready cycle while waiting, then the start cycle
    busy = np.zeros(resources, np.int64)  # cycle each resource is free again
    stall = np.zeros(layers * 4, np.int64)  # cycles waited per (layer, resource kind)
    stack = np.empty(nodes - resource_nodes + 1, np.int64)
    hkey = np.empty(resource_nodes + 1, np.int64)
    hval = np.empty(resource_nodes + 1, np.int64)
    sp = 0
    hn = 0
    done = 0
    # roots: op 0, block 0 of the layers without providers
    for lay in range(layers):
        x = base[lay]
        if indeg[x] == 0:
            k = op_ptr[lay]
            if group[k] < 0:
                stack[sp] = x
                sp += 1
            else:
                hn = _heap_push(hkey, hval, hn, _priority(prio_kind[k], 0, bits, tau[k], lay, layers, 0), x)
    while True:
        if sp > 0:
            sp -= 1
            x = stack[sp]
        elif hn > 0:
            x = hval[0]
            hn = _heap_pop(hkey, hval, hn)
            lay = np.searchsorted(base, x, side="right") - 1
            rel = x - base[lay]
            pos = rel % per_block[lay]
            k = slot_op[slot_ptr[lay] + pos]
            g = group[k]
            t = start[x]
            free = t
            for j in range(group_ptr[g], group_ptr[g + 1]):
                if busy[group_res[j]] > free:
                    free = busy[group_res[j]]
            if free > t:  # wait for the busy resource, then compete again
                stall[lay * 4 + prio_kind[k]] += free - t
                start[x] = free
                bit = pos - offset[k]
                age = rel // (per_block[lay] * blocks[lay])
                hn = _heap_push(hkey, hval, hn,
                                (free << _SHIFT) | _priority(prio_kind[k], bit, bits, tau[k], lay, layers, age), x)
                continue
            for j in range(group_ptr[g], group_ptr[g + 1]):
                busy[group_res[j]] = t + tau[k]
        else:
            break
        # x starts at start[x]: release its successors
        done += 1
        t = start[x]
        lay = np.searchsorted(base, x, side="right") - 1
        pb = per_block[lay]
        rel = x - base[lay]
        c = rel // pb
        pos = rel - c * pb
        k = slot_op[slot_ptr[lay] + pos]
        bit = pos - offset[k]
        last = op_ptr[lay + 1] - 1
        # (successor id, ready cycle, its op, its bit, its layer), at most 3 + consumers
        if bit + 1 < reps[k]:
            sp, hn = _release(x + 1, t + tau[k], k, bit + 1, lay, start, indeg, group, prio_kind, tau,
                              bits, layers, stack, sp, hkey, hval, hn, base, per_block,
                              blocks)
        if bit == 0:
            if k < last:
                sp, hn = _release(x + reps[k], t + sigma[k], k + 1, 0, lay, start, indeg, group, prio_kind,
                                  tau, bits, layers, stack, sp, hkey, hval, hn, base, per_block,
                              blocks)
            if c + 1 < blocks[lay] * batch:
                sp, hn = _release(x + pb, t + delta[k], k, 0, lay, start, indeg, group, prio_kind, tau,
                                  bits, layers, stack, sp, hkey, hval, hn, base, per_block,
                              blocks)
            if k == last:
                inference = c // blocks[lay]
                cp = c - inference * blocks[lay]
                row = cons_ptr[lay] + cp
                for e in range(blk_ptr[row], blk_ptr[row + 1]):
                    l2 = cons_layer[e]
                    c2 = cons_block[e] + inference * blocks[l2]
                    sp, hn = _release(base[l2] + c2 * per_block[l2], t + tau[k], op_ptr[l2], 0, l2, start,
                                      indeg, group, prio_kind, tau, bits, layers, stack, sp, hkey, hval, hn, base, per_block,
                              blocks)
    return start, done, stall


def _release(y, ready, k, bit, lay, start, indeg, group, prio_kind, tau, bits, layers, stack, sp, hkey, hval, hn,
             base, per_block, blocks):
    if ready > start[y]:
        start[y] = ready
    indeg[y] -= 1
    if indeg[y] == 0:
        if group[k] < 0:
            stack[sp] = y
            sp += 1
        else:
            age = (y - base[lay]) // (per_block[lay] * blocks[lay])
            hn = _heap_push(hkey, hval, hn,
                            (start[y] << _SHIFT) | _priority(prio_kind[k], bit, bits, tau[k], lay, layers, age), y)
    return sp, hn


_priority = jit(_priority)
_heap_push = jit(_heap_push)
_heap_pop = jit(_heap_pop)
_release = jit(_release)
run_events = jit(_run)


def prepare(args: tuple) -> None:
    """Compile the kernel for these argument types (or load it from numba's on-disk cache)
    before a timed run; nothing to do when it runs interpreted."""
    if COMPILED and not run_events.signatures:
        from numba import typeof

        run_events.compile(tuple(typeof(a) for a in args))
