"""Figure 4 of report.html: the pipeline Gantt chart of one inference.

The times come from the built-in simulator (`pimsyn.sim`, docs/simulator.md) run on the
design's scheduled `pim.dataflow` and `pim.chip`: one row per layer in dataflow order, a
light bar from the layer's first op start to its last op end, and dark segments where at
least one of its ops (any block, any bit) is running. Segments closer than a pixel are
merged, so a big design stays one readable row per layer and renders fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.backend.figures_common import layer_style, new_figure, set_margins, tick_step

#: busy segments per layer at most (gaps shorter than span / this are merged)
_RESOLUTION = 1500


@dataclass(frozen=True)
class LayerTimeline:
    name: str
    first: int  # first op start (cycle)
    last: int  # last op end (cycle)
    busy: tuple[tuple[int, int], ...]  # merged (start, length) segments, in cycles


@dataclass(frozen=True)
class Timeline:
    layers: tuple[LayerTimeline, ...]
    cycles: int  # the simulated inference's cycles (1 + last start)
    finish: int  # the last event's end
    model_cycles: int  # the cost model's cycles (pim.dataflow cycles)
    clock_ns: float


def merged(begin: np.ndarray, end: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Union of [begin, end) intervals as (start, length) segments; gaps <= `gap` closed."""
    if len(begin) == 0:
        return []
    order = np.argsort(begin, kind="stable")
    b, e = begin[order], np.maximum.accumulate(end[order])
    breaks = np.nonzero(b[1:] > e[:-1] + gap)[0]
    starts = np.concatenate(([b[0]], b[breaks + 1]))
    ends = np.concatenate((e[breaks], [e[-1]]))
    return [(int(s), int(t - s)) for s, t in zip(starts, ends)]


def timeline(design) -> Timeline:
    """Per-layer busy segments of one simulated inference of the design."""
    from pimsyn.sim.intervals import op_intervals
    from pimsyn.sim.simulate import simulate_with_starts

    result, (flow, program), start = simulate_with_starts(design.module)
    finish = int(result.finish_cycles)
    gap = max(0, finish // _RESOLUTION)
    layers = []
    for lay, fl in enumerate(flow.layers):
        spans = [op_intervals(program, start, lay, k) for k in range(program.op_ptr[lay], program.op_ptr[lay + 1])]
        begin = np.concatenate([b for b, _ in spans]) if spans else np.zeros(0, dtype=np.int64)
        end = np.concatenate([e for _, e in spans]) if spans else np.zeros(0, dtype=np.int64)
        if len(begin) == 0:
            continue
        layers.append(LayerTimeline(fl.name, int(begin.min()), int(end.max()), tuple(merged(begin, end, gap))))
    return Timeline(tuple(layers), int(result.cycles), finish, int(flow.model_cycles), float(flow.clock_ns))


def gantt_figure(design, evaluation, data: Timeline | None = None):
    """The Gantt chart (a matplotlib Figure); `data` from `timeline` (simulated here if None)."""
    from pimsyn.sim.errors import SimError

    try:
        data = data or timeline(design)
    except SimError as err:  # e.g. an unrolled pim.dataflow: the rest of the page still helps
        fig = new_figure(12.0, 2.0)
        fig.text(0.5, 0.5, f"no pipeline chart: {err}", ha="center", va="center", wrap=True)
        return fig
    style = layer_style(evaluation)
    n = len(data.layers)
    fig = new_figure(12.0, min(14.0, max(3.6, 0.3 * n + 1.3)))
    ax = fig.add_subplot()
    set_margins(fig, left=1.2, right=0.2, top=0.4, bottom=0.7)
    end = max(data.finish, data.model_cycles, 1)
    unit, per_ns = ("µs", 1e-3) if end * data.clock_ns < 1e7 else ("ms", 1e-6)  # an axis of at most 10000
    us = data.clock_ns * per_ns  # axis units per cycle
    pixel = end / 450  # every segment at least about two pixels wide
    for row, layer in enumerate(data.layers):
        colour = style.colours.get(layer.name, "#555555")
        ax.broken_barh([(layer.first * us, max(layer.last - layer.first, pixel) * us)], (row - 0.4, 0.8),
                       facecolors=colour, alpha=0.22, linewidth=0)
        ax.broken_barh([(s * us, max(length, pixel) * us) for s, length in layer.busy], (row - 0.32, 0.64),
                       facecolors=colour, linewidth=0)
    ax.axvline(data.model_cycles * us, color="black", linestyle="--", linewidth=1.0, zorder=0.5,
               label=f"cost model's latency ({data.model_cycles:,} cycles)")
    ax.set_ylim(n - 0.5, -0.5)
    step = tick_step(n, 48)
    ax.set_yticks(range(0, n, step), [style.labels.get(layer.name, layer.name) for layer in data.layers][::step])
    ax.set_xlim(0, end * us * 1.01)
    ax.set_xlabel(f"time since the inference started ({unit}; 1 clock cycle = {data.clock_ns:.4g} ns)")
    ax.set_ylabel("layer (dataflow order)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    from matplotlib.patches import Patch

    handles = [Patch(facecolor="#555555", label="an op of the layer is running"),
               Patch(facecolor="#555555", alpha=0.22, label="first op start to last op end")]
    handles.append(ax.get_lines()[0])
    # a pipeline is a staircase from the top left: its lower left corner is empty
    ax.legend(handles=handles, loc="lower left", frameon=True, framealpha=0.9)
    ax.set_title(f"pipeline of one inference, simulated: {data.cycles:,} cycles "
                 f"= {data.cycles * us:,.1f} {unit}")
    return fig
