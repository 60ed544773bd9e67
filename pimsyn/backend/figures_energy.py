"""Figure 2 of report.html: average power per component (pie) and energy per inference per
component (bars split into static and dynamic energy).

The components are the peripheral units of `pim.metrics` (`component_<UNIT>_static_nj` /
`_dynamic_nj`: DAC, ADC, shift-add, adders, pooling, ...) and the other energy terms of
spec 5.16 (crossbars, scratchpad memory, network on chip, and any later term), so the bars
add up to the energy per inference. Average power = energy per inference / latency.
"""

from __future__ import annotations

from dataclasses import dataclass

from pimsyn.backend.figures_common import new_figure, place_axes

#: readable component names (anything else is shown as recorded)
_NAMES = {
    "crossbar": "crossbars", "memory": "scratchpad", "noc": "NoC", "SHIFTADD": "shift-add",
    "ADDITION": "adders", "POOL": "pooling", "ELTWISE": "eltwise", "RELU": "ReLU", "DAC": "DAC", "ADC": "ADC",
}
#: pie slices below this share of the power are merged into one "other" slice
_MIN_SLICE = 0.02
_STATIC, _DYNAMIC, _UNSPLIT = "#4c72b0", "#dd8452", "#8c8c8c"


@dataclass(frozen=True)
class ComponentEnergy:
    name: str
    static_nj: float
    dynamic_nj: float
    unsplit_nj: float  # a term the metrics do not split (the NoC)

    @property
    def total_nj(self) -> float:
        return self.static_nj + self.dynamic_nj + self.unsplit_nj


def component_energies(evaluation) -> list[ComponentEnergy]:
    """Energy per inference of every component, largest first (ties by name)."""
    parts: dict[str, list[float]] = {}
    for unit, (static, dynamic) in evaluation.component_energy_nj.items():
        parts[unit] = [float(static), float(dynamic), 0.0]
    for term, value in evaluation.energy_nj.items():
        if term in ("total", "component_static", "component_dynamic"):
            continue
        for suffix, slot in (("_static", 0), ("_dynamic", 1)):
            if term.endswith(suffix):
                parts.setdefault(term[: -len(suffix)], [0.0, 0.0, 0.0])[slot] += float(value)
                break
        else:
            parts.setdefault(term, [0.0, 0.0, 0.0])[2] += float(value)
    rows = [ComponentEnergy(_NAMES.get(key, key), *values) for key, values in parts.items()]
    return sorted(rows, key=lambda r: (-r.total_nj, r.name))


def energy_figure(design, evaluation):
    """The power pie and the energy bars (a matplotlib Figure)."""
    rows = component_energies(evaluation)
    latency_ns = float(evaluation.latency_ns)
    total = sum(r.total_nj for r in rows)
    height = max(5.2, 0.42 * len(rows) + 1.6)
    fig = new_figure(12.0, height)
    legend_h = 1.7  # under the pie
    pie_side = min(3.4, height - legend_h - 0.75)
    pie_ax = place_axes(fig, 0.3 + (4.0 - pie_side) / 2, legend_h + 0.1, pie_side, pie_side)
    bar_ax = place_axes(fig, 5.6, 0.65, 12.0 - 5.6 - 0.25, height - 0.65 - 0.5)
    # pie: average power per component, small slices merged
    big = [r for r in rows if total and r.total_nj / total >= _MIN_SLICE]
    small = [r for r in rows if r not in big]
    values = [r.total_nj / latency_ns for r in big]  # nJ / ns = W
    names = [r.name for r in big]
    if small:
        values.append(sum(r.total_nj for r in small) / latency_ns)
        names.append("other: " + ", ".join(r.name for r in small))
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    colours = [cmap(i % 10) for i in range(len(values))]
    wedges, _ = pie_ax.pie(values, colors=colours, startangle=90, counterclock=False,
                           wedgeprops={"edgecolor": "white", "linewidth": 1.0})
    watts = sum(values)
    labels = [f"{name}: {v:.3g} W ({100 * v / watts:.1f} %)" for name, v in zip(names, values)]
    fig.legend(wedges, [_wrap(label, 48) for label in labels], loc="upper center",
               bbox_to_anchor=(2.3 / 12.0, legend_h / height), frameon=False, ncols=1)
    pie_ax.set_title(f"average power per component\n(total {watts:.3g} W of a "
                     f"{design.total_power_w:g} W budget)")
    pie_ax.set_aspect("equal")
    # bars: energy per inference (uJ), static + dynamic (+ unsplit)
    names = [r.name for r in rows][::-1]
    static = [r.static_nj / 1e3 for r in rows][::-1]
    dynamic = [r.dynamic_nj / 1e3 for r in rows][::-1]
    unsplit = [r.unsplit_nj / 1e3 for r in rows][::-1]
    y = list(range(len(rows)))
    bar_ax.barh(y, static, color=_STATIC, label="static (leakage x latency)")
    bar_ax.barh(y, dynamic, left=static, color=_DYNAMIC, label="dynamic (per operation)")
    if any(unsplit):
        bar_ax.barh(y, unsplit, left=[s + d for s, d in zip(static, dynamic)], color=_UNSPLIT,
                    label="not split by the model")
    totals = [s + d + u for s, d, u in zip(static, dynamic, unsplit)]
    right = max(totals, default=1.0) or 1.0
    for yi, value in zip(y, totals):
        bar_ax.text(value + 0.01 * right, yi, _amount(value), va="center", fontsize=9)
    bar_ax.set_yticks(y, names)
    bar_ax.set_xlim(0, right * 1.18)
    bar_ax.set_xlabel("energy per inference (µJ)")
    bar_ax.set_title(f"energy per inference per component (total {total / 1e3:.4g} µJ)")
    bar_ax.legend(loc="lower right", frameon=False)
    bar_ax.grid(axis="x", alpha=0.3)
    bar_ax.set_axisbelow(True)
    return fig


def _wrap(text: str, width: int) -> str:
    """Break a legend entry at commas so that no line is longer than `width` characters."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _amount(value: float) -> str:
    """A bar's value: whole numbers from 100 up, one decimal from 1, three digits below."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.3g}"
