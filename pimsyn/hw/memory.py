"""Scratchpad latencies, energies and capacity choice (spec 5.10, 5.14-5.15, B6)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.hw.config import HardwareConfig, MemorySpec
from pimsyn.hw.layers import KIND_CODES, CostNetwork, LayerState
from pimsyn.hw.allocation import sequential_sum


@dataclass(frozen=True, eq=False)
class MemoryVolumes:
    """Per-layer scratchpad words moved (spec 5.10); independent of the capacity."""

    ld_access: np.ndarray  # ceil(ld_data*w/bw): accesses per block and macro (latency)
    st_access: np.ndarray
    ld_total_access: np.ndarray  # ceil(ld_vol*w/bw): accesses per block, whole layer (energy)
    st_total_access: np.ndarray


@dataclass(frozen=True, eq=False)
class MemoryCost:
    spec: MemorySpec
    ld_latency_ns: np.ndarray  # lambda^LD per layer
    st_latency_ns: np.ndarray  # lambda^ST
    dynamic_energy_nj: float  # E^mem_dyn
    static_power_w: float  # M * leak_power (= peak power, B6)


def memory_volumes(cnet: CostNetwork, state: LayerState, input_split: np.ndarray,
                   dup_split: np.ndarray, data_res: int, memory_bw_bits: int) -> MemoryVolumes:
    """Spec 5.10 (the evaluation order of the real-valued products is kept):
    conv/FC ld_data = ((In/q)*(d/u))*xsi, ld_vol = d*In*xsi; pool ld = (C*kh*kw)*d;
    eltwise ld = d*C; st_data = d*C/u, st_vol = d*C."""
    d = state.dup
    C = cnet.channels
    xsi = cnet.col_tiles * cnet.weight_slices
    code = cnet.kind_code
    weight = cnet.is_weight
    weight_ld = ((cnet.in_len / input_split) * (d / dup_split)) * xsi
    pool_ld = (C * cnet.kernel_h * cnet.kernel_w) * d
    elt_ld = d * C
    ld_data = np.where(weight, weight_ld, np.where(code == KIND_CODES["pool"], pool_ld, elt_ld))
    ld_vol = np.where(weight, d * cnet.in_len * xsi, np.where(code == KIND_CODES["pool"], pool_ld, elt_ld))
    st_data = (d * C) / dup_split
    st_vol = d * C
    w = data_res
    return MemoryVolumes(
        ld_access=np.ceil(ld_data * w / memory_bw_bits),
        st_access=np.ceil(st_data * w / memory_bw_bits),
        ld_total_access=-(-(ld_vol * w) // memory_bw_bits),
        st_total_access=-(-(st_vol * w) // memory_bw_bits),
    )


def memory_cost(volumes: MemoryVolumes, state: LayerState, spec: MemorySpec, total_macros: int) -> MemoryCost:
    """Latencies, dynamic energy (whole-layer volumes times n, in layer order) and static
    power (one scratchpad per conv/FC macro, B6) for scratchpad table entry ``spec``."""
    per_layer = (volumes.ld_total_access * spec.read_energy_nj
                 + volumes.st_total_access * spec.write_energy_nj) * state.blocks
    return MemoryCost(
        spec=spec,
        ld_latency_ns=volumes.ld_access * spec.read_latency_ns,
        st_latency_ns=volumes.st_access * spec.write_latency_ns,
        dynamic_energy_nj=sequential_sum(per_layer),
        static_power_w=total_macros * spec.leak_power_w,
    )


def capacity_entry(hw: HardwareConfig, capacity_kb: int) -> int | None:
    """Smallest scratchpad table capacity >= the estimate, None if the estimate exceeds the
    largest entry (infeasible, spec 5.15). The reference fails on estimates below the
    smallest entry (e.g. 32 KB); we use the smallest entry instead. For estimates that are
    table keys (64..4096 in the shipped table) this is the estimate itself."""
    for kb in hw.memories:
        if kb >= capacity_kb:
            return kb
    return None
