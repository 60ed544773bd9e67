"""`sweep`: many synthesis runs (models x power budgets x macro settings x sharing), one
table (docs/api.md, "Sweeps").

Each run is one `synthesize` call with the sweep's seed and effort, writes its outputs into
OUTDIR/runs/<run>/ and gives one row of OUTDIR/sweep.csv (and sweep.parquet where pyarrow
is installed): every metric of `Metrics`, the design point, the search's evaluations and
wall time, and whether the run is on the Pareto front of throughput against power
efficiency (`pareto.py`). A budget that cannot hold a network is a row with status
"infeasible" and the reason, not the end of the sweep. Runs are independent, so their
order never changes a row (each run's search is deterministic for its seed).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

#: Energy terms, one column each (`energy_<term>_nj`), in this order.
ENERGY_TERMS = ("crossbar_static", "crossbar_dynamic", "component_static", "component_dynamic",
                "memory_static", "memory_dynamic", "noc")
METRIC_COLUMNS = (
    "power_efficiency_gops_per_w", "peak_power_efficiency_gops_per_w", "throughput_inferences_per_s",
    "latency_ns", "energy_per_inference_nj", "edp_nj_ns", "average_power_w", "allocated_peak_power_w",
    "area_mm2", "area_efficiency_gops_per_mm2", "cycles", "clock_ns", "spm_kb", "ops_per_inference",
)
COLUMNS = (
    "run", "model", "network", "total_power_w", "macro_setting", "macro_reuse", "seed", "effort", "status", "error",
    *METRIC_COLUMNS, *(f"energy_{term}_nj" for term in ENERGY_TERMS),
    "rram_ratio", "xbar_size", "cell_res", "dac_res", "adc_res", "conv_dup", "macros", "sharing_pairs",
    "evaluations", "wall_seconds", "pareto", "outdir",
)


@dataclass(frozen=True)
class SweepRun:
    """One synthesis run of a sweep."""

    model: str  # path of the model file
    total_power_w: float
    macro_setting: str = "specified"
    macro_reuse: bool = True

    @property
    def name(self) -> str:
        """Directory name of the run's outputs: <model>-<P>W-<setting>[-noshare]."""
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(self.model).stem)
        return f"{stem}-{self.total_power_w:g}W-{self.macro_setting}" + ("" if self.macro_reuse else "-noshare")


@dataclass(frozen=True)
class SweepSettings:
    """What every run of a sweep shares."""

    seed: int = 1
    effort: float = 1.0
    jobs: int = 1  # worker processes of each run's search
    hardware: str | None = None  # hardware file (None: the bundled table)
    space: object = None  # pimsyn.dse.space.DesignSpace (None: the default space)
    duplication: str = "sa"


def sweep_runs(models, total_powers, macro_settings=("specified",), macro_reuses=(True,)) -> list[SweepRun]:
    """Every combination, models outermost, then budgets, settings, sharing."""
    return [SweepRun(str(m), float(p), s, bool(r))
            for m in models for p in total_powers for s in macro_settings for r in macro_reuses]


