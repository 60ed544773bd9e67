"""Component workloads, the power check, component allocation and the clock (spec 5.6-5.9).

Everything works on the cost network's *component items*: one entry per (layer, compute
op), layers in network order and ops in op-list order. That is the iteration order of the
reference's sums, which we keep so the floating-point results are bit-identical
(spec 0: sums are accumulated left to right with ``sequential_sum``, never pairwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.hw.config import HardwareConfig
from pimsyn.hw.layers import CostNetwork, LayerState
from pimsyn.hw.placement import MacroPlan

#: Ops repeated once per input-bit slice (spec 0).
BIT_LEVEL = frozenset({"DAC", "ADC", "SHIFTADD"})
#: The clock floor: the reference's hard-coded crossbar read latency (B1).
CLOCK_FLOOR_NS = 100.0
#: FC workload clamp min(ceil(wl/100), 100) (spec 5.6, B2).
FC_CLAMP = 100


def sequential_sum(values: np.ndarray, start: float = 0.0) -> float:
    """start + v0 + v1 + ... accumulated left to right (bit-identical to a Python loop)."""
    if len(values) == 0:
        return start
    if start == 0.0:
        return float(np.add.accumulate(values)[-1])
    return float(np.add.accumulate(np.concatenate(([start], values)))[-1])


@dataclass(frozen=True, eq=False)
class ComponentTable:
    """Per-item hardware parameters of the components (ADC[r_adc], DAC[r_dac], ALU tables)."""

    peak_power_w: np.ndarray
    frequency_ghz: np.ndarray
    static_power_w: np.ndarray
    dynamic_power_w: np.ndarray
    latency_ns: np.ndarray
    bit_repeats: np.ndarray  # B for DAC/ADC/SHIFTADD, 1 otherwise (energy factor L)
    is_dac: np.ndarray
    is_adc: np.ndarray


def component_table(cnet: CostNetwork, hw: HardwareConfig, dac_res: int, adc_res: int, bits: int) -> ComponentTable:
    specs = [hw.component(name, dac_res, adc_res) for name in cnet.components]
    code = cnet.item_component_code

    def per_item(attr: str) -> np.ndarray:
        return np.array([float(getattr(s, attr)) for s in specs])[code] if specs else np.zeros(0)

    names = np.array(cnet.components + ("",))[code] if len(code) else np.zeros(0, dtype=str)
    return ComponentTable(
        peak_power_w=per_item("peak_power_w"),
        frequency_ghz=per_item("frequency_ghz"),
        static_power_w=per_item("static_power_w"),
        dynamic_power_w=per_item("dynamic_power_w"),
        latency_ns=per_item("latency_ns"),
        bit_repeats=np.where(np.isin(names, list(BIT_LEVEL)), bits, 1).astype(np.int64),
        is_dac=names == "DAC",
        is_adc=names == "ADC",
    )


def component_workloads(cnet: CostNetwork, state: LayerState, vfu_width: int) -> np.ndarray:
    """Spec 5.6, per item, as float64 (exact: all integer workloads are < 2**53).

    DAC d*In*xsi; ADC d*b*S*a*R; SHIFTADD that / V; ADDITION d*a*R / V (B3, no C factor);
    POOL/ELTWISE/RELU/SIGMOID d*C / V; FC: min(ceil(wl/100), 100) (B2). For groups = 1,
    a = ceil(In/S), b = ceil(C/S) and xsi = b*R.
    """
    layer = cnet.item_layer
    d = state.dup[layer]
    R = cnet.weight_slices
    S = cnet.xbar_size
    a = cnet.row_tiles[layer]
    b = cnet.col_tiles[layer]
    names = cnet.item_component
    code = cnet.item_component_code
    comp_names = cnet.components
    dac = d * cnet.in_len[layer] * (b * R)
    adc = d * b * S * a * R
    addition = d * a * R
    alu = d * cnet.channels[layer]
    kind = np.array([_FORMULA.get(n, 4) for n in comp_names], dtype=np.int64)[code] if names else np.zeros(0, np.int64)
    wl = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [dac.astype(np.float64), adc.astype(np.float64), adc / vfu_width, addition / vfu_width],
        alu / vfu_width,
    )
    fc = cnet.is_fc[layer]
    if fc.any():
        wl = np.where(fc, np.minimum(np.ceil(wl / FC_CLAMP), FC_CLAMP), wl)
    return wl


_FORMULA = {"DAC": 0, "ADC": 1, "SHIFTADD": 2, "ADDITION": 3}


def min_power_w(cnet: CostNetwork, plan: MacroPlan, workloads: np.ndarray, table: ComponentTable) -> float:
    """Spec 5.7: P_min = sum of wl*peak (DAC) and m*peak (everything else), in item order."""
    m = plan.layer_macros[cnet.item_layer]
    terms = np.where(table.is_dac, workloads * table.peak_power_w, m * table.peak_power_w)
    return sequential_sum(terms)


@dataclass(frozen=True, eq=False)
class Allocation:
    """Spec 5.8-5.9."""

    units: np.ndarray  # allocated units per item (int64)
    dac_power_w: float
    power_after_dac_w: float  # P_a
    latency_power_sum: float  # K_s
    kappa_ns: float  # K_s / P_a
    alloc_latency_ns: float  # t_alloc (specified-mode value, also in unified mode, B18)
    clock_ns: float  # max(100, t_alloc)
    per_macro_max: dict[str, int]  # mx per component (non-FC layers, non-DAC)


def allocate_components(
    cnet: CostNetwork, plan: MacroPlan, workloads: np.ndarray, table: ComponentTable,
    avail_power_w: float, unified: bool,
) -> Allocation:
    """Spec 5.8 (Eq. 5/6 as implemented) and 5.9 for ``avail_power_w`` (`ComponentAllocator`)."""
    return ComponentAllocator(cnet, plan, workloads, table, unified).allocation(avail_power_w)


class ComponentAllocator:
    """Spec 5.8 (Eq. 5/6 as implemented) and 5.9 as a function of the available power.

    1. ADC workload 0 for the smaller user of each sharing pair; 2. DACs: one per workload
    unit, their power comes off the budget first; 3. kappa = sum(wl*peak/f) / P_a;
    4. units = ceil((wl/f)/kappa); the clock is the slowest realised non-FC latency;
    6. unified: every macro gets the per-macro maximum of each component (FCs too).

    What does not depend on the power (the sharing-adjusted workloads, the DAC terms,
    K_s, wl/f) is computed once, so the bisection of `allocate_within_budget` costs a few
    array operations per step (`units`); `allocation` gives the whole record.
    """

    def __init__(self, cnet: CostNetwork, plan: MacroPlan, workloads: np.ndarray, table: ComponentTable,
                 unified: bool) -> None:
        self.cnet, self.unified = cnet, unified
        layer = cnet.item_layer
        wl = _shared_workloads(cnet, plan, workloads, table)
        is_dac = table.is_dac
        self.dac_terms = wl[is_dac] * table.peak_power_w[is_dac]
        self.neg_dac_terms = -self.dac_terms
        self.other = other = ~is_dac
        freq = table.frequency_ghz
        self.latency_power = sequential_sum((wl[other] * table.peak_power_w[other]) / freq[other])
        self.positive = positive = other & (wl > 0)
        self.wl_per_f = wl[positive] / freq[positive]
        self.base = np.zeros(len(wl), dtype=np.int64)
        self.base[is_dac] = wl[is_dac].astype(np.int64)
        self.non_fc = non_fc = positive & ~cnet.is_fc[layer]
        self.wl_non_fc, self.freq_non_fc = wl[non_fc], freq[non_fc]
        self.m = plan.layer_macros[layer]
        self.code = cnet.item_component_code
        self.counted = other & ~cnet.is_fc[layer]

    def _raw(self, avail_power_w: float) -> tuple[float, float, np.ndarray]:
        """(P_a, kappa, units before the unified growth)."""
        power_after_dac = sequential_sum(self.neg_dac_terms, avail_power_w)
        kappa = self.latency_power / power_after_dac
        units = self.base.copy()
        units[self.positive] = np.ceil(self.wl_per_f / kappa).astype(np.int64)
        return power_after_dac, kappa, units

    def _grow(self, units: np.ndarray, mx_arr, has) -> None:
        """Step 6 (unified): every macro gets the per-macro maximum of each component."""
        code = self.code
        grow = self.other & has[code] & (units > 0)
        units[grow] = mx_arr[code[grow]] * self.m[grow]

    def units(self, avail_power_w: float) -> tuple[float, np.ndarray]:
        """(P_a, allocated units) for this available power."""
        power_after_dac, _, units = self._raw(avail_power_w)
        if self.unified:
            mx_arr, has = _macro_max_arrays(units, self.m, self.code, self.counted, len(self.cnet.components))
            if has is not None:
                self._grow(units, mx_arr, has)
        return power_after_dac, units

    def allocation(self, avail_power_w: float) -> Allocation:
        power_after_dac, kappa, units = self._raw(avail_power_w)
        alloc_latency = 0.0
        if self.non_fc.any():
            alloc_latency = max(0.0, float(np.max(self.wl_non_fc / (self.freq_non_fc * units[self.non_fc]))))
        mx_arr, has = _macro_max_arrays(units, self.m, self.code, self.counted, len(self.cnet.components))
        mx = _macro_max_dict(self.cnet, mx_arr, has)
        if self.unified and has is not None:
            self._grow(units, mx_arr, has)
        return Allocation(
            units=units,
            dac_power_w=sequential_sum(self.dac_terms),
            power_after_dac_w=power_after_dac,
            latency_power_sum=self.latency_power,
            kappa_ns=kappa,
            alloc_latency_ns=alloc_latency,
            clock_ns=max(CLOCK_FLOOR_NS, alloc_latency),
            per_macro_max=mx,
        )


def _shared_workloads(cnet: CostNetwork, plan: MacroPlan, workloads: np.ndarray, table: ComponentTable) -> np.ndarray:
    """Spec 5.8 step 1: the ADC workload of the smaller user of each sharing pair is 0
    (the pair's ADCs are sized for the larger one)."""
    if not plan.sharing_pairs:
        return workloads
    layer = cnet.item_layer
    wl = workloads.copy()
    for owner, sharer in plan.sharing_pairs:
        i_owner = np.flatnonzero((layer == owner) & table.is_adc)
        i_sharer = np.flatnonzero((layer == sharer) & table.is_adc)
        if len(i_owner) and len(i_sharer):
            if wl[i_sharer[0]] < wl[i_owner[0]]:
                wl[i_sharer] = 0.0
            else:
                wl[i_owner] = 0.0
    return wl


def _macro_max_arrays(units: np.ndarray, item_macros: np.ndarray, code: np.ndarray, counted: np.ndarray,
                      components: int):
    """mx per component over the ``counted`` items (non-FC, non-DAC; spec 5.8 step 6) as an
    array over components, and which components occur; (None, None) when none do."""
    if not counted.any():
        return None, None
    per_macro = -(-units // item_macros)
    mx_arr = np.zeros(components, dtype=np.int64)
    np.maximum.at(mx_arr, code[counted], per_macro[counted])
    has = np.zeros(components, dtype=bool)
    has[code[counted]] = True
    return mx_arr, has


def _macro_max_dict(cnet: CostNetwork, mx_arr, has) -> dict[str, int]:
    """`Allocation.per_macro_max`: mx by component name."""
    if has is None:
        return {}
    return {cnet.components[k]: int(mx_arr[k]) for k in np.flatnonzero(has)}


def fixed_allocation(cnet: CostNetwork, plan: MacroPlan, workloads: np.ndarray, table: ComponentTable,
                     units: np.ndarray) -> Allocation:
    """Spec 5.9 for given unit counts (a fixed organisation, `hw/organisation.py`) instead of
    Eq. 5-6: the clock is the slowest realised non-FC latency, floored at 100 ns."""
    layer = cnet.item_layer
    units = np.asarray(units, dtype=np.int64)
    other = ~table.is_dac
    freq = table.frequency_ghz
    positive = other & (workloads > 0) & (units > 0)
    non_fc = positive & ~cnet.is_fc[layer]
    alloc_latency = 0.0
    if non_fc.any():
        alloc_latency = max(0.0, float(np.max(workloads[non_fc] / (freq[non_fc] * units[non_fc]))))
    mx_arr, has = _macro_max_arrays(units, plan.layer_macros[layer], cnet.item_component_code,
                                    other & ~cnet.is_fc[layer], len(cnet.components))
    mx = _macro_max_dict(cnet, mx_arr, has)
    return Allocation(
        units=units, dac_power_w=sequential_sum(units[table.is_dac] * table.peak_power_w[table.is_dac]),
        power_after_dac_w=0.0, latency_power_sum=0.0, kappa_ns=0.0, alloc_latency_ns=alloc_latency,
        clock_ns=max(CLOCK_FLOOR_NS, alloc_latency), per_macro_max=mx,
    )


#: Bisection steps of `allocate_within_budget` (the power handed to the allocator is found
#: to within avail / 2**BUDGET_STEPS).
BUDGET_STEPS = 20


def allocated_peak_power_w(units: np.ndarray, table: ComponentTable, fixed_power_w: float) -> float:
    """Peak power of a chip with these units: every unit at peak power (spec 5.8's P_peak),
    plus the fixed part (crossbars, scratchpad leakage, NoC)."""
    return float(np.dot(units, table.peak_power_w)) + fixed_power_w


def allocate_within_budget(
    cnet: CostNetwork, plan: MacroPlan, workloads: np.ndarray, table: ComponentTable,
    avail_power_w: float, unified: bool, fixed_power_w: float, budget_w: float, fits=None,
) -> Allocation | None:
    """Spec 5.8, corrected so that the allocated peak power stays within the budget
    (docs/cost-model.md, "Budgets are honoured").

    The reference's allocation rounds every unit count up (Eq. 5/6 with ceil) and, in
    unified mode, gives every macro the per-macro maximum of every unit (B2), so the units
    it allocates can draw more than the budget. Here the allocation is recomputed with
    less power handed to it, the largest amount (found by bisection; the allocation grows
    monotonically with its power) whose units fit: allocated peak <= budget. None when
    not even the smallest allocation fits. ``fits(units)``, when given, is a second
    constraint the units must meet (an area limit, docs/cost-model.md "Area"); it must grow
    no easier with more units, as the peak power does.
    """
    def ok(units: np.ndarray) -> bool:
        return allocated_peak_power_w(units, table, fixed_power_w) <= budget_w and (fits is None or fits(units))

    allocator = ComponentAllocator(cnet, plan, workloads, table, unified)
    alloc = allocator.allocation(avail_power_w)
    if ok(alloc.units):
        return alloc
    lo, hi = alloc.dac_power_w, avail_power_w  # the DACs' power is fixed: hand out more than it
    best = None
    for _ in range(BUDGET_STEPS):
        mid = 0.5 * (lo + hi)
        power_after_dac, units = allocator.units(mid)
        if power_after_dac > 0 and ok(units):
            best, lo = mid, mid
        else:
            hi = mid
    return None if best is None else allocator.allocation(best)
