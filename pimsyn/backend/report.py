"""The human-readable synthesis report (report.md).

Sections: the chosen design point, the headline metrics (effective power efficiency in
GOPS/W is the paper's main figure, spec 5.17), one row per layer, the energy and power
breakdowns (spec 5.16 terms, per-component static/dynamic split) and, for a synthesis run,
how the design-space exploration went (one row per (RatioRram, ResRram, XbSize) combination
of the outer loop, Algorithm 1).
"""

from __future__ import annotations

from pimsyn.backend.accelerator_json import WEIGHT_KINDS
from pimsyn.backend.markdown import markdown_table
from pimsyn.hw.area import design_area
from pimsyn.hw.metrics import design_point_line, energy_share_rows


def report_markdown(design, evaluation) -> str:
    """The report of a design read from design.mlir (`pimsyn.backend.design_view`), with the
    design-space exploration section when the IR records the search (`pim.search`)."""
    sections = _design_sections(design, evaluation, design.hw_file)
    if evaluation.search:
        sections.append(_search_section(evaluation.search))
    return "\n".join(sections) + "\n"


def _design_sections(design, evaluation, hw_config_path) -> list[str]:
    title = f"# PIMSYN accelerator for {design.name}\n"
    sections = [title, _design_point_section(design, evaluation, hw_config_path)]
    if not evaluation.feasible:
        sections.append(f"## Result\n\nThe design is **infeasible**: {evaluation.reason}\n")
        return sections
    sections += [
        _metrics_section(design, evaluation),
        _layer_section(design, evaluation),
        _energy_section(evaluation),
        _component_section(evaluation),
    ]
    return sections


def _design_point_section(design, evaluation, hw_config_path) -> str:
    rows = [
        ("power budget", f"{design.total_power_w:g} W"),
        ("RatioRram (crossbar share of the budget)", f"{design.rram_ratio:g}"),
        ("crossbar size", f"{design.xbar_size} x {design.xbar_size}"),
        ("ReRAM cell resolution", f"{design.cell_res} bit"),
        ("DAC resolution", f"{design.dac_res} bit"),
        ("ADC resolution", f"{design.adc_res} bit"),
        ("macro setting", design.macro_setting),
        ("conv weight duplication", ", ".join(str(d) for d in design.conv_dup)),
        ("macros per weight layer", ", ".join(str(m) for m in design.macros)),
    ]
    if evaluation.feasible or evaluation.total_macros:
        rows.append(("macro mesh", f"{evaluation.mesh_rows} x {evaluation.mesh_cols} "
                                   f"({evaluation.total_macros} macros)"))
    if evaluation.feasible:
        rows.append(("scratchpad per macro", f"{evaluation.spm_kb} KB"))
        if design.macro_setting == "unified":
            rows.append(("crossbars per macro (unified)", str(evaluation.unified_macro_size)))
    rows.append(("hardware file", str(hw_config_path) if hw_config_path else "bundled default"))
    if design.seed is not None:
        rows.append(("seed", str(design.seed)))
    return f"## Design point\n\n{design_point_line(design)}\n\n" + markdown_table(("parameter", "value"), rows) + "\n"


def _metrics_section(design, evaluation) -> str:
    e = evaluation
    budget = design.total_power_w
    rows = [
        ("effective power efficiency", f"{e.power_efficiency_gops_per_w:.3f}", "GOPS/W"),
        ("peak power efficiency", f"{e.peak_power_efficiency_gops_per_w:.3f}", "GOPS/W"),
        ("throughput", f"{e.throughput_inferences_per_s:.2f}", "inferences/s"),
        ("latency", f"{e.latency_ns:.3f}", f"ns ({e.cycles} cycles x {e.clock_ns:.6g} ns)"),
        ("energy per inference", f"{e.energy_per_inference_nj:.3f}", "nJ"),
        ("energy-delay product", f"{e.edp_nj_ns:.6g}", "nJ*ns"),
        ("average power", f"{e.average_power_w:.3f}", f"W ({100 * e.average_power_w / budget:.1f} % of the budget)"),
        ("allocated peak power", f"{e.allocated_peak_power_w:.3f}",
         f"W ({100 * e.allocated_peak_power_w / budget:.1f} % of the budget)"),
        ("power budget", f"{budget:g}", "W"),
        ("operations per inference", f"{e.ops:,}", "ops"),
    ]
    area = design_area(design, e)
    rows.append(("chip area", f"{area.total_mm2:.3f}",
                 "mm² (" + ", ".join(f"{k.replace('_', ' ')} {v:.3g}" for k, v in area.terms.items()) + ")"))
    rows.append(("area efficiency", f"{e.ops * e.throughput_inferences_per_s / 1e9 / area.total_mm2:.3f}", "GOPS/mm²"))
    text = "## Metrics\n\n" + markdown_table(("metric", "value", "unit"), rows, (False, True, False)) + "\n"
    if e.allocated_peak_power_w > budget:
        why = (" In unified mode every macro holds the largest per-macro component counts (spec 6), "
               "so layers get more units than the power allocation gave them."
               if design.macro_setting == "unified" else " The excess comes from rounding the allocated units up.")
        text += (f"\nNote: the allocated peak power (all units at peak power at once) exceeds the "
                 f"{budget:g} W budget.{why}\n")
    return text