def run_one(run: SweepRun, settings: SweepSettings, outdir: str, progress: bool = False, resume: bool = False) -> dict:
    """Synthesize one run, write its outputs under `outdir`/runs/<name>, return its row.
    The run's search checkpoints its tasks in runs/<name>/.checkpoint (docs/scale-out.md);
    `resume` continues a checkpoint found there. A user-level failure (an impossible
    budget, ...) is a row too; a bug raises."""
    from pimsyn.api.synthesis import load_hardware, load_model, synthesize
    from pimsyn.errors import PimsynError

    row = dict.fromkeys(COLUMNS)
    row.update(run=run.name, model=run.model, total_power_w=run.total_power_w, macro_setting=run.macro_setting,
               macro_reuse=run.macro_reuse, seed=settings.seed, effort=settings.effort, error="", pareto=False)
    started = time.perf_counter()
    run_dir = Path(outdir) / "runs" / run.name
    try:
        net = load_model(run.model)
        row["network"] = net.name
        result = synthesize(net, run.total_power_w, hardware=load_hardware(settings.hardware), effort=settings.effort,
                            seed=settings.seed, jobs=settings.jobs, macro_setting=run.macro_setting,
                            macro_reuse=run.macro_reuse, space=settings.space, duplication=settings.duplication,
                            progress=progress, checkpoint_dir=str(run_dir), resume=resume)
        result.write(run_dir, hardware_path=settings.hardware)
    except PimsynError as err:
        row.update(status="infeasible", error=str(err).splitlines()[0] if str(err) else type(err).__name__,
                   wall_seconds=time.perf_counter() - started)
        return row
    metrics = result.metrics
    design = result.design
    row.update({key: getattr(metrics, key) for key in METRIC_COLUMNS})
    row.update({f"energy_{term}_nj": float(metrics.energy_nj.get(term, 0.0)) for term in ENERGY_TERMS})
    row.update(
        status="ok" if metrics.feasible else "infeasible", error="" if metrics.feasible else metrics.reason,
        rram_ratio=design.rram_ratio, xbar_size=design.xbar_size, cell_res=design.cell_res, dac_res=design.dac_res,
        adc_res=design.adc_res, conv_dup=" ".join(str(d) for d in design.conv_dup),
        macros=" ".join(str(m) for m in design.macros),
        sharing_pairs=sum(1 for p in design.partners if p >= 0) // 2, evaluations=result.evaluations,
        wall_seconds=result.wall_seconds, outdir=str(Path("runs") / run.name),
    )
    return row


@dataclass(frozen=True)
class SweepResult:
    rows: tuple[dict, ...]  # one per run, in run order; columns `COLUMNS`
    files: tuple[Path, ...]  # sweep.csv, sweep.parquet, pareto.png (those written)

    def front(self) -> list[dict]:
        """The runs on the Pareto front of throughput against power efficiency."""
        return [row for row in self.rows if row["pareto"]]


def sweep(models, total_powers, outdir, *, macro_settings=("specified",), macro_reuses=(True,), seed: int = 1,
          effort: float = 1.0, jobs: int | None = None, hardware: str | None = None, space=None,
          progress: bool = False, on_note=None, resume: bool = False, scheduler: str | None = None,
          cluster: str | None = None) -> SweepResult:
    """Run every (model path, budget in W, macro setting, sharing) combination and write the
    table and the Pareto plot into `outdir` (docs/api.md, "Sweeps"). `seed`, `effort`,
    `space` and `hardware` (a file path) apply to every run; `jobs` are each run's worker
    processes. `resume` continues an interrupted sweep in `outdir`; `scheduler` / `cluster`
    run it on Dask (docs/scale-out.md). `on_note(text)` receives progress lines."""
    import os

    from pimsyn.api.design import check_macro_setting
    from pimsyn.options import check

    for setting in macro_settings:
        check_macro_setting(setting)
    total_powers = [check("total-power", p) for p in total_powers]
    settings = SweepSettings(seed=check("seed", seed), effort=check("effort", effort),
                             jobs=check("jobs", jobs) if jobs is not None else os.cpu_count() or 1,
                             hardware=str(hardware) if hardware is not None else None, space=space)
    return run_sweep(models, total_powers, outdir, macro_settings, macro_reuses, settings, progress, on_note,
                     resume=resume, scheduler=scheduler, cluster=cluster)


