"""Design-space exploration: paper Algorithm 1, made fast, convergent and reproducible.

For each (RatioRram, ResRram, XbSize) combination the crossbar budget is fixed (Eq. 3);
the duplication filter proposes candidates (Eq. 2-4); each (candidate, ResDAC) is an *arm*
whose design points (duplication, macro counts, sharing pairs) are scored by the component
allocation and evaluation (Eq. 5-6, spec 5). Three phases (`budget.py` sizes them):

1. **screen** (one task per combination, in parallel): SA candidates and balanced
   duplications at a few shares of the conv budget, then a few random genes per arm (the reference's EA, which never evolves, is this with 40 genes; A1);
2. **halve** (successive halving over all arms): each round keeps the best third (half,
   for a slow network: `budget.py`) and gives each survivor three (two) times the previous
   round's evaluations of local refinement
   (`search/local.py`: a hill-climb over duplication, macro counts and sharing pairs,
   continuing from the arm's best point and memo), until the finalists are left;
3. **refine**: the finalists climb further in chunks (one task = one chunk), as many
   chunks as `--effort` buys; a chunk continues the previous one's trajectory, so more
   effort never gives a worse design. A finalist that gains nothing in a chunk while
   another is ahead hands its next chunks to a second climber of the leader (`_refocus`).

Every task has an evaluation budget and every evaluation a time limit far above its peers'
(`tasks.EvaluationGuard`), so no task runs unbounded. Determinism: every task draws from
its own `SeedSequence([seed, phase, ...])` and results are combined in submission order,
so neither `--jobs` nor the executor (`executors.py`: this process, worker processes,
Dask) changes the outcome. Ties go to the earliest arm in the reference's loop order.
Every finished task is checkpointed (`checkpoint.py`); `--resume` takes the finished ones
from the checkpoint and runs the rest (docs/scale-out.md).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import fields, replace

import numpy as np

from pimsyn.dse import tasks
from pimsyn.dse.budget import SearchBudget, halving_rounds, network_scale
from pimsyn.dse.checkpoint import TaskCheckpoint, run_identity
from pimsyn.dse.executors import Executor, make_executor, parse_cluster
from pimsyn.dse.pool import signals_deferred, stop_workers, worker_count  # noqa: F401  (part of this module's API)
from pimsyn.dse.progress import Progress
from pimsyn.dse.result import ComboOutcome, SynthesisOptions, SynthesisResult
from pimsyn.dse.tasks import Configuration
from pimsyn.errors import PimsynError
from pimsyn.hw.design import Design
from pimsyn.model.network import Network

_init_worker = tasks.init_worker
_init_worker_process = tasks.init_worker_process


class ImpossibleBudgetError(PimsynError):
    """No combination of the design space can hold the network under the power budget."""


def search_budget(net: Network, hw, options: SynthesisOptions) -> SearchBudget:
    """The budget of this run: `--effort`, scaled by the network's evaluation cost."""
    from pimsyn.hw import cost_network

    sizes = [(x, c) for c in options.space.cell_resolutions for x in options.space.xbar_sizes if (x, c) in hw.crossbars]
    scale = network_scale(cost_network(net, hw, *sizes[0])) if sizes else 1.0
    return SearchBudget.from_effort(options.effort, scale)


def _map(executor: Executor, func, items, progress: Progress, label, units, saved=None, save=None):
    """Apply func to items on the executor, yielding results in submission order. A task
    for which `saved(item)` returns a result (finished in the checkpoint) is not run again;
    every task run is passed to `save(item, result)` as soon as it finishes."""
    done = [saved(item) if saved is not None else None for item in items]
    todo = [i for i, result in enumerate(done) if result is None]
    on_done = None if save is None else (lambda k, result: save(items[todo[k]], result))
    computed = executor.map(func, [items[i] for i in todo], on_done)
    for item, result in zip(items, done):
        if result is None:
            result = next(computed)
        progress.advance(label(result), units(item, result))
        yield result


def _distinct(configs: list[Configuration], per_start: int = 1) -> list[Configuration]:
    """Ranked arms, at most `per_start` per (combination, ResDAC): the duplication
    candidates of a combination compete in the screening, only the best ones' arms go on
    (the local search moves the duplication anyway; a second start is a second climber)."""
    seen: dict[tuple, int] = {}
    out = []
    for c in configs:
        key = (c.combo_index, c.dac_res)
        if seen.get(key, 0) < per_start:
            seen[key] = seen.get(key, 0) + 1
            out.append(c)
    return out