def input_bit_slices(design) -> int:
    """B = ceil(data_res / dac_res): clock cycles one block needs on the crossbars (spec 8.1)."""
    return -(-int(design.data_res) // int(design.dac_res))


def period_share(design, evaluation, layer) -> float:
    """Share of the pipeline period a layer is busy: its bit-serial busy cycles over the total
    (blocks * B / cycles) for conv/FC, blocks / cycles for pool/eltwise."""
    if not evaluation.cycles:
        return 0.0
    busy = layer.blocks * (input_bit_slices(design) if layer.kind in WEIGHT_KINDS else 1)
    return busy / evaluation.cycles


def _layer_section(design, evaluation) -> str:
    rows = []
    for layer in evaluation.layers:
        weight = layer.kind in WEIGHT_KINDS
        rows.append((
            layer.name, layer.kind, layer.dup, layer.blocks,
            layer.macros if weight else "-",
            (layer.partner or "-") if weight else "-",
            layer.alloc.get("ADC", 0) if weight else "-",
            layer.crossbars if weight else "-",
            f"{100 * period_share(design, evaluation, layer):.1f} %",
        ))
    table = markdown_table(
        ("layer", "kind", "dup", "blocks", "macros", "sharing partner", "ADCs", "crossbars", "period share"),
        rows, (False, False, True, True, True, False, True, True, True),
    )
    note = (
        f"Period share: the share of the {evaluation.cycles} pipeline cycles a layer is busy, "
        f"blocks x B / cycles for conv/FC (B = {input_bit_slices(design)} bit-serial input slices per block) "
        f"and blocks / cycles for pool/eltwise. ADCs and crossbars are whole-layer counts."
    )
    return f"## Layers\n\n{table}\n\n{note}\n"


def _energy_section(evaluation) -> str:
    latency = evaluation.latency_ns
    rows = [
        (label, f"{value:.3f}", f"{share:.1f} %", f"{value / latency:.4f}" if latency else "-")
        for _, label, value, share in energy_share_rows(evaluation)
    ]
    total = evaluation.energy_per_inference_nj
    rows.append(("**total**", f"{total:.3f}", "100.0 %", f"{total / latency:.4f}" if latency else "-"))
    table = markdown_table(("term", "energy (nJ)", "share", "average power (W)"), rows, (False, True, True, True))
    return ("## Energy and power per inference\n\n" + table
            + "\n\nAverage power of a term = its energy per inference / latency.\n")


def _component_section(evaluation) -> str:
    units: dict[str, int] = {}
    for layer in evaluation.layers:
        for comp, count in layer.alloc.items():
            units[comp] = units.get(comp, 0) + int(count)
    split = evaluation.component_energy_nj
    grand = sum(s + d for s, d in split.values())
    rows = []
    for comp, (static, dynamic) in split.items():
        both = static + dynamic
        rows.append((comp, units.get(comp, 0), f"{static:.3f}", f"{dynamic:.3f}", f"{both:.3f}",
                     f"{100 * both / grand:.1f} %" if grand else "-"))
    table = markdown_table(("component", "units", "static (nJ)", "dynamic (nJ)", "total (nJ)", "share"),
                           rows, (False, True, True, True, True, True))
    return "## Peripheral components\n\n" + table + "\n"


def _search_section(search: dict) -> str:
    """The DSE summary `pimsyn synth` records in design.mlir (`pim.search`)."""
    combos = search.get("combinations", [])
    rows = []
    for o in combos:
        rows.append((
            o["index"], f"{o['rram_ratio']:g}", o["cell_res"], o["xbar_size"],
            o["status"] + (f": {o['reason']}" if o.get("reason") else ""),
            o["crossbars"], f"{o['best_gops_per_w']:.3f}" if o["best_gops_per_w"] else "-",
            o["best_dac_res"] or "-", "yes" if o["finalist"] else "",
        ))
    table = markdown_table(
        ("#", "RatioRram", "cell res", "xbar", "status", "crossbar budget", "best GOPS/W", "best DAC", "finalist"),
        rows, (True, True, True, True, False, True, True, True, False),
    )
    counts: dict[str, int] = {}
    for o in combos:
        counts[o["status"]] = counts.get(o["status"], 0) + 1
    totals = [
        f"- combinations: {len(combos)} ("
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ")",
        f"- evaluations: {search['evaluations']:,}",
        f"- wall time: {search['wall_seconds']:.1f} s",
        f"- options: budget {search['total_power_w']:g} W, {search['macro_setting']} macros, macro reuse "
        f"{'on' if search['macro_reuse'] else 'off'}, duplication {search['duplication']}, seed {search['seed']}, "
        f"effort {search['effort']:g}, jobs {search['jobs']}",
    ]
    return "## Design-space exploration\n\n" + table + "\n\n" + "\n".join(totals) + "\n"


def search_summary(result) -> dict:
    """What `pim.search` records of a synthesis run (`SynthesisResult`): JSON-ready. The
    convergence curve (report.html's figure) is thinned to a few hundred points."""
    from pimsyn.backend.figures_convergence import thin_curve

    opts = result.options
    return {
        "total_power_w": float(opts.total_power_w), "macro_setting": opts.macro_setting,
        "macro_reuse": bool(opts.macro_reuse), "duplication": opts.duplication, "seed": int(opts.seed),
        "effort": float(opts.effort), "jobs": int(opts.jobs), "evaluations": int(result.evaluations),
        "wall_seconds": float(result.wall_seconds),
        "convergence": thin_curve(getattr(result, "progress_curve", ()), int(result.evaluations)),
        "combinations": [
            {"index": int(o.index), "rram_ratio": float(o.rram_ratio), "cell_res": int(o.cell_res),
             "xbar_size": int(o.xbar_size), "status": o.status, "reason": o.reason or "",
             "crossbars": int(o.crossbars), "best_gops_per_w": float(o.best_gops_per_w or 0.0),
             "best_dac_res": int(o.best_dac_res or 0), "finalist": bool(o.finalist)}
            for o in result.outcomes
        ],
    }
