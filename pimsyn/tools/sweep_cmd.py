"""`pimsyn sweep MODEL... --total-power 10:100:10 -o DIR`: many syntheses, one table
(a thin layer over `pimsyn.api.sweep`; docs/api.md, "Sweeps")."""

from __future__ import annotations

import click

from pimsyn.tools.errors import PimsynError, reports_user_errors

BOTH_SETTINGS = {"specified": ("specified",), "unified": ("unified",), "both": ("specified", "unified")}
BOTH_REUSE = {"on": (True,), "off": (False,), "both": (True, False)}


@click.command("sweep")
@click.argument("models", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--total-power", "--total_power", "-p", "total_power", required=True,
              help="Power budgets in W: '49', '10,20,49', 'lo:hi:step' (10:100:10) or a mix ('5,10:100:10').")
@click.option("--macro-setting", type=click.Choice(list(BOTH_SETTINGS)), default="specified", show_default=True)
@click.option("--macro-reuse", type=click.Choice(list(BOTH_REUSE)), default="on", show_default=True,
              help="Inter-layer macro sharing: on, off, or both (two runs per budget).")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default="out/sweep", show_default=True,
              help="Output directory: sweep.csv, sweep.parquet, pareto.png, runs/<run>/.")
@click.option("--config", "--cfg", "config", type=click.Path(dir_okay=False), help="Hardware file (default: bundled).")
@click.option("--seed", default="1", show_default=True)
@click.option("--effort", default="1.0", show_default=True, help="Search effort of every run.")
@click.option("--jobs", "-j", default=None, help="Worker processes of each run's search (default: cores).")
@click.option("--ratios", help="RatioRram values: '0.1,0.2' or 'lo:hi:step'.")
@click.option("--xbars", help="Crossbar sizes, e.g. '128,256,512'.")
@click.option("--cell-resolutions", help="ReRAM cell resolutions, e.g. '1,2,4'.")
@click.option("--dac-resolutions", help="DAC resolutions, e.g. '1,2,4'.")
@click.option("--resume", is_flag=True, help="Continue the interrupted sweep in the output directory "
                                             "(finished runs are kept, unfinished ones resume their search).")
@click.option("--scheduler", help="Run the sweep's runs on the Dask cluster of this scheduler (tcp://HOST:8786).")
@click.option("--cluster", help="Run the sweep's runs on a Dask LocalCluster: 'local' or 'local:N' workers.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@reports_user_errors
def sweep_cmd(models, total_power, macro_setting, macro_reuse, output, config, seed, effort, jobs, ratios, xbars,
              cell_resolutions, dac_resolutions, resume, scheduler, cluster, quiet) -> None:
    """Synthesize every MODEL at every budget (and macro setting / sharing choice); write one
    table with every metric per run and the Pareto front of throughput against efficiency."""
    import os

    from pimsyn.api.sweep import SweepSettings, run_sweep
    from pimsyn.dse.space import parse_values
    from pimsyn.files import check_output_dir
    from pimsyn.frontend import load_model
    from pimsyn.hw import load_hardware
    from pimsyn.options import check
    from pimsyn.tools.commands import checked_options, space_from_options

    seed, jobs, effort = checked_options(seed=seed, jobs=jobs, effort=effort).values()
    powers = tuple(check("total-power", p) for item in total_power.split(",") if item.strip()
                   for p in parse_values(item, float, "total-power"))
    if not powers:
        raise PimsynError("--total-power is empty")
    if len(set(powers)) != len(powers):
        raise PimsynError(f"--total-power lists a budget twice ('{total_power}')")
    space = space_from_options(ratios, xbars, cell_resolutions, dac_resolutions)
    check_output_dir(output)
    from pimsyn.dse.executors import check_executor_options

    check_executor_options(scheduler, cluster)
    for model in models:  # every input is checked before the first run starts
        load_model(model)
    space.check_hardware(load_hardware(config))
    settings = SweepSettings(seed=seed, effort=effort, jobs=jobs or os.cpu_count() or 1, hardware=config,
                             space=space)
    note = (lambda text: None) if quiet else (lambda text: click.echo(text, err=True))
    result = run_sweep(models, powers, output, BOTH_SETTINGS[macro_setting], BOTH_REUSE[macro_reuse], settings,
                       progress=not quiet, on_note=note, resume=resume, scheduler=scheduler, cluster=cluster)
    for row in result.rows:
        if row["status"] == "ok":
            mark = " *" if row["pareto"] else ""
            click.echo(f"{row['run']}: {row['power_efficiency_gops_per_w']:.1f} GOPS/W, "
                       f"{row['throughput_inferences_per_s']:.1f} inferences/s, {row['area_mm2']:.1f} mm²{mark}")
        else:
            click.echo(f"{row['run']}: {row['status']}: {row['error']}")
    ok = sum(1 for row in result.rows if row["status"] == "ok")
    click.echo(f"{ok}/{len(result.rows)} runs found a design (* on the Pareto front of throughput against "
               f"power efficiency); wrote " + ", ".join(str(p) for p in result.files))
