"""Energy of one inference (spec 5.16) in nJ, accumulated in the reference's order.

The reference sums term by term in layer order; floating-point addition is not
associative, so every accumulator below is a left-to-right ``sequential_sum`` over the
same items in the same order (an earlier implementation that summed otherwise differed by
~1e-16 relative, spec 8.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.hw.allocation import ComponentTable, sequential_sum
from pimsyn.hw.config import CrossbarSpec
from pimsyn.hw.layers import CostNetwork, LayerState


@dataclass(frozen=True)
class EnergyBreakdown:
    component_static: float
    component_dynamic: float
    crossbar_static: float
    crossbar_dynamic: float
    memory_dynamic: float
    memory_static: float
    noc: float
    total: float  # ((E_comp + E_rram) + E_mem) + E_noc

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def used_crossbars(cnet: CostNetwork, state: LayerState) -> np.ndarray:
    """X = d * (b*R) * a per layer (0 for pool/eltwise): only crossbars in use (B15)."""
    return state.dup * (cnet.col_tiles * cnet.weight_slices) * cnet.row_tiles


def component_energy_items(cnet: CostNetwork, state: LayerState, workloads: np.ndarray, units: np.ndarray,
                           table: ComponentTable, latency_ns: float) -> tuple[np.ndarray, np.ndarray]:
    """Per item: static (T*Ps)*alloc and dynamic (((lat*Pd)*wl)*n)*L (L = B for bit-level ops)."""
    static = (latency_ns * table.static_power_w) * units
    dynamic = (((table.latency_ns * table.dynamic_power_w) * workloads) * state.blocks[cnet.item_layer]) * table.bit_repeats
    return static, dynamic


def inference_energy(
    cnet: CostNetwork, state: LayerState, workloads: np.ndarray, units: np.ndarray,
    table: ComponentTable, crossbar: CrossbarSpec, bits: int, latency_ns: float,
    memory_dynamic_nj: float, memory_static_w: float, noc_power_w: float,
) -> EnergyBreakdown:
    """Spec 5.16 with T = ``latency_ns`` (cycles * t_clk)."""
    static_items, dynamic_items = component_energy_items(cnet, state, workloads, units, table, latency_ns)
    static = sequential_sum(static_items)
    dynamic = sequential_sum(dynamic_items)
    weight = cnet.is_weight
    xbars = used_crossbars(cnet, state)[weight]
    blocks = state.blocks[weight]
    xbar_dynamic_items = (((crossbar.latency_ns * crossbar.dynamic_power_w) * xbars) * blocks) * bits
    xbar_static_items = (latency_ns * crossbar.static_power_w) * xbars
    rram = sequential_sum(xbar_dynamic_items + xbar_static_items)
    memory_static = memory_static_w * latency_ns
    memory = memory_dynamic_nj + memory_static
    noc = noc_power_w * latency_ns
    total = (((dynamic + static) + rram) + memory) + noc
    return EnergyBreakdown(
        component_static=static,
        component_dynamic=dynamic,
        crossbar_static=sequential_sum(xbar_static_items),
        crossbar_dynamic=sequential_sum(xbar_dynamic_items),
        memory_dynamic=memory_dynamic_nj,
        memory_static=memory_static,
        noc=noc,
        total=total,
    )