def run_sweep(models, total_powers, outdir, macro_settings, macro_reuses, settings: SweepSettings,
              progress: bool = False, on_note=None, *, resume: bool = False, scheduler: str | None = None,
              cluster: str | None = None) -> SweepResult:
    """The sweep itself (`sweep` validates its arguments first; `pimsyn sweep` calls this).

    Locally the runs go one after the other, each with `settings.jobs` worker processes for
    its search; with `scheduler` (a Dask URL) or `cluster` ("local[:N]") whole runs are
    Dask tasks, one search process each. Every finished run's row is appended to
    OUTDIR/.checkpoint/sweep.jsonl (fsync'd, `JsonlLog`); `resume` keeps the rows found
    there and continues the unfinished runs from their own task checkpoints."""
    from dataclasses import replace

    from pimsyn.api.pareto import mark_pareto, pareto_png
    from pimsyn.api.sweep_table import csv_text, parquet_available, parquet_bytes
    from pimsyn.dse.executors import check_executor_options, make_executor
    from pimsyn.files import check_output_dir, write_files_atomic

    note = on_note or (lambda text: None)
    check_executor_options(scheduler, cluster)
    outdir = check_output_dir(outdir)
    runs = sweep_runs(models, total_powers, macro_settings, macro_reuses)
    names = [run.name for run in runs]
    if len(set(names)) != len(names):
        from pimsyn.errors import PimsynError

        twice = sorted({name for name in names if names.count(name) > 1})
        raise PimsynError(f"two runs of the sweep would share the output folder runs/{twice[0]} "
                          f"(models with the same file name?)")
    log, done = _open_log(outdir, _identity(runs, settings), resume, note)
    distributed = scheduler is not None or cluster is not None
    per_run = replace(settings, jobs=1) if distributed else settings
    todo = [run for run in runs if run.name not in done]
    note(f"{len(runs)} runs" + (f", {len(runs) - len(todo)} finished earlier" if len(todo) < len(runs) else ""))

    def finished(index: int, row: dict) -> None:
        log.append(row)
        note(f"[{len(done) + index + 1}/{len(runs)}] {row['run']}: {row['status']}")

    with log:
        executor = make_executor(1, scheduler=scheduler, cluster=cluster)
        with executor:
            items = [(run, per_run, str(outdir), progress and not distributed, resume) for run in todo]
            fresh = dict(zip((run.name for run in todo), executor.map(run_one, items, on_done=finished)))
    rows = [dict(done[name]) if name in done else fresh[name] for name in names]
    mark_pareto(rows)
    staged: list[tuple[Path, str | bytes]] = [(outdir / "sweep.csv", csv_text(rows, COLUMNS))]
    if parquet_available():
        staged.append((outdir / "sweep.parquet", parquet_bytes(rows, COLUMNS)))
    else:
        note("sweep.parquet not written: pyarrow is not installed (pip install pimsyn[sweep])")
    try:
        staged.append((outdir / "pareto.png", pareto_png(rows)))
    except ImportError:
        note("pareto.png not written: matplotlib is not installed (pip install pimsyn[plot])")
    return SweepResult(rows=tuple(rows), files=tuple(write_files_atomic(staged)))


SWEEP_LOG = Path(".checkpoint") / "sweep.jsonl"


def _identity(runs: list[SweepRun], settings: SweepSettings) -> dict:
    """What makes two sweeps the same sweep (not the worker counts or the executor)."""
    import hashlib

    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()[:20]

    space = settings.space
    return {
        "runs": [run.name for run in runs],
        "models": sorted({digest(Path(run.model).read_bytes()) for run in runs}),
        "seed": settings.seed, "effort": settings.effort, "duplication": settings.duplication,
        "hardware": digest(Path(settings.hardware).read_bytes()) if settings.hardware else "<bundled>",
        "space": None if space is None else [list(space.rram_ratios), list(space.cell_resolutions),
                                             list(space.xbar_sizes), list(space.dac_resolutions)],
    }


def _open_log(outdir: Path, identity: dict, resume: bool, note):
    """(the sweep's log, open for appending; the rows of the runs it records as finished)."""
    from pimsyn.dse.checkpoint import differences
    from pimsyn.dse.journal import CheckpointError, JsonlLog

    path = outdir / SWEEP_LOG
    contents = JsonlLog.read(path)
    if resume and contents.records:
        header = contents.records[0]
        if not isinstance(header, dict) or "pimsyn_sweep" not in header:
            raise CheckpointError(f"{path} is not a pimsyn sweep checkpoint; rerun without --resume to start over")
        changed = differences(header["pimsyn_sweep"], identity)
        if changed:
            raise CheckpointError(f"{path} is from another sweep: {'; '.join(changed)}; "
                                  f"rerun without --resume to start over")
        done = {row["run"]: row for row in contents.records[1:] if isinstance(row, dict) and "run" in row}
        note(f"--resume: {len(done)} finished run(s) in {path}" + (" (a torn last line ignored)" if contents.torn else ""))
        return JsonlLog.reopen(path, contents), done
    if resume:
        note(f"--resume: no sweep checkpoint in {outdir}, starting from the beginning")
    elif contents.records:
        note(f"replacing the checkpoint of an earlier sweep in {path.parent} (--resume continues one)")
    return JsonlLog.create(path, {"pimsyn_sweep": identity}), {}
