"""The order of the nodes that start in one step, as the reference's list ``A`` holds them.

Two outcomes of spec 5.13/5.14 depend on this order, not only on start times: the NoC
victim on a full tie (the later Proc entry yields; Proc is ordered by start step, then by
``A`` order), and the scratchpad bookkeeping (output windows are updated node by node in
``A`` order). The fast scheduler therefore needs to compare two nodes with the same start
step without replaying the step loop.

How ``A`` is ordered (derived from 5.13 steps 2, 3 and 9). A node y becomes ready when its
*last parent* (lp) is traversed, at step r(y) = est(lp) + 1; the last parent is the parent
with the largest start, and among parents with equal start the one later in ``A``. Nodes
ready with est = r go straight to ``A_r``; the others wait in ``Semi`` (in readiness order)
and are moved to the front of ``A_est`` (Semi is scanned before the traversal). Hence

    key(y) = (est(y), r(y), key(lp(y)), ci(y))

where ci(y) is y's position in lp's child list (inter-op, inter-block, inter-bit, then
inter-layer children in consumer creation order). Sources (in-degree 0) come first in
creation order. Bubble nodes are appended after every other node of their step (ADC
victims' bubbles first, then NoC victims', each in discovery order), and a victim released
by its bubble has the bubble as its last parent, child index 0.

Comparisons walk the lp chains upwards until the r values differ or the chains meet; lp is
computed lazily and memoised. To avoid deep recursion, an lp that needs a comparison of
tied parents is resolved with an explicit stack.
"""

from __future__ import annotations

from functools import cmp_to_key

Node = tuple  # (layer, block, op position, bit)
#: returned by ``timing.unique_last_parent`` when several parents share the latest start
TIED = object()


class Bubble:
    """A bubble created at ``step`` for a conflict victim.

    ``kind`` 0 = ADC victim, 1 = NoC victim (ADC bubbles are appended first). ``pair`` is
    the pair of Proc entries (node, start step) that was being examined when the victim
    was found: bubbles of one kind and step are ordered by that pair's Proc positions (the
    i, j loop order of the conflict resolution). With ``order`` given, the two entries may
    come in any order and are put in Proc order on first use (most bubbles are never
    compared, so the fast scheduler does not pay for ordering their pairs).
    """

    __slots__ = ("step", "kind", "_pair", "_order")

    def __init__(self, step: int, kind: int, pair: tuple, order: "StepOrder | None" = None) -> None:
        self.step = step
        self.kind = kind
        self._pair = pair
        self._order = order

    @property
    def pair(self) -> tuple:
        if self._order is not None:
            first, second = self._pair
            self.set_order(self._order.proc_before(first, second))
        return self._pair

    def set_order(self, in_order: bool) -> None:
        """Fix the lazy pair: ``in_order`` tells whether the stored first entry is first."""
        if not in_order:
            self._pair = (self._pair[1], self._pair[0])
        self._order = None

    @property
    def pair_known(self) -> bool:
        return self._order is None


