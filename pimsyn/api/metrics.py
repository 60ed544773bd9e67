"""`Metrics`: the numbers of one evaluated design, typed, units in the names.

The same numbers as `pimsyn evaluate --format json` and the "metrics" key of
accelerator.json (`pimsyn.hw.metrics.metrics_dict`): power efficiency is ops per inference
over energy per inference (the paper's headline figure, docs/cost-model.md), latency is
cycles x clock, throughput its inverse for the pipelined accelerator, area and area
efficiency from docs/cost-model.md, "Area". An infeasible design has `feasible=False`, a
`reason`, and None for every number that does not exist without a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType


@dataclass(frozen=True)
class Metrics:
    feasible: bool
    reason: str = ""
    power_efficiency_gops_per_w: float | None = None
    peak_power_efficiency_gops_per_w: float | None = None
    throughput_inferences_per_s: float | None = None
    latency_ns: float | None = None
    energy_per_inference_nj: float | None = None
    edp_nj_ns: float | None = None
    average_power_w: float | None = None
    allocated_peak_power_w: float | None = None
    power_budget_w: float | None = None
    area_mm2: float | None = None
    area_efficiency_gops_per_mm2: float | None = None
    cycles: int | None = None
    clock_ns: float | None = None
    spm_kb: int | None = None
    ops_per_inference: int = 0
    #: energy per inference by term (crossbars, peripheral components, memory, NoC; static
    #: and dynamic), nJ; "total" is `energy_per_inference_nj`
    energy_nj: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_evaluation(cls, design, evaluation) -> "Metrics":
        """The metrics of `design` (a `pimsyn.hw.design.Design`) from its evaluation."""
        from pimsyn.hw.metrics import metrics_dict

        return cls.from_dict(metrics_dict(design, evaluation))

    @classmethod
    def from_dict(cls, data: dict) -> "Metrics":
        """From the JSON form (`pimsyn evaluate --format json`, accelerator.json "metrics")."""
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        values["reason"] = data.get("reason", "") or ""
        values["ops_per_inference"] = int(data.get("ops", 0))
        values["energy_nj"] = MappingProxyType(dict(data.get("energy_nj") or {}))
        return cls(**values)

    def __reduce__(self):  # MappingProxyType does not pickle: rebuild from plain data
        return (_metrics_from_fields, (self.to_dict(),))

    def to_dict(self) -> dict:
        """Plain JSON-ready data, one key per field (a row of `pimsyn sweep`'s table)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["energy_nj"] = dict(self.energy_nj)
        return out

    def __str__(self) -> str:
        if not self.feasible:
            return f"infeasible: {self.reason}"
        return (f"{self.power_efficiency_gops_per_w:.1f} GOPS/W, {self.throughput_inferences_per_s:.1f} inferences/s, "
                f"{self.latency_ns / 1e3:.3f} us latency, {self.energy_per_inference_nj / 1e3:.3f} uJ/inference, "
                f"{self.area_mm2:.2f} mm²")


def _metrics_from_fields(values: dict) -> Metrics:
    return Metrics(**{**values, "energy_nj": MappingProxyType(dict(values["energy_nj"]))})
