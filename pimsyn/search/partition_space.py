"""The macro-partition design space of one duplication candidate (spec 4.2, paper Sec. IV-C1).

Built fresh for every duplication candidate (the reference appends to stale lists and keeps
the first candidate's values, spec A2; we do not). Per weight layer in gene order:

* ``limit_i = d_i * in_len_i``: at most that many macros (rule c: a macro holds at least one
  crossbar row group of one duplicate), with ``in_len_i = ceil(In_i / S)`` row tiles;
* ``mini_i = ceil(C_i / S) * R``: crossbars of one row tile across all column tiles;
* *specified* mode: the count choices ``space_i = {x*y < 1000 : x | in_len_i, y | d_i}``;
* *unified* mode: the macro sizes from max(min_size, ceil(mini_i / stride) * stride over all
  layers) to max_size in steps of stride; a size M gives layer i
  ``ceil(limit_i / ceil(M / mini_i))`` macros (spec 4.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pimsyn.model.network import Network
from pimsyn.search.gene import MAX_MACROS_PER_LAYER

MacroSetting = Literal["specified", "unified"]
MACRO_SETTINGS: tuple[str, ...] = ("specified", "unified")


class PartitionError(ValueError):
    """The macro-partition space is empty or its inputs are inconsistent."""


@dataclass(frozen=True)
class MacroSizeRange:
    """Unified-mode macro sizes in crossbars (config.json EA.default_*_macro_size*)."""

    min_size: int = 32
    max_size: int = 512
    stride: int = 32

    def __post_init__(self) -> None:
        if self.stride <= 0 or self.min_size <= 0 or self.max_size <= 0:
            raise PartitionError("macro sizes and stride must be positive")


def _divisors(value: int) -> list[int]:
    small = [d for d in range(1, int(value**0.5) + 1) if value % d == 0]
    return sorted(set(small + [value // d for d in small]))


def specified_choices(row_tiles: int, duplication: int) -> np.ndarray:
    """space_i = sorted {x*y < 1000 : x divides in_len_i, y divides d_i} (spec 4.2)."""
    products = {x * y for x in _divisors(row_tiles) for y in _divisors(duplication)}
    return np.array(sorted(p for p in products if p <= MAX_MACROS_PER_LAYER), dtype=np.int64)


@dataclass(frozen=True)
class PartitionProblem:
    """Per-weight-layer inputs of the EA, gene order (convs then FCs)."""

    duplication: np.ndarray
    row_tiles: np.ndarray
    column_crossbars: np.ndarray
    mode: MacroSetting = "specified"
    macro_reuse: bool = False
    sizes: MacroSizeRange = field(default_factory=MacroSizeRange)
    layer_names: tuple[str, ...] = ()
    limits: np.ndarray = field(init=False, repr=False)
    choices: tuple[np.ndarray, ...] = field(init=False, repr=False)
    macro_sizes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        arrays = {}
        for name in ("duplication", "row_tiles", "column_crossbars"):
            values = np.asarray(getattr(self, name), dtype=np.int64).reshape(-1)
            if values.size == 0:
                raise PartitionError("the network has no weight layer to partition")
            if np.any(values <= 0):
                raise PartitionError(f"{name} must be positive, got {values.tolist()}")
            values.setflags(write=False)
            arrays[name] = values
            object.__setattr__(self, name, values)
        if not arrays["duplication"].size == arrays["row_tiles"].size == arrays["column_crossbars"].size:
            raise PartitionError("duplication, row_tiles and column_crossbars need one entry per weight layer")
        if self.mode not in MACRO_SETTINGS:
            raise PartitionError(f"unknown macro setting '{self.mode}' (expected 'specified' or 'unified')")
        limits = self.duplication * self.row_tiles
        limits.setflags(write=False)
        object.__setattr__(self, "limits", limits)
        choices = tuple(
            specified_choices(tiles, dup) for tiles, dup in zip(self.row_tiles.tolist(), self.duplication.tolist())
        )
        for values in choices:
            values.setflags(write=False)
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "macro_sizes", self._unified_sizes() if self.mode == "unified" else np.zeros(0, np.int64))

    def _unified_sizes(self) -> np.ndarray:
        stride = self.sizes.stride
        smallest = max(self.sizes.min_size, int((-(-self.column_crossbars // stride) * stride).max()))
        sizes = np.arange(smallest, self.sizes.max_size + 1, stride, dtype=np.int64)
        if sizes.size == 0:
            raise PartitionError(
                f"unified macro size range is empty: a macro must hold {smallest} crossbars "
                f"(one row tile of the widest layer) but the maximum macro size is {self.sizes.max_size}"
            )
        sizes.setflags(write=False)
        return sizes

    @property
    def layers(self) -> int:
        return int(self.duplication.size)

    @property
    def smallest_macro_size(self) -> int:
        return int(self.macro_sizes[0]) if self.macro_sizes.size else 0

    def unified_counts(self, macro_size: int) -> np.ndarray:
        """Spec 4.3: c_i = ceil(limit_i / ceil(M / mini_i)), kept within 1..999."""
        rows_per_macro = -(-macro_size // self.column_crossbars)
        counts = -(-self.limits // rows_per_macro)
        return np.clip(counts, 1, MAX_MACROS_PER_LAYER)

    def pair_cap(self, i: int, j: int) -> int:
        """Paired layers spread over c_i + c_j macros, so both limits bound the sum."""
        return int(min(self.limits[i], self.limits[j], MAX_MACROS_PER_LAYER))

    @classmethod
    def from_cost_network(
        cls,
        cnet,
        conv_duplication: np.ndarray,
        *,
        mode: MacroSetting = "specified",
        macro_reuse: bool = False,
        sizes: MacroSizeRange | None = None,
    ) -> "PartitionProblem":
        """Weight layers of a cost model network (``pimsyn.hw`` CostNetwork: ``gene_layers``,
        ``conv_layers``, ``fc_layers``, ``row_tiles``, ``col_tiles``, ``weight_slices``,
        ``names``) in gene order; FCs have duplication 1."""
        gene_layers = np.asarray(cnet.gene_layers, dtype=np.int64)
        conv_duplication = np.asarray(conv_duplication, dtype=np.int64).reshape(-1)
        conv_count = len(cnet.conv_layers)
        if conv_duplication.size != conv_count:
            raise PartitionError(
                f"duplication has {conv_duplication.size} entries but the network has {conv_count} conv layers"
            )
        return cls(
            duplication=np.concatenate([conv_duplication, np.ones(len(cnet.fc_layers), dtype=np.int64)]),
            row_tiles=np.asarray(cnet.row_tiles)[gene_layers],
            column_crossbars=np.asarray(cnet.col_tiles)[gene_layers] * int(cnet.weight_slices),
            mode=mode,
            macro_reuse=macro_reuse,
            sizes=sizes or MacroSizeRange(),
            layer_names=tuple(cnet.names[i] for i in gene_layers.tolist()),
        )

    @classmethod
    def from_network(
        cls,
        network: Network,
        conv_duplication: np.ndarray,
        crossbar_size: int,
        cell_slices: int,
        *,
        mode: MacroSetting = "specified",
        macro_reuse: bool = False,
        sizes: MacroSizeRange | None = None,
    ) -> "PartitionProblem":
        """Weight layers in gene order (convs, then FCs); FCs have duplication 1 (spec 2.2)."""
        convs = [node for node in network.nodes if node.kind == "conv"]
        fcs = [node for node in network.nodes if node.kind == "fc"]
        conv_duplication = np.asarray(conv_duplication, dtype=np.int64).reshape(-1)
        if conv_duplication.size != len(convs):
            raise PartitionError(
                f"duplication has {conv_duplication.size} entries but the network has {len(convs)} conv layers"
            )
        layers = convs + fcs
        return cls(
            duplication=np.concatenate([conv_duplication, np.ones(len(fcs), dtype=np.int64)]),
            row_tiles=np.array([-(-node.weight_rows // crossbar_size) for node in layers]),
            column_crossbars=np.array([-(-node.weight_cols // crossbar_size) * cell_slices for node in layers]),
            mode=mode,
            macro_reuse=macro_reuse,
            sizes=sizes or MacroSizeRange(),
            layer_names=tuple(node.name for node in layers),
        )
