"""`synthesize` and `evaluate`: the engine behind `pimsyn synth` and `pimsyn evaluate`.

Every argument is validated as the CLI validates its option (`pimsyn.options`), and every
problem is raised as the typed exception the CLI prints as one line (a `PimsynError`
subclass, see `pimsyn.errors` and docs/errors.md), so a notebook sees the same message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pimsyn.api.design import Design, DesignPoint, check_macro_setting, design_from_point
from pimsyn.api.metrics import Metrics


def load_model(path: str | Path):
    """An ONNX model or network JSON file -> `Network` (pimsyn.model.network)."""
    from pimsyn.frontend import load_model as _load

    return _load(path)


def load_hardware(path: str | Path | None = None):
    """A hardware description file -> `HardwareConfig`; None: the bundled reference table."""
    from pimsyn.hw import load_hardware as _load

    return _load(str(path) if path is not None else None)


def _network(network):
    return load_model(network) if isinstance(network, (str, Path)) else network


def _hardware(hardware):
    return load_hardware(hardware) if hardware is None or isinstance(hardware, (str, Path)) else hardware


@dataclass(frozen=True)
class SynthesisResult:
    """What `synthesize` returns: the winning design, its metrics, and how the search went."""

    design: Design
    run: object  # pimsyn.dse.result.SynthesisResult: per-combination outcomes, options

    @property
    def metrics(self) -> Metrics:
        return self.design.metrics

    @property
    def evaluations(self) -> int:
        return int(self.run.evaluations)

    @property
    def wall_seconds(self) -> float:
        return float(self.run.wall_seconds)

    @property
    def outcomes(self) -> tuple:
        """One `ComboOutcome` per (RatioRram, ResRram, XbSize) combination of the space."""
        return self.run.outcomes

    @property
    def convergence(self) -> tuple[tuple[float, float], ...]:
        """(seconds since the start, best GOPS/W so far) after each finished task."""
        return self.run.progress_curve

    def summary(self) -> str:
        return self.run.summary()

    def write(self, outdir: str | Path, *, hardware_path: str | Path | None = None,
              accelerator_path: str | Path | None = None, pimcomp_path: str | Path | None = None,
              on_skip=None) -> list[Path]:
        """Write every output file into `outdir` (design.mlir first, every other file lowered
        from it; all written atomically at the end); returns the paths written."""
        from pimsyn.backend.outputs import check_output_paths, write_outputs

        check_output_paths(outdir, accelerator_path=accelerator_path, pimcomp_path=pimcomp_path)
        return write_outputs(self.run, outdir, hw_config_path=hardware_path, accelerator_path=accelerator_path,
                             pimcomp_path=pimcomp_path, on_skip=on_skip)

    def __repr__(self) -> str:
        return f"<pimsyn.SynthesisResult {self.summary()}>"


def synthesize(network, total_power_w: float | None = None, *, hardware=None, effort: float = 1.0, seed: int = 1,
               jobs: int | None = None, macro_setting: str = "specified", macro_reuse: bool = True,
               space=None, duplication: str = "sa", area_mm2: float | None = None,
               max_crossbars: int | None = None, batch: int = 16, dram: str = "lpddr5",
               record_dram_trace: bool = False, reference_quirks: bool = False, progress: bool = False,
               on_note=None, plan=None, **run_options):
    """Synthesize an accelerator for `network` (a `Network` or a model path) under a power
    budget, an area limit, a crossbar limit, or several (paper Algorithm 1;
    docs/architecture.md "DSE", docs/compact.md "Compact synthesis").

    Returns a `SynthesisResult` (the PIMSYN flow: every weight on chip) or, when an area /
    crossbar limit leaves too small a chip for the weights, a `CompactResult` (the network
    run part by part over batches of `batch` inputs, weights reloaded from `dram`).
    `space` is a `pimsyn.DesignSpace` (default: RatioRram 0.1-0.4, 128/256/512 crossbars,
    1/2/4-bit cells and DACs). `jobs`: worker processes (default: every core); the same
    `seed` gives the same design for any `jobs` or executor. `on_note(text)` receives what a
    person should know (a derived budget, a resumed checkpoint). `plan` is
    `plan_synthesis`'s answer when the caller already has it. `run_options` are further
    `SynthesisOptions` fields (executor, checkpointing; docs/scale-out.md)."""
    from dataclasses import fields

    from pimsyn.api.compact import compact_result, plan_notes, plan_synthesis
    from pimsyn.dse.driver import ImpossibleBudgetError, synthesize as run_dse, worker_count
    from pimsyn.dse.chip_limits import check_batch_option
    from pimsyn.dse.result import SynthesisOptions
    from pimsyn.dse.space import DesignSpace
    from pimsyn.errors import PimsynError
    from pimsyn.options import check

    note = on_note or (lambda text: None)
    net, hw = _network(network), _hardware(hardware)
    space = space or DesignSpace()
    space.validate()
    space.check_hardware(hw)
    if duplication not in ("sa", "woho", "uniform"):
        raise PimsynError(f"duplication must be one of sa, woho, uniform, got {duplication!r}")
    known = {f.name for f in fields(SynthesisOptions)}
    unknown = sorted(set(run_options) - known)
    if unknown:
        raise TypeError(f"synthesize() got unexpected keyword argument(s): {', '.join(unknown)}")
    batch = check_batch_option(batch)
    seed, effort = check("seed", seed), check("effort", effort)
    plan = plan or plan_synthesis(net, hw, total_power_w=total_power_w, area_mm2=area_mm2,
                                  max_crossbars=max_crossbars, space=space, dram=dram)

    def compact():
        return compact_result(net, hw, plan, batch=batch, seed=seed, record_dram_trace=record_dram_trace,
                              area_mm2=area_mm2, max_crossbars=plan.max_crossbars or max_crossbars)

    if plan.compact:
        return compact()
    for text in plan_notes(plan):
        note(text)
    if record_dram_trace:
        note("no DRAM trace: the weights fit on the chip, so there is no DRAM traffic (batch and dram apply to "
             "compact designs only)")
    jobs = check("jobs", jobs) if jobs is not None else (os.cpu_count() or 1)
    options = SynthesisOptions(
        total_power_w=plan.total_power_w, macro_setting=check_macro_setting(macro_setting),
        macro_reuse=bool(macro_reuse), seed=seed, jobs=worker_count(jobs, len(space.combinations())),
        effort=effort, space=space, duplication=duplication, progress=bool(progress),
        reference_quirks=bool(reference_quirks), area_mm2=plan.area_mm2, **run_options,
    )
    try:
        run = run_dse(net, hw, options, note=note)
    except ImpossibleBudgetError as err:
        if plan.chip is None:
            raise
        note(f"{str(err).split(':')[0]}; the weights stay resident on {plan.chip.macros} "
             f"{plan.chip.organisation.name} macros instead (a compact design of one part)")
        return compact()
    from pimsyn.backend.report import search_summary

    return SynthesisResult(design=Design(run.design, run.evaluation, search_summary(run)), run=run)


def evaluate(network, design_point: DesignPoint | Design, *, hardware=None) -> Metrics:
    """The metrics of one design point, no search (`pimsyn evaluate`)."""
    if isinstance(design_point, Design):
        return design_point.metrics
    if not isinstance(design_point, DesignPoint):
        raise TypeError(f"evaluate() needs a pimsyn.DesignPoint or pimsyn.Design, got {type(design_point).__name__}")
    return design_from_point(_network(network), _hardware(hardware), design_point).metrics
