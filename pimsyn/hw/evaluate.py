"""One fitness evaluation of a design (spec 5.0-5.17).

``evaluate`` returns every number the product reports; ``fitness`` is the lean version the
searches call (ops/J, 0 if infeasible). Both run the same pipeline:

5.1-5.5 macros, placement, NoC traffic -> first DAG schedule (t_clk = 100 ns, LD/ST one
cycle) -> scratchpad estimate K0 -> fixed point on the capacity (5.15: memory 5.10, power
check 5.7, allocation 5.8, clock 5.9, op delays 5.11, new schedule) -> energy 5.16 ->
efficiency 5.17.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from pimsyn.hw.allocation import (
    allocate_components, allocate_within_budget, allocated_peak_power_w, component_table, component_workloads,
    min_power_w, sequential_sum,
)
from pimsyn.hw.config import HardwareConfig
from pimsyn.hw.energy import EnergyBreakdown, component_energy_items, inference_energy, used_crossbars
from pimsyn.hw.layers import CostNetwork, LayerState, compute_power_w
from pimsyn.hw.memory import capacity_entry, memory_cost, memory_volumes
from pimsyn.hw.placement import (
    noc_traffic, place_macros, plan_macros, serpentine_coordinates,
)

if TYPE_CHECKING:
    from pimsyn.hw.schedule_problem import ScheduleResult

MACRO_SETTINGS = ("unified", "specified")
#: Fixed-point iterations on the scratchpad capacity (spec 5.15).
MAX_CAPACITY_ITERATIONS = 10


@dataclass(frozen=True)
class DesignPoint:
    total_power_w: float  # P_tot
    rram_ratio: float  # theta
    xbar_size: int  # S
    cell_res: int  # rho
    dac_res: int
    adc_res: int
    macro_setting: str = "unified"  # "unified" | "specified"
    #: True: the reference's allocation exactly (units rounded up, unified macros at the
    #: per-macro maximum, B2), which can exceed the budget; False (default): every
    #: allocation stays within the budget (docs/cost-model.md, "Budgets are honoured")
    reference_quirks: bool = False
    #: a fixed component organisation (`hw/organisation.py`, e.g. "isaac") in place of the
    #: synthesized allocation (Eq. 5-6); None (default): PIMSYN's allocation
    organisation: str | None = None
    #: the chip may not exceed this area (docs/cost-model.md, "Area"); None: no area limit
    area_limit_mm2: float | None = None

    def __post_init__(self) -> None:
        if self.macro_setting not in MACRO_SETTINGS:
            raise ValueError(f"macro_setting must be 'unified' or 'specified', got {self.macro_setting!r}")

    @property
    def compute_power_w(self) -> float:
        return compute_power_w(self.total_power_w, self.rram_ratio)


@dataclass(frozen=True)
class LayerEvaluation:
    name: str
    kind: str
    dup: int
    blocks: int
    macros: int  # gene count c (0 for pool/eltwise)
    shared_macros: int  # m: c, c + c_partner when sharing, 1 for pool/eltwise
    partner: str | None
    alloc: dict[str, int]  # component -> units (whole layer)
    per_macro: dict[str, int]  # as the accelerator JSON writes: ceil(alloc/c) conv/FC, raw pool/eltwise
    workloads: dict[str, float]
    crossbars: int  # used crossbars X
    macro_size: int  # ceil(X / c) for conv/FC (crossbars per macro), 0 otherwise
    first_macro: tuple[int, int]  # (row, col)
    last_macro: tuple[int, int]
    merge_macro: tuple[int, int]
    tran_hops: int
    mrg_hops: int
    tran_delay: int  # D^T, NoC cycles
    mrg_delay: int  # D^M
    input_split: int  # q
    dup_split: int  # u
    ld_latency_ns: float
    st_latency_ns: float
    ops: tuple[str, ...]
    op_cycles: tuple[int, ...]
    # placement as serpentine macro ids (spec 5.2): the run the layer's dataflow uses
    run_start: int = 0
    run_length: int = 1
    merge_pos: int = 0
    transfer_bytes: int = 0  # bytes one consumer macro receives per block (spec 5.5 words x w/8)
    merge_bytes: int = 0  # bytes one macro sends to the merge point per block
    op_starts: tuple[int, ...] = ()  # start cycle of block 0 (bit 0) of each op (spec 5.13)


@dataclass(frozen=True)
class Evaluation:
    feasible: bool
    reason: str = ""
    power_efficiency_gops_per_w: float = 0.0
    ops: int = 0
    cycles: int = 0
    first_pass_cycles: int = 0
    noc_bubbles: int = 0
    clock_ns: float = 0.0
    latency_ns: float = 0.0  # T = cycles * t_clk
    spm_kb: int = 0
    first_pass_spm_kb: int = 0
    capacity_iterations: int = 0
    energy_nj: dict[str, float] = field(default_factory=dict)
    component_energy_nj: dict[str, tuple[float, float]] = field(default_factory=dict)  # comp -> (static, dynamic)
    mesh_rows: int = 0
    mesh_cols: int = 0
    total_macros: int = 0
    avail_power_w: float = 0.0  # P_avail0
    min_power_w: float = 0.0  # P_min
    power_after_dac_w: float = 0.0  # P_a
    latency_power_sum: float = 0.0  # K_s
    kappa_ns: float = 0.0
    per_macro_max: dict[str, int] = field(default_factory=dict)
    unified_macro_size: int = 0  # spec 6 / B19
    noc_conflicts: frozenset = frozenset()
    layers: tuple[LayerEvaluation, ...] = ()
    throughput_inferences_per_s: float = 0.0
    edp_nj_ns: float = 0.0
    average_power_w: float = 0.0
    allocated_peak_power_w: float = 0.0
    power_budget_w: float = 0.0
    peak_ops_per_s: float = 0.0
    peak_power_efficiency_gops_per_w: float = 0.0

    @property
    def energy_per_inference_nj(self) -> float:
        return self.energy_nj.get("total", 0.0)

    @property
    def fitness_ops_per_j(self) -> float:
        return self.power_efficiency_gops_per_w * 1e9 if self.feasible else 0.0


Scheduler = Callable[[object, Sequence[Sequence[int]]], object]


def _schedule_api():
    from pimsyn.hw import schedule as schedule_module  # written by the scheduler helper

    return schedule_module


@dataclass
class _Run:
    """Intermediate state of one evaluation (kept for ``evaluate``'s report)."""

    feasible: bool = True
    reason: str = ""
    fitness: float = 0.0
    details: dict = field(default_factory=dict)


def evaluate(
    cnet: CostNetwork, hw: HardwareConfig, point: DesignPoint, state: LayerState,
    macros: Sequence[int], partners: Sequence[int] | None = None, *, scheduler: Scheduler | None = None,
    schedule_api=None,
) -> Evaluation:
    """Full evaluation of a design (spec 5.0-5.17) with the derived product metrics.

    ``macros``: macro count per weight layer in gene order (convs then FCs); ``partners[i]``:
    gene index of the layer that gene position i shares macros with, -1 none (A8 fixed).
    ``scheduler`` replaces the DAG scheduler (e.g. the node-by-node oracle);
    ``schedule_api`` replaces the whole schedule module (LayerSchedule, ScheduleProblem,
    schedule, scratchpad_kb), for tests.
    """
    run = _pipeline(cnet, hw, point, state, macros, partners, scheduler, schedule_api,
                    op_starts=scheduler is None and schedule_api is None)
    return _report(cnet, hw, point, state, run)


def fitness(
    cnet: CostNetwork, hw: HardwareConfig, point: DesignPoint, state: LayerState,
    macros: Sequence[int], partners: Sequence[int] | None = None, *, scheduler: Scheduler | None = None,
    schedule_api=None,
) -> float:
    """Power efficiency in ops/J (spec 4.5), 0 for an infeasible design."""
    return _pipeline(cnet, hw, point, state, macros, partners, scheduler, schedule_api, exact_buffer=False).fitness


def _pipeline(cnet, hw, point, state, macros, partners, scheduler, schedule_api, op_starts: bool = False,
              exact_buffer: bool = True) -> _Run:
    """The evaluation (module docstring). ``exact_buffer`` False (fitness): the schedules
    resolve the scratchpad need Z only as far as the table entry it selects (the fitness
    depends on nothing else of Z; `schedule`'s ``buffer_key``), so the reported KB figures
    in ``details`` may be upper bounds."""
    if (point.xbar_size, point.cell_res) != (cnet.xbar_size, cnet.cell_res):
        raise ValueError(
            f"design point has S={point.xbar_size}, rho={point.cell_res} but the cost network was built for "
            f"S={cnet.xbar_size}, rho={cnet.cell_res}"
        )
    api = schedule_api or _schedule_api()
    schedule = scheduler or api.schedule
    if not exact_buffer and scheduler is None and schedule_api is None:
        schedule = functools.partial(
            schedule, buffer_key=lambda z: capacity_entry(hw, api.scratchpad_kb(z, hw.data_res)))
    bits = -(-hw.data_res // point.dac_res)
    plan = plan_macros(cnet, macros, partners)
    placement = place_macros(cnet, plan)
    traffic = noc_traffic(cnet, state, plan, placement, hw.data_res, hw.noc_bw_bits)
    run = _Run()
    d = run.details
    d.update(plan=plan, placement=placement, traffic=traffic, bits=bits)

    table = component_table(cnet, hw, point.dac_res, point.adc_res, bits)
    workloads = component_workloads(cnet, state, hw.vfu_width)
    p_min = min_power_w(cnet, plan, workloads, table)
    d.update(table=table, workloads=workloads, min_power=p_min)
    compute_power = point.compute_power_w
    # Shortcut (same fitness as the reference): P_avail0 is largest with the least leaky
    # scratchpad; if even that cannot hold P_min, no capacity can (5.7, 5.15) -> skip the DAG.
    least_leak = min(spec.leak_power_w for spec in hw.memories.values())
    best_avail = (compute_power - plan.total_macros * least_leak) - hw.noc_power_w
    if p_min >= best_avail:
        d.update(avail_power=best_avail)
        return _infeasible(run, f"minimum power {p_min:.6g} W >= available {best_avail:.6g} W even with "
                                f"the smallest scratchpad (one unit of every component per macro does not fit)")

    problem = _schedule_problem(api, cnet, state, plan, traffic, placement, bits)
    tau_first = _op_cycles(traffic.ops, np.ones(cnet.num_layers), np.ones(cnet.num_layers),
                           np.ceil(traffic.tran_delay / 100.0), np.ceil(traffic.mrg_delay / 100.0))
    first = schedule(problem, tau_first)
    first_kb = api.scratchpad_kb(first.buffer_elements, hw.data_res)
    d.update(first=first, first_kb=first_kb)
    capacity = capacity_entry(hw, first_kb)
    if capacity is None:
        return _infeasible(run, f"scratchpad estimate {first_kb} KB exceeds the largest memory entry "
                                f"({max(hw.memories)} KB)")

    volumes = memory_volumes(cnet, state, traffic.input_split, traffic.dup_split, hw.data_res, hw.memory_bw_bits)
    crossbar_peak_w = int(used_crossbars(cnet, state).sum()) * hw.crossbar(cnet.xbar_size, cnet.cell_res).peak_power_w
    unified = point.macro_setting == "unified"
    result = first
    iterations = 0
    scheduled: dict[tuple, ScheduleResult] = {}  # tau -> its schedule, within this evaluation
    for iterations in range(1, MAX_CAPACITY_ITERATIONS + 1):
        mem = memory_cost(volumes, state, hw.memory(capacity), plan.total_macros)
        avail = (compute_power - mem.static_power_w) - hw.noc_power_w
        d.update(avail_power=avail, memory=mem, capacity=capacity)
        if p_min >= avail:
            return _infeasible(run, f"minimum power {p_min:.6g} W >= available {avail:.6g} W "
                                    f"(one unit of every component per macro does not fit)")
        if point.organisation is not None:
            from pimsyn.hw.allocation import fixed_allocation
            from pimsyn.hw.organisation import organisation, organisation_units

            from pimsyn.hw.allocation import CLOCK_FLOOR_NS

            units = organisation_units(organisation(point.organisation), cnet, state, plan.layer_macros, workloads,
                                       table.frequency_ghz, CLOCK_FLOOR_NS)
            alloc = fixed_allocation(cnet, plan, workloads, table, units)
        elif point.reference_quirks:
            alloc = allocate_components(cnet, plan, workloads, table, avail, unified)
        else:
            fixed = crossbar_peak_w + mem.static_power_w + hw.noc_power_w
            fits = None
            if point.area_limit_mm2 is not None:  # the allocation also keeps the chip within the area
                def fits(units, capacity=capacity):
                    area = _area_mm2(cnet, hw, point, state, units, plan.total_macros, capacity)
                    return area <= point.area_limit_mm2
            alloc = allocate_within_budget(cnet, plan, workloads, table, avail, unified, fixed, point.total_power_w,
                                           fits)
            if alloc is None and point.area_limit_mm2 is not None:
                return _infeasible(run, f"no allocation fits both the {point.total_power_w:g} W budget and the "
                                        f"{point.area_limit_mm2:g} mm² area limit")
            if alloc is None:
                return _infeasible(run, f"no allocation fits the {point.total_power_w:g} W budget: crossbars, "
                                        f"scratchpads and NoC take {fixed:.6g} W and one unit of each "
                                        f"component per layer does not fit beside them")
        clock = alloc.clock_ns
        tau = _op_cycles(traffic.ops, np.ceil(mem.ld_latency_ns / clock), np.ceil(mem.st_latency_ns / clock),
                         np.ceil(traffic.tran_delay / clock), np.ceil(traffic.mrg_delay / clock))
        # a capacity seen before gives the same tau, hence the same schedule: a fixed point
        # that oscillates between capacities (A, B, A, B, ... up to the 10th iteration)
        # schedules each distinct tau once (docs/cost-model.md, "One evaluation", step 7)
        tau_key = tuple(map(tuple, tau))
        result = scheduled.get(tau_key)
        if result is None:
            result = scheduled[tau_key] = (schedule(problem, tau, op_starts=True) if op_starts
                                           else schedule(problem, tau))
        new_kb = api.scratchpad_kb(result.buffer_elements, hw.data_res)
        new_capacity = capacity_entry(hw, new_kb)
        d.update(alloc=alloc, tau=tau, last_kb=new_kb)
        if new_capacity is None:
            return _infeasible(run, f"scratchpad estimate {new_kb} KB exceeds the largest memory entry "
                                    f"({max(hw.memories)} KB)")
        if new_capacity == capacity:
            break
        capacity = new_capacity
    latency = result.cycles * clock
    energy = inference_energy(
        cnet, state, workloads, alloc.units, table, hw.crossbar(cnet.xbar_size, cnet.cell_res), bits,
        latency, mem.dynamic_energy_nj, mem.static_power_w, hw.noc_power_w,
    )
    run.fitness = cnet.ops / (energy.total * 1e-9)
    if not (math.isfinite(run.fitness) and run.fitness > 0 and math.isfinite(latency) and latency > 0):
        return _infeasible(run, f"the evaluation gives no finite positive result (energy {energy.total:.6g} nJ, "
                                f"latency {latency:.6g} ns): the inputs are outside the model's range")
    d.update(result=result, clock=clock, latency=latency, energy=energy, iterations=iterations)
    if point.area_limit_mm2 is not None:
        area = _area_mm2(cnet, hw, point, state, alloc.units, plan.total_macros, capacity)
        d.update(area_mm2=area)
        if area > point.area_limit_mm2:
            return _infeasible(run, f"the chip takes {area:.4g} mm², more than the {point.area_limit_mm2:g} mm² "
                                    "area limit")
    return run


def _area_mm2(cnet: CostNetwork, hw: HardwareConfig, point: DesignPoint, state: LayerState, units: np.ndarray,
              total_macros: int, spm_kb: int) -> float:
    """The design's area (hw/area.py) from the allocation's unit counts."""
    from pimsyn.hw.area import area_from_counts

    counts: dict[str, int] = {}
    for comp, count in zip(cnet.item_component, np.asarray(units).tolist()):
        counts[comp] = counts.get(comp, 0) + int(count)
    crossbars = int(used_crossbars(cnet, state).sum())
    return area_from_counts(hw, crossbars, counts, int(total_macros), int(spm_kb), point.xbar_size,
                            point.dac_res, point.adc_res).total_mm2


def _infeasible(run: _Run, reason: str) -> _Run:
    run.feasible = False
    run.reason = reason
    run.fitness = 0.0
    return run


def _op_cycles(ops, ld, st, tran, mrg) -> list[list[int]]:
    """tau per op (spec 5.11): compute ops 1, LD/ST/TRAN/MRG from their latencies."""
    ld, st, tran, mrg = (np.asarray(x, dtype=np.int64).tolist() for x in (ld, st, tran, mrg))
    out = []
    for idx, layer_ops in enumerate(ops):
        row = []
        for op in layer_ops:
            if op == "LD":
                row.append(ld[idx])
            elif op == "ST":
                row.append(st[idx])
            elif op == "TRAN":
                row.append(tran[idx])
            elif op == "MRG":
                row.append(mrg[idx])
            else:
                row.append(1)
        out.append(row)
    return out


def _schedule_problem(api, cnet: CostNetwork, state: LayerState, plan, traffic, placement, bits: int):
    dup = state.dup.tolist()
    blocks = state.blocks.tolist()
    q = traffic.input_split.tolist()
    u = traffic.dup_split.tolist()
    C = cnet.channels.tolist()
    W = cnet.out_w.tolist()
    H = cnet.out_h.tolist()
    kh, kw = cnet.kernel_h.tolist(), cnet.kernel_w.tolist()
    sh, sw = cnet.stride_h.tolist(), cnet.stride_w.tolist()
    ph, pw = cnet.pad_h0.tolist(), cnet.pad_w0.tolist()
    layers = tuple(
        api.LayerSchedule(
            name=cnet.names[i], kind=cnet.kinds[i], blocks=blocks[i], dup=dup[i], channels=C[i],
            out_w=W[i], out_h=H[i], kernel=(kh[i], kw[i]), stride=(sh[i], sw[i]), pad0=(ph[i], pw[i]),
            input_split=q[i], dup_split=u[i], ops=traffic.ops[i], providers=cnet.providers[i],
        )
        for i in range(cnet.num_layers)
    )
    adc_conflicts = frozenset(frozenset(pair) for pair in plan.sharing_pairs)
    return api.ScheduleProblem(layers=layers, bits=bits, noc_conflicts=placement.noc_conflicts,
                               adc_conflicts=adc_conflicts)


def unified_macro_size(cnet: CostNetwork, hw: HardwareConfig, state: LayerState, gene_macros) -> int:
    """Spec 6 / B19: ceil((max_l ceil(X_l/c_l) - minsize)/stride)*stride + minsize, with
    minsize = max(default minimum, ceil(b*R/stride)*stride over the weight layers) (the
    EA's minimum for this duplication; the reference's is cumulative over candidates)."""
    ea = hw.evolution
    stride = ea.macro_size_stride
    weight = cnet.gene_layers
    mini = cnet.col_tiles[weight] * cnet.weight_slices
    minsize = max([ea.min_macro_size] + [(-(-int(x) // stride)) * stride for x in mini])
    sizes = -(-used_crossbars(cnet, state)[weight] // np.asarray(gene_macros))
    maxsize = int(sizes.max()) if len(sizes) else 0
    return math.ceil((maxsize - minsize) / stride) * stride + minsize


def _report(cnet: CostNetwork, hw: HardwareConfig, point: DesignPoint, state: LayerState, run: _Run) -> Evaluation:
    d = run.details
    plan = d["plan"]
    placement = d["placement"]
    traffic = d["traffic"]
    common = dict(
        ops=cnet.ops, mesh_rows=plan.rows, mesh_cols=plan.cols, total_macros=plan.total_macros,
        noc_conflicts=placement.noc_conflicts, power_budget_w=point.total_power_w,
        first_pass_cycles=d["first"].cycles if "first" in d else 0, first_pass_spm_kb=d.get("first_kb", 0),
        min_power_w=d.get("min_power", 0.0), avail_power_w=d.get("avail_power", 0.0),
    )
    if not run.feasible:
        return Evaluation(feasible=False, reason=run.reason, **common)
    alloc = d["alloc"]
    mem = d["memory"]
    table = d["table"]
    workloads = d["workloads"]
    energy: EnergyBreakdown = d["energy"]
    latency = d["latency"]
    clock = d["clock"]
    bits = d["bits"]
    tau = d["tau"]
    units = alloc.units
    xbars = used_crossbars(cnet, state)
    cols = plan.cols
    item_layer = cnet.item_layer.tolist()
    units_list = units.tolist()
    workload_list = workloads.tolist()
    per_layer_alloc: list[dict[str, int]] = [dict() for _ in range(cnet.num_layers)]
    per_layer_wl: list[dict[str, float]] = [dict() for _ in range(cnet.num_layers)]
    for lay, comp, n, wl in zip(item_layer, cnet.item_component, units_list, workload_list):
        per_layer_alloc[lay][comp] = n
        per_layer_wl[lay][comp] = wl
    gene_of_layer = dict(zip(cnet.gene_layers.tolist(), plan.partners.tolist()))
    gene_layers = cnet.gene_layers.tolist()
    start = placement.run_start
    rows_first, cols_first = serpentine_coordinates(start, cols)
    rows_last, cols_last = serpentine_coordinates(start + placement.run_length - 1, cols)
    rows_merge, cols_merge = serpentine_coordinates(placement.merge_pos, cols)
    first = list(zip(rows_first.tolist(), cols_first.tolist()))
    last = list(zip(rows_last.tolist(), cols_last.tolist()))
    merge = list(zip(rows_merge.tolist(), cols_merge.tolist()))
    columns = zip(
        cnet.names, cnet.kinds, state.dup.tolist(), state.blocks.tolist(), plan.layer_gene_macros.tolist(),
        plan.layer_macros.tolist(), xbars.tolist(), placement.tran_hops.tolist(), placement.mrg_hops.tolist(),
        traffic.tran_delay.tolist(), traffic.mrg_delay.tolist(), traffic.input_split.tolist(),
        traffic.dup_split.tolist(), mem.ld_latency_ns.tolist(), mem.st_latency_ns.tolist(), traffic.ops, tau,
    )
    word_bytes = hw.data_res / 8
    transfer_bytes = np.ceil(traffic.transfer_words * word_bytes).astype(np.int64).tolist()
    merge_bytes = np.ceil(traffic.merge_words * word_bytes).astype(np.int64).tolist()
    starts = getattr(d["result"], "op_starts", ()) or [()] * cnet.num_layers
    run_start, run_length = placement.run_start.tolist(), placement.run_length.tolist()
    merge_pos = placement.merge_pos.tolist()
    layers = []
    for i, (name, kind, dup, blocks, c, m, x, t_hops, m_hops, t_delay, m_delay, q, u, ld, st, ops, op_tau) in enumerate(columns):
        weight = kind in ("conv", "fc")
        partner_gene = gene_of_layer.get(i, -1)
        partner = cnet.names[gene_layers[partner_gene]] if partner_gene >= 0 else None
        per_macro = {
            comp: (-(-n // c) if weight else n) for comp, n in per_layer_alloc[i].items() if comp != "DAC"
        }
        layers.append(LayerEvaluation(
            name=name, kind=kind, dup=dup, blocks=blocks, macros=c, shared_macros=m, partner=partner,
            alloc=per_layer_alloc[i], per_macro=per_macro, workloads=per_layer_wl[i],
            crossbars=x, macro_size=(-(-x // c) if weight else 0),
            first_macro=first[i], last_macro=last[i], merge_macro=merge[i],
            tran_hops=t_hops, mrg_hops=m_hops, tran_delay=t_delay, mrg_delay=m_delay,
            input_split=q, dup_split=u, ld_latency_ns=ld, st_latency_ns=st, ops=ops, op_cycles=tuple(op_tau),
            run_start=run_start[i], run_length=run_length[i], merge_pos=merge_pos[i],
            transfer_bytes=transfer_bytes[i], merge_bytes=merge_bytes[i], op_starts=tuple(starts[i]),
        ))
    # per-component energy split (same item order as the totals)
    static_items, dynamic_items = component_energy_items(cnet, state, workloads, units, table, latency)
    split = {}
    code = cnet.item_component_code
    for k, comp in enumerate(cnet.components):
        sel = code == k
        split[comp] = (sequential_sum(static_items[sel]), sequential_sum(dynamic_items[sel]))
    crossbar = hw.crossbar(cnet.xbar_size, cnet.cell_res)
    total_xbars = int(xbars.sum())
    allocated_peak = allocated_peak_power_w(
        units, table, total_xbars * crossbar.peak_power_w + mem.static_power_w + hw.noc_power_w)
    # Peak throughput: every used crossbar busy every cycle. R bit-sliced crossbars hold one
    # S x S tile of full-precision weights; one MVM of that tile takes B clock cycles
    # (one per input-bit slice) and performs 2*S*S ops.
    S = cnet.xbar_size
    peak_ops_per_s = 2.0 * S * S * (total_xbars / cnet.weight_slices) / (bits * clock) * 1e9
    return Evaluation(
        feasible=True,
        power_efficiency_gops_per_w=run.fitness / 1e9,
        cycles=d["result"].cycles,
        noc_bubbles=getattr(d["result"], "noc_bubbles", 0),
        clock_ns=clock,
        latency_ns=latency,
        spm_kb=d["capacity"],
        capacity_iterations=d["iterations"],
        energy_nj=energy.as_dict(),
        component_energy_nj=split,
        power_after_dac_w=alloc.power_after_dac_w,
        latency_power_sum=alloc.latency_power_sum,
        kappa_ns=alloc.kappa_ns,
        per_macro_max=dict(alloc.per_macro_max),
        unified_macro_size=unified_macro_size(cnet, hw, state, plan.gene_macros),
        layers=tuple(layers),
        throughput_inferences_per_s=1e9 / latency,
        edp_nj_ns=energy.total * latency,
        average_power_w=energy.total / latency,
        allocated_peak_power_w=allocated_peak,
        peak_ops_per_s=peak_ops_per_s,
        peak_power_efficiency_gops_per_w=peak_ops_per_s / allocated_peak / 1e9,
        **common,
    )
