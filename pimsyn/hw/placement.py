"""Macro counts, placement and NoC traffic of one design (spec 5.1-5.5).

* 5.1 decode the macro counts: m per layer (sharing pairs get the sum), mesh rows x cols;
* 5.2 serpentine (boustrophedon) placement in network order; a layer's macros are a
  contiguous run of serpentine positions, its merge point the last one (a sharing layer
  reuses its partner's run with the first one as merge point, a pool/eltwise runs in the
  merge macro of its first provider);
* 5.3 XY routes (column coordinate first), directed links, hop counts;
* 5.4 NoC conflict pairs between (layer, TRAN|MRG) link sets;
* 5.5 split factors q/u, flits and the TRAN/MRG delays in NoC cycles.

Vectorised: a route's directed links are two contiguous id ranges (one along the source
row, one along the destination column), so each (layer, TRAN|MRG) link set is built with
one difference array and all intersections with one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pimsyn.hw.layers import KIND_CODES, CostNetwork, LayerState


class PlacementError(ValueError):
    """A macro assignment that cannot be placed (bad counts or sharing partners)."""


@dataclass(frozen=True, eq=False)
class MacroPlan:
    """Macro counts of one gene (spec 5.1)."""

    gene_macros: np.ndarray  # c per gene position (the gene's own count)
    partners: np.ndarray  # partner gene index per gene position, -1 none (symmetric)
    layer_gene_macros: np.ndarray  # c per cost layer (0 for pool/eltwise)
    layer_macros: np.ndarray  # m per cost layer: c, or c + c_partner when sharing, 1 for pool/eltwise
    owner_of: np.ndarray  # per cost layer: layer that owns the shared run (itself if not sharing)
    total_macros: int  # M = sum of c
    rows: int
    cols: int
    sharing_pairs: tuple[tuple[int, int], ...]  # (owner, sharer) cost-layer indices


@dataclass(frozen=True, eq=False)
class Placement:
    """Serpentine positions, hops and NoC conflict pairs (spec 5.2-5.4)."""

    run_start: np.ndarray  # first serpentine position of the layer's macro list
    run_length: np.ndarray  # number of macros in the list
    merge_pos: np.ndarray  # serpentine position of the merge point
    tran_hops: np.ndarray
    mrg_hops: np.ndarray
    noc_conflicts: frozenset  # frozenset of frozenset({(layer, kind), (layer2, kind2)})

    def coordinates(self, pos: np.ndarray | int, cols: int):
        return serpentine_coordinates(np.asarray(pos), cols)


@dataclass(frozen=True, eq=False)
class Traffic:
    """Split factors and NoC delays (spec 5.5)."""

    input_split: np.ndarray  # q = ceil(m/d)
    dup_split: np.ndarray  # u = ceil(m/q)
    dup_per_macro: np.ndarray  # dpm = ceil(d/u)
    inputs_per_macro: np.ndarray  # ipm = ceil(input_channel/q), 1 for pool/eltwise
    merge_flits: np.ndarray
    transfer_flits: np.ndarray
    merge_words: np.ndarray  # data words one macro sends to the merge point per block (dpm * C)
    transfer_words: np.ndarray  # data words one consumer macro receives per block
    tran_delay: np.ndarray  # D^T = T-hops + F^T (NoC cycles); 0 when no TRAN op
    mrg_delay: np.ndarray  # D^M = M-hops + F^M; 0 when no MRG op
    ops: tuple[tuple[str, ...], ...]  # [TRAN]? LD ... ST [MRG]?


def plan_macros(cnet: CostNetwork, macros: Sequence[int], partners: Sequence[int] | None = None) -> MacroPlan:
    """Spec 5.1 with the sharing partner fixed (A8): ``partners[i]`` is the gene index of the
    layer gene position i shares its macros with (-1 none), given from either side or both.
    Both members of a pair get m = c_i + c_j; M = sum of c; rows = ceil(sqrt M),
    cols = ceil(M / rows)."""
    gene_len = cnet.gene_length
    gene_macros = np.asarray(macros, dtype=np.int64)
    if gene_macros.shape != (gene_len,):
        raise PlacementError(f"expected {gene_len} macro counts (one per conv/FC layer), got {len(gene_macros)}")
    if np.any(gene_macros < 1):
        raise PlacementError(f"every conv/FC layer needs at least one macro, got {gene_macros.tolist()}")
    sym = np.full(gene_len, -1, dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    if partners is not None:
        partner_arr = np.asarray(partners, dtype=np.int64)
        if partner_arr.shape != (gene_len,):
            raise PlacementError(f"expected {gene_len} sharing partners, got {len(partner_arr)}")
        for i in np.flatnonzero(partner_arr >= 0):
            j = int(partner_arr[i])
            if j >= gene_len or j == i:
                raise PlacementError(f"gene position {i}: sharing partner {j} is not another conv/FC layer")
            for a, b in ((i, j), (j, i)):
                if sym[a] not in (-1, b):
                    raise PlacementError(f"gene position {a} shares macros with two layers ({sym[a]} and {b})")
                sym[a] = b
        pairs = [(int(i), int(sym[i])) for i in range(gene_len) if sym[i] > i]
    layer_gene = np.zeros(cnet.num_layers, dtype=np.int64)
    layer_gene[cnet.gene_layers] = gene_macros
    layer_macros = np.ones(cnet.num_layers, dtype=np.int64)
    layer_macros[cnet.gene_layers] = gene_macros
    owner_of = np.arange(cnet.num_layers, dtype=np.int64)
    sharing_pairs = []
    for gi, gj in pairs:
        li, lj = int(cnet.gene_layers[gi]), int(cnet.gene_layers[gj])
        shared = int(gene_macros[gi] + gene_macros[gj])
        layer_macros[li] = layer_macros[lj] = shared
        owner_of[lj] = li  # the earlier gene position owns the run (its merge point is last)
        sharing_pairs.append((li, lj))
    total = int(gene_macros.sum())
    rows = int(np.ceil(np.sqrt(total)))
    while rows * rows < total:  # guard against sqrt rounding for huge M
        rows += 1
    cols = -(-total // rows)
    return MacroPlan(
        gene_macros=gene_macros, partners=sym, layer_gene_macros=layer_gene,
        layer_macros=layer_macros, owner_of=owner_of, total_macros=total, rows=rows,
        cols=cols, sharing_pairs=tuple(sharing_pairs),
    )


def serpentine_coordinates(pos: np.ndarray, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of serpentine position(s): row 0 left to right, row 1 right to left, ..."""
    row = pos // cols
    off = pos % cols
    col = np.where(row % 2 == 0, off, cols - 1 - off)
    return row, col


