"""Median/min time of the fast DAG schedule and the node-by-node oracle on AlexNet (spec 8).

Usage: .venv/bin/python bench/schedule_bench.py [repeats]
Prints, for design B-hist and design A, first and final pass: cycles, and the median and
minimum wall time of ``schedule`` (fresh problem object each call, i.e. including the
problem-only precomputation, and a reused one) and of ``schedule_reference``.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "test" / "unit"))

from schedule_designs import design_a, design_b_hist  # noqa: E402

from pimsyn.hw.schedule import schedule  # noqa: E402
from pimsyn.hw.schedule_reference import schedule_reference  # noqa: E402


def _times(call, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def _fmt(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1e3:7.3f} ms  min {min(times) * 1e3:7.3f} ms"


def main(repeats: int = 200) -> None:
    for label, build in (("B-hist", design_b_hist), ("A", design_a)):
        problem, first, final = build()
        for tag, tau in (("first", first), ("final", final)):
            result = schedule(problem, tau)
            warm = _times(lambda: schedule(problem, tau), repeats)
            fresh = _times(lambda: schedule(replace(problem), tau), max(20, repeats // 4))
            oracle = _times(lambda: schedule_reference(problem, tau), max(3, repeats // 40))
            print(f"{label:6s} {tag:5s} cycles {result.cycles:5d} bubbles {result.noc_bubbles:3d}")
            print(f"    schedule (problem reused)  {_fmt(warm)}")
            print(f"    schedule (fresh problem)   {_fmt(fresh)}")
            print(f"    schedule_reference         {_fmt(oracle)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
