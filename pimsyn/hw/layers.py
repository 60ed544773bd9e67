"""The cost view of a network (spec 1.1) and the layer state of a duplication (spec 2.3).

A :class:`CostNetwork` is built once per (network, crossbar size S, cell resolution rho)
and holds every per-layer constant the evaluation needs as numpy arrays, so a fitness
evaluation never walks the graph again.

Cost layers are the conv, fc, pool and eltwise nodes, in network order. Input and concat
nodes are transparent: a consumer of a concat gets the concat's layer providers, and a
concat's post-ops (costed ReLU/Sigmoid/extended activation nodes after it) go to every layer provider reached
through it, as the reference's consumer walk does. Provider lists are in network order and
**deduplicated** (the reference lists a provider twice when it is reached over two paths,
e.g. through two concats; a duplicate edge never changes a schedule and only double-counts
a route, so we keep one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pimsyn.hw.config import HardwareConfig, HardwareError
from pimsyn.model.network import Network, NetworkError

WEIGHT_KINDS = ("conv", "fc")
_BASE_OPS = {
    "conv": ("DAC", "ADC", "SHIFTADD", "ADDITION"),
    "fc": ("DAC", "ADC", "SHIFTADD", "ADDITION"),
    "pool": ("POOL",),
    "eltwise": ("ELTWISE",),
}
#: Post-ops the reference costs (RELU/SIGMOID nodes); tanh and clip are free (B13).
_REFERENCE_POST_OPS = {"relu": "RELU", "sigmoid": "SIGMOID"}
#: Activations and normalisations beyond the reference (ONNX LeakyRelu, PRelu, HardSwish,
#: ..., InstanceNormalization, LayerNormalization): each runs on its own ALU unit, whose
#: table is OPTIONAL_ALU_COMPONENTS of the hardware file (defaults: hw/config.py). The ONNX
#: frontend always writes them as post-ops, never as a free fused ``activation``: B13 is
#: the reference's rule for its own activations, these have no reference cost to match.
EXTENDED_POST_OPS = {
    "leakyrelu": "LEAKYRELU", "prelu": "PRELU", "hardsigmoid": "HARDSIGMOID", "hardswish": "HARDSWISH",
    "elu": "ELU", "selu": "SELU", "softplus": "SOFTPLUS", "swish": "SWISH", "gelu": "GELU", "mish": "MISH",
    "instancenorm": "INSTANCENORM", "layernorm": "LAYERNORM",
}
_COSTED_POST_OPS = {**_REFERENCE_POST_OPS, **EXTENDED_POST_OPS}
KIND_CODES = {"conv": 0, "fc": 1, "pool": 2, "eltwise": 3}


def _frozen(values, dtype=np.int64) -> np.ndarray:
    arr = np.asarray(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class CostNetwork:
    """Per-layer constants of one network for one (S, rho); arrays indexed by cost layer."""

    name: str
    xbar_size: int  # S
    cell_res: int  # rho
    weight_slices: int  # R = ceil(weight_res / rho)
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    kind_code: np.ndarray  # KIND_CODES
    node_position: np.ndarray  # pi: index of the layer's node in Network.nodes
    providers: tuple[tuple[int, ...], ...]  # cost-layer indices, network order
    base_ops: tuple[tuple[str, ...], ...]  # LD <compute> <post-ops> ST (no TRAN/MRG)
    channels: np.ndarray  # C
    out_w: np.ndarray  # W = output_dim[2] (the reference's naming, B8)
    out_h: np.ndarray  # H = output_dim[3]
    pixels: np.ndarray  # W*H
    kernel_h: np.ndarray
    kernel_w: np.ndarray
    stride_h: np.ndarray
    stride_w: np.ndarray
    pad_h0: np.ndarray
    pad_w0: np.ndarray
    input_channels: np.ndarray  # conv/FC input_channel param, 0 for pool/eltwise
    groups: np.ndarray
    in_len: np.ndarray  # In: input vector length (K*K*C_in for conv, C_in for FC), 0 otherwise
    row_tiles: np.ndarray  # a: crossbar row tiles (= ceil(In/S) for groups = 1)
    col_tiles: np.ndarray  # b: crossbar column tiles (= ceil(C/S) for groups = 1)
    set_size: np.ndarray  # R*a*b (Eq. 1), 0 for pool/eltwise
    is_conv: np.ndarray  # bool
    is_fc: np.ndarray
    is_weight: np.ndarray
    conv_layers: np.ndarray  # cost-layer indices of convs, network order
    fc_layers: np.ndarray
    gene_layers: np.ndarray  # weight layers in gene order: convs then FCs (spec 1.1)
    ops: int  # 2 * MACs of one inference (spec 5.17)
    # Component items: one per (layer, compute op), layers in network order, ops in op-list
    # order -- the iteration order of spec 5.7, 5.8 and 5.16.
    item_layer: np.ndarray
    item_component: tuple[str, ...]
    components: tuple[str, ...]  # distinct components, first-appearance order
    item_component_code: np.ndarray  # index into ``components``

    @property
    def num_layers(self) -> int:
        return len(self.names)

    @property
    def gene_length(self) -> int:
        return len(self.gene_layers)

    def layer_index(self, name: str) -> int:
        return self.names.index(name)


@dataclass(frozen=True, eq=False)
class LayerState:
    """Duplication d and block count n of every cost layer after applying D (spec 2.3)."""

    conv_dup: tuple[int, ...]
    dup: np.ndarray  # d per cost layer
    blocks: np.ndarray  # n per cost layer

    def used_crossbars(self, cnet: CostNetwork) -> int:
        return int(np.sum(self.dup * cnet.set_size))


@dataclass(frozen=True)
class CrossbarBudget:
    """Crossbar budget of one (P_tot, theta, S, rho) (Eq. 3, spec 2.2 steps 3-6)."""

    rram_power_w: float  # P_rram = P_tot * theta
    compute_power_w: float  # P_comp = P_tot - P_rram (the EA budget)
    total_crossbars: int  # N_xb = trunc(P_rram / peak)
    fc_crossbars: int  # sum of FC set sizes (FCs have duplication 1)
    conv_crossbars: int  # N_conv = N_xb - fc_crossbars
    rejected: bool  # N_conv <= sum of conv set sizes (step 5)
    needed_crossbars: int = 0  # smallest N_xb not rejected: all weight sets + one spare



def cost_network(net: Network, hw: HardwareConfig, xbar_size: int, cell_res: int) -> CostNetwork:
    """Build the cost view of ``net`` for crossbar size S and cell resolution rho."""
    if xbar_size <= 0 or cell_res <= 0:
        raise HardwareError(f"crossbar size and cell resolution must be positive, got {xbar_size}, {cell_res}")
    weight_slices = -(-hw.weight_res // cell_res)
    layer_of: dict[int, int] = {}
    layer_nodes = []
    for pos, node in enumerate(net.nodes):
        if node.kind in _BASE_OPS:
            layer_of[pos] = len(layer_nodes)
            layer_nodes.append((pos, node))
    if not layer_nodes:
        raise NetworkError(f"network '{net.name}' has no conv, fc, pool or eltwise node")

    # Layer providers of every node, looking through input/concat nodes (transparent).
    reach: list[tuple[int, ...]] = []
    for pos, node in enumerate(net.nodes):
        found: list[int] = []
        for j in node.inputs:
            if j in layer_of:
                found.append(layer_of[j])
            else:
                found.extend(reach[j])
        reach.append(tuple(sorted(set(found))))
    # Post-ops of transparent nodes go to each layer provider reached through them.
    extra_post: dict[int, list[str]] = {}
    for pos, node in enumerate(net.nodes):
        if pos not in layer_of and node.post_ops:
            for lay in _transparent_sources(net, pos, layer_of):
                extra_post.setdefault(lay, []).extend(node.post_ops)

    names, kinds, ops_lists, providers = [], [], [], []
    cols: dict[str, list] = {k: [] for k in (
        "channels", "out_w", "out_h", "kernel_h", "kernel_w", "stride_h", "stride_w",
        "pad_h0", "pad_w0", "input_channels", "groups", "in_len", "row_tiles", "col_tiles",
        "set_size", "node_position", "macs")}
    for idx, (pos, node) in enumerate(layer_nodes):
        names.append(node.name)
        kinds.append(node.kind)
        # Each costed activation kind once per layer: a layer whose output reaches several
        # activations (DenseNet: a map read by many concat+ReLU consumers) applies it once
        # per output; the reference would list RELU once per path (docs/cost-model.md).
        post = list(dict.fromkeys(
            _COSTED_POST_OPS[p] for p in node.post_ops + tuple(extra_post.get(idx, ())) if p in _COSTED_POST_OPS))
        ops_lists.append(("LD",) + _BASE_OPS[node.kind] + tuple(post) + ("ST",))
        providers.append(tuple(p for p in reach[pos] if p != idx) if node.inputs else ())
        if len(node.shape) == 4:
            width, height = node.shape[2], node.shape[3]
        else:
            width, height = 1, 1
        channels = node.shape[1]
        in_len = row_tiles = col_tiles = macs = 0
        if node.kind in WEIGHT_KINDS:
            in_len, row_tiles, col_tiles, macs = _weight_mapping(node, xbar_size, width * height)
        cols["channels"].append(channels)
        cols["out_w"].append(width)
        cols["out_h"].append(height)
        cols["kernel_h"].append(node.kernel[0])
        cols["kernel_w"].append(node.kernel[1])
        cols["stride_h"].append(node.stride[0])
        cols["stride_w"].append(node.stride[1])
        cols["pad_h0"].append(node.pads[0])
        cols["pad_w0"].append(node.pads[1])
        cols["input_channels"].append(node.in_channels if node.kind in WEIGHT_KINDS else 0)
        cols["groups"].append(node.groups)
        cols["in_len"].append(in_len)
        cols["row_tiles"].append(row_tiles)
        cols["col_tiles"].append(col_tiles)
        cols["set_size"].append(weight_slices * row_tiles * col_tiles)
        cols["node_position"].append(pos)
        cols["macs"].append(macs)

    item_layer = [idx for idx, ops in enumerate(ops_lists) for _ in ops[1:-1]]
    item_component = tuple(comp for ops in ops_lists for comp in ops[1:-1])
    components = tuple(dict.fromkeys(item_component))
    kind_arr = np.array([KIND_CODES[k] for k in kinds])
    conv_layers = np.flatnonzero(kind_arr == KIND_CODES["conv"])
    fc_layers = np.flatnonzero(kind_arr == KIND_CODES["fc"])
    arrays = {k: _frozen(v) for k, v in cols.items() if k != "macs"}
    macs = cols["macs"]
    # spec 5.17: the conv sum first, then the FC sum added
    ops = sum(2 * macs[i] for i in conv_layers) + sum(2 * macs[i] for i in fc_layers)
    return CostNetwork(
        name=net.name,
        xbar_size=xbar_size,
        cell_res=cell_res,
        weight_slices=weight_slices,
        names=tuple(names),
        kinds=tuple(kinds),
        kind_code=_frozen(kind_arr),
        providers=tuple(providers),
        base_ops=tuple(ops_lists),
        pixels=_frozen(arrays["out_w"] * arrays["out_h"]),
        is_conv=_frozen(kind_arr == KIND_CODES["conv"], bool),
        is_fc=_frozen(kind_arr == KIND_CODES["fc"], bool),
        is_weight=_frozen(kind_arr <= KIND_CODES["fc"], bool),
        conv_layers=_frozen(conv_layers),
        fc_layers=_frozen(fc_layers),
        gene_layers=_frozen(np.concatenate([conv_layers, fc_layers])),
        ops=int(ops),
        item_layer=_frozen(item_layer),
        item_component=item_component,
        components=components,
        item_component_code=_frozen([components.index(c) for c in item_component]),
        **arrays,
    )


def _weight_mapping(node, xbar_size: int, pixels: int) -> tuple[int, int, int, int]:
    """(In, row tiles a, column tiles b, MACs) of a conv/FC layer.

    groups = 1 (all reference networks): In = K_h*K_w*C_in (FC: C_in), a = ceil(In/S),
    b = ceil(C/S) (Eq. 1) and MACs = In*W*H*C (spec 5.17).

    Grouped conv (our extension; the reference costs it as a dense conv): the weight
    matrix is block-diagonal, G blocks of rows_g = K_h*K_w*C_in/G by cols_g = C/G. We pack
    g_t = min(G, S // rows_g, S // cols_g) (at least 1) blocks along the diagonal of one
    crossbar tile group, so a tile group is ceil(g_t*rows_g/S) x ceil(g_t*cols_g/S)
    crossbars and there are ceil(G/g_t) tile groups stacked along the rows. Every input
    row still drives ``b`` crossbars, so a = ceil(G/g_t)*ceil(g_t*rows_g/S) and
    b = ceil(g_t*cols_g/S); In stays the full input vector (every input value is loaded
    and converted once). MACs count only the non-zero blocks: rows_g*W*H*C.
    """
    if node.kind == "fc":
        in_len = node.in_channels
        return in_len, -(-in_len // xbar_size), -(-node.out_channels // xbar_size), in_len * node.out_channels
    in_len = node.kernel[0] * node.kernel[1] * node.in_channels
    channels = node.shape[1]
    groups = node.groups
    if groups == 1:
        return in_len, -(-in_len // xbar_size), -(-channels // xbar_size), in_len * pixels * channels
    if node.in_channels % groups or channels % groups:
        raise NetworkError(
            f"node '{node.name}': {groups} groups do not divide {node.in_channels} input / {channels} output channels"
        )
    rows_g = in_len // groups
    cols_g = channels // groups
    per_tile = max(1, min(groups, xbar_size // rows_g, xbar_size // cols_g))
    tile_groups = -(-groups // per_tile)
    row_tiles = tile_groups * -(-(per_tile * rows_g) // xbar_size)
    col_tiles = -(-(per_tile * cols_g) // xbar_size)
    return in_len, row_tiles, col_tiles, rows_g * pixels * channels


def _transparent_sources(net: Network, pos: int, layer_of: dict[int, int]) -> list[int]:
    """Cost layers that feed node ``pos`` through transparent nodes (network order)."""
    found: set[int] = set()
    stack = [pos]
    seen = set()
    while stack:
        cur = stack.pop()
        for j in net.nodes[cur].inputs:
            if j in layer_of:
                found.add(layer_of[j])
            elif j not in seen:
                seen.add(j)
                stack.append(j)
    return sorted(found)


def apply_duplication(
    cnet: CostNetwork, conv_dup: Sequence[int], prev_blocks: Sequence[int] | np.ndarray | None = None
) -> LayerState:
    """Spec 2.3: d and n of every layer for conv duplication vector ``conv_dup``.

    conv: d = D_i, n = ceil(W*H/d); FC: d = n = 1; pool/eltwise: n = min(max(n_prev,
    n_providers...), W*H), d = ceil(W*H/n), where n_prev is the history value (``prev_blocks``,
    -1 = fresh state; pass the previous state's ``blocks`` to reproduce the reference's
    history dependence A4). A pool/eltwise without layer providers and no history (the
    reference would produce a negative d) gets n = W*H, d = 1.
    """
    conv_dup = tuple(int(d) for d in conv_dup)
    if len(conv_dup) != len(cnet.conv_layers):
        raise ValueError(f"expected {len(cnet.conv_layers)} conv duplications, got {len(conv_dup)}")
    if any(d < 1 for d in conv_dup):
        raise ValueError(f"duplications must be >= 1, got {list(conv_dup)}")
    L = cnet.num_layers
    blocks = np.full(L, -1, dtype=np.int64) if prev_blocks is None else np.array(prev_blocks, dtype=np.int64)
    dup = np.ones(L, dtype=np.int64)
    pixels = cnet.pixels
    dup[cnet.conv_layers] = conv_dup
    blocks[cnet.conv_layers] = -(-pixels[cnet.conv_layers] // np.asarray(conv_dup, dtype=np.int64))
    blocks[cnet.fc_layers] = 1
    for idx in np.flatnonzero(cnet.kind_code >= KIND_CODES["pool"]):
        n = int(blocks[idx])
        for p in cnet.providers[idx]:
            n = max(n, int(blocks[p]))
        if n < 1:
            n = int(pixels[idx])
        n = min(n, int(pixels[idx]))
        blocks[idx] = n
        dup[idx] = -(-int(pixels[idx]) // n)
    dup.setflags(write=False)
    blocks.setflags(write=False)
    return LayerState(conv_dup=conv_dup, dup=dup, blocks=blocks)


def crossbar_budget(
    hw: HardwareConfig, total_power_w: float, rram_ratio: float, xbar_size: int, cell_res: int,
    cnet: CostNetwork | None = None,
) -> CrossbarBudget:
    """Eq. 3 / spec 2.2 steps 3-6: N_xb = trunc(P_tot*theta / peak), N_conv = N_xb - sum_FC set.

    Without ``cnet`` the FC reservation is 0 and the combination is never rejected.
    """
    rram_power_w = total_power_w * rram_ratio
    total = int(rram_power_w / hw.crossbar(xbar_size, cell_res).peak_power_w)
    fc = conv_sets = 0
    if cnet is not None:
        if (cnet.xbar_size, cnet.cell_res) != (xbar_size, cell_res):
            raise ValueError("cost network was built for another crossbar size / cell resolution")
        fc = int(np.sum(cnet.set_size[cnet.fc_layers]))
        conv_sets = int(np.sum(cnet.set_size[cnet.conv_layers]))
    conv = total - fc
    return CrossbarBudget(
        rram_power_w=rram_power_w,
        compute_power_w=total_power_w - rram_power_w,
        total_crossbars=total,
        fc_crossbars=fc,
        conv_crossbars=conv,
        rejected=cnet is not None and conv <= conv_sets,
        needed_crossbars=fc + conv_sets + 1 if cnet is not None else 0,
    )


def compute_power_w(total_power_w: float, rram_ratio: float) -> float:
    """P_comp = P_tot - P_tot*theta, computed as that subtraction (spec 2.2 step 6)."""
    return total_power_w - total_power_w * rram_ratio


