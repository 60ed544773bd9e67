"""What the dataflow-DAG scheduler is given (spec 5.12-5.14), and what it derives once.

:class:`ScheduleProblem` describes one design: the cost layers with their block counts,
duplications, op lists and providers, the number of input-bit slices B, and the resource
conflicts (NoC link sharing between TRAN/MRG ops, ADC sharing between layers). The op
durations tau are passed separately to each schedule call, because one evaluation
schedules the same problem several times with different tau (spec 5.15).

Everything that depends on the problem alone (validation, producer-block maps, buffer
arrays) is computed once, on first use, by :attr:`ScheduleProblem.derived` and cached on the
problem object, so both schedulers (``schedule.schedule`` and the oracle
``schedule_reference.schedule_reference``) reuse it across calls.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

from pimsyn.hw.geometry import GeometryError, MapGeometry, input_buffer_elements, parent_blocks, pixel_start

#: Ops repeated once per input-bit slice (spec 0).
BIT_LEVEL_OPS = frozenset({"DAC", "ADC", "SHIFTADD"})
#: Ops that move data over the NoC and may conflict on shared links (spec 5.4).
NOC_OPS = ("TRAN", "MRG")
LAYER_KINDS = ("conv", "fc", "pool", "eltwise")


class ScheduleError(ValueError):
    """A schedule problem or op-duration table that cannot be scheduled; names the problem."""


@dataclass(frozen=True)
class LayerSchedule:
    """One cost layer (conv/fc/pool/eltwise) as the scheduler sees it, in network order."""

    name: str
    kind: str  # 'conv' | 'fc' | 'pool' | 'eltwise'
    blocks: int  # n_l: computation blocks
    dup: int  # d_l: weight duplication = output pixels per block
    channels: int  # C_l
    #: W_l, H_l as the reference reads them: output_dim[2] and output_dim[3] (for NCHW data
    #: these are really the map's rows and row length; see pimsyn.hw.geometry).
    out_w: int
    out_h: int
    kernel: tuple[int, int]  # (h, w)
    stride: tuple[int, int]  # (h, w)
    pad0: tuple[int, int]  # (pad_h0, pad_w0)
    input_split: int  # q_l (spec 5.5)
    dup_split: int  # u_l (spec 5.5)
    ops: tuple[str, ...]  # e.g. ('TRAN','LD','DAC','ADC','SHIFTADD','ADDITION','ST','MRG')
    providers: tuple[int, ...]  # provider cost-layer indices, network order

    def geometry(self) -> MapGeometry:
        return MapGeometry(
            name=self.name, kind=self.kind, blocks=self.blocks, dup=self.dup, channels=self.channels,
            rows=self.out_w, cols=self.out_h, kernel=tuple(self.kernel), stride=tuple(self.stride),
            pad0=tuple(self.pad0), input_split=self.input_split, dup_split=self.dup_split,
        )


@dataclass(frozen=True)
class ScheduleProblem:
    layers: tuple[LayerSchedule, ...]
    bits: int  # B: input-bit iterations of the bit-level ops DAC, ADC, SHIFTADD
    #: unordered pairs {(layer, 'TRAN'|'MRG'), (layer2, 'TRAN'|'MRG')} sharing a NoC link
    noc_conflicts: frozenset = frozenset()
    #: unordered pairs {layer, layer2} of layers sharing ADCs (macro sharing)
    adc_conflicts: frozenset = frozenset()

    @cached_property
    def derived(self) -> "DerivedProblem":
        """Validated, precomputed arrays (cached on the problem; see module docstring)."""
        return DerivedProblem(self)


@dataclass(frozen=True)
class ScheduleResult:
    cycles: int  # 1 + last start step (spec 5.13)
    noc_bubbles: int  # NoC-conflict retries (bubble nodes)
    adc_bubbles: int  # ADC-conflict retries
    buffer_elements: float  # Z of spec 5.14: max over layers of IB + OB, in elements
    nodes: int  # DAG nodes, bubbles not counted
    input_buffers: tuple[float, ...] = ()  # IB_l per layer (elements)
    output_buffers: tuple[int, ...] = ()  # OB_l per layer (elements)
    op_starts: tuple[tuple[int, ...], ...] = ()  # per layer, per op: start cycle of block 0, bit 0
    buffer_exact: bool = True  # False: buffer_elements is an upper bound of Z (schedule's buffer_key)


_OP_LISTS: dict[tuple[str, ...], tuple[np.ndarray, list[bool], dict[str, int]]] = {}


def _op_list_info(ops: tuple[str, ...]):
    """(is_bit array, is_bit list, op -> position) of an op list; a network has a handful
    of distinct op lists, shared by every layer and evaluation (never mutated)."""
    info = _OP_LISTS.get(ops)
    if info is None:
        is_bit = np.array([op in BIT_LEVEL_OPS for op in ops], dtype=bool)
        is_bit.setflags(write=False)
        info = _OP_LISTS[ops] = (is_bit, is_bit.tolist(), {op: k for k, op in enumerate(ops)})
    return info


class DerivedProblem:
    """Problem-only data both schedulers share. Raises :class:`ScheduleError` on bad input."""

    def __init__(self, problem: ScheduleProblem) -> None:
        layers = problem.layers
        if not layers:
            raise ScheduleError("schedule problem has no layers")
        if problem.bits < 1:
            raise ScheduleError(f"input-bit iterations must be >= 1, got {problem.bits}")
        self.problem = problem
        self.bits = int(problem.bits)
        self.num_layers = len(layers)
        self.ops: list[tuple[str, ...]] = [tuple(layer.ops) for layer in layers]
        self.blocks: list[int] = [int(layer.blocks) for layer in layers]
        self.providers: list[tuple[int, ...]] = [tuple(layer.providers) for layer in layers]
        for idx, layer in enumerate(layers):
            _check_layer(idx, layer)
        self.consumers: list[list[int]] = [[] for _ in layers]
        for idx, provs in enumerate(self.providers):
            for p in provs:
                self.consumers[p].append(idx)
        info = [_op_list_info(ops) for ops in self.ops]  # shared, read-only
        self.is_bit: list[np.ndarray] = [i[0] for i in info]
        self.bit_lists: list[list[bool]] = [i[1] for i in info]
        self.op_index: list[dict[str, int]] = [i[2] for i in info]
        self.nodes = sum(
            n * sum(self.bits if b else 1 for b in bit) for n, bit in zip(self.blocks, self.is_bit)
        )
        geoms = [layer.geometry() for layer in layers]
        self.geometry = geoms
        #: parent_block[l][i][c]: block of providers[l][i] that block c of l waits for (5.12)
        self.parent_block: list[list[np.ndarray]] = []
        #: window_start[l][i][c]: start(d_l*c, p, l), the producer's new output-window start
        #: when block c of l loads or stores (5.14)
        self.window_start: list[list[np.ndarray]] = []
        self.input_buffer: list[float] = []  # IB_l of 5.14 (order-independent)
        for idx, layer in enumerate(layers):
            blocks = np.arange(layer.blocks, dtype=np.int64)
            parents, starts = [], []
            cap = np.zeros(layer.blocks, dtype=float)
            for p in self.providers[idx]:
                parent, start, inbuf = _pair_geometry(geoms[idx], geoms[p], blocks)
                parents.append(parent)
                starts.append(start)
                cap = cap + inbuf
            self.parent_block.append(parents)
            self.window_start.append(starts)
            self.input_buffer.append(max(0.0, float(cap.max())) if self.providers[idx] else 0.0)
        self.noc_pairs = _noc_pairs(problem, self.op_index)
        self.adc_pairs = _adc_pairs(problem, self.op_index)

    def check_cycles(self, op_cycles: Sequence[Sequence[int]]) -> list[list[int]]:
        """tau per layer as lists of ints; each op must take a whole number >= 1 of cycles."""
        if len(op_cycles) != self.num_layers:
            raise ScheduleError(f"op_cycles has {len(op_cycles)} rows for {self.num_layers} layers")
        for idx, (row, ops) in enumerate(zip(op_cycles, self.ops)):
            if len(row) != len(ops):
                raise ScheduleError(
                    f"layer {idx} ('{self.problem.layers[idx].name}'): {len(ops)} ops but "
                    f"{len(row)} op durations"
                )
        flat = np.concatenate([np.asarray(row, dtype=float).ravel() for row in op_cycles])
        if np.any(flat < 1) or np.any(flat != np.floor(flat)):
            idx = next(i for i, row in enumerate(op_cycles)
                       if any(t < 1 or t != int(t) for t in np.asarray(row, dtype=float).tolist()))
            raise ScheduleError(
                f"layer {idx} ('{self.problem.layers[idx].name}'): op durations must be whole "
                f"cycles >= 1, got {np.asarray(op_cycles[idx]).tolist()}"
            )
        values = flat.astype(np.int64).tolist()
        out, pos = [], 0
        for ops in self.ops:
            out.append(values[pos:pos + len(ops)])
            pos += len(ops)
        for a, b in self.adc_pairs:
            for layer in (a, b):
                if out[layer][self.op_index[layer]["ADC"]] != 1:
                    raise ScheduleError(
                        f"layer {layer}: ADC sharing needs an ADC duration of 1 cycle (spec 5.9)"
                    )
        return out


#: (consumer geometry, producer geometry) -> (parent blocks, window starts, input-buffer
#: elements), least recently used first: a search evaluates many designs whose layers
#: mostly keep their geometry (same duplication, same split factors)
_PAIR_CACHE: OrderedDict = OrderedDict()
#: at most this many array elements are kept
PAIR_CACHE_ELEMENTS = 4_000_000
_pair_cache_elements = 0


def _pair_geometry(geom: MapGeometry, geom_p: MapGeometry, blocks: np.ndarray):
    """parent_blocks, pixel_start and input_buffer_elements of one provider edge (5.12,
    5.14), remembered per geometry pair (read-only arrays)."""
    global _pair_cache_elements
    key = (geom, geom_p)
    hit = _PAIR_CACHE.get(key)
    if hit is not None:
        _PAIR_CACHE.move_to_end(key)
        return hit
    try:
        parent = parent_blocks(geom, geom_p, blocks)
    except GeometryError as err:
        raise ScheduleError(str(err)) from None
    hit = (parent, pixel_start(geom.dup * blocks, geom, geom_p), input_buffer_elements(blocks, geom, geom_p))
    for array in hit:
        array.setflags(write=False)
    _PAIR_CACHE[key] = hit
    _pair_cache_elements += 3 * len(blocks)
    while _pair_cache_elements > PAIR_CACHE_ELEMENTS and len(_PAIR_CACHE) > 1:
        _, old = _PAIR_CACHE.popitem(last=False)
        _pair_cache_elements -= 3 * len(old[0])
    return hit


def _check_layer(idx: int, layer: LayerSchedule) -> None:
    where = f"layer {idx} ('{layer.name}')"
    if layer.kind not in LAYER_KINDS:
        raise ScheduleError(f"{where}: unknown kind '{layer.kind}'")
    for field_name in ("blocks", "dup", "channels", "out_w", "out_h", "input_split", "dup_split"):
        if int(getattr(layer, field_name)) < 1:
            raise ScheduleError(f"{where}: {field_name} must be >= 1, got {getattr(layer, field_name)}")
    if not layer.ops:
        raise ScheduleError(f"{where}: empty op list")
    if len(set(layer.ops)) != len(layer.ops):
        raise ScheduleError(f"{where}: op list {list(layer.ops)} repeats an op")
    for p in layer.providers:
        if not 0 <= p < idx:
            raise ScheduleError(f"{where}: provider {p} is not an earlier layer")
    if len(set(layer.providers)) != len(layer.providers):
        raise ScheduleError(f"{where}: provider list {list(layer.providers)} repeats a layer")
    if not layer.providers and layer.ops[0] == "TRAN":
        raise ScheduleError(f"{where}: a layer without providers cannot start with TRAN")


def _noc_pairs(problem: ScheduleProblem, op_index) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Conflict pairs as ((layer, op position), (layer, op position)), sorted."""
    pairs = set()
    for pair in problem.noc_conflicts:
        keys = sorted(pair)
        if len(keys) != 2:
            raise ScheduleError(f"NoC conflict {sorted(pair)} must name two different (layer, op) keys")
        resolved = []
        for layer, op in keys:
            if op not in NOC_OPS:
                raise ScheduleError(f"NoC conflict names op '{op}'; only TRAN and MRG use the NoC")
            if not 0 <= layer < len(op_index) or op not in op_index[layer]:
                raise ScheduleError(f"NoC conflict names ({layer}, {op}), which is not an op of the problem")
            resolved.append((layer, op_index[layer][op]))
        pairs.add(tuple(resolved))
    return sorted(pairs)


def _adc_pairs(problem: ScheduleProblem, op_index) -> list[tuple[int, int]]:
    pairs = set()
    for pair in problem.adc_conflicts:
        layers = sorted(pair)
        if len(layers) != 2:
            raise ScheduleError(f"ADC conflict {layers} must name two different layers")
        for layer in layers:
            if not 0 <= layer < len(op_index) or "ADC" not in op_index[layer]:
                raise ScheduleError(f"ADC conflict names layer {layer}, which has no ADC op")
        pairs.add(tuple(layers))
    return sorted(pairs)
