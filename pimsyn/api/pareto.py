"""The Pareto front of a sweep, and its plot (docs/api.md, "Sweeps").

A run is on the front when no other run has at least its throughput and at least its power
efficiency with one of them strictly higher (both maximised). The plot has two panels:
power efficiency against throughput, and throughput against chip area (docs/cost-model.md,
"Area"), every run a point coloured by network, the fronts drawn as steps through the
ringed runs (the best efficiency reachable at each throughput, the best throughput within
each area).
"""

from __future__ import annotations


def pareto_flags(points: list[tuple[float, float] | None]) -> list[bool]:
    """For each (x, y) to maximise (None: not a candidate), whether it is non-dominated."""
    flags = []
    for i, p in enumerate(points):
        if p is None:
            flags.append(False)
            continue
        dominated = any(q is not None and j != i and q[0] >= p[0] and q[1] >= p[1] and (q[0] > p[0] or q[1] > p[1])
                        for j, q in enumerate(points))
        flags.append(not dominated)
    return flags


def mark_pareto(rows: list[dict]) -> list[dict]:
    """Set each row's "pareto" column (throughput against power efficiency, runs that succeeded)."""
    points = [(r["throughput_inferences_per_s"], r["power_efficiency_gops_per_w"]) if r["status"] == "ok" else None
              for r in rows]
    for row, flag in zip(rows, pareto_flags(points)):
        row["pareto"] = flag
    return rows


def pareto_png(rows: list[dict]) -> bytes:
    """The two-panel plot as PNG bytes (matplotlib, imported here)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in rows if r["status"] == "ok"]
    networks = sorted({r["network"] for r in ok})
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(networks)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), dpi=100)
    for name in networks:
        mine = [r for r in ok if r["network"] == name]
        left.scatter([r["throughput_inferences_per_s"] for r in mine], [r["power_efficiency_gops_per_w"] for r in mine],
                     color=colours[name], label=name, s=28)
        right.scatter([r["area_mm2"] for r in mine], [r["throughput_inferences_per_s"] for r in mine],
                      color=colours[name], label=name, s=28)
    front = sorted((r for r in ok if r["pareto"]), key=lambda r: r["throughput_inferences_per_s"])
    if front:
        left.step([r["throughput_inferences_per_s"] for r in front], [r["power_efficiency_gops_per_w"] for r in front],
                  where="pre", color="black", linewidth=1, label="Pareto front")
        left.scatter([r["throughput_inferences_per_s"] for r in front], [r["power_efficiency_gops_per_w"] for r in front],
                     facecolors="none", edgecolors="black", s=90, linewidths=1)
    area_front = _area_front(ok)
    if area_front:
        right.step([r["area_mm2"] for r in area_front], [r["throughput_inferences_per_s"] for r in area_front],
                   where="post", color="black", linewidth=1, label="Pareto front")
        right.scatter([r["area_mm2"] for r in area_front], [r["throughput_inferences_per_s"] for r in area_front],
                      facecolors="none", edgecolors="black", s=90, linewidths=1)
    left.set(xlabel="throughput (inferences/s)", ylabel="power efficiency (GOPS/W)",
             title="efficiency against throughput")
    right.set(xlabel="chip area (mm²)", ylabel="throughput (inferences/s)", title="throughput against area")
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
        if ok:
            axis.legend(fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _area_front(ok: list[dict]) -> list[dict]:
    """Runs not dominated in (smaller area, higher throughput), by area."""
    points = [(-r["area_mm2"], r["throughput_inferences_per_s"]) for r in ok]
    return sorted((r for r, flag in zip(ok, pareto_flags(points)) if flag), key=lambda r: r["area_mm2"])