def place_macros(cnet: CostNetwork, plan: MacroPlan) -> Placement:
    """Spec 5.2-5.4."""
    L = cnet.num_layers
    run_start = np.zeros(L, dtype=np.int64)
    run_length = np.ones(L, dtype=np.int64)
    merge_pos = np.zeros(L, dtype=np.int64)
    kinds = cnet.kind_code.tolist()
    owner = plan.owner_of.tolist()
    macros = plan.layer_macros.tolist()
    placed = [False] * L
    partner_layer = {}
    for a, b in plan.sharing_pairs:
        partner_layer[a] = b
        partner_layer[b] = a
    cursor = 0
    for idx in range(L):
        if kinds[idx] <= KIND_CODES["fc"]:
            if not placed[idx]:
                # B17 fixed: a pair's run is placed when the first of the two is reached.
                run_start[idx] = cursor
                run_length[idx] = macros[idx]
                placed[idx] = True
                if idx in partner_layer:
                    other = partner_layer[idx]
                    run_start[other] = cursor
                    run_length[other] = macros[idx]
                    placed[other] = True
                cursor += macros[idx]
            # owner merges in its last macro, the sharer in the first (spec 5.2)
            merge_pos[idx] = run_start[idx] + (run_length[idx] - 1 if owner[idx] == idx else 0)
        else:
            provs = cnet.providers[idx]
            # a pool/eltwise without a layer provider (the reference fails) runs in the
            # macro placed last
            pos = merge_pos[provs[0]] if provs else max(cursor - 1, 0)
            run_start[idx] = merge_pos[idx] = pos
            run_length[idx] = 1
    tran_hops, mrg_hops, conflicts = _cached_routes(cnet, plan, run_start, run_length, merge_pos)
    return Placement(run_start, run_length, merge_pos, tran_hops, mrg_hops, conflicts)


