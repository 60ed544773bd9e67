"""Figure 1 of report.html: the macro mesh floorplan, coloured by layer.

One square per mesh position (row 0 at the top, as `pim.macro ... at [row, col]`). A macro
takes the colour of the layer with the most crossbars on it (`pim.map` crossbar counts);
a macro two sharing layers use (two names in its `layers`) is split along its diagonal
into both colours (top-left: the layer with more crossbars there) and outlined thick.
Positions without a macro are left blank with a dashed edge. On meshes up to 12 x 12 each
macro carries its layer's short label (both on a shared one).
"""

from __future__ import annotations

from pimsyn.backend.errors import BackendError
from pimsyn.backend.figures_common import layer_style, new_figure, place_axes

#: mesh sides up to which each macro is labelled with its id
_LABEL_SIDE = 12
#: white margin around each macro square (mesh positions are 1 x 1)
_GAP = 0.025


def macro_owners(design) -> tuple[int, int, dict[int, tuple[tuple[int, int], str, str | None]]]:
    """(rows, cols, {macro id: ((row, col), layer with most crossbars, other layer or None)})
    from the design's `pim.chip`."""
    from pimsyn.ir.physical import chip_of

    chip = chip_of(design.module)
    if chip is None:
        raise BackendError("the design is not placed (no pim.chip); run 'place'")
    crossbars: dict[int, dict[str, int]] = {}
    for op in chip.map_ops():
        for macro, count in zip(op.macro_ids, op.crossbar_counts or ()):
            crossbars.setdefault(macro, {})[op.layer_name] = crossbars.get(macro, {}).get(op.layer_name, 0) + count
    owners = {}
    for macro in chip.macro_ops():
        names = list(macro.layer_names)
        held = crossbars.get(macro.macro_id, {})
        # the layer holding most crossbars first; ties keep the order of `layers`
        names.sort(key=lambda name: -held.get(name, 0))
        owner = names[0] if names else ""
        other = names[1] if len(names) > 1 else None
        owners[macro.macro_id] = (macro.position, owner, other)
    return chip.rows, chip.cols, owners


def floorplan_figure(design, evaluation):
    """The floorplan figure (a matplotlib Figure)."""
    from matplotlib.collections import PatchCollection, PolyCollection
    from matplotlib.patches import Patch, Rectangle

    rows, cols, owners = macro_owners(design)
    style = layer_style(evaluation)
    side = max(rows, cols, 1)
    cell = min(0.7, 7.0 / side)  # inches per mesh position
    used = []
    for _, owner, other in owners.values():
        for name in (owner, other):
            if name and name not in used:
                used.append(name)
    order = [layer.name for layer in evaluation.layers if layer.name in used]
    mesh_h = rows * cell
    fit = max(4, int((max(mesh_h, 3.0) - 0.3) / 0.25))  # legend entries per column
    columns = -(-len(order) // fit) or 1
    left, bottom, top, legend_w = 0.75, 0.95, 0.45, 0.35 + 1.15 * columns
    width = left + max(cols * cell, 3.0) + legend_w
    height = bottom + max(mesh_h, 3.0) + top
    fig = new_figure(width, height)
    ax = place_axes(fig, left, bottom, cols * cell, mesh_h)
    plain, split_a, split_b, a_colours, b_colours, plain_colours, outlines = [], [], [], [], [], [], []
    occupied = set()
    for macro, ((row, col), owner, other) in sorted(owners.items()):
        occupied.add((row, col))
        lo, hi = _GAP, 1 - _GAP  # a white gap between neighbours
        if other is None:
            plain.append([(col + lo, row + lo), (col + hi, row + lo), (col + hi, row + hi), (col + lo, row + hi)])
            plain_colours.append(style.colours.get(owner, "#cccccc"))
        else:  # split along the diagonal: owner top-left, partner bottom-right; thick outline
            split_a.append([(col + lo, row + lo), (col + hi, row + lo), (col + lo, row + hi)])
            split_b.append([(col + hi, row + lo), (col + hi, row + hi), (col + lo, row + hi)])
            a_colours.append(style.colours.get(owner, "#cccccc"))
            b_colours.append(style.colours.get(other, "#444444"))
            outlines.append(Rectangle((col + 0.07, row + 0.07), 0.86, 0.86))
    ax.add_collection(PolyCollection(plain, facecolors=plain_colours, linewidths=0))
    ax.add_collection(PolyCollection(split_a, facecolors=a_colours, edgecolors=a_colours, linewidths=0.3))
    ax.add_collection(PolyCollection(split_b, facecolors=b_colours, edgecolors=b_colours, linewidths=0.3))
    ax.add_collection(PatchCollection(outlines, facecolors="none", edgecolors="black", linewidths=2.4))
    empty = [Rectangle((col + 0.06, row + 0.06), 0.88, 0.88) for row in range(rows) for col in range(cols)
             if (row, col) not in occupied]
    ax.add_collection(PatchCollection(empty, facecolors="none", edgecolors="#aaaaaa", linestyles="--",
                                      linewidths=0.8))
    labelled = side <= _LABEL_SIDE
    if labelled:  # the layer's label on each macro (both labels on a shared one)
        font = 8.5 if cell >= 0.6 else 7.5
        for macro, ((row, col), owner, other) in sorted(owners.items()):
            first = style.colours.get(owner, "#cccccc")
            if other is None:
                ax.text(col + 0.5, row + 0.5, style.labels.get(owner, ""), ha="center", va="center",
                        fontsize=font, color=_ink(first))
                continue
            ax.text(col + 0.34, row + 0.3, style.labels.get(owner, ""), ha="center", va="center",
                    fontsize=font - 1, color=_ink(first))
            ax.text(col + 0.66, row + 0.72, style.labels.get(other, ""), ha="center", va="center",
                    fontsize=font - 1, color=_ink(style.colours.get(other, "#444444")))
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)  # row 0 at the top
    step = max(1, -(-side // 14))
    ax.set_xticks([c + 0.5 for c in range(0, cols, step)], [str(c) for c in range(0, cols, step)])
    ax.set_yticks([r + 0.5 for r in range(0, rows, step)], [str(r) for r in range(0, rows, step)])
    ax.set_xlabel("mesh column")
    ax.set_ylabel("mesh row")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=style.colours[name], edgecolor="white", label=style.labels[name]) for name in order]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=((left + cols * cell + 0.2) / width, 1 - top / height),
               frameon=False, ncols=columns, title="layer", handlelength=1.4, columnspacing=1.0)
    marks = []
    if outlines:
        marks.append(Patch(facecolor="white", edgecolor="black", linewidth=2.0,
                           label="shared by two layers (split into both colours)"))
    if empty:
        marks.append(Patch(facecolor="white", edgecolor="#aaaaaa", linestyle="--", label="no macro"))
    if marks:
        fig.legend(handles=marks, loc="lower left", bbox_to_anchor=(0.1 / width, 0.05 / height), frameon=False,
                   ncols=len(marks))
    ax.set_title(f"{len(owners)} macros on a {rows} x {cols} mesh"
                 + (" (each labelled with its layer)" if labelled else ""))
    return fig


def _ink(fill: str) -> str:
    """Black text on a light fill, white on a dark one."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
