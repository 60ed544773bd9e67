"""Figure 3 of report.html: per-layer bars, one panel each for the weight duplication, the
macros, the ADCs and the share of the pipeline period the layer is busy.

The numbers are report.md's layer table (`pimsyn.backend.report`): duplication and blocks
from the layer ops, macros and ADCs of conv/FC layers (pool and eltwise layers hold no
crossbars and show no bar there), period share = busy cycles / pipeline cycles.
"""

from __future__ import annotations

from pimsyn.backend.figures_common import WEIGHT_KINDS, layer_style, new_figure, set_margins, tick_step
from pimsyn.backend.report import period_share


def layer_rows(design, evaluation) -> list[tuple[str, float, float, float, float]]:
    """(layer, duplication, macros, ADCs, period share in %) per layer, in network order;
    macros and ADCs are 0 for the layers without crossbars."""
    rows = []
    for layer in evaluation.layers:
        weight = layer.kind in WEIGHT_KINDS
        rows.append((layer.name, float(layer.dup), float(layer.macros if weight else 0),
                     float(layer.alloc.get("ADC", 0) if weight else 0),
                     100.0 * period_share(design, evaluation, layer)))
    return rows


def layers_figure(design, evaluation):
    """The four per-layer panels (a matplotlib Figure)."""
    from matplotlib.ticker import MaxNLocator

    rows = layer_rows(design, evaluation)
    style = layer_style(evaluation)
    n = len(rows)
    width = min(16.0, max(9.0, 0.32 * n + 3.0))
    rotate = n > 14
    fig = new_figure(width, 9.6)
    axes = fig.subplots(4, 1, sharex=True)
    set_margins(fig, left=1.25, right=0.2, top=0.4, bottom=1.3 if rotate else 0.75, hspace=0.14)
    x = list(range(n))
    colours = [style.colours[name] for name, *_ in rows]
    panels = (
        (1, "duplication", "weight duplication\n(copies)", True),
        (2, "macros", "macros", False),
        (3, "ADCs", "ADCs\n(whole layer)", False),
        (4, "period share", "busy share of the\npipeline period (%)", False),
    )
    annotate = n <= 40
    for ax, (col, title, ylabel, log) in zip(axes, panels):
        values = [row[col] for row in rows]
        ax.bar(x, values, color=colours, edgecolor="black", linewidth=0.4)
        if log and max(values, default=0) > 20:
            from matplotlib.ticker import FuncFormatter

            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        top = max(values, default=0.0)
        if col == 4:
            ax.set_ylim(0, max(100.0, top * 1.15))
            ax.axhline(100.0, color="black", linewidth=0.8, linestyle=":")
        elif not log or ax.get_yscale() != "log":
            ax.set_ylim(0, (top or 1.0) * 1.22)
        else:
            ax.set_ylim(0.8, top * 3.0)
        if annotate:
            for xi, value in zip(x, values):
                if value > 0:
                    ax.text(xi, value, f"{value:.0f}", ha="center", va="bottom", fontsize=7.5 if n > 24 else 8.5)
        if ax.get_yscale() != "log" and col != 4:  # counts: whole-number ticks
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    step = tick_step(n, 60)
    axes[-1].set_xticks(x[::step], [style.labels[name] for name, *_ in rows][::step],
                        rotation=90 if rotate else 0)
    axes[-1].set_xlabel("layer (network order; colours as in the floorplan, grey: no crossbars)")
    axes[0].set_title(f"per-layer resources of {design.name} (conv/FC bars coloured by layer)")
    return fig
