"""report.md of a compact design: the chip, the metrics at the design's batch, the batch
table, and per part both duplications (DDM and SA) with the reload points."""

from __future__ import annotations

from pimsyn.backend.markdown import markdown_table


def compact_report_markdown(view) -> str:
    d = view.design
    chip, m = d.chip, d.metrics
    limits = []
    if chip.area_limit_mm2 is not None:
        limits.append(f"{chip.area_limit_mm2:g} mm²")
    if chip.max_crossbars is not None:
        limits.append(f"{chip.max_crossbars} crossbars")
    if chip.total_power_w is not None:
        limits.append(f"{chip.total_power_w:g} W")
    chip_rows = [
        ("mode", "compact: the weights do not fit, the network runs part by part with weight reloads from DRAM"
         if len(d.parts) > 1 else "compact chip, every weight resident (one part, no reloads)"),
        ("limits", ", ".join(limits) or "none"),
        ("organisation", f"{chip.organisation}: {chip.macro_crossbars} crossbars of {chip.xbar_size} x "
                         f"{chip.xbar_size}, {chip.cell_res}-bit cells, DAC {chip.dac_res} bit, ADC {chip.adc_res} bit "
                         "per macro"),
        ("macros", f"{chip.macros} ({chip.macros * chip.macro_crossbars} crossbars)"),
        ("area", f"{chip.area_mm2:.4g} mm² ({chip.macro_area_mm2:.4g} mm² per macro)"),
        ("DRAM", chip.dram),
        ("batch", str(chip.batch)),
        ("parts", str(len(d.parts))),
        ("hardware file", view.hw_file or "bundled default"),
        ("seed", str(d.seed)),
    ]
    energy = {k[len("energy_"):-len("_nj")]: v for k, v in m.items() if k.startswith("energy_") and k.endswith("_nj")
              and k != "energy_per_inference_nj"}
    metric_rows = [
        ("throughput", f"{m['throughput_inferences_per_s']:.4g} inferences/s"),
        ("latency of the batch", f"{m['latency_ns'] / 1e6:.4g} ms"),
        ("energy per inference", f"{m['energy_per_inference_nj'] / 1e3:.4g} µJ"),
        ("energy efficiency", f"{m['tops_per_w']:.4g} TOPS/W"),
        ("average power", f"{m['average_power_w']:.4g} W"),
        ("DRAM energy share", f"{100 * m['dram_energy_share']:.1f} %"),
        ("weight reloads per inference", f"{m['reloads_per_inference']:.4g}"),
        ("area efficiency", f"{m['area_efficiency_gops_per_mm2']:.4g} GOPS/mm²"),
        ("time: compute / visible reload / visible activations",
         f"{m['compute_ns'] / 1e6:.4g} / {m['reload_ns'] / 1e6:.4g} / {m['activation_ns'] / 1e6:.4g} ms"),
    ]
    total = sum(energy.values())
    energy_rows = [(key.replace("_", " "), f"{value / chip.batch:.6g}", f"{100 * value / total:.1f} %")
                   for key, value in energy.items()]
    batch_rows = [(r.batch, f"{r.throughput_inferences_per_s:.4g}", f"{r.latency_ns / 1e6:.4g}",
                   f"{r.energy_per_inference_nj / 1e3:.4g}", f"{r.tops_per_w:.4g}", f"{100 * r.dram_energy_share:.1f} %",
                   f"{r.reloads_per_inference:.4g}", f"{r.gops_per_mm2:.4g}", f"{r.throughput_ddm:.4g}",
                   f"{r.throughput_sa:.4g}") for r in d.batch_table]
    part_rows = []
    for p in d.parts:
        acts_in = sum(x.bytes for x in p.loads if x.kind == "activations")
        acts_out = sum(x.bytes for x in p.stores)
        part_rows.append((p.index, f"{p.layers[0]} … {p.layers[-1]}" if len(p.layers) > 1 else p.layers[0],
                          p.macros, f"{p.cycles_ddm:.6g}", f"{p.cycles_sa:.6g}", p.duplication.upper(),
                          p.weight_bytes, acts_in, acts_out, "yes" if p.overlap else "no"))
    slice_rows = [(p.index, s.layer, f"{s.rows[0]}:{s.rows[1]} x {s.cols[0]}:{s.cols[1]}" + (" (split)" if not s.whole
                                                                                                  else ""),
                   s.crossbars, s.ddm, s.sa, s.dup, s.macros) for p in d.parts for s in p.slices]
    sections = [
        f"# Compact accelerator for {d.name}\n",
        "## Chip\n\n" + markdown_table(("parameter", "value"), chip_rows) + "\n",
        f"## Metrics at batch {chip.batch}\n\n" + markdown_table(("metric", "value"), metric_rows) + "\n",
        "## Energy per inference\n\n" + markdown_table(("term", "nJ", "share"), energy_rows, (False, True, True))
        + "\n",
        "## Batch size\n\nThroughput, latency of the whole batch, energy per inference, DRAM share and weight "
        "reloads per inference against the batch size; the default duplication is, per part, the better of DDM "
        "and SA for that batch; DDM and SA columns: each alone.\n\n"
        + markdown_table(("batch", "inferences/s", "latency ms", "µJ/inference", "TOPS/W", "DRAM energy",
                          "reloads/inference", "GOPS/mm²", "inferences/s DDM", "inferences/s SA"), batch_rows,
                         (True,) * 10) + "\n",
        f"## Parts\n\nT_p: the part's pipeline time over the batch of {chip.batch} in clock cycles (100 ns) under "
        "each duplication (DDM: the compact-chip paper's Algorithm 1; SA: PIMSYN's filter); the shorter one is "
        "kept. Weights are bytes per batch, activations bytes per input; overlap: the weight reload overlaps "
        "the previous part's tail.\n\n"
        + markdown_table(("part", "layers", "macros", "T_p DDM", "T_p SA", "kept", "weights B", "act. in B",
                          "act. out B", "overlap"), part_rows,
                         (True, False, True, True, True, False, True, True, True, False)) + "\n",
        "## Resident weights and duplication\n\n"
        + markdown_table(("part", "layer", "tiles (rows x cols)", "crossbars", "DDM", "SA", "kept", "macros"),
                         slice_rows, (True, False, False, True, True, True, True, True)) + "\n",
    ]
    return "\n".join(sections)
