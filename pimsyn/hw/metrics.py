"""The metrics of one evaluated design, as JSON-ready data and as a short text summary.

`metrics_dict` is what `pimsyn evaluate --format json` prints and what the accelerator JSON
carries under its final "metrics" key; `metrics_text` is the default `pimsyn evaluate`
output. Every number is taken from the `Evaluation` of the one `Design` (never mixed
designs, spec A3): power efficiency is ops per inference over energy per inference (spec
5.17, the paper's headline figure), latency T = cycles * t_clk (5.16), throughput 1/T for
the pipelined accelerator, EDP = E * T, average power = E / T; area (`hw/area.py`) and
area efficiency = ops/s / area (GOPS/mm²).
"""

from __future__ import annotations

from pimsyn.hw.area import design_area

#: Headline metrics, in output order. None when the design is infeasible (no schedule, no
#: clock: the numbers do not exist).
_HEADLINE_KEYS = (
    "power_efficiency_gops_per_w", "peak_power_efficiency_gops_per_w", "cycles", "clock_ns",
    "latency_ns", "throughput_inferences_per_s", "energy_per_inference_nj", "edp_nj_ns",
    "average_power_w", "allocated_peak_power_w",
)
#: Readable names of the energy terms of spec 5.16 (EnergyBreakdown.as_dict keys).
ENERGY_TERM_LABELS = {
    "component_static": "peripheral components, static",
    "component_dynamic": "peripheral components, dynamic",
    "crossbar_static": "crossbars, static",
    "crossbar_dynamic": "crossbars, dynamic",
    "memory_dynamic": "scratchpad memory, dynamic",
    "memory_static": "scratchpad memory, static",
    "noc": "network on chip",
}


def design_point_dict(design) -> dict:
    """The design-space coordinates of a design (the paper's outer loop variables)."""
    return {
        "total_power_w": design.total_power_w,
        "rram_ratio": design.rram_ratio,
        "xbar_size": design.xbar_size,
        "cell_res": design.cell_res,
        "dac_res": design.dac_res,
        "adc_res": design.adc_res,
        "macro_setting": design.macro_setting,
    }


def metrics_dict(design, evaluation) -> dict:
    """JSON-ready metrics of `design` (keys documented in the module docstring / brief)."""
    feasible = bool(evaluation.feasible)
    out: dict = {"feasible": feasible}
    if not feasible:
        out["reason"] = evaluation.reason
    for key in _HEADLINE_KEYS:
        out[key] = _plain(getattr(evaluation, key)) if feasible else None
    out["power_budget_w"] = design.total_power_w
    out["spm_kb"] = int(evaluation.spm_kb) if feasible else None
    out["ops"] = int(evaluation.ops)
    out["energy_nj"] = {term: float(value) for term, value in evaluation.energy_nj.items()} if feasible else {}
    area = design_area(design, evaluation).total_mm2 if feasible else None
    out["area_mm2"] = area
    out["area_efficiency_gops_per_mm2"] = (
        float(evaluation.ops) * float(evaluation.throughput_inferences_per_s) / 1e9 / area if area else None)
    out["design_point"] = design_point_dict(design)
    return out


def _plain(value):
    """numpy scalars -> Python numbers (json cannot write numpy types)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    return float(value)


def design_point_line(design) -> str:
    return (
        f"{design.total_power_w:g} W budget, RatioRram {design.rram_ratio:g}, crossbar {design.xbar_size}x"
        f"{design.xbar_size}, {design.cell_res}-bit cells, DAC {design.dac_res} bit, ADC {design.adc_res} bit, "
        f"{design.macro_setting} macros"
        + (f", {design.organisation} organisation" if getattr(design, "organisation", None) else "")
    )


def energy_share_rows(evaluation) -> list[tuple[str, str, float, float]]:
    """(term key, label, energy nJ, share of the total in %) for every energy term but the total."""
    total = evaluation.energy_nj.get("total", 0.0)
    rows = []
    for term, value in evaluation.energy_nj.items():
        if term == "total":
            continue
        share = 100.0 * value / total if total else 0.0
        rows.append((term, ENERGY_TERM_LABELS.get(term, term), float(value), share))
    return rows


def metrics_text(design, evaluation) -> str:
    """A compact human-readable summary: design point, headline metrics, energy breakdown."""
    lines = [f"design: {design_point_line(design)}"]
    if not evaluation.feasible:
        lines.append(f"infeasible: {evaluation.reason}")
        return "\n".join(lines) + "\n"
    e = evaluation
    lines += [
        f"power efficiency:   {e.power_efficiency_gops_per_w:.3f} GOPS/W "
        f"(peak {e.peak_power_efficiency_gops_per_w:.3f} GOPS/W)",
        f"throughput:         {e.throughput_inferences_per_s:.2f} inferences/s",
        f"latency:            {e.latency_ns / 1e3:.3f} us ({e.cycles} cycles x {e.clock_ns:.4f} ns)",
        f"energy/inference:   {e.energy_per_inference_nj / 1e6:.6f} mJ",
        f"EDP:                {e.edp_nj_ns:.6g} nJ*ns",
        f"power:              average {e.average_power_w:.3f} W, allocated peak {e.allocated_peak_power_w:.3f} W, "
        f"budget {design.total_power_w:g} W",
        f"chip:               {e.total_macros} macros on a {e.mesh_rows}x{e.mesh_cols} mesh, "
        f"scratchpad {e.spm_kb} KB per macro",
        f"ops/inference:      {e.ops:,}",
    ]
    area = design_area(design, e).total_mm2
    lines += [
        f"area:               {area:.3f} mm² ({e.ops * e.throughput_inferences_per_s / 1e9 / area:.3f} GOPS/mm²; "
        "components, scratchpads and routers)",
        "energy breakdown:",
    ]
    width = max((len(label) for _, label, _, _ in energy_share_rows(e)), default=0)
    for _, label, value, share in energy_share_rows(e):
        lines.append(f"  {label.ljust(width)}  {value:14.3f} nJ  {share:5.1f} %")
    lines.append(f"  {'total'.ljust(width)}  {e.energy_per_inference_nj:14.3f} nJ  100.0 %")
    return "\n".join(lines) + "\n"
