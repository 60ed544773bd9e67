"""What one simulation reports (docs/simulator.md, "What it reports")."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pimsyn.sim.dataflow import Flow
from pimsyn.sim.intervals import op_intervals, op_macros, union_length
from pimsyn.sim.program import Program
from pimsyn.sim.resources import KIND_NAMES

#: energy terms of pim.metrics whose energy grows with time (static power x T)
_STATIC_TERMS = ("crossbar_static", "memory_static", "noc")
#: energy terms that are paid per executed op (dynamic)
_DYNAMIC_TERMS = ("crossbar_dynamic", "memory_dynamic")


@dataclass(frozen=True)
class LayerStats:
    name: str
    first_start: int
    last_end: int
    busy_cycles: int  # cycles in which at least one op of the layer runs
    stall_cycles: dict[str, int]  # cycles its events waited per resource kind


@dataclass(frozen=True)
class MacroStats:
    macro: int
    busy_cycles: int  # any op of any layer on it
    crossbar_cycles: int  # an MVM on its crossbars


@dataclass(frozen=True)
class SimResult:
    name: str
    batch: int
    events: int
    cycles: int  # 1 + the last start of the whole batch (the cost model's convention, spec 5.13)
    finish_cycles: int  # the last event's end
    inference_cycles: tuple[int, ...]  # per inference: 1 + its last start
    model_cycles: int  # pim.dataflow cycles (the cost model's, one inference)
    clock_ns: float
    ops_per_inference: float
    energy_nj: dict[str, float]  # per term, whole batch
    layers: tuple[LayerStats, ...]
    macros: tuple[MacroStats, ...]
    wall_s: float
    compiled: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def latency_ns(self) -> float:
        """One inference: the first inference's cycles x clock."""
        return self.inference_cycles[0] * self.clock_ns

    @property
    def period_cycles(self) -> float:
        """Cycles between inferences in steady state: measured with --batch >= 2, else the
        single inference's cycles (the cost model's assumption)."""
        c = self.inference_cycles
        return (c[-1] - c[0]) / (len(c) - 1) if len(c) > 1 else float(c[0])

    @property
    def throughput_inferences_per_s(self) -> float:
        return 1e9 / (self.period_cycles * self.clock_ns)

    @property
    def energy_total_nj(self) -> float:
        return float(sum(self.energy_nj.values()))

    @property
    def energy_per_inference_nj(self) -> float:
        return self.energy_total_nj / self.batch

    @property
    def power_efficiency_gops_per_w(self) -> float:
        """ops / nJ = GOPS/W."""
        return self.ops_per_inference / self.energy_per_inference_nj

    @property
    def average_power_w(self) -> float:
        return self.energy_total_nj / (self.cycles * self.clock_ns)

    @property
    def deviation(self) -> float:
        """(simulated - model) / model cycles of one inference."""
        return (self.inference_cycles[0] - self.model_cycles) / self.model_cycles

    @property
    def events_per_s(self) -> float:
        return self.events / self.wall_s if self.wall_s > 0 else float("inf")

    def as_dict(self) -> dict:
        return {
            "network": self.name, "batch": self.batch, "events": self.events, "cycles": self.cycles,
            "finish_cycles": self.finish_cycles, "inference_cycles": list(self.inference_cycles),
            "model_cycles": self.model_cycles, "deviation": self.deviation, "clock_ns": self.clock_ns,
            "latency_ns": self.latency_ns, "period_cycles": self.period_cycles,
            "throughput_inferences_per_s": self.throughput_inferences_per_s,
            "energy_nj": dict(self.energy_nj), "energy_per_inference_nj": self.energy_per_inference_nj,
            "power_efficiency_gops_per_w": self.power_efficiency_gops_per_w,
            "average_power_w": self.average_power_w,
            "layers": [{"name": s.name, "first_start": s.first_start, "last_end": s.last_end,
                        "busy_cycles": s.busy_cycles, "idle_cycles": self.cycles - s.busy_cycles,
                        "stall_cycles": dict(s.stall_cycles)} for s in self.layers],
            "macros": [{"macro": m.macro, "busy_cycles": m.busy_cycles, "crossbar_cycles": m.crossbar_cycles,
                        "utilisation": m.busy_cycles / self.cycles,
                        "crossbar_utilisation": m.crossbar_cycles / self.cycles} for m in self.macros],
            "wall_s": self.wall_s, "events_per_s": self.events_per_s, "compiled": self.compiled,
        }


