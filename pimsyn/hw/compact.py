"""Compact chips: splitting a network into parts that fit on the chip, and the dynamic
duplication of each part (docs/compact.md, "Parts" and "Dynamic duplication").

A compact chip holds `macros` macros of `macro_crossbars` crossbars each, and a macro holds
the weights of one layer (or of one slice of a layer) only, the compact-chip paper's
"one tile is the minimum computational unit" (our macro is its tile). When the network's
weights do not fit, it runs part by part: the chip holds one part's weights, runs them as
an inter-layer pipeline over a batch of inputs, then reloads the next part's weights from
DRAM.

* :func:`split_into_parts` follows the paper's criterion: consecutive layers, as many per
  part as fit (the fewest reloads); a weight layer that alone needs more macros than the
  chip has is split along its output channels (crossbar column tiles), and along its input
  channels (row tiles) when one column of tiles is still too large. A slice is a
  rectangle of the layer's a x b tile grid; slices of one layer run in consecutive parts.
* :func:`dynamic_duplication` is the paper's Algorithm 1 (DDM): each layer's time per input
  is predicted as proportional to its output size over its duplication (its roofline
  observation); while the idle macros suffice, the bottleneck layer gets one more copy of
  its weights, up to one copy per output pixel; a layer whose next copy does not fit is
  skipped from then on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.errors import PimsynError
from pimsyn.hw.layers import CostNetwork


class CompactError(PimsynError, ValueError):
    """A chip that cannot run the network at all, or a bad chip size (one line, exit 2)."""


@dataclass(frozen=True)
class Slice:
    """A rectangle of one layer's crossbar tile grid (all of it for an unsplit layer)."""

    layer: int  # cost-layer index
    rows: tuple[int, int]  # row tiles [lo, hi) of a (input channels)
    cols: tuple[int, int]  # column tiles [lo, hi) of b (output channels)
    crossbars: int  # R x rows x cols, one copy of the weights
    whole: bool = True  # the whole layer (not split)


@dataclass(frozen=True)
class Part:
    """Layers (or slices) whose weights are resident together; pool/eltwise layers between
    them run in the part of their first provider."""

    slices: tuple[Slice, ...]
    layers: tuple[int, ...]  # every cost layer that runs in this part, network order

    def macros(self, macro_crossbars: int, dup: dict[int, int] | None = None) -> int:
        dup = dup or {}
        return sum(-(-s.crossbars * dup.get(s.layer, 1) // macro_crossbars) for s in self.slices)


def layer_slices(cnet: CostNetwork, layer: int, max_crossbars: int) -> list[Slice]:
    """The layer whole if it fits in `max_crossbars`, else column-tile slices, else
    row x column slices, each within `max_crossbars` (an error if one tile set cannot)."""
    a, b = int(cnet.row_tiles[layer]), int(cnet.col_tiles[layer])
    R = int(cnet.weight_slices)
    if a * b * R <= max_crossbars:
        return [Slice(layer, (0, a), (0, b), a * b * R)]
    if R > max_crossbars:
        raise CompactError(f"layer '{cnet.names[layer]}': one weight tile spans {R} crossbars "
                           f"(weight / cell resolution) but a chip part holds {max_crossbars}")
    cols_per = (max_crossbars // (a * R))
    if cols_per >= 1:
        return [Slice(layer, (0, a), (c, min(b, c + cols_per)), a * (min(b, c + cols_per) - c) * R, False)
                for c in range(0, b, cols_per)]
    rows_per = max_crossbars // R
    return [Slice(layer, (r, min(a, r + rows_per)), (c, c + 1), (min(a, r + rows_per) - r) * R, False)
            for c in range(b) for r in range(0, a, rows_per)]


def split_into_parts(cnet: CostNetwork, macros: int, macro_crossbars: int) -> list[Part]:
    """Consecutive layers per part, as many as fit (module docstring)."""
    if macros < 1 or macro_crossbars < 1:
        raise CompactError(f"a chip needs at least one macro of one crossbar, got {macros} x {macro_crossbars}")
    capacity = macros * macro_crossbars
    parts: list[Part] = []
    current: list[Slice] = []
    layers: list[int] = []
    used = 0

    def close() -> None:
        nonlocal current, layers, used
        if current or layers:
            parts.append(Part(tuple(current), tuple(layers)))
        current, layers, used = [], [], 0

    for idx in range(cnet.num_layers):
        if not cnet.is_weight[idx]:
            layers.append(idx)  # pool/eltwise: runs where its provider's output is
            continue
        for piece in layer_slices(cnet, idx, capacity):
            need = -(-piece.crossbars // macro_crossbars)
            if used + need > macros:
                close()
            current.append(piece)
            if idx not in layers:
                layers.append(idx)
            used += need
    close()
    return parts


def dynamic_duplication(cnet: CostNetwork, part: Part, macros: int, macro_crossbars: int) -> dict[int, int]:
    """The paper's Algorithm 1 on one part: duplication per conv layer of the part (whole
    layers only; a sliced layer or an FC keeps one copy)."""
    dup = {s.layer: 1 for s in part.slices}
    free = macros - part.macros(macro_crossbars, dup)
    if free < 0:
        raise CompactError(f"the part needs {-free} more macros than the chip has")
    candidates = [s for s in part.slices if s.whole and cnet.is_conv[s.layer]]
    pixels = {s.layer: int(cnet.pixels[s.layer]) for s in candidates}
    skipped: set[int] = set()

    def extra(s: Slice) -> int:
        d = dup[s.layer]
        return -(-s.crossbars * (d + 1) // macro_crossbars) - (-(-s.crossbars * d // macro_crossbars))

    while True:
        live = [s for s in candidates if s.layer not in skipped and dup[s.layer] < pixels[s.layer]]
        if not live or free < min(extra(s) for s in live):
            return dup
        # the bottleneck: the largest predicted time per input, OFM / dup (ties: earliest layer)
        bottleneck = max(live, key=lambda s: (pixels[s.layer] / dup[s.layer], -s.layer))
        cost = extra(bottleneck)
        if cost <= free:
            dup[bottleneck.layer] += 1
            free -= cost
        else:
            skipped.add(bottleneck.layer)


def predicted_period(cnet: CostNetwork, part: Part, dup: dict[int, int]) -> float:
    """The DDM predictor of a part's pipeline period (relative units): the largest
    output-size-over-duplication of its weight layers."""
    return max((float(cnet.pixels[s.layer]) / dup.get(s.layer, 1) for s in part.slices), default=0.0)


def resident_crossbars(part: Part, dup: dict[int, int]) -> int:
    """Crossbars holding weights while the part runs (what a reload writes)."""
    return int(np.sum([s.crossbars * dup.get(s.layer, 1) for s in part.slices]))