def _ranked(configs: list[Configuration], per_start: int = 1) -> list[Configuration]:
    return _distinct(sorted(configs, key=lambda c: (-c.fitness, c.order)), per_start)


def _improve(executor: Executor, arms: list[Configuration], evaluations: int, chunk: int, phase: int,
             round_index: int, progress: Progress, curve: list, started: float, name: str,
             checkpoint: TaskCheckpoint | None = None, retired: list | None = None) -> list[Configuration]:
    """Give every arm `evaluations` more evaluations, in tasks of at most `chunk`; the arms'
    chunks run in parallel, one arm's chunks one after the other. With a `retired` list (the
    refinement), a stalled arm's next chunks go to a second climber of the leader
    (`_refocus`) and the stalled arm's last state is appended to `retired`."""
    steps = max(1, -(-evaluations // chunk))
    for step in range(steps):
        size = min(chunk, evaluations - step * chunk)
        items = [(arm, size, _path(phase, round_index, step, arm)) for arm in arms]

        def label(arm, step=step):
            progress.best = max(progress.best, arm.fitness / 1e9)
            curve.append((time.perf_counter() - started, progress.done, progress.best))
            return f"{name} {step + 1}/{steps}" if steps > 1 else name

        before = {id(item[0]): item[0].evaluations for item in items}
        arms = list(_map(executor, tasks.improve_arm, items, progress, label,
                         lambda item, arm: arm.evaluations - before[id(item[0])],
                         saved=checkpoint and (lambda item: checkpoint.improved(*item)),
                         save=checkpoint and (lambda item, arm: checkpoint.add_improve(*item, arm))))
        # what a task did not spend (an exhausted neighbourhood) leaves the plan
        progress.total -= sum(size - (arm.evaluations - before[id(item[0])]) for item, arm in zip(items, arms))
        if retired is not None and step + 1 < steps:
            refocused = _refocus([item[0] for item in items], arms, step)
            retired.extend(a for a, b in zip(arms, refocused) if a is not b)
            arms = refocused
    return arms


def _path(phase: int, round_index: int, step: int, arm: Configuration) -> tuple[int, ...]:
    """The rng path (and checkpoint key) of an arm's task; a second climber's has its
    climber number last."""
    return (phase, round_index, step, *arm.order) + ((arm.climber,) if arm.climber else ())


def _refocus(before: list[Configuration], after: list[Configuration], step: int) -> list[Configuration]:
    """Refinement: a finalist that gained nothing in its last chunk while another is ahead
    stops; its next chunks go to a second climber of the leader (the leader's point and
    memo, its own rng path). A stalled finalist rarely moves again (ResNet-18, seed 1:
    402.2 for all 24 chunks of 4x effort), while the leader's gains come from kicks that
    land in a better basin, which two climbers find about twice as fast (the default
    refinement: 410.1 -> 419.3; docs/benchmarks.md, "Two climbers for the leader").
    Decided from finished chunks only: the same at any --jobs and, as a prefix, at any
    --effort (more chunks never give a worse design)."""
    leader = min(after, key=lambda c: (-c.fitness, c.order, c.climber))
    out = []
    for position, (old, new) in enumerate(zip(before, after)):
        if new.fitness < leader.fitness and new.fitness <= old.fitness:
            new = replace(leader, climber=(step + 1) * len(after) + position, evaluations=0, timeouts=0)
        out.append(new)
    return out


def _note_on_stderr(text: str) -> None:
    print(f"note: {text}", file=sys.stderr, flush=True)


def synthesize(net: Network, hw, options: SynthesisOptions,
               note: Callable[[str], None] = _note_on_stderr) -> SynthesisResult:
    """Run the DSE (module docstring) on the executor `options` ask for (`executors.py`:
    --jobs, --scheduler, --cluster), checkpointing every finished task into
    `options.checkpoint_dir` when given (`checkpoint.py`; `options.resume` continues the
    checkpoint there). `note` receives one-line notes (resume, replaced checkpoint)."""
    started = time.perf_counter()
    options.space.validate()
    options.space.check_hardware(hw)
    budget = search_budget(net, hw, options)
    combos = options.space.combinations()
    from pimsyn.hw.limits import check_network_memory

    jobs = worker_count(options.jobs, len(combos))
    check_network_memory(net, _local_workers(options, jobs))
    dacs = len(options.space.dac_resolutions)
    plan = (len(combos) * budget.screen_candidates * dacs * budget.screen_population
            + sum(n * e for n, e in halving_rounds(len(combos) * dacs, budget)))
    curve: list[tuple[float, int, float]] = []
    completed = False
    checkpoint: TaskCheckpoint | None = None
    executor: Executor | None = None
    progress: Progress | None = None
    try:
        if options.checkpoint_dir is not None:
            checkpoint = TaskCheckpoint.open(options.checkpoint_dir, run_identity(net, hw, options, budget),
                                             options.resume, note)
        executor = make_executor(jobs, scheduler=options.scheduler, cluster=options.cluster,
                                 initializer=tasks.init_worker, initargs=(net, hw, options, budget))
        if checkpoint is not None:
            checkpoint.start()
        progress = Progress(total=plan, enabled=options.progress, started=started)
        outcomes: list[ComboOutcome] = []
        arms: list[Configuration] = []

        def screened(item):
            outcome, _ = item
            progress.best = max(progress.best, outcome.best_gops_per_w)
            curve.append((time.perf_counter() - started, progress.done, progress.best))
            return f"screen {outcome.rram_ratio:g}/{outcome.cell_res}b/{outcome.xbar_size}"

        screen_plan = budget.screen_candidates * dacs * budget.screen_population
        for outcome, found in _map(executor, tasks.screen_combination, list(enumerate(combos)), progress, screened,
                                   lambda item, result: result[0].evaluations,
                                   saved=checkpoint and (lambda item: checkpoint.screened(*item)),
                                   save=checkpoint and (lambda item, result: checkpoint.add_screen(*item, result))):
            progress.total -= screen_plan - outcome.evaluations
            outcomes.append(outcome)
            arms.extend(found)
        feasible = _ranked([c for c in arms if c.fitness > 0], budget.arms_per_start)
        if not feasible:
            raise _no_design_error(net, hw, options, outcomes)
        rounds = halving_rounds(len(feasible), budget)
        progress.total = progress.done + sum(n * e for n, e in rounds)
        alive = feasible
        for index, (survivors, evaluations) in enumerate(rounds):
            alive = _ranked(alive, budget.arms_per_start)[:survivors]
            last = index == len(rounds) - 1
            name = "refine" if last else f"halve {index + 1}/{len(rounds) - 1} ({survivors} arms)"
            alive = _improve(executor, alive, evaluations, budget.chunk, tasks.HALVE, index, progress, curve,
                             started, name, checkpoint, retired=arms if last else None)
            arms.extend(alive)
        completed = True
    finally:
        try:
            if executor is not None:
                if completed:
                    executor.close()
                else:  # an error, Ctrl-C or SIGTERM: no worker may outlive the run
                    executor.abort()
        finally:
            if checkpoint is not None:
                checkpoint.close()
            if progress is not None:
                progress.close()
    if checkpoint is not None and options.resume:
        note(f"--resume: {checkpoint.restored} task(s) taken from the checkpoint, {checkpoint.written} run")
    winner = min(alive, key=lambda c: (-c.fitness, c.order))
    outcomes = _fold(outcomes, arms, alive)
    design = Design(
        network=net, hw=hw, total_power_w=options.total_power_w, rram_ratio=winner.rram_ratio,
        xbar_size=winner.xbar_size, cell_res=winner.cell_res, dac_res=winner.dac_res,
        adc_res=winner.adc_res, macro_setting=options.macro_setting, conv_dup=winner.conv_dup,
        macros=winner.macros, partners=winner.partners, macro_reuse=options.macro_reuse, seed=options.seed,
        area_limit_mm2=options.area_mm2, **_quirks(options),
    )
    evaluation = design.evaluate()
    return SynthesisResult(
        design=design, evaluation=evaluation, outcomes=tuple(outcomes), options=options,
        evaluations=sum(o.evaluations for o in outcomes), wall_seconds=time.perf_counter() - started,
        progress_curve=tuple(curve),
    )


def _local_workers(options: SynthesisOptions, jobs: int) -> int:
    """Processes on this machine that evaluate designs at the same time."""
    if options.scheduler is not None:
        return 1  # the workers are elsewhere; this process evaluates the winner
    if options.cluster is not None:
        return parse_cluster(options.cluster) or os.cpu_count() or 1
    return jobs


def _fold(outcomes: list[ComboOutcome], history: list[Configuration], finalists: list[Configuration]) -> list[ComboOutcome]:
    """Fold every arm's final state into its combination's outcome: evaluations spent,
    best point, finalist flag. `history` holds each arm's screening state and its state
    after every round (evaluations are cumulative per arm)."""
    spent: dict[tuple, Configuration] = {}
    for arm in history:
        key = (arm.order, arm.climber)
        if key not in spent or arm.evaluations >= spent[key].evaluations:
            spent[key] = arm
    final = {c.combo_index for c in finalists}
    out = []
    for outcome in outcomes:
        mine = [a for a in spent.values() if a.combo_index == outcome.index]
        if not mine:
            out.append(outcome)
            continue
        best = min(mine, key=lambda c: (-c.fitness, c.order))
        better = best.fitness / 1e9 > outcome.best_gops_per_w
        out.append(replace(
            outcome, finalist=outcome.index in final, evaluations=sum(a.evaluations for a in mine),
            timeouts=sum(a.timeouts for a in mine) + outcome.timeouts,
            best_gops_per_w=max(outcome.best_gops_per_w, best.fitness / 1e9),
            best_dac_res=best.dac_res if better else outcome.best_dac_res,
            best_conv_dup=best.conv_dup if better else outcome.best_conv_dup,
        ))
    return out


def _quirks(options: SynthesisOptions) -> dict:
    """`reference_quirks` for the Design, when the Design has that field."""
    # TODO: drop the guard once pimsyn/hw/design.py has `reference_quirks` everywhere.
    if any(f.name == "reference_quirks" for f in fields(Design)):
        return {"reference_quirks": options.reference_quirks}
    if options.reference_quirks:
        raise PimsynError("--reference-quirks is not supported by this build (Design has no reference_quirks)")
    return {}


def _no_design_error(net: Network, hw, options: SynthesisOptions, outcomes: list[ComboOutcome]) -> PimsynError:
    """Explain why nothing fits and which budget would (the smallest that holds the weights)."""
    from pimsyn.hw import cost_network, crossbar_budget

    if options.area_mm2 is not None and any(o.status == "infeasible" for o in outcomes):
        return ImpossibleBudgetError(
            f"no feasible design for {net.name} at {options.total_power_w:g} W within {options.area_mm2:g} mm²: "
            f"every design point that fits the power budget is larger or has no allocation; try a larger "
            f"--area-mm2 or --total-power (or drop --total-power: an area-only chip too small for the "
            f"weights gives a compact design)"
        )
    if any(o.status == "infeasible" for o in outcomes):
        return ImpossibleBudgetError(
            f"no feasible design for {net.name} at {options.total_power_w:g} W: the weights fit, but no "
            f"allocation leaves enough power for one ADC/ALU per macro; try a larger --total-power"
        )
    needs = []
    for ratio, cell_res, xbar in options.space.combinations():
        if (xbar, cell_res) not in hw.crossbars:
            continue
        crossbars = crossbar_budget(hw, options.total_power_w, ratio, xbar, cell_res,
                                    cost_network(net, hw, xbar, cell_res)).needed_crossbars
        needs.append((crossbars * hw.crossbar(xbar, cell_res).peak_power_w / ratio, crossbars, ratio, cell_res, xbar))
    if not needs:
        return ImpossibleBudgetError(
            "the design space is empty: no --xbars x --cell-resolutions combination has a crossbar "
            "in the hardware description")
    power, crossbars, ratio, cell_res, xbar = min(needs)
    return ImpossibleBudgetError(
        f"{options.total_power_w:g} W cannot hold the weights of {net.name} in any combination: the "
        f"cheapest ({xbar}x{xbar} crossbars, {cell_res}-bit cells, RatioRram {ratio:g}) needs "
        f"{crossbars} crossbars = {power:.3g} W; try --total-power {_round_up(power)} or more"
    )


def _round_up(power: float) -> str:
    digits = max(0, 2 - int(np.floor(np.log10(power)))) if power > 0 else 0
    factor = 10 ** digits
    return f"{np.ceil(power * factor) / factor:g}"
