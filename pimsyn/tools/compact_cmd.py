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
    """Throughput, energy and DRAM share of MODEL on a compact chip, per batch size: the better
    of DDM and SA duplication per part, each alone and none, beside the chip that holds every
    weight."""
    import json

    from pimsyn.files import check_output_file, write_or_print, write_text_atomic
    from pimsyn.frontend import load_model
    from pimsyn.hw import cost_network, load_hardware
    from pimsyn.dse.compact import CompactPlan, evaluate_compact
    from pimsyn.hw.compact_eval import CompactChip, chip_for_area, tile_area_mm2
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
    plan = CompactPlan(cnet, chip)  # a chip too small for one weight tile: one line
    full = sum(-(-int(x) // chip.macro_crossbars) for x in cnet.set_size[cnet.is_weight])
    unlimited = CompactChip(macros=max(full, chip.macros), organisation=org, dram=dram)
    big_plan = CompactPlan(cnet, unlimited)
    tile = tile_area_mm2(hw, org)
    rows = []
    for n in sizes:
        trace = DramTrace(dram_spec(dram)) if dram_trace and n == sizes[-1] else None
        ddm = evaluate_compact(cnet, hw, chip, n, trace=trace, plan=plan)  # the better of DDM and SA per part
        only_ddm = evaluate_compact(cnet, hw, chip, n, duplication="ddm", plan=plan)
        only_sa = evaluate_compact(cnet, hw, chip, n, duplication="sa", plan=plan)
        plain = evaluate_compact(cnet, hw, chip, n, duplication="none", plan=plan)
        big = evaluate_compact(cnet, hw, unlimited, n, plan=big_plan)
        if trace is not None:
            write_text_atomic(dram_trace, trace.csv_text())
        rows.append({
            "batch": n, "parts": ddm.parts,
            "throughput_inferences_per_s": ddm.throughput_inferences_per_s,
            "throughput_ddm": only_ddm.throughput_inferences_per_s,
            "throughput_sa": only_sa.throughput_inferences_per_s,
            "throughput_without_duplication": plain.throughput_inferences_per_s,
            "latency_ms": ddm.time_ns / 1e6,
            "energy_per_inference_uj": ddm.energy_per_inference_nj / 1e3,
            "tops_per_w": ddm.tops_per_w, "tops_per_w_without_duplication": plain.tops_per_w,
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
        "inf/s: the better of DDM and SA per part; DDM, SA: each alone; none: no duplication",
        "",
        f"{'batch':>5} {'parts':>5} {'inf/s':>10} {'DDM':>10} {'SA':>10} {'none':>10} {'TOPS/W':>7} {'DRAM E':>7} "
        f"{'reloads':>8} "
        f"{'GOPS/mm²':>9} | {'unlimited inf/s':>15} {'TOPS/W':>7} {'GOPS/mm²':>9}",
    ]
    for r in rows:
        lines.append(
            f"{r['batch']:>5} {r['parts']:>5} {r['throughput_inferences_per_s']:>10.1f} "
            f"{r['throughput_ddm']:>10.1f} {r['throughput_sa']:>10.1f} {r['throughput_without_duplication']:>10.1f} "
            f"{r['tops_per_w']:>7.3f} {100 * r['dram_energy_share']:>6.1f}% "
            f"{r['reloads_per_inference']:>8.3f} {r['gops_per_mm2']:>9.2f} | {r['unlimited_throughput']:>15.1f} "
            f"{r['unlimited_tops_per_w']:>7.3f} {r['unlimited_gops_per_mm2']:>9.2f}")
    return "\n".join(lines) + "\n"


@click.command("explore-size")
@click.option("--area-mm2", "area", required=True, help="Chip area in mm².")
@click.option("--dataset", type=click.Choice(["cifar100", "imagenet"]), default="cifar100", show_default=True)
@click.option("--batch", default="16", show_default=True, help="Batch size of every run.")
@click.option("--dram", type=click.Choice(["lpddr3", "lpddr4", "lpddr5"]), default="lpddr5", show_default=True)
@click.option("--config", "--cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled).")
@click.option("--min-throughput", help="Required inferences/s: report the largest network that meets it.")
@click.option("--min-tops-per-w", help="Required TOPS/W: report the largest network that meets it.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Write a PNG plot here (needs matplotlib).")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the table here (default stdout).")
@reports_user_errors
def explore_size_cmd(area, dataset, batch, dram, config, min_throughput, min_tops_per_w, plot_path, as_json,
                     output) -> None:
    """The ResNet family (18 ... 152) on one compact chip: where throughput and energy
    efficiency collapse as the network grows (the compact-chip paper's size study)."""
    import json

    from pimsyn.files import check_output_file, write_or_print
    from pimsyn.frontend.resnet_family import ARCHITECTURES, build_resnet, weight_count
    from pimsyn.hw import cost_network, load_hardware
    from pimsyn.dse.compact import evaluate_compact
    from pimsyn.hw.compact_eval import CompactChip, chip_for_area, tile_area_mm2

    area_mm2 = _number(area, "--area-mm2")
    n = _batches(batch)[0] if "," not in batch else None
    if n is None:
        raise PimsynError(f"--batch takes one batch size, got '{batch}'")
    need_tp = _number(min_throughput, "--min-throughput") if min_throughput is not None else None
    need_eff = _number(min_tops_per_w, "--min-tops-per-w") if min_tops_per_w is not None else None
    for path in (plot_path, output):
        if path:
            check_output_file(path)
    if plot_path:
        _require_matplotlib()
    hw = load_hardware(config)
    chip = chip_for_area(hw, area_mm2, dram=dram)
    org = chip.organisation
    tile = tile_area_mm2(hw, org)
    rows = []
    for name in ARCHITECTURES:
        net = build_resnet(name, dataset)
        cnet = cost_network(net, hw, org.xbar_size, org.cell_res)
        result = evaluate_compact(cnet, hw, chip, n)
        full = sum(-(-int(x) // chip.macro_crossbars) for x in cnet.set_size[cnet.is_weight])
        big = evaluate_compact(cnet, hw, CompactChip(macros=max(full, chip.macros), organisation=org, dram=dram), n)
        rows.append({
            "network": name, "weights_m": weight_count(net) / 1e6, "parts": result.parts,
            "throughput_inferences_per_s": result.throughput_inferences_per_s, "tops_per_w": result.tops_per_w,
            "gops_per_mm2": result.throughput_inferences_per_s * result.ops_per_inference / 1e9 / (chip.macros * tile),
            "dram_energy_share": result.dram_energy_share,
            "unlimited_throughput": big.throughput_inferences_per_s, "unlimited_tops_per_w": big.tops_per_w,
            "unlimited_area_mm2": max(full, chip.macros) * tile,
        })
    drops = [rows[i]["throughput_inferences_per_s"] / rows[i + 1]["throughput_inferences_per_s"]
             for i in range(len(rows) - 1)]
    steepest = rows[drops.index(max(drops)) + 1]["network"] if drops else None
    meets = [r["network"] for r in rows
             if (need_tp is None or r["throughput_inferences_per_s"] >= need_tp)
             and (need_eff is None or r["tops_per_w"] >= need_eff)]
    largest = meets[-1] if meets and (need_tp is not None or need_eff is not None) else None
    head = {"area_mm2": area_mm2, "macros": chip.macros, "dataset": dataset, "batch": n, "dram": dram,
            "steepest_throughput_drop_at": steepest, "largest_meeting_requirements": largest}
    if plot_path:
        _plot(plot_path, head, rows)
    if as_json:
        text = json.dumps({**head, "networks": rows}, indent=2, allow_nan=False) + "\n"
    else:
        lines = [f"ResNet family ({dataset}) on a compact chip of {area_mm2:g} mm² ({chip.macros} macros), "
                 f"batch {n}, {dram}", "",
                 f"{'network':10} {'weights':>8} {'parts':>5} {'inf/s':>10} {'TOPS/W':>7} {'GOPS/mm²':>9} "
                 f"{'DRAM E':>7} | {'unlimited inf/s':>15} {'TOPS/W':>7} {'area mm²':>9}"]
        for r in rows:
            lines.append(f"{r['network']:10} {r['weights_m']:>7.1f}M {r['parts']:>5} "
                         f"{r['throughput_inferences_per_s']:>10.1f} {r['tops_per_w']:>7.3f} {r['gops_per_mm2']:>9.2f} "
                         f"{100 * r['dram_energy_share']:>6.1f}% | {r['unlimited_throughput']:>15.1f} "
                         f"{r['unlimited_tops_per_w']:>7.3f} {r['unlimited_area_mm2']:>9.1f}")
        lines.append("")
        lines.append(f"steepest throughput drop: at {steepest}")
        if need_tp is not None or need_eff is not None:
            lines.append(f"largest network meeting the requirements: {largest or 'none'}")
        text = "\n".join(lines) + "\n"
    write_or_print(text, output)


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise PimsynError(f"{what} must be a number, got '{text}'") from None


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PimsynError("--plot needs matplotlib (`make` installs it: pip extra 'plot')") from None


def _plot(path: str, head: dict, rows: list[dict]) -> None:
    """Throughput and TOPS/W against the network's weights, compact vs all-weights chip."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pimsyn.files import write_files_atomic

    weights = [r["weights_m"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(weights, [r["throughput_inferences_per_s"] for r in rows], "o-", label="compact chip")
    ax1.plot(weights, [r["unlimited_throughput"] for r in rows], "s--", label="all weights on chip")
    ax1.set_yscale("log")
    ax1.set_xlabel("weights (millions)")
    ax1.set_ylabel("inferences/s")
    ax2.plot(weights, [r["tops_per_w"] for r in rows], "o-", label="compact chip")
    ax2.plot(weights, [r["unlimited_tops_per_w"] for r in rows], "s--", label="all weights on chip")
    ax2.set_xlabel("weights (millions)")
    ax2.set_ylabel("TOPS/W")
    for ax in (ax1, ax2):
        for r, x in zip(rows, weights):
            ax.annotate(r["network"].replace("resnet", "R"), (x, ax.get_ylim()[0]), fontsize=7, rotation=90,
                        va="bottom")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"ResNet family ({head['dataset']}) on {head['area_mm2']:g} mm² ({head['macros']} macros), "
                 f"batch {head['batch']}")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    write_files_atomic([(path, buffer.getvalue())])
