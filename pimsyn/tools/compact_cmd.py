"""`pimsyn explore-batch MODEL --area-mm2 A`: a compact chip over batch sizes (docs/compact.md)."""

from __future__ import annotations

import click

from pimsyn.tools.errors import PimsynError, reports_user_errors

DEFAULT_BATCHES = "1,2,4,8,16,32,64"


@click.command("explore-batch")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--area-mm2", "area", required=True, help="Chip area in mm² (components, scratchpads, routers).")
@click.option("--batches", default=DEFAULT_BATCHES, show_default=True, help="Batch sizes, comma-separated.")
@click.option("--dram", type=click.Choice(["lpddr3", "lpddr4", "lpddr5"]), default="lpddr5", show_default=True)
@click.option("--config", "--cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled).")
@click.option("--dram-trace", type=click.Path(dir_okay=False),
              help="Write every DRAM transfer of the largest batch (time_ns, R/W, 32-bit address) as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the table here (default stdout).")
@reports_user_errors
def explore_batch_cmd(model, area, batches, dram, config, dram_trace, as_json, output) -> None:
    """Throughput, energy and DRAM share of MODEL on a compact chip, per batch size, with and
    without dynamic duplication, beside the area-unlimited chip that holds every weight."""
    import json

    from pimsyn.files import check_output_file, write_or_print, write_text_atomic
    from pimsyn.frontend import load_model
    from pimsyn.hw import cost_network, load_hardware
    from pimsyn.hw.compact import split_into_parts
    from pimsyn.hw.compact_eval import CompactChip, chip_for_area, evaluate_batch, tile_area_mm2
    from pimsyn.hw.dram import DramTrace, dram_spec

    try:
        area_mm2 = float(area)
    except ValueError:
        raise PimsynError(f"--area-mm2 must be a number, got '{area}'") from None
    sizes = _batches(batches)
    for path in (dram_trace, output):
        if path:
            check_output_file(path)
    hw = load_hardware(config)
    net = load_model(model)
    chip = chip_for_area(hw, area_mm2, dram=dram)
    org = chip.organisation
    cnet = cost_network(net, hw, org.xbar_size, org.cell_res)
    split_into_parts(cnet, chip.macros, chip.macro_crossbars)  # a chip too small for one weight tile: one line
    full = sum(-(-int(x) // chip.macro_crossbars) for x in cnet.set_size[cnet.is_weight])
    unlimited = CompactChip(macros=max(full, chip.macros), organisation=org, dram=dram)
    tile = tile_area_mm2(hw, org)
    rows = []
    for n in sizes:
        trace = DramTrace(dram_spec(dram)) if dram_trace and n == sizes[-1] else None
        ddm = evaluate_batch(cnet, hw, chip, n, ddm=True, trace=trace)
        plain = evaluate_batch(cnet, hw, chip, n, ddm=False)
        big = evaluate_batch(cnet, hw, unlimited, n, ddm=True)
        if trace is not None:
            write_text_atomic(dram_trace, trace.csv_text())
        rows.append({
            "batch": n, "parts": ddm.parts,
            "throughput_inferences_per_s": ddm.throughput_inferences_per_s,
            "throughput_without_ddm": plain.throughput_inferences_per_s,
            "latency_ms": ddm.time_ns / 1e6,
            "energy_per_inference_uj": ddm.energy_per_inference_nj / 1e3,
            "tops_per_w": ddm.tops_per_w, "tops_per_w_without_ddm": plain.tops_per_w,
            "dram_energy_share": ddm.dram_energy_share,
            "reloads_per_inference": ddm.reloads_per_inference,
            "gops_per_mm2": ddm.throughput_inferences_per_s * ddm.ops_per_inference / 1e9 / (chip.macros * tile),
            "unlimited_throughput": big.throughput_inferences_per_s, "unlimited_tops_per_w": big.tops_per_w,
            "unlimited_gops_per_mm2": big.throughput_inferences_per_s * big.ops_per_inference / 1e9
            / (unlimited.macros * tile),
        })
    head = {"network": net.name, "area_mm2": area_mm2, "macros": chip.macros, "macro_area_mm2": tile,
            "unlimited_macros": unlimited.macros, "unlimited_area_mm2": unlimited.macros * tile, "dram": dram}
    if as_json:
        text = json.dumps({**head, "batches": rows}, indent=2, allow_nan=False) + "\n"
    else:
        text = _table(head, rows)
    write_or_print(text, output)


def _batches(text: str) -> list[int]:
    try:
        values = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise PimsynError(f"--batches must be comma-separated whole numbers, got '{text}'") from None
    if not values or values[0] < 1:
        raise PimsynError(f"--batches must be whole numbers >= 1, got '{text}'")
    return values


def _table(head: dict, rows: list[dict]) -> str:
    lines = [
        f"{head['network']} on a compact chip of {head['area_mm2']:g} mm²: {head['macros']} macros of "
        f"{head['macro_area_mm2']:.4g} mm² ({head['dram']}); the area-unlimited chip needs "
        f"{head['unlimited_macros']} macros = {head['unlimited_area_mm2']:.1f} mm²",
        "",
        f"{'batch':>5} {'parts':>5} {'inf/s':>10} {'no DDM':>10} {'TOPS/W':>7} {'DRAM E':>7} {'reloads':>8} "
        f"{'GOPS/mm²':>9} | {'unlimited inf/s':>15} {'TOPS/W':>7} {'GOPS/mm²':>9}",
    ]
    for r in rows:
        lines.append(
            f"{r['batch']:>5} {r['parts']:>5} {r['throughput_inferences_per_s']:>10.1f} "
            f"{r['throughput_without_ddm']:>10.1f} {r['tops_per_w']:>7.3f} {100 * r['dram_energy_share']:>6.1f}% "
            f"{r['reloads_per_inference']:>8.3f} {r['gops_per_mm2']:>9.2f} | {r['unlimited_throughput']:>15.1f} "
            f"{r['unlimited_tops_per_w']:>7.3f} {r['unlimited_gops_per_mm2']:>9.2f}")
    return "\n".join(lines) + "\n"