class StepOrder:
    """Lazy comparison of DAG nodes by their position in the reference's ``A`` lists.

    ``timing`` supplies ``start(node)`` (the node's final est), ``parents(node)``,
    ``unique_last_parent(node)`` (the parent with the latest start, None for a source,
    TIED if several), ``child_index(parent, node)`` and ``creation_key(node)``; see _FastTiming in
    pimsyn.hw.schedule. A conflict victim starts (tries) more than once: an *attempt* is a
    (node, step) pair, and the attempt at step s of a node bubbled at step s-1 has that
    bubble as its last parent.
    """

    def __init__(self, timing) -> None:
        self.timing = timing
        self.natural: dict = {}  # node -> lp from its DAG parents (None for a source)
        self.bubbles: dict = {}  # node -> {step: Bubble}
        #: node -> [(first step, end step, make)]: bubbles of a whole wait, made on first use
        #: by ``make(step)`` (most are never compared)
        self.bubble_ranges: dict = {}
        #: (a, a_step, b, b_step) -> True/False, or the pair it reduces to (see _try_before)
        self.cache: dict = {}
        #: sources of bubbles registered per node on first lookup (``take(node)`` registers
        #: that node's bubbles; the compiled segments hand theirs over this way, most are
        #: never looked up): those not indexed yet, and node -> the indexed sources that
        #: hold bubbles of it (in the order they were added)
        self._lazy: list = []
        self._holders: dict = {}

    def add_lazy(self, source) -> None:
        """``source.take(node)`` registers node's bubbles (through ``register_bubble`` /
        ``register_bubble_range``) when the node is first looked up; ``source.victims()``
        names the nodes it holds bubbles of. Sources added earlier register first."""
        self._lazy.append(source)

    def _pull(self, node: Node) -> None:
        # the sources are indexed by victim once, at the first lookup after they came: a
        # long run hands over thousands of batches, and asking every one of them for every
        # node looked up was quadratic (a VGG without duplication: seconds per evaluation)
        if self._lazy:
            holders = self._holders
            for source in self._lazy:
                for victim in source.victims():
                    found = holders.get(victim)
                    if found is None:
                        holders[victim] = [source]
                    else:
                        found.append(source)
            self._lazy.clear()
        sources = self._holders.pop(node, None)
        if sources is not None:
            for source in sources:
                source.take(node)

    # -- public ---------------------------------------------------------------------------
    def set_bubble(self, node: Node, bubble: Bubble) -> None:
        if self._lazy or self._holders:  # what the lazy sources hold for the node came first
            self._pull(node)
        self.register_bubble(node, bubble)

    def set_bubble_range(self, node: Node, first: int, end: int, make) -> None:
        """The node is bubbled at every step first..end-1; ``make(step)`` builds the Bubble."""
        if self._lazy or self._holders:
            self._pull(node)
        self.register_bubble_range(node, first, end, make)

    def register_bubble(self, node: Node, bubble: Bubble) -> None:
        """set_bubble for lazy sources (no pull)."""
        self.bubbles.setdefault(node, {})[bubble.step] = bubble

    def register_bubble_range(self, node: Node, first: int, end: int, make) -> None:
        """set_bubble_range for lazy sources (no pull)."""
        if end > first:
            self.bubble_ranges.setdefault(node, []).append((first, end, make))

    def before(self, a, b, a_step: int | None = None, b_step: int | None = None) -> bool:
        """True if attempt a precedes attempt b in ``A`` of their (common) start step.

        Steps default to the nodes' final starts.
        """
        if a_step is None:
            a_step = self.timing.start(a)
        if b_step is None:
            b_step = self.timing.start(b)
        while True:
            result, needed = self._try_before(a, a_step, b, b_step)
            if needed is None:
                return result
            self._resolve(needed)

    def proc_before(self, a: tuple, b: tuple) -> bool:
        """Proc order of two entries (node, start step): older first, then ``A`` order."""
        if a[1] != b[1]:
            return a[1] < b[1]
        return self.before(a[0], b[0], a[1], b[1])

    def sort_nodes(self, nodes: list) -> list:
        return sorted(nodes, key=cmp_to_key(self._cmp))

    def sort_entries(self, entries: list) -> list:
        return sorted(entries, key=cmp_to_key(self._cmp_entries))

    # -- internals ------------------------------------------------------------------------
    def _cmp(self, a, b) -> int:
        if a == b:
            return 0
        return -1 if self.before(a, b) else 1

    def _cmp_entries(self, a, b) -> int:
        if a == b:
            return 0
        return -1 if self.proc_before(a, b) else 1

    def _try_before(self, a, a_step, b, b_step):
        """(result, None), or (None, node whose natural last parent must be resolved first).

        Walks both lp chains upwards (an iterative form of the recursive key), also
        through bubbles, whose order is that of the conflict pairs that created them.
        Every pair of attempts on the walk has the same answer, so all are memoised (a
        pipeline asks the same chains again one block later); a walk interrupted by an
        unresolved lp leaves forwarding entries to where it stopped.
        """
        cache = self.cache
        visited = []
        key = (a, a_step, b, b_step)
        while True:
            hit = cache.get(key)
            if hit is not None:
                if hit is True or hit is False:
                    result = hit
                    break
                visited.append(key)
                key = hit
                continue
            outcome, value = self._compare_step(*key)
            if outcome == 0:  # decided
                result = value
                visited.append(key)
                break
            if outcome == 1:  # an lp must be resolved first
                for earlier in visited:
                    cache[earlier] = key
                return None, value
            visited.append(key)
            key = value
        for seen in visited:
            cache[seen] = result
        return result, None

    def _compare_step(self, a, a_step, b, b_step):
        """One level of the comparison: (0, result), (1, node or lazy bubble to resolve) or
        (2, next pair)."""
        timing = self.timing
        a_bubble, b_bubble = isinstance(a, Bubble), isinstance(b, Bubble)
        if a_bubble or b_bubble:
            if not (a_bubble and b_bubble):
                return 0, b_bubble  # normal nodes precede the step's bubbles
            if a.kind != b.kind:
                return 0, a.kind < b.kind
            # a lazy pair is put in Proc order through the explicit stack of _resolve
            # (never by nested calls, whose depth would grow with the bubble chains)
            if not a.pair_known:
                return 1, a
            if not b.pair_known:
                return 1, b
            for ea, eb in zip(a.pair, b.pair):
                if ea != eb:
                    break
            else:
                raise AssertionError("two bubbles from the same conflict pair")
            if ea[1] != eb[1]:
                return 0, ea[1] < eb[1]
            return 2, (ea[0], ea[1], eb[0], eb[1])
        pa, need = self._try_last_parent(a, a_step)
        if need is not None:
            return 1, need
        pb, need = self._try_last_parent(b, b_step)
        if need is not None:
            return 1, need
        if pa is None or pb is None:
            if pa is None and pb is None:  # two sources: creation order
                return 0, timing.creation_key(a) < timing.creation_key(b)
            return 0, pa is None
        ra, rb = timing.start(pa), timing.start(pb)
        if ra != rb:
            return 0, ra < rb
        if pa is pb or (not isinstance(pa, Bubble) and pa == pb):
            return 0, timing.child_index(pa, a) < timing.child_index(pb, b)
        return 2, (pa, ra, pb, rb)

    def _try_last_parent(self, node, step):
        """(lp, None) if known or unambiguous, else (None, node) when tied parents must be
        compared first (the caller resolves it with :meth:`_resolve`)."""
        if self._lazy or self._holders:
            self._pull(node)
        retries = self.bubbles.get(node)
        if retries is not None and step - 1 in retries:
            return retries[step - 1], None
        ranges = self.bubble_ranges.get(node)
        if ranges is not None:
            for first, end, make in ranges:
                if first < step <= end:
                    bubble = make(step - 1)
                    self.set_bubble(node, bubble)
                    return bubble, None
        memo = self.natural
        if node in memo:
            return memo[node], None
        parent = self.timing.unique_last_parent(node)
        if parent is TIED:
            return None, node
        memo[node] = parent
        return parent, None

    def _resolve(self, node) -> None:
        """Natural lp of a node with tied parents (or the Proc order of a lazy bubble pair),
        resolving what it needs first."""
        stack = [node]
        memo = self.natural
        timing = self.timing
        while stack:
            top = stack[-1]
            if isinstance(top, Bubble):
                if not top.pair_known:
                    (first, first_step), (second, second_step) = top._pair
                    if first_step != second_step:
                        top.set_order(first_step < second_step)
                    else:
                        in_order, needed = self._try_before(first, first_step, second, second_step)
                        if needed is not None:
                            stack.append(needed)
                            continue
                        top.set_order(in_order)
                stack.pop()
                continue
            if top in memo:
                stack.pop()
                continue
            parents = timing.parents(top)
            starts = [timing.start(p) for p in parents]
            latest = max(starts)
            tied = [p for p, s in zip(parents, starts) if s == latest]
            winner, needed = tied[0], None
            for other in tied[1:]:
                later, needed = self._try_before(winner, latest, other, latest)
                if needed is not None:
                    break
                if later:  # winner precedes other: other is traversed last
                    winner = other
            if needed is not None:
                stack.append(needed)
                continue
            memo[top] = winner
            stack.pop()


