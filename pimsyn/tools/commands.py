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
    try:
        values = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise PimsynError(f"{what} must be a comma-separated list of integers, got '{text}'") from None
    if not values:
        raise PimsynError(f"{what} is empty")
    return values


# --------------------------------------------------------------------------------------
# pimsyn evaluate
# --------------------------------------------------------------------------------------
@click.command("evaluate")
@click.option("--network", "-n", "network", type=click.Path(dir_okay=False), help="Network JSON or ONNX model.")
@click.option("--design", type=click.Path(dir_okay=False),
              help="A design.mlir written by `pimsyn synth` (self-contained), or a reference accelerator JSON "
                   "(e.g. alexnet-49W.json, with --network and --total-power).")
@click.option("--config", "--cfg", "-cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled).")
@click.option("--total-power", "--total_power", "-p", "total_power", type=float, help="Power budget in W.")
@click.option("--xbar", type=int, help="Crossbar size S.")
@click.option("--cell-res", type=int, help="ReRAM cell resolution (bits).")
@click.option("--ratio", type=float, help="RatioRram: share of the budget for crossbars.")
@click.option("--dac-res", type=int, help="DAC resolution (bits).")
@click.option("--adc-res", type=int, help="ADC resolution (default: derived as the reference does).")
@click.option("--dup", help="Conv weight duplication, comma-separated, conv order.")
@click.option("--macros", help="Macros per weight layer, comma-separated, convs then FCs.")
@click.option("--share", help="Sharing pairs 'i:j,...' (gene indices) for inter-layer macro sharing.")
@click.option("--macro-setting", "--macro_setting", "-m", "macro_setting", type=MACRO_SETTINGS, default="specified", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@reports_user_errors
def evaluate_cmd(network, design, config, total_power, xbar, cell_res, ratio, dac_res, adc_res,
                 dup, macros, share, macro_setting, fmt) -> None:
    """Evaluate one design point without search and print its metrics."""
    from pimsyn.dse.design import design_from_options, design_from_reference_json
    from pimsyn.frontend import load_model
    from pimsyn.hw import load_hardware

    if design and design.endswith(".mlir"):
        from pimsyn.dse.design import design_from_module_file

        the_design = design_from_module_file(design, config)
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
    _print_metrics(the_design, the_design.evaluate(), fmt)


def _print_metrics(design, evaluation, fmt: str) -> None:
    from pimsyn.hw.metrics import metrics_dict, metrics_text

    if fmt == "json":
        import json

        click.echo(json.dumps(metrics_dict(design, evaluation), indent=2))
    else:
        click.echo(metrics_text(design, evaluation))
    if not evaluation.feasible:
        raise PimsynError(f"design is infeasible: {evaluation.reason}")


# --------------------------------------------------------------------------------------
# pimsyn synth
# --------------------------------------------------------------------------------------
@click.command("synth")
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option("--network", "-n", "network", type=click.Path(dir_okay=False),
              help="Network JSON (reference spelling); with --onnx_path, where to write the converted network.")
@click.option("--onnx_path", "--onnx-path", "-onnx", "onnx_path", type=click.Path(dir_okay=False), help="ONNX model (reference spelling).")
@click.option("--total-power", "--total_power", "-p", "total_power", type=float, required=True, help="Power budget in W.")
@click.option("--config", "--cfg", "-cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled reference table).")
@click.option("--macro-setting", "--macro_setting", "-m", "macro_setting", type=MACRO_SETTINGS, default="specified", show_default=True)
@click.option("--macro-reuse/--no-macro-reuse", "macro_reuse_flag", default=None, help="Inter-layer macro sharing (default on).")
@click.option("--macro_reuse", "-r", "macro_reuse_text", help="Reference spelling: True or False.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: number of cores).")
@click.option("--effort", type=float, default=1.0, show_default=True, help="Scales the SA/EA budgets.")
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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@reports_user_errors
def synth_cmd(model, network, onnx_path, total_power, config, macro_setting, macro_reuse_flag, macro_reuse_text,
              seed, jobs, effort, ratios, xbars, cell_resolutions, dac_resolutions, reference_grid,
              duplication, output, pimcomp, quiet) -> None:
    """Synthesize an accelerator for MODEL under a total power budget (paper Algorithm 1)."""
    from pimsyn.backend.outputs import write_outputs
    from pimsyn.dse.driver import synthesize
    from pimsyn.dse.result import SynthesisOptions
    from pimsyn.dse.space import DesignSpace, parse_values
    from pimsyn.frontend import load_model
    from pimsyn.hw import load_hardware

    source = model or onnx_path or network
    if source is None:
        raise PimsynError("give a MODEL (ONNX or network JSON), or --onnx_path / --network")
    net = load_model(source)
    if onnx_path and network and os.path.abspath(network) != os.path.abspath(onnx_path):
        # The reference converts --onnx_path into the JSON at --network; do the same (never
        # touching the ONNX file itself).
        from pimsyn.frontend.network_json_export import write_network_json

        write_network_json(net, network)
    hw = load_hardware(config)
    if total_power <= 0:
        raise PimsynError(f"--total-power must be positive, got {total_power}")
    macro_reuse = True
    if macro_reuse_text is not None:
        macro_reuse = parse_bool(macro_reuse_text)
    if macro_reuse_flag is not None:
        macro_reuse = macro_reuse_flag

    space = DesignSpace.reference() if reference_grid else DesignSpace()
    if ratios:
        space = _replace(space, rram_ratios=parse_values(ratios, float))
    if xbars:
        space = _replace(space, xbar_sizes=parse_values(xbars, int))
    if cell_resolutions:
        space = _replace(space, cell_resolutions=parse_values(cell_resolutions, int))
    if dac_resolutions:
        space = _replace(space, dac_resolutions=parse_values(dac_resolutions, int))
    space.validate()
    if effort <= 0:
        raise PimsynError(f"--effort must be positive, got {effort}")
    if jobs is not None and jobs < 1:
        raise PimsynError(f"--jobs must be >= 1, got {jobs}")

    accelerator_path = None
    if output and output.endswith(".json"):
        accelerator_path = Path(output)
        outdir = accelerator_path.parent
    else:
        outdir = Path(output) if output else Path("out") / net.name
    options = SynthesisOptions(
        total_power_w=total_power, macro_setting=macro_setting, macro_reuse=macro_reuse, seed=seed,
        jobs=jobs or os.cpu_count() or 1, effort=effort, space=space, duplication=duplication,
        progress=not quiet,
    )
    result = synthesize(net, hw, options)
    files = write_outputs(result, outdir, hw_config_path=config, accelerator_path=accelerator_path,
                          pimcomp_path=Path(pimcomp) if pimcomp else None,
                          on_skip=lambda name, why: click.echo(f"note: {name} not written: {why}", err=True))
    click.echo(result.summary())
    click.echo(f"outputs in {outdir}/: " + ", ".join(sorted(p.name for p in files)))


def _replace(space, **changes):
    from dataclasses import replace

    return replace(space, **changes)


# --------------------------------------------------------------------------------------
# pimsyn emit
# --------------------------------------------------------------------------------------
EMIT_TARGETS = ["accelerator-json", "pimcomp", "pimcomp-config", "network-json", "report", "verilog", "netlist-json"]


@click.command("emit")
@click.argument("design_file", type=click.Path(dir_okay=False))
@click.option("--target", "-t", type=click.Choice(EMIT_TARGETS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default stdout).")
@reports_user_errors
def emit_cmd(design_file: str, target: str, output: str | None) -> None:
    """Write one output file of a synthesized design, from its design.mlir alone."""
    from pimsyn.backend.outputs import emit_text, write_text_atomic
    from pimsyn.ir.context import read_module

    text = emit_text(read_module(design_file), target)
    if output:
        write_text_atomic(Path(output), text)
    else:
        click.echo(text, nl=False)