def inference_cycles(program: Program, start: np.ndarray) -> tuple[int, ...]:
    """1 + the last start of each inference's events."""
    last = np.full(program.batch, -1, dtype=np.int64)
    for lay in range(program.layers):
        size = int(program.blocks[lay] * program.per_block[lay])
        seg = start[program.base[lay]:program.base[lay] + size * program.batch].reshape(program.batch, size)
        np.maximum(last, seg.max(axis=1), out=last)
    return tuple(int(x) + 1 for x in last)


def energy_terms(flow: Flow, batch: int, cycles: int) -> dict[str, float]:
    """Energy per term (nJ) of the whole simulated run, from the design's own figures.

    The design's pim.metrics give each term's energy for the cost model's latency T (spec
    5.16): a static term is a power times T, so it is rescaled to the simulated time; a
    dynamic term is paid per executed op, and every op of every inference runs exactly
    once (the simulator checks), so it is the per-inference energy times the batch."""
    m = flow.metrics
    model_ns = m.get("latency_ns", 0.0)
    sim_ns = cycles * flow.clock_ns
    scale = sim_ns / model_ns if model_ns > 0 else 0.0
    terms: dict[str, float] = {}
    components = sorted({k[len("component_"):-len("_static_nj")] for k in m
                         if k.startswith("component_") and k.endswith("_static_nj")})
    for comp in components:
        terms[f"{comp}_static"] = m[f"component_{comp}_static_nj"] * scale
        terms[f"{comp}_dynamic"] = m.get(f"component_{comp}_dynamic_nj", 0.0) * batch
    for key in _STATIC_TERMS:
        terms[key] = m.get(f"energy_{key}_nj", 0.0) * scale
    for key in _DYNAMIC_TERMS:
        terms[key] = m.get(f"energy_{key}_nj", 0.0) * batch
    return terms


def summarise(flow: Flow, program: Program, start: np.ndarray, stall: np.ndarray, wall_s: float,
              compiled: bool) -> SimResult:
    per_inf = inference_cycles(program, start)
    cycles = max(per_inf)
    finish = 0
    layers = []
    per_macro: dict[int, list] = {m: [] for m in sorted(flow.positions)}
    per_macro_xbar: dict[int, list] = {m: [] for m in sorted(flow.positions)}
    for lay, fl in enumerate(flow.layers):
        begins, ends = [], []
        for j, k in enumerate(range(program.op_ptr[lay], program.op_ptr[lay + 1])):
            b, e = op_intervals(program, start, lay, k)
            begins.append(b)
            ends.append(e)
            for macro in op_macros(flow, lay, j):
                per_macro[macro].append((b, e))
                if fl.ops[j].kind == "mvm":
                    per_macro_xbar[macro].append((b, e))
        b, e = np.concatenate(begins), np.concatenate(ends)
        finish = max(finish, int(e.max()))
        layers.append(LayerStats(
            name=fl.name, first_start=int(b.min()), last_end=int(e.max()), busy_cycles=union_length(b, e),
            stall_cycles={name: int(stall[lay * 4 + kind]) for kind, name in KIND_NAMES.items()},
        ))

    def busy(items) -> int:
        if not items:
            return 0
        return union_length(np.concatenate([b for b, _ in items]), np.concatenate([e for _, e in items]))

    macros = tuple(MacroStats(m, busy(per_macro[m]), busy(per_macro_xbar[m])) for m in sorted(flow.positions))
    return SimResult(
        name=flow.name, batch=program.batch, events=program.nodes, cycles=cycles, finish_cycles=finish,
        inference_cycles=per_inf, model_cycles=flow.model_cycles, clock_ns=flow.clock_ns,
        ops_per_inference=float(flow.metrics.get("ops", 0.0)), energy_nj=energy_terms(flow, program.batch, cycles),
        layers=tuple(layers), macros=macros, wall_s=wall_s, compiled=compiled,
    )
