"""The weight-duplication problem: per-conv-layer arrays and the conv crossbar budget.

Spec 2.2 (steps 1-5) and paper Eq. 1-3: a conv layer's weights fill one *crossbar set* of
``set_i = R * a_i * b_i`` crossbars (``a_i = ceil(In_i / S)`` row tiles, ``b_i = ceil(C_i / S)``
column tiles, ``R`` bit-sliced cells per weight); duplicating them ``D_i`` times costs
``D_i * set_i`` crossbars, and the convs share the budget ``N`` left after the FC layers
(always duplication 1) took theirs. Everything is a plain numpy array in conv order, so the
searches never touch the :class:`~pimsyn.model.network.Network` again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pimsyn.model.network import Network


class DuplicationError(ValueError):
    """The crossbar budget cannot hold the conv weights even without duplication."""


def _ceil_div(numerator: np.ndarray | int, denominator: np.ndarray | int) -> np.ndarray:
    return -(-np.asarray(numerator, dtype=np.int64) // np.asarray(denominator, dtype=np.int64))


@dataclass(frozen=True)
class DuplicationProblem:
    """Per-conv-layer quantities (conv order) that the duplication searches need.

    ``out_pixels`` is W_i*H_i (computation blocks at duplication 1), ``in_rows`` is In_i
    (kernel_h*kernel_w*input_channels) and ``out_cols`` is C_i (output channels).
    ``row_tiles`` / ``col_tiles`` default to ceil(In_i / S) / ceil(C_i / S) (Eq. 1); pass
    them to use another weight mapping (the cost model packs grouped convs tighter).
    """

    out_pixels: np.ndarray
    in_rows: np.ndarray
    out_cols: np.ndarray
    crossbar_size: int
    cell_slices: int
    layer_names: tuple[str, ...] = ()
    row_tiles: np.ndarray | None = field(default=None, repr=False)
    col_tiles: np.ndarray | None = field(default=None, repr=False)
    set_sizes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        arrays = {}
        for name in ("out_pixels", "in_rows", "out_cols"):
            values = np.asarray(getattr(self, name), dtype=np.int64).reshape(-1)
            if values.size == 0:
                raise DuplicationError("the network has no conv layer to duplicate")
            if np.any(values <= 0):
                raise DuplicationError(f"{name} must be positive, got {values.tolist()}")
            values.setflags(write=False)
            arrays[name] = values
        if not arrays["out_pixels"].size == arrays["in_rows"].size == arrays["out_cols"].size:
            raise DuplicationError("out_pixels, in_rows and out_cols must have one entry per conv layer")
        if self.crossbar_size <= 0 or self.cell_slices <= 0:
            raise DuplicationError("crossbar_size and cell_slices must be positive")
        for name, values in arrays.items():
            object.__setattr__(self, name, values)
        # Eq. 1: set_i = R * ceil(In_i / S) * ceil(C_i / S).
        row_tiles = self._tiles(self.row_tiles, arrays["in_rows"], "row_tiles")
        col_tiles = self._tiles(self.col_tiles, arrays["out_cols"], "col_tiles")
        set_sizes = self.cell_slices * row_tiles * col_tiles
        for name, values in (("row_tiles", row_tiles), ("col_tiles", col_tiles), ("set_sizes", set_sizes)):
            values.setflags(write=False)
            object.__setattr__(self, name, values)

    def _tiles(self, given: np.ndarray | None, extent: np.ndarray, name: str) -> np.ndarray:
        if given is None:
            return _ceil_div(extent, self.crossbar_size)
        tiles = np.array(given, dtype=np.int64).reshape(-1)
        if tiles.shape != extent.shape or np.any(tiles <= 0):
            raise DuplicationError(f"{name} must have one positive entry per conv layer, got {tiles.tolist()}")
        return tiles

    @property
    def layers(self) -> int:
        return int(self.out_pixels.size)

    @property
    def weight_crossbars(self) -> int:
        """Crossbars of all conv weights at duplication 1 (sum of set_i)."""
        return int(self.set_sizes.sum())

    def used_crossbars(self, duplication: np.ndarray) -> np.ndarray:
        """used(D) = sum_i D_i * set_i; works on one vector or a (candidates, layers) batch."""
        return np.asarray(duplication, dtype=np.int64) @ self.set_sizes

    def max_duplication(self, budget: int) -> np.ndarray:
        """Spec 3.2 step 8: maxdup_i = floor((N - sum_j set_j) / set_i) + 1 (others at 1)."""
        return (budget - self.weight_crossbars) // self.set_sizes + 1

    @classmethod
    def from_network(cls, network: Network, crossbar_size: int, cell_slices: int) -> "DuplicationProblem":
        """Collect the conv layers of ``network`` (network order = conv order of spec 2.3)."""
        convs = [node for node in network.nodes if node.kind == "conv"]
        if not convs:
            raise DuplicationError(f"network '{network.name}' has no conv layer to duplicate")
        return cls(
            out_pixels=np.array([node.spatial[0] * node.spatial[1] for node in convs]),
            in_rows=np.array([node.weight_rows for node in convs]),
            out_cols=np.array([node.weight_cols for node in convs]),
            crossbar_size=crossbar_size,
            cell_slices=cell_slices,
            layer_names=tuple(node.name for node in convs),
        )


    @classmethod
    def from_cost_network(cls, cnet) -> "DuplicationProblem":
        """Read the conv layers of a cost model network (``pimsyn.hw`` CostNetwork: its
        ``conv_layers`` indices and per-layer ``pixels``, ``in_len``, ``channels``,
        ``row_tiles``, ``col_tiles``, ``names``, ``xbar_size``, ``weight_slices``)."""
        convs = np.asarray(cnet.conv_layers, dtype=np.int64)
        if convs.size == 0:
            raise DuplicationError(f"network '{cnet.name}' has no conv layer to duplicate")
        return cls(
            out_pixels=np.asarray(cnet.pixels)[convs],
            in_rows=np.asarray(cnet.in_len)[convs],
            out_cols=np.asarray(cnet.channels)[convs],
            crossbar_size=int(cnet.xbar_size),
            cell_slices=int(cnet.weight_slices),
            layer_names=tuple(cnet.names[i] for i in convs.tolist()),
            row_tiles=np.asarray(cnet.row_tiles)[convs],
            col_tiles=np.asarray(cnet.col_tiles)[convs],
        )


def check_budget(problem: DuplicationProblem, budget: int, *, fc_reserved: int = 0) -> None:
    """Spec 2.2 step 5: reject when N_conv <= sum set_i (no spare crossbar at duplication 1).

    The message says how many crossbars the convs need and how many are available so the
    user can pick a budget that fits.
    """
    needed = problem.weight_crossbars + 1
    if budget < needed:
        fc_note = ""
        if fc_reserved:
            fc_note = (
                f" after reserving {int(fc_reserved)} for the FC layers "
                f"(a total of at least {needed + int(fc_reserved)} would fit)"
            )
        raise DuplicationError(
            f"crossbar budget too small: the conv weights need at least {needed} crossbars "
            f"({problem.weight_crossbars} at duplication 1 plus one spare), "
            f"only {int(budget)} available{fc_note}"
        )
