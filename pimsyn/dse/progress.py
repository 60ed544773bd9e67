"""Progress of a synthesis run: steps done, best design so far, time left (tqdm on stderr)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, enabled: bool, started: float | None = None) -> None:
        self.best = 0.0  # best power efficiency so far, GOPS/W
        self._started = started if started is not None else time.perf_counter()
        self._bar = None
        self._total = total
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="step", file=sys.stderr, dynamic_ncols=True,
                             bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}")

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        if self._bar is not None:
            self._bar.total = value
            self._bar.refresh()

    def advance(self, label: str) -> None:
        if self._bar is None:
            return
        self._bar.set_description(label, refresh=False)
        self._bar.set_postfix_str(f"best {self.best:.1f} GOPS/W", refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
