"""The text summary `pimsyn sim` prints (docs/simulator.md, "What it reports")."""

from __future__ import annotations

from pimsyn.sim.result import SimResult


def _table(header, rows) -> list[str]:
    cells = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
           for r in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def summary_text(r: SimResult, max_rows: int = 60) -> str:
    speed = f"{r.events_per_s / 1e6:.1f} M events/s" if r.wall_s > 0 else "instant"
    kernel = "compiled" if r.compiled else "interpreted: install numba (`make`) for ~100x"
    lines = [
        f"{r.name}: {r.batch} inference{'s' if r.batch > 1 else ''}, {r.events:,} events in {r.wall_s:.2f} s "
        f"({speed}, {kernel})",
        "",
        f"cycles              {r.inference_cycles[0]:,} for one inference (cost model {r.model_cycles:,}, "
        f"{100 * r.deviation:+.3f} %)",
    ]
    if r.batch > 1:
        lines.append(f"batch               {r.cycles:,} cycles for {r.batch} inferences; steady-state period "
                     f"{r.period_cycles:,.1f} cycles ({r.period_cycles / r.model_cycles:.3f}x the cost model's)")
    period_note = "measured" if r.batch > 1 else "one inference at a time; --batch N measures the pipelined period"
    lines += [
        f"latency             {r.latency_ns / 1e3:,.3f} us (clock {r.clock_ns:.4g} ns)",
        f"throughput          {r.throughput_inferences_per_s:,.1f} inferences/s ({period_note})",
        f"energy/inference    {r.energy_per_inference_nj / 1e3:,.3f} uJ, average power {r.average_power_w:.3f} W",
        f"power efficiency    {r.power_efficiency_gops_per_w:,.2f} GOPS/W",
    ]
    stalls = {}
    for s in r.layers:
        for kind, cycles in s.stall_cycles.items():
            stalls[kind] = stalls.get(kind, 0) + cycles
    lines.append("contention stalls   " + ", ".join(f"{k} {v:,} cycles" for k, v in stalls.items())
                 + " (summed over events)")
    lines += ["", "energy per inference (nJ)"]
    total = r.energy_total_nj or 1.0
    lines += _table(("term", "nJ", "share"), [(k, f"{v / r.batch:,.1f}", f"{100 * v / total:.1f} %")
                                             for k, v in r.energy_nj.items()])
    lines += ["", "layers (cycles over the whole run)"]
    rows = [(s.name, f"{s.first_start:,}", f"{s.last_end:,}", f"{s.busy_cycles:,}",
             f"{100 * s.busy_cycles / r.cycles:.1f} %", f"{sum(s.stall_cycles.values()):,}") for s in r.layers]
    lines += _table(("layer", "first start", "last end", "busy", "busy share", "stalls"), rows[:max_rows])
    if len(rows) > max_rows:
        lines.append(f"... {len(rows) - max_rows} more layers (--json for all)")
    lines += ["", "macros"]
    mrows = [(m.macro, f"{100 * m.busy_cycles / r.cycles:.1f} %", f"{100 * m.crossbar_cycles / r.cycles:.1f} %")
             for m in r.macros]
    lines += _table(("macro", "busy", "crossbars busy"), mrows[:max_rows])
    if len(mrows) > max_rows:
        lines.append(f"... {len(mrows) - max_rows} more macros (--json for all)")
    return "\n".join(lines) + "\n"
