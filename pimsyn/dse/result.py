"""What a synthesis run returns: the winning design and how the search went."""

from __future__ import annotations

from dataclasses import dataclass, field

from pimsyn.hw.design import Design
from pimsyn.dse.space import DesignSpace


@dataclass(frozen=True)
class SynthesisOptions:
    total_power_w: float
    macro_setting: str = "specified"
    macro_reuse: bool = True
    seed: int = 1
    jobs: int = 1
    effort: float = 1.0
    space: DesignSpace = field(default_factory=DesignSpace)
    duplication: str = "sa"  # "sa" | "woho" | "uniform"
    progress: bool = True
    #: reproduce the reference tool's unified-mode allocation (spec B2), which may exceed
    #: the power budget; default: every design allocates within its budget
    reference_quirks: bool = False
    #: an area limit (mm²): designs whose chip is larger are infeasible (docs/cost-model.md,
    #: "Area"); None: no limit
    area_mm2: float | None = None
    #: where the tasks run (docs/scale-out.md): a Dask scheduler URL, or "local[:N]" for a
    #: Dask LocalCluster started for the run; neither: `jobs` local processes. Never
    #: changes the result.
    scheduler: str | None = None
    cluster: str | None = None
    #: checkpoint every finished task into CHECKPOINT_DIR/.checkpoint/tasks.jsonl
    #: (`dse/checkpoint.py`); `resume`: continue the checkpoint found there
    checkpoint_dir: str | None = None
    resume: bool = False


@dataclass(frozen=True)
class ComboOutcome:
    """One (RatioRram, ResRram, XbSize) combination of the outer loop."""

    index: int
    rram_ratio: float
    cell_res: int
    xbar_size: int
    status: str  # "explored" | "skipped" | "infeasible"
    reason: str = ""
    crossbars: int = 0  # crossbar budget of the combination (Eq. 3)
    candidates: int = 0  # duplication candidates tried
    best_gops_per_w: float = 0.0  # best power efficiency found in this combination
    best_dac_res: int = 0
    best_conv_dup: tuple[int, ...] = ()
    finalist: bool = False  # refined by the full EA in the second phase
    evaluations: int = 0
    seconds: float = 0.0
    timeouts: int = 0  # evaluations stopped by the time limit (counted as infeasible)


@dataclass(frozen=True)
class SynthesisResult:
    design: Design
    evaluation: object  # pimsyn.hw.evaluate.Evaluation of `design`
    outcomes: tuple[ComboOutcome, ...]
    options: SynthesisOptions
    evaluations: int
    wall_seconds: float
    #: (seconds since start, evaluations done before the task, best GOPS/W so far) as each task finishes
    progress_curve: tuple[tuple[float, int, float], ...] = ()

    def summary(self) -> str:
        d, e = self.design, self.evaluation
        explored = sum(1 for o in self.outcomes if o.status == "explored")
        return (
            f"best design: {e.power_efficiency_gops_per_w:.1f} GOPS/W, "
            f"{e.throughput_inferences_per_s:.1f} inferences/s at RatioRram={d.rram_ratio} "
            f"XbSize={d.xbar_size} ResRram={d.cell_res} ResDAC={d.dac_res} (ADC {d.adc_res} bit), "
            f"{d.macro_setting} macros; {explored}/{len(self.outcomes)} combinations explored, "
            f"{self.evaluations} evaluations in {self.wall_seconds:.1f} s"
        )
