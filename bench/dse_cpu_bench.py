"""Process CPU time of one whole synthesis in one process (no worker processes), for
comparing two checkouts of the cost model on the same search.

    python bench/dse_cpu_bench.py [--root CHECKOUT] [--old-budget] [--seed N] NETWORK EFFORT POWER

``--root`` imports pimsyn (and bench/dse_bench.py) from another checkout, e.g. a
``git worktree`` of an older commit. ``--old-budget`` runs this checkout's search with the
budget of before 2026-12-02 (evaluation counts scaled by the cost proxy itself, one arm
per start), so both sides evaluate the same design points. CPU time rather than wall time,
so the figure holds on a loaded machine. Recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network")
    parser.add_argument("effort", type=float)
    parser.add_argument("power", type=float)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--old-budget", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    root = str(Path(args.root).resolve())
    sys.path[:0] = [root, root + "/bench"]
    import pimsyn

    if not pimsyn.__file__.startswith(root):
        sys.exit(f"error: pimsyn imported from {pimsyn.__file__}, not from {root}")
    if args.old_budget:
        from pimsyn.dse import budget

        current = budget.SearchBudget.from_effort.__func__

        def old(cls, effort, scale=1.0):  # undo the square root, one arm per start
            return dataclasses.replace(current(cls, effort, scale ** 2 if scale < 1 else scale), arms_per_start=1)

        budget.SearchBudget.from_effort = classmethod(old)
    from dse_bench import run

    cpu = time.process_time()
    result, wall = run(args.network, args.power, args.effort, 1, True, seed=args.seed)
    cpu = time.process_time() - cpu
    print(f"{root} {args.network} effort {args.effort:g} seed {args.seed}: {result.evaluation.power_efficiency_gops_per_w:.1f} GOPS/W, "
          f"{result.evaluations} evaluations, CPU {cpu:.1f} s, wall {wall:.1f} s, "
          f"CPU per evaluation {cpu / result.evaluations * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