#: placements whose routes are kept per cost network (a search evaluates one gene with
#: many duplications, and keeps its best genes across generations)
ROUTE_CACHE_SIZE = 64


def _cached_routes(cnet: CostNetwork, plan: MacroPlan, run_start, run_length, merge_pos):
    """_routes, remembered per placement (mesh and runs) on the cost network."""
    cache = getattr(cnet, "_route_cache", None)
    if cache is None:
        cache = {}
        object.__setattr__(cnet, "_route_cache", cache)
    key = (plan.rows, plan.cols, run_start.tobytes(), run_length.tobytes(), merge_pos.tobytes())
    found = cache.pop(key, None)
    if found is None:
        found = _routes(cnet, plan, run_start, run_length, merge_pos)
        for array in found[:2]:
            array.setflags(write=False)
        if len(cache) >= ROUTE_CACHE_SIZE:
            del cache[next(iter(cache))]
    cache[key] = found  # most recent last
    return found


def _expand_runs(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, position) of every element of runs [start, start+length)."""
    owner = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, np.repeat(starts, lengths) + offsets


def _routes(cnet: CostNetwork, plan: MacroPlan, run_start, run_length, merge_pos):
    rows, cols = plan.rows, plan.cols
    L = cnet.num_layers
    edge_layer, edge_prov = _edges(cnet)
    # transfer routes: merge(p) -> every macro of the consumer, per provider edge
    t_edge, t_dst = _expand_runs(run_start[edge_layer], run_length[edge_layer])
    t_group = 2 * edge_layer[t_edge]
    t_src = merge_pos[edge_prov[t_edge]]
    # merge routes: every macro of the layer -> its merge point
    m_layer, m_src = _expand_runs(run_start, run_length)
    m_group = 2 * m_layer + 1
    m_dst = merge_pos[m_layer]
    group = np.concatenate([t_group, m_group])
    src_r, src_c = serpentine_coordinates(np.concatenate([t_src, m_src]), cols)
    dst_r, dst_c = serpentine_coordinates(np.concatenate([t_dst, m_dst]), cols)
    hops = np.abs(src_r - dst_r) + np.abs(src_c - dst_c)
    max_hops = np.zeros(2 * L, dtype=np.int64)
    np.maximum.at(max_hops, group, hops)
    tran_hops, mrg_hops = max_hops[0::2], max_hops[1::2]

    # Directed link ids: east (r, y)->(r, y+1) = r*cols + y; west (r, y)->(r, y-1) =
    # H + r*cols + y; south (x, c)->(x+1, c) = 2H + c*rows + x; north = 3H + c*rows + x,
    # with H = rows*cols. A route covers one id range per axis.
    H = rows * cols
    east = dst_c > src_c
    west = dst_c < src_c
    south = dst_r > src_r
    north = dst_r < src_r
    base_h = src_r * cols
    base_v = dst_c * rows
    lo = np.concatenate([
        base_h[east] + src_c[east], H + base_h[west] + dst_c[west] + 1,
        2 * H + base_v[south] + src_r[south], 3 * H + base_v[north] + dst_r[north] + 1,
    ])
    hi = np.concatenate([
        base_h[east] + dst_c[east], H + base_h[west] + src_c[west] + 1,
        2 * H + base_v[south] + dst_r[south], 3 * H + base_v[north] + src_r[north] + 1,
    ])
    grp = np.concatenate([group[east], group[west], group[south], group[north]])
    if len(grp) == 0:
        return tran_hops, mrg_hops, frozenset()
    active = np.unique(grp)
    slot = np.searchsorted(active, grp)
    width = 4 * H + 1
    # difference array per group (bincount: np.add.at is slow), prefix sums -> link sets
    diff = np.bincount(slot * width + lo, minlength=len(active) * width)
    diff -= np.bincount(slot * width + hi, minlength=len(active) * width)
    used = np.cumsum(diff.reshape(len(active), width), axis=1)[:, :-1] > 0
    # intersections on bit-packed link sets (a BLAS product is slow and erratic on a busy
    # machine: its threads compete for the cores)
    packed = np.packbits(used, axis=1)
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.concatenate([packed, np.zeros((len(active), pad), dtype=np.uint8)], axis=1)
    words = packed.view(np.uint64)
    overlap = np.zeros((len(active), len(active)), dtype=bool)
    for i in range(len(active) - 1):
        overlap[i, i + 1:] = (words[i + 1:] & words[i]).any(axis=1)
    ii, jj = np.nonzero(overlap)
    kinds = ("TRAN", "MRG")
    conflicts = frozenset(
        frozenset({(int(a) // 2, kinds[int(a) % 2]), (int(b) // 2, kinds[int(b) % 2])})
        for a, b in zip(active[ii], active[jj])
    )
    return tran_hops, mrg_hops, conflicts


def _edges(cnet: CostNetwork) -> tuple[np.ndarray, np.ndarray]:
    cached = getattr(cnet, "_edge_cache", None)
    if cached is None:
        layer = [i for i, provs in enumerate(cnet.providers) for _ in provs]
        prov = [p for provs in cnet.providers for p in provs]
        cached = (np.asarray(layer, dtype=np.int64), np.asarray(prov, dtype=np.int64))
        object.__setattr__(cnet, "_edge_cache", cached)
    return cached


def noc_traffic(cnet: CostNetwork, state: LayerState, plan: MacroPlan, placement: Placement,
                data_res: int, noc_bw_bits: int) -> Traffic:
    """Spec 5.5: q, u, dpm, ipm, flits and D^T / D^M; TRAN before LD, MRG after ST."""
    d = state.dup
    m = plan.layer_macros
    q = -(-m // d)
    u = -(-m // q)
    dpm = -(-d // u)
    weight = cnet.is_weight
    ipm = np.where(weight, -(-cnet.input_channels // q), 1)
    w = data_res
    C = cnet.channels
    merge_flits = -(-(dpm * C * w) // noc_bw_bits)
    code = cnet.kind_code
    conv_words = (dpm * cnet.stride_w + cnet.kernel_w) * ipm
    pool_words = (d * cnet.stride_w + cnet.kernel_w) * C
    words = np.select(
        [code == KIND_CODES["conv"], code == KIND_CODES["pool"], code == KIND_CODES["eltwise"]],
        [conv_words, pool_words, d * C],
        ipm,  # FC
    )
    transfer_flits = -(-(words * w) // noc_bw_bits)
    has_tran = placement.tran_hops != 0
    has_mrg = placement.mrg_hops != 0
    tran_delay = np.where(has_tran, placement.tran_hops + transfer_flits, 0)
    mrg_delay = np.where(has_mrg, placement.mrg_hops + merge_flits, 0)
    ops = tuple(
        (("TRAN",) if t else ()) + base + (("MRG",) if g else ())
        for base, t, g in zip(cnet.base_ops, has_tran.tolist(), has_mrg.tolist())
    )
    return Traffic(q, u, dpm, ipm, merge_flits, transfer_flits, dpm * C, words, tran_delay, mrg_delay, ops)
