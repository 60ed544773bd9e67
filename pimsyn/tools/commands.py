"""The `pimsyn evaluate`, `pimsyn synth` and `pimsyn emit` commands.

`synth` accepts the reference tool's option spellings too (`--total_power`,
`--macro_setting`, `--macro_reuse True`, `--network`, `--onnx_path`, `--output`,
`--pimcomp`, `-cfg`), so its README command lines work with `pimsyn synth` in place of
`python main.py`. Unlike the reference, `--macro_reuse False` means False (spec A6).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from pimsyn.tools.errors import PimsynError, reports_user_errors

MACRO_SETTINGS = click.Choice(["specified", "unified"])


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise PimsynError(f"--macro_reuse expects True or False, got '{text}'")


def parse_int_list(text: str, what: str) -> tuple[int, ...]:
    from pimsyn.options import check

    items = [x.strip() for x in text.split(",") if x.strip()]
    try:
        values = tuple(int(x) for x in items)
    except ValueError:
        raise PimsynError(f"{what} must be a comma-separated list of integers, got '{text}'") from None
    if not values:
        raise PimsynError(f"{what} is empty")
    name = what.lstrip("-")
    return tuple(int(check(name, v, prefix=f"{what}: ")) for v in values)


def checked_options(**values) -> dict:
    """Every numeric option of a command, validated in one place (`pimsyn.options`); keys
    are parameter names (total_power), option names are their dashed spelling."""
    from pimsyn.options import check_optional

    return {key: check_optional(key.replace("_", "-"), value) for key, value in values.items()}


def with_reference_quirks(design, enabled: bool):
    """`design` with `reference_quirks` set (spec B2), when asked for."""
    from dataclasses import replace

    if not enabled:
        return design
    check_reference_quirks_supported()
    return replace(design, reference_quirks=True)


def with_area_limit(design, area_mm2: float | None):
    """`design` with an area limit (docs/cost-model.md, "Area"), when one is given."""
    from dataclasses import replace

    return design if area_mm2 is None else replace(design, area_limit_mm2=float(area_mm2))


def check_reference_quirks_supported() -> None:
    from dataclasses import fields

    from pimsyn.hw.design import Design

    # TODO: drop once pimsyn/hw/design.py's Design has `reference_quirks` in every build.
    if not any(f.name == "reference_quirks" for f in fields(Design)):
        raise PimsynError("--reference-quirks is not supported by this build (Design has no reference_quirks field)")


REFERENCE_QUIRKS_HELP = ("reproduce the reference tool's unified-mode allocation (spec B2), which may exceed the "
                         "power budget; default: every design allocates within its budget")


# --------------------------------------------------------------------------------------
# pimsyn evaluate
# --------------------------------------------------------------------------------------
@click.command("evaluate")
@click.option("--network", "-n", "network", type=click.Path(dir_okay=False), help="Network JSON or ONNX model.")
@click.option("--design", type=click.Path(dir_okay=False),
              help="A design.mlir written by `pimsyn synth` (self-contained), or a reference accelerator JSON "
                   "(e.g. alexnet-49W.json, with --network and --total-power).")
@click.option("--config", "--cfg", "-cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled).")
@click.option("--total-power", "--total_power", "-p", "total_power", help="Power budget in W.")
@click.option("--xbar", help="Crossbar size S.")
@click.option("--cell-res", help="ReRAM cell resolution (bits).")
@click.option("--ratio", help="RatioRram: share of the budget for crossbars.")
@click.option("--dac-res", help="DAC resolution (bits).")
@click.option("--adc-res", help="ADC resolution (default: derived as the reference does).")
@click.option("--dup", help="Conv weight duplication, comma-separated, conv order.")
@click.option("--macros", help="Macros per weight layer, comma-separated, convs then FCs.")
@click.option("--share", help="Sharing pairs 'i:j,...' (gene indices) for inter-layer macro sharing.")
@click.option("--macro-setting", "--macro_setting", "-m", "macro_setting", type=MACRO_SETTINGS, default="specified", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--reference-quirks", is_flag=True, help=REFERENCE_QUIRKS_HELP)
@click.option("--area-mm2", "area", help="Area limit in mm²: a design whose chip is larger is infeasible.")
@click.option("--preset", type=click.Choice(["isaac"]),
              help="A published accelerator's organisation scaled to --total-power (the paper's ISAAC baseline).")
@reports_user_errors
def evaluate_cmd(network, design, config, total_power, xbar, cell_res, ratio, dac_res, adc_res,
                 dup, macros, share, macro_setting, fmt, reference_quirks, preset, area) -> None:
    """Evaluate one design point without search and print its metrics."""
    from pimsyn.dse.design import design_from_options, design_from_reference_json
    from pimsyn.files import check_text_file
    from pimsyn.frontend import load_model
    from pimsyn.hw import load_hardware

    values = checked_options(total_power=total_power, xbar=xbar, cell_res=cell_res, ratio=ratio,
                             dac_res=dac_res, adc_res=adc_res, area_mm2=area)
    total_power, xbar, cell_res, ratio, dac_res, adc_res, area = values.values()
    if reference_quirks:
        check_reference_quirks_supported()
    if design:
        check_text_file(design, "--design file")
    if preset:
        given = [name for name, v in (("--design", design), ("--xbar", xbar), ("--cell-res", cell_res),
                                      ("--ratio", ratio), ("--dac-res", dac_res), ("--adc-res", adc_res),
                                      ("--dup", dup), ("--macros", macros), ("--share", share)) if v is not None]
        if given:
            raise PimsynError(f"--preset {preset} fixes the design: drop {', '.join(given)}")
        if network is None or total_power is None:
            raise PimsynError(f"--preset {preset} needs --network and --total-power")
        if reference_quirks:
            raise PimsynError("--reference-quirks applies to synthesized allocations, not to --preset")
        from pimsyn.dse.isaac import isaac_design

        the_design = with_area_limit(isaac_design(load_model(network), load_hardware(config), total_power), area)
        _print_metrics(the_design, the_design.evaluate(), fmt)
        return
    if design and design.endswith(".mlir"):
        from pimsyn.dse.design import design_from_module_file

        the_design = with_area_limit(with_reference_quirks(design_from_module_file(design, config), reference_quirks),
                                     area)
        _print_metrics(the_design, the_design.evaluate(), fmt)
        return
    if network is None:
        raise PimsynError("--network is required (network JSON or ONNX model), or give --design design.mlir")
    net = load_model(network)
    hw = load_hardware(config)
    if design:
        if total_power is None:
            raise PimsynError("--total-power is required with --design (the reference file does not store it)")
        the_design = design_from_reference_json(net, hw, design, total_power, macro_setting)
    else:
        missing = [name for name, v in (("--total-power", total_power), ("--xbar", xbar), ("--cell-res", cell_res),
                                        ("--ratio", ratio), ("--dac-res", dac_res), ("--dup", dup),
                                        ("--macros", macros)) if v is None]
        if missing:
            raise PimsynError(f"missing {', '.join(missing)} (or give --design)")
        the_design = design_from_options(
            net, hw, total_power_w=total_power, xbar_size=xbar, cell_res=cell_res, rram_ratio=ratio,
            dac_res=dac_res, adc_res=adc_res, conv_dup=parse_int_list(dup, "--dup"),
            macros=parse_int_list(macros, "--macros"), share=share, macro_setting=macro_setting,
        )
    the_design = with_area_limit(with_reference_quirks(the_design, reference_quirks), area)
    _print_metrics(the_design, the_design.evaluate(), fmt)


def _print_metrics(design, evaluation, fmt: str) -> None:
    from pimsyn.hw.metrics import metrics_dict, metrics_text

    metrics = metrics_dict(design, evaluation)
    bad = _non_finite(metrics)
    if bad:
        raise PimsynError(f"the evaluation produced a non-finite metric ({bad}); the design point is out of range")
    if evaluation.feasible and not metrics.get("power_efficiency_gops_per_w", 1) > 0:
        raise PimsynError("the evaluation produced a non-positive power efficiency; the design point is out of range")
    if fmt == "json":
        import json

        click.echo(json.dumps(metrics, indent=2, allow_nan=False))
    else:
        click.echo(metrics_text(design, evaluation))
    if not evaluation.feasible:
        raise PimsynError(f"design is infeasible: {evaluation.reason}")


def _non_finite(value, path: str = "") -> str:
    """The key path of the first NaN or infinite number in `value` ("" if none)."""
    import math

    if isinstance(value, dict):
        for key, item in value.items():
            found = _non_finite(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _non_finite(item, f"{path}[{i}]")
            if found:
                return found
    elif isinstance(value, float) and not math.isfinite(value):
        return path or "value"
    return ""


# --------------------------------------------------------------------------------------
# pimsyn synth
# --------------------------------------------------------------------------------------
@click.command("synth")
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option("--network", "-n", "network", type=click.Path(dir_okay=False),
              help="Network JSON (reference spelling); with --onnx_path, where to write the converted network.")
@click.option("--onnx_path", "--onnx-path", "-onnx", "onnx_path", type=click.Path(dir_okay=False), help="ONNX model (reference spelling).")
@click.option("--total-power", "--total_power", "-p", "total_power",
              help="Power budget in W (required unless --area-mm2 or --max-crossbars sizes the chip).")
@click.option("--config", "--cfg", "-cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled reference table).")
@click.option("--macro-setting", "--macro_setting", "-m", "macro_setting", type=MACRO_SETTINGS, default="specified", show_default=True)
@click.option("--macro-reuse/--no-macro-reuse", "macro_reuse_flag", default=None, help="Inter-layer macro sharing (default on).")
@click.option("--macro_reuse", "-r", "macro_reuse_text", help="Reference spelling: True or False.")
@click.option("--seed", default="1", show_default=True)
@click.option("--jobs", "-j", default=None, help="Worker processes (default: number of cores; never more than cores or tasks).")
@click.option("--effort", default="1.0", show_default=True,
              help="Search effort: below 1 a quicker, coarser search; above 1 a longer refinement of "
                   "the finalists, never a worse design for the same seed (docs/architecture.md, DSE).")
@click.option("--ratios", help="RatioRram values: '0.1,0.2' or 'lo:hi:step' (default 0.1:0.4:0.05).")
@click.option("--xbars", help="Crossbar sizes, e.g. '128,256,512'.")
@click.option("--cell-resolutions", help="ReRAM cell resolutions, e.g. '1,2,4'.")
@click.option("--dac-resolutions", help="DAC resolutions, e.g. '1,2,4'.")
@click.option("--reference-grid", is_flag=True, help="Exactly the reference tool's grid (ratios 0.15-0.3).")
@click.option("--duplication", type=click.Choice(["sa", "woho", "uniform"]), default="sa", show_default=True,
              help="Weight-duplication strategy (sa = the paper's filter; the others are baselines).")
@click.option("-o", "--output", "output", type=click.Path(), default=None,
              help="Output directory (default out/<model>); a .json path is taken as the reference's --output file.")
@click.option("--pimcomp", type=click.Path(dir_okay=False), help="Also write the small PIMCOMP JSON here (reference spelling).")
@click.option("--reference-quirks", is_flag=True, help=REFERENCE_QUIRKS_HELP)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--area-mm2", "area", help="Chip area limit in mm², with or without --total-power; weights that do "
                                          "not fit give a compact design (docs/compact.md).")
@click.option("--max-crossbars", help="Chip size limit in crossbars (whole macros of 96), like --area-mm2.")
@click.option("--batch", default="16", show_default=True, help="Compact design: inputs per batch (weight reloads "
                                                               "are amortised over the batch).")
@click.option("--dram", type=click.Choice(["lpddr3", "lpddr4", "lpddr5"]), default="lpddr5", show_default=True,
              help="Compact design: the off-chip DRAM.")
@click.option("--dram-trace", type=click.Path(dir_okay=False),
              help="Compact design: write every DRAM transfer of one batch (time_ns, R/W, address) as CSV here.")
@click.option("--resume", is_flag=True, help="Continue the interrupted run checkpointed in the output directory "
                                             "(OUTDIR/.checkpoint, docs/scale-out.md).")
@click.option("--scheduler", help="Run the search on the Dask cluster of this scheduler, e.g. tcp://HOST:8786 "
                                  "(pimsyn[dask]; docs/scale-out.md).")
@click.option("--cluster", help="Run the search on a Dask LocalCluster started for the run: 'local' (a worker "
                                "per core) or 'local:N'.")
@reports_user_errors
def synth_cmd(model, network, onnx_path, total_power, config, macro_setting, macro_reuse_flag, macro_reuse_text,
              seed, jobs, effort, ratios, xbars, cell_resolutions, dac_resolutions, reference_grid,
              duplication, output, pimcomp, reference_quirks, quiet, area, resume, scheduler, cluster,
              max_crossbars, batch, dram, dram_trace) -> None:
    """Synthesize an accelerator for MODEL under a total power budget (paper Algorithm 1), an area or a
    crossbar limit; weights that do not fit on the chip give a compact design (docs/compact.md).
    A thin layer over `pimsyn.synthesize` (docs/api.md)."""
    from pimsyn.api.compact import plan_synthesis
    from pimsyn.api.synthesis import synthesize
    from pimsyn.backend.outputs import check_output_paths
    from pimsyn.dse.chip_limits import check_batch_option, check_max_crossbars
    from pimsyn.dse.driver import worker_count
    from pimsyn.dse.executors import check_executor_options
    from pimsyn.files import check_output_file, write_text_atomic
    from pimsyn.frontend import load_model
    from pimsyn.hw import load_hardware

    # 1. Every option, before any work or any file written.
    values = checked_options(total_power=total_power, seed=seed, jobs=jobs, effort=effort, area_mm2=area)
    total_power, seed, jobs, effort, area = values.values()
    macro_reuse = True
    if macro_reuse_text is not None:
        macro_reuse = parse_bool(macro_reuse_text)
    if macro_reuse_flag is not None:
        macro_reuse = macro_reuse_flag
    if reference_quirks:
        check_reference_quirks_supported()
    check_executor_options(scheduler, cluster)
    max_crossbars, batch = check_max_crossbars(max_crossbars), check_batch_option(batch)
    if total_power is None and area is None and max_crossbars is None:
        raise PimsynError("give --total-power, --area-mm2 or --max-crossbars (or several)")
    if dram_trace:
        check_output_file(dram_trace, "--dram-trace file")
    space = space_from_options(ratios, xbars, cell_resolutions, dac_resolutions, reference_grid)
    source = model or onnx_path or network
    if source is None:
        raise PimsynError("give a MODEL (ONNX or network JSON), or --onnx_path / --network")
    convert_to = None
    if onnx_path and network and os.path.abspath(network) != os.path.abspath(onnx_path):
        # The reference converts --onnx_path into the JSON at --network; do the same (never
        # touching the ONNX file itself).
        convert_to = check_output_file(network, "--network file")
    accelerator_path = None
    if output and output.endswith(".json"):
        accelerator_path = Path(output)
    pimcomp_path = Path(pimcomp) if pimcomp else None
    if output:  # the default out/<model> needs the model's name: checked once it is loaded
        outdir = accelerator_path.parent if accelerator_path else Path(output)
        check_output_paths(outdir, accelerator_path=accelerator_path, pimcomp_path=pimcomp_path)

    # 2. Inputs (the model, the hardware file) and what depends on them, still before any work.
    net = load_model(source)
    if not output:
        outdir = Path("out") / net.name
        check_output_paths(outdir, pimcomp_path=pimcomp_path)
    hw = load_hardware(config)
    space.check_hardware(hw)
    plan = plan_synthesis(net, hw, total_power_w=total_power, area_mm2=area, max_crossbars=max_crossbars,
                          space=space, dram=dram)
    if plan.compact and pimcomp_path:
        raise PimsynError(f"--pimcomp: the weights of {net.name} do not fit on the chip; a compact design has no "
                          "PIMCOMP file")
    tasks = len(space.combinations())
    workers = worker_count(jobs or os.cpu_count() or 1, tasks)
    if jobs is not None and (scheduler or cluster):
        click.echo(f"note: --jobs is ignored with {'--scheduler' if scheduler else '--cluster'}", err=True)
    elif jobs is not None and workers < jobs and not plan.compact:
        click.echo(f"note: --jobs {jobs} capped to {workers} worker(s) "
                   f"({os.cpu_count() or 1} core(s), {tasks} task(s))", err=True)

    # 3. The work; outputs are written at the end, atomically.
    if convert_to is not None:
        import json

        from pimsyn.frontend.network_json_export import network_to_json

        write_text_atomic(convert_to, json.dumps(network_to_json(net), indent=2) + "\n")
    result = synthesize(
        net, total_power, hardware=hw, effort=effort, seed=seed, jobs=workers, macro_setting=macro_setting,
        macro_reuse=macro_reuse, space=space, duplication=duplication, area_mm2=area, max_crossbars=max_crossbars,
        batch=batch, dram=dram, record_dram_trace=bool(dram_trace), reference_quirks=reference_quirks,
        progress=not quiet, on_note=lambda text: click.echo(f"note: {text}", err=True), plan=plan,
        scheduler=scheduler, cluster=cluster, checkpoint_dir=str(outdir), resume=resume,
    )
    if hasattr(result, "dram_trace"):  # a compact design (pimsyn.api.compact.CompactResult)
        files = result.write(outdir, hardware_path=config, accelerator_path=accelerator_path,
                             dram_trace_path=dram_trace)
    else:
        files = result.write(outdir, hardware_path=config, accelerator_path=accelerator_path,
                             pimcomp_path=pimcomp_path,
                             on_skip=lambda name, why: click.echo(f"note: {name} not written: {why}", err=True))
    click.echo(result.summary())
    click.echo(f"outputs in {outdir}/: " + ", ".join(sorted(_relative(p, outdir) for p in files)))


def _relative(path, outdir) -> str:
    """pimsim/program.json rather than program.json for files in sub-directories."""
    try:
        return str(Path(path).resolve().relative_to(Path(outdir).resolve()))
    except ValueError:
        return str(path)


def space_from_options(ratios, xbars, cell_resolutions, dac_resolutions, reference_grid: bool = False):
    """The design space of the --ratios/--xbars/--cell-resolutions/--dac-resolutions options
    (`synth`, `sweep`), validated."""
    from dataclasses import replace

    from pimsyn.dse.space import DesignSpace, parse_values

    space = DesignSpace.reference() if reference_grid else DesignSpace()
    for text, field, kind, option in ((ratios, "rram_ratios", float, "ratios"), (xbars, "xbar_sizes", int, "xbars"),
                                      (cell_resolutions, "cell_resolutions", int, "cell-resolutions"),
                                      (dac_resolutions, "dac_resolutions", int, "dac-resolutions")):
        if text:
            space = replace(space, **{field: parse_values(text, kind, option)})
    space.validate()
    return space


# --------------------------------------------------------------------------------------
# pimsyn emit
# --------------------------------------------------------------------------------------
EMIT_TARGETS = ["accelerator-json", "pimcomp", "pimcomp-config", "network-json", "report", "verilog", "netlist-json",
                "pimsim-asm", "pimsim", "report-html"]


@click.command("emit")
@click.argument("design_file", type=click.Path(dir_okay=False))
@click.option("--target", "-t", type=click.Choice(EMIT_TARGETS), required=True)
@click.option("-o", "--output", type=click.Path(), help="Write here (default stdout; a directory for --target pimsim).")
@reports_user_errors
def emit_cmd(design_file: str, target: str, output: str | None) -> None:
    """Write one output file of a synthesized design, from its design.mlir alone."""
    from pimsyn.backend.outputs import emit_text
    from pimsyn.files import check_output_file, check_text_file, write_or_print
    from pimsyn.ir.context import read_module

    check_text_file(design_file, "design file")
    if target == "pimsim":  # a directory: program.json, arch.json, network.json
        from pimsyn.backend.outputs import emit_directory
        from pimsyn.files import check_output_dir, write_files_atomic

        if not output:
            raise PimsynError("--target pimsim writes a directory: give it with -o DIR")
        directory = check_output_dir(output)
        files = emit_directory(read_module(design_file), target)
        written = write_files_atomic([(directory / name, content) for name, content in files.items()])
        click.echo(f"wrote {', '.join(str(path) for path in written)}")
        return
    if output:
        check_output_file(output)
    write_or_print(emit_text(read_module(design_file), target), output)
