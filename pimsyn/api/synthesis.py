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


def synthesize(network, total_power_w: float, *, hardware=None, effort: float = 1.0, seed: int = 1,
               jobs: int | None = None, macro_setting: str = "specified", macro_reuse: bool = True,
               space=None, duplication: str = "sa", area_mm2: float | None = None,
               reference_quirks: bool = False, progress: bool = False, **run_options) -> SynthesisResult:
    """Synthesize an accelerator for `network` (a `Network` or a model path) under a power
    budget (paper Algorithm 1; docs/architecture.md, "DSE"). `space` is a
    `pimsyn.DesignSpace` (default: RatioRram 0.1-0.4, 128/256/512 crossbars, 1/2/4-bit cells
    and DACs). `jobs`: worker processes (default: every core). The same `seed` gives the same
    design for any `jobs`. `run_options` are further `SynthesisOptions` fields (executor,
    checkpointing; docs/scale-out.md)."""
    from dataclasses import fields

    from pimsyn.dse.driver import synthesize as run_dse, worker_count
    from pimsyn.dse.result import SynthesisOptions
    from pimsyn.dse.space import DesignSpace
    from pimsyn.errors import PimsynError
    from pimsyn.options import check, check_optional

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
    jobs = check("jobs", jobs) if jobs is not None else (os.cpu_count() or 1)
    options = SynthesisOptions(
        total_power_w=check("total-power", total_power_w), macro_setting=check_macro_setting(macro_setting),
        macro_reuse=bool(macro_reuse), seed=check("seed", seed), jobs=worker_count(jobs, len(space.combinations())),
        effort=check("effort", effort), space=space, duplication=duplication, progress=bool(progress),
        reference_quirks=bool(reference_quirks), area_mm2=check_optional("area-mm2", area_mm2), **run_options,
    )
    run = run_dse(net, hw, options)
    from pimsyn.backend.report import search_summary

    return SynthesisResult(design=Design(run.design, run.evaluation, search_summary(run)), run=run)


def evaluate(network, design_point: DesignPoint | Design, *, hardware=None) -> Metrics:
    """The metrics of one design point, no search (`pimsyn evaluate`)."""
    if isinstance(design_point, Design):
        return design_point.metrics
    if not isinstance(design_point, DesignPoint):
        raise TypeError(f"evaluate() needs a pimsyn.DesignPoint or pimsyn.Design, got {type(design_point).__name__}")
    return design_from_point(_network(network), _hardware(hardware), design_point).metrics