def noc_wait_bubble(node: Node, blockers: list, order: StepOrder):
    """``make(attempt)`` for a NoC victim waiting behind ``blockers`` [(start, end, running
    node)]: each attempt's bubble comes from the pair of the victim and the blocker it met
    first in Proc order (the earliest start among those still running; ties in ``A``
    order)."""
    if len(blockers) == 1:
        first_entry = (blockers[0][2], blockers[0][0])

        def make(attempt: int) -> Bubble:
            return Bubble(attempt, 1, (first_entry, (node, attempt)))
        return make
    blockers = sorted(blockers, key=lambda b: (b[0], b[1]))

    def make_many(attempt: int) -> Bubble:
        live = [b for b in blockers if b[1] > attempt]
        tied = [b for b in live if b[0] == live[0][0]]
        if len(tied) > 1:
            first = order.sort_entries([(b[2], b[0]) for b in tied])[0]
        else:
            first = (live[0][2], live[0][0])
        return Bubble(attempt, 1, (first, (node, attempt)))
    return make_many


def adc_wait_bubble(node: Node, runner_layer: int, block: int, runner_k: int, start: int, order: StepOrder):
    """``make(attempt)`` for an ADC victim waiting behind a burst of (runner_layer, block,
    runner_k) that started at ``start``: the pair of the victim and the bit running then."""

    def make(attempt: int) -> Bubble:
        running_bit = (runner_layer, block, runner_k, attempt - start)
        return Bubble(attempt, 0, ((node, attempt), (running_bit, attempt)), order)
    return make
