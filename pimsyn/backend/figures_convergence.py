"""Figure 5 of report.html: the design-space exploration's convergence, the best power
efficiency found so far against the evaluations done and against the wall time.

The points are the ones `pimsyn synth` records in design.mlir's search summary
(`pim.search`, key `convergence`: `seconds`, `evaluations`, `best_gops_per_w`, one point
per finished search task, thinned to at most `MAX_POINTS`; `pimsyn.backend.report`).
"""

from __future__ import annotations

from pimsyn.backend.figures_common import new_figure, set_margins

#: points of the curve design.mlir keeps at most
MAX_POINTS = 240


def thin_curve(points, total_evaluations: int, limit: int = MAX_POINTS) -> dict:
    """The compact convergence record of a search from its per-task points.

    `points`: (seconds, evaluations finished before the task, best GOPS/W after it), one per
    finished task in completion order (`SynthesisResult.progress_curve`). A point's own
    evaluations are the next point's "before" count (the last point's: the run's total),
    so each stored point is (seconds, evaluations done, best so far). Every improvement is
    kept while there are at most `limit` of them; the rest of the budget is spread evenly
    over the run; the first and last points are always kept. Empty points give {}.
    """
    pts = [tuple(p) for p in points]
    if not pts:
        return {}
    if len(pts[0]) == 2:  # (seconds, best) only: no evaluation counts recorded
        return {}
    done = [int(p[1]) for p in pts[1:]] + [int(total_evaluations)]
    rows = [(float(p[0]), d, float(p[2])) for p, d in zip(pts, done)]
    n = len(rows)
    keep = {0, n - 1}
    improved = [i for i in range(1, n - 1) if rows[i][2] > rows[i - 1][2]]
    room = limit - 2
    if len(improved) > room:
        improved = [improved[j * len(improved) // room] for j in range(room)]
    keep.update(improved)
    spare = limit - len(keep)
    if spare > 0:
        keep.update(j * (n - 1) // spare for j in range(spare))
    chosen = sorted(keep)
    return {
        "seconds": [round(rows[i][0], 3) for i in chosen],
        "evaluations": [rows[i][1] for i in chosen],
        "best_gops_per_w": [round(rows[i][2], 4) for i in chosen],
    }


def convergence_of(search: dict | None) -> dict | None:
    """The recorded curve of a search summary (None when it records none)."""
    curve = (search or {}).get("convergence") or {}
    if not curve.get("evaluations"):
        return None
    return curve


def convergence_figure(design, evaluation):
    """Best GOPS/W so far against evaluations and against seconds (a matplotlib Figure)."""
    search = evaluation.search or {}
    curve = convergence_of(search)
    fig = new_figure(12.0, 4.4)
    by_evals, by_time = fig.subplots(1, 2, sharey=True)
    set_margins(fig, left=1.1, right=0.25, top=0.4, bottom=0.7, wspace=0.06)
    if curve is None:
        for ax in (by_evals, by_time):
            ax.text(0.5, 0.5, "this design.mlir records no convergence curve", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
        return fig
    seconds, evals, best = curve["seconds"], curve["evaluations"], curve["best_gops_per_w"]
    first = next((i for i, b in enumerate(best) if b > 0), len(best))
    final = float(evaluation.power_efficiency_gops_per_w)
    for ax, xs, label in ((by_evals, evals, "evaluations of candidate designs"),
                          (by_time, seconds, "wall time of the search (s)")):
        ax.step([0, *xs], [float("nan"), *[b if b > 0 else float("nan") for b in best]], where="post",
                color="#1f77b4", linewidth=2.0, label="best so far")
        ax.plot(xs[first:], best[first:], "o", markersize=3, color="#1f77b4", alpha=0.5,
                label="a finished search task")
        ax.axhline(final, color="#d62728", linestyle="--", linewidth=1.0,
                   label=f"synthesized design: {final:.1f} GOPS/W")
        ax.set_xlabel(label)
        ax.set_xlim(0, max(xs) * 1.02 if xs and max(xs) > 0 else 1.0)
        ax.grid(alpha=0.3)
        ax.set_axisbelow(True)
    positive = [b for b in best if b > 0] + [final]
    low, high = min(positive), max(positive)
    by_evals.set_ylim(max(0.0, low - 0.08 * (high - low + 1e-9)), high + 0.08 * (high - low + 1e-9))
    by_evals.set_ylabel("best effective power\nefficiency so far (GOPS/W)")
    by_evals.legend(loc="lower right", frameon=True, framealpha=0.9)
    by_evals.set_title(f"against evaluations ({search.get('evaluations', evals[-1]):,} in all)")
    by_time.set_title(f"against time ({search.get('wall_seconds', seconds[-1]):.1f} s, "
                      f"{search.get('jobs', 1)} worker(s))")
    return fig
