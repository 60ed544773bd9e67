"""Progress of a synthesis run (tqdm on stderr), counted in evaluations over the whole run:
screening, halving rounds and refinement all move the same bar, so its time-left estimate
covers the whole run. The total is the plan (budgets); a phase that spends less (an arm
whose neighbourhood is exhausted, skipped combinations) is settled when it ends."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, enabled: bool, started: float | None = None) -> None:
        self.best = 0.0  # best power efficiency so far, GOPS/W
        self._started = started if started is not None else time.perf_counter()
        self._bar = None
        self._total = total
        self.done = 0
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="eval", file=sys.stderr, dynamic_ncols=True,
                             bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}")

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = max(value, self.done)
        if self._bar is not None:
            self._bar.total = self._total
            self._bar.refresh()

    def advance(self, label: str, units: int = 1) -> None:
        self.done += units
        if self.done > self._total:
            self.total = self.done
        if self._bar is None:
            return
        self._bar.set_description(label, refresh=False)
        self._bar.set_postfix_str(f"best {self.best:.1f} GOPS/W", refresh=False)
        self._bar.update(units)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
