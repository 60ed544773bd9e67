"""Fitness memo keyed by design point, with an evaluation budget.

Every search of the DSE asks for fitness values through a :class:`PointCache`: an identical
point is evaluated once (the EA's children often repeat a gene; the local search revisits
its neighbours), and a task stops when its budget of *real* evaluations is spent. Values a
previous task already computed can be handed in (``known``) and cost nothing. The cache
is deterministic: a hit returns exactly the value the first call returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable


class BudgetExhausted(Exception):
    """The task has spent its evaluation budget (raised before evaluating a new point)."""


class PointCache:
    """``cache(key, *args)`` returns ``fitness(*args)``, memoised by ``key``.

    ``budget``: real evaluations allowed (None: unbounded); a new point beyond it raises
    :class:`BudgetExhausted`. NaN counts as the worst value (-inf). ``evaluations`` counts
    the real calls, ``lookups`` every request (hits included).
    """

    def __init__(self, fitness: Callable[..., float], budget: int | None = None,
                 known: Iterable[tuple[Hashable, float]] | None = None) -> None:
        if budget is not None and budget < 0:
            raise ValueError(f"evaluation budget must be >= 0, got {budget}")
        self._fitness = fitness
        self._memo: dict[Hashable, float] = dict(known or ())
        self.budget = budget
        self.evaluations = 0
        self.lookups = 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._memo

    def __len__(self) -> int:
        return len(self._memo)

    @property
    def exhausted(self) -> bool:
        return self.budget is not None and self.evaluations >= self.budget

    def __call__(self, key: Hashable, *args) -> float:
        self.lookups += 1
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if self.exhausted:
            raise BudgetExhausted()
        value = float(self._fitness(*args))
        if math.isnan(value):
            value = -math.inf
        self.evaluations += 1
        self._memo[key] = value
        return value

    def items(self, limit: int | None = None) -> list[tuple[Hashable, float]]:
        """The memo in insertion order (the last ``limit`` entries), to hand to a later task."""
        entries = list(self._memo.items())
        return entries if limit is None else entries[-limit:] if limit > 0 else []
