"""What every figure of report.html shares: matplotlib (imported lazily, Agg, no pyplot),
deterministic PNG bytes, short layer labels and one colour per layer.

The figures are drawn on `matplotlib.figure.Figure` objects with an Agg canvas (no pyplot:
no global state, no window, safe in worker processes). `png_bytes` writes them without the
"Software" text chunk and with a fixed DPI, so one design gives the same PNG bytes on one
installation of matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

#: resolution of every PNG (pixels per inch); figure sizes are in inches
DPI = 100
#: base font size (points); titles and axis labels scale from it
FONT_PT = 10
WEIGHT_KINDS = ("conv", "fc")
#: short label prefix per layer kind
_PREFIX = {"conv": "conv", "fc": "fc", "pool": "pool", "eltwise": "add"}
#: colour of the layers without crossbars (pool, eltwise) in the Gantt
NEUTRAL = "#9e9e9e"
# A qualitative palette of 36 colours told apart by hue and lightness (matplotlib's tab20
# and tab20b hues without their greys, which mean "no crossbars" here); cycled beyond.
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
            "#bcbd22", "#393b79", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
            "#f7b6d2", "#9edae5", "#dbdb8d", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
            "#e6550d", "#31a354", "#756bb1", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#9c9ede",
            "#cedb9c", "#e7cb94", "#e7969c", "#de9ed6")


def matplotlib_missing() -> str | None:
    """Why figures cannot be drawn here (None: they can)."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        return "matplotlib is not installed (pip install 'pimsyn[plot]')"
    return None


def new_figure(width_in: float, height_in: float, **kwargs):
    """A matplotlib Figure on an Agg canvas (width and height in inches)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def place_axes(fig, left: float, bottom: float, width: float, height: float):
    """An axes at a fixed place on the figure, in inches from its lower left corner (the
    figures are laid out by hand: a layout engine costs more than the drawing itself)."""
    w, h = fig.get_size_inches()
    return fig.add_axes((left / w, bottom / h, width / w, height / h))


def set_margins(fig, *, left: float, right: float, top: float, bottom: float, hspace: float | None = None,
                wspace: float | None = None) -> None:
    """The subplots' margins in inches (and the gaps between them as fractions)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h,
                        hspace=hspace, wspace=wspace)


def style_rc() -> dict:
    """The rc parameters every figure is drawn with (readable sizes, no external fonts)."""
    return {
        "font.size": FONT_PT, "axes.titlesize": FONT_PT + 2, "axes.labelsize": FONT_PT + 1,
        "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT - 1,
        "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False,
    }


def png_bytes(fig) -> bytes:
    """The figure as PNG bytes, without timestamps or the software version."""
    import io

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


@dataclass(frozen=True)
class LayerStyle:
    """Short label and colour of each layer (by its full name), in network order."""

    labels: dict[str, str]
    colours: dict[str, str]
    kinds: dict[str, str]


def layer_style(evaluation) -> LayerStyle:
    """conv1, conv2, ..., pool1, ..., fc1, ..., add1 (eltwise) in network order; a palette
    colour per conv/FC layer, grey for the layers without crossbars."""
    labels: dict[str, str] = {}
    colours: dict[str, str] = {}
    kinds: dict[str, str] = {}
    seen: dict[str, int] = {}
    weight_index = 0
    for layer in evaluation.layers:
        prefix = _PREFIX.get(layer.kind, layer.kind)
        seen[prefix] = seen.get(prefix, 0) + 1
        labels[layer.name] = f"{prefix}{seen[prefix]}"
        kinds[layer.name] = layer.kind
        if layer.kind in WEIGHT_KINDS:
            colours[layer.name] = _PALETTE[weight_index % len(_PALETTE)]
            weight_index += 1
        else:
            colours[layer.name] = NEUTRAL
    return LayerStyle(labels=labels, colours=colours, kinds=kinds)


def tick_step(count: int, fit: int) -> int:
    """Label every `tick_step`-th of `count` items so that at most `fit` labels are shown."""
    return max(1, -(-count // max(1, fit)))
