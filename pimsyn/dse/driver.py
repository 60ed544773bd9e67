"""Design-space exploration: paper Algorithm 1, made fast and reproducible.

For each (RatioRram, ResRram, XbSize) combination the crossbar budget is fixed (Eq. 3);
the duplication filter proposes candidates (Eq. 2-4); for each candidate and ResDAC the
macro partitioning EA (Alg. 2) searches macro counts and sharing, the component allocation
and evaluation (Eq. 5-6, spec 5) score each gene. Two phases keep it tractable:

1. **screen** (one task per combination, in parallel): every (candidate, ResDAC) gets a
   small random population (the reference's EA, which never evolves, is exactly this with 40
   genes; spec A1);
2. **refine**: the best configurations over all combinations get the full, evolving EA,
   started from their screening population's best gene.

Determinism: every task draws from its own `SeedSequence([seed, phase, index, ...])`, and
results are combined in submission order, so `--jobs` never changes the outcome. Ties go
to the earliest configuration in the reference's loop order.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields, replace

import numpy as np

from pimsyn.dse.budget import SearchBudget
from pimsyn.hw.design import Design
from pimsyn.dse.progress import Progress
from pimsyn.dse.result import ComboOutcome, SynthesisOptions, SynthesisResult
from pimsyn.model.network import Network
from pimsyn.errors import PimsynError

SCREEN, REFINE = 0, 1


class ImpossibleBudgetError(PimsynError):
    """No combination of the design space can hold the network under the power budget."""


@dataclass(frozen=True)
class Configuration:
    """A (combination, duplication candidate, ResDAC) triple and its best gene so far."""

    combo_index: int
    candidate_index: int
    rram_ratio: float
    cell_res: int
    xbar_size: int
    dac_res: int
    adc_res: int
    conv_dup: tuple[int, ...]
    macros: tuple[int, ...]
    partners: tuple[int, ...]
    fitness: float  # ops/J, 0 = infeasible
    evaluations: int

    @property
    def order(self) -> tuple:
        """Position in the reference's loop order (ties go to the earliest)."""
        return (self.combo_index, self.candidate_index, self.dac_res)


# ---------------------------------------------------------------------------------------
# Worker side. Each worker process gets the network, hardware and options once.
# ---------------------------------------------------------------------------------------
_WORKER: dict = {}


def _init_worker(net: Network, hw, options: SynthesisOptions) -> None:
    _WORKER.clear()
    _WORKER.update(net=net, hw=hw, options=options, budget=SearchBudget.from_effort(options.effort), cnets={})


def _init_worker_process(net: Network, hw, options: SynthesisOptions) -> None:
    """Initializer of a worker process: Ctrl-C (SIGINT, sent to the whole terminal process
    group) is the driver's to handle, so workers ignore it and never print a traceback;
    SIGTERM gets its default action, so `stop_workers` ends a worker at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _init_worker(net, hw, options)


def worker_count(jobs: int, tasks: int) -> int:
    """Worker processes that can help: at most one per core and one per task."""
    return max(1, min(jobs, os.cpu_count() or 1, tasks))


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End every worker of `pool` now (after an error or a signal): cancel the queued tasks,
    terminate the processes and reap them, so none is left orphaned. A worker that is
    still alive after SIGTERM (e.g. one that was forking) gets SIGKILL."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    processes += [p for p in (getattr(pool, "_processes", None) or {}).values() if p not in processes]
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    deadline = time.monotonic() + 5
    for process in processes:
        try:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
        except (OSError, ValueError, AttributeError, AssertionError):
            pass
    for process in processes:
        try:
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


def _cost_network(xbar_size: int, cell_res: int):
    from pimsyn.hw import cost_network

    key = (xbar_size, cell_res)
    cache = _WORKER["cnets"]
    if key not in cache:
        cache[key] = cost_network(_WORKER["net"], _WORKER["hw"], xbar_size, cell_res)
    return cache[key]


def _rng(*path: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([_WORKER["options"].seed, *path]))


def _duplication_candidates(cnet, conv_budget: int, index: int) -> list[np.ndarray]:
    from pimsyn.search.duplication import sa_filter
    from pimsyn.search.duplication_baselines import no_duplication, woho_duplication
    from pimsyn.search.duplication_problem import DuplicationProblem

    options, budget = _WORKER["options"], _WORKER["budget"]
    problem = DuplicationProblem.from_cost_network(cnet)
    if options.duplication == "woho":
        return [woho_duplication(problem, conv_budget)]
    if options.duplication == "uniform":
        return [no_duplication(problem)]
    hw = _WORKER["hw"]
    return sa_filter(
        problem, conv_budget, rng=_rng(SCREEN, index), energy=hw.annealing.energy_function,
        alpha=hw.annealing.alpha, iters=budget.sa_iterations, chains=budget.sa_chains,
        sigma=hw.annealing.cooling, candidates=budget.candidates,
    )


def _partition_problem(cnet, conv_dup):
    from pimsyn.search.partition_space import MacroSizeRange, PartitionProblem

    options, hw = _WORKER["options"], _WORKER["hw"]
    return PartitionProblem.from_cost_network(
        cnet, conv_dup, mode=options.macro_setting, macro_reuse=options.macro_reuse,
        sizes=MacroSizeRange(hw.evolution.min_macro_size, hw.evolution.max_macro_size, hw.evolution.macro_size_stride),
    )


def _fitness_function(cnet, point, state):
    from pimsyn.hw import fitness

    hw = _WORKER["hw"]
    return lambda macros, partners: fitness(cnet, hw, point, state, macros, partners)


def _point(rram_ratio, xbar_size, cell_res, dac_res, adc_res):
    from pimsyn.hw import DesignPoint

    options = _WORKER["options"]
    extra = {}
    if options.reference_quirks:  # the search scores what the winner will be (spec B2)
        extra["reference_quirks"] = True
    return DesignPoint(
        total_power_w=options.total_power_w, rram_ratio=rram_ratio, xbar_size=xbar_size,
        cell_res=cell_res, dac_res=dac_res, adc_res=adc_res, macro_setting=options.macro_setting, **extra,
    )


def screen_combination(index: int, combo: tuple[float, int, int]) -> tuple[ComboOutcome, list[Configuration]]:
    """Phase 1 for one (RatioRram, ResRram, XbSize): all candidates x ResDAC, small populations."""
    from pimsyn.hw import adc_resolution, apply_duplication, crossbar_budget
    from pimsyn.search.partition import evolve_partition

    started = time.perf_counter()
    ratio, cell_res, xbar = combo
    options, hw, budget = _WORKER["options"], _WORKER["hw"], _WORKER["budget"]
    outcome = ComboOutcome(index=index, rram_ratio=ratio, cell_res=cell_res, xbar_size=xbar, status="explored")
    if (xbar, cell_res) not in hw.crossbars:
        return replace(outcome, status="skipped", reason=f"no RRAM table for {xbar}_{cell_res}"), []
    cnet = _cost_network(xbar, cell_res)
    crossbars = crossbar_budget(hw, options.total_power_w, ratio, xbar, cell_res, cnet)
    outcome = replace(outcome, crossbars=crossbars.total_crossbars)
    if crossbars.rejected:
        return replace(outcome, status="skipped", reason=(
            f"weights need {crossbars.needed_crossbars} crossbars, the budget buys {crossbars.total_crossbars}")), []
    candidates = _duplication_candidates(cnet, crossbars.conv_crossbars, index)
    configurations: list[Configuration] = []
    evaluations = 0
    for cand_index, conv_dup in enumerate(candidates):
        state = apply_duplication(cnet, conv_dup)
        problem = _partition_problem(cnet, conv_dup)
        for dac_res in options.space.dac_resolutions:
            adc_res = adc_resolution(xbar, cell_res, dac_res)
            if adc_res not in hw.adcs:
                continue
            point = _point(ratio, xbar, cell_res, dac_res, adc_res)
            result = evolve_partition(
                problem, _fitness_function(cnet, point, state), rng=_rng(SCREEN, index, cand_index, dac_res),
                population=budget.screen_population, generations=0,
            )
            evaluations += result.evaluations
            configurations.append(Configuration(
                combo_index=index, candidate_index=cand_index, rram_ratio=ratio, cell_res=cell_res,
                xbar_size=xbar, dac_res=dac_res, adc_res=adc_res,
                conv_dup=tuple(int(d) for d in conv_dup), macros=tuple(int(m) for m in result.macros),
                partners=tuple(int(p) for p in result.partners), fitness=float(result.fitness),
                evaluations=result.evaluations,
            ))
    best = max(configurations, key=lambda c: c.fitness, default=None)
    status = "explored" if best is not None and best.fitness > 0 else "infeasible"
    reason = "" if status == "explored" else (
        "no ADC table for any ResDAC" if best is None else "no allocation fits the power left for components")
    outcome = replace(
        outcome, status=status, reason=reason, candidates=len(candidates), evaluations=evaluations,
        best_gops_per_w=(best.fitness / 1e9) if best else 0.0, best_dac_res=best.dac_res if best else 0,
        best_conv_dup=best.conv_dup if best else (), seconds=time.perf_counter() - started,
    )
    return outcome, configurations


def refine_configuration(rank: int, config: Configuration) -> Configuration:
    """Phase 2: the full evolving EA on one configuration, seeded with its screening best."""
    from pimsyn.hw import apply_duplication
    from pimsyn.search.partition import evolve_partition

    budget = _WORKER["budget"]
    cnet = _cost_network(config.xbar_size, config.cell_res)
    state = apply_duplication(cnet, config.conv_dup)
    point = _point(config.rram_ratio, config.xbar_size, config.cell_res, config.dac_res, config.adc_res)
    result = evolve_partition(
        _partition_problem(cnet, config.conv_dup), _fitness_function(cnet, point, state),
        rng=_rng(REFINE, config.combo_index, config.candidate_index, config.dac_res),
        population=budget.population, generations=budget.generations, patience=budget.patience,
        initial=[(np.asarray(config.macros), np.asarray(config.partners))],
    )
    if result.fitness <= config.fitness:  # the EA is elitist; keep the known gene on ties
        return replace(config, evaluations=config.evaluations + result.evaluations)
    return replace(
        config, macros=tuple(int(m) for m in result.macros), partners=tuple(int(p) for p in result.partners),
        fitness=float(result.fitness), evaluations=config.evaluations + result.evaluations,
    )


# ---------------------------------------------------------------------------------------
# Driver side.
# ---------------------------------------------------------------------------------------
def _map(pool, func, items, progress: Progress, label):
    """Apply func to items (in a pool if given), yielding results in submission order."""
    if pool is None:
        for item in items:
            result = func(*item)
            progress.advance(label(result))
            yield result
        return
    futures = [pool.submit(func, *item) for item in items]
    for future in futures:
        result = future.result()
        progress.advance(label(result))
        yield result


def synthesize(net: Network, hw, options: SynthesisOptions) -> SynthesisResult:
    started = time.perf_counter()
    budget = SearchBudget.from_effort(options.effort)
    options.space.validate()
    options.space.check_hardware(hw)
    combos = options.space.combinations()
    from pimsyn.hw.limits import check_network_memory

    check_network_memory(net, worker_count(options.jobs, len(combos)))
    progress = Progress(total=len(combos) + budget.finalists, enabled=options.progress, started=started)
    curve: list[tuple[float, float]] = []
    _init_worker(net, hw, options)
    pool = None
    jobs = worker_count(options.jobs, len(combos))
    if jobs > 1:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker_process, initargs=(net, hw, options))
    completed = False
    try:
        outcomes: list[ComboOutcome] = []
        configurations: list[Configuration] = []

        def screened(item):
            outcome, _ = item
            if outcome.best_gops_per_w > progress.best:
                progress.best = outcome.best_gops_per_w
            curve.append((time.perf_counter() - started, progress.best))
            return f"{outcome.rram_ratio:g}/{outcome.cell_res}b/{outcome.xbar_size}"

        for outcome, found in _map(pool, screen_combination, list(enumerate(combos)), progress, screened):
            outcomes.append(outcome)
            configurations.extend(found)
        feasible = [c for c in configurations if c.fitness > 0]
        if not feasible:
            raise _no_design_error(net, hw, options, outcomes)
        ranked = sorted(feasible, key=lambda c: (-c.fitness, c.order))
        finalists = _distinct(ranked)[: budget.finalists]
        progress.total = len(combos) + len(finalists)

        def refined(config):
            progress.best = max(progress.best, config.fitness / 1e9)
            curve.append((time.perf_counter() - started, progress.best))
            return "refine"

        refined_configs = list(_map(pool, refine_configuration, list(enumerate(finalists)), progress, refined))
        completed = True
    finally:
        if pool is not None:
            if completed:
                pool.shutdown()
            else:  # an error, Ctrl-C or SIGTERM: no worker may outlive the run
                stop_workers(pool)
        progress.close()
    winner = min(refined_configs, key=lambda c: (-c.fitness, c.order))
    outcomes = [_with_refinement(o, list(zip(finalists, refined_configs))) for o in outcomes]
    evaluations = sum(o.evaluations for o in outcomes)
    design = Design(
        network=net, hw=hw, total_power_w=options.total_power_w, rram_ratio=winner.rram_ratio,
        xbar_size=winner.xbar_size, cell_res=winner.cell_res, dac_res=winner.dac_res,
        adc_res=winner.adc_res, macro_setting=options.macro_setting, conv_dup=winner.conv_dup,
        macros=winner.macros, partners=winner.partners, macro_reuse=options.macro_reuse, seed=options.seed,
        **_quirks(options),
    )
    evaluation = design.evaluate()
    return SynthesisResult(
        design=design, evaluation=evaluation, outcomes=tuple(outcomes), options=options,
        evaluations=evaluations, wall_seconds=time.perf_counter() - started, progress_curve=tuple(curve),
    )


def _quirks(options: SynthesisOptions) -> dict:
    """`reference_quirks` for the Design, when the Design has that field."""
    # TODO: drop the guard once pimsyn/hw/design.py has `reference_quirks` everywhere.
    if any(f.name == "reference_quirks" for f in fields(Design)):
        return {"reference_quirks": options.reference_quirks}
    if options.reference_quirks:
        raise PimsynError("--reference-quirks is not supported by this build (Design has no reference_quirks)")
    return {}


def _distinct(configs: list[Configuration]) -> list[Configuration]:
    seen, out = set(), []
    for c in configs:
        key = (c.combo_index, c.conv_dup, c.dac_res)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _with_refinement(outcome: ComboOutcome, refinements: list[tuple[Configuration, Configuration]]) -> ComboOutcome:
    """Fold the refine phase's (finalist, refined) pairs of this combination into its outcome."""
    mine = [(before, after) for before, after in refinements if after.combo_index == outcome.index]
    if not mine:
        return outcome
    best = min((after for _, after in mine), key=lambda c: (-c.fitness, c.order))
    extra = sum(after.evaluations - before.evaluations for before, after in mine)
    better = best.fitness / 1e9 > outcome.best_gops_per_w
    return replace(
        outcome, finalist=True, evaluations=outcome.evaluations + extra,
        best_gops_per_w=max(outcome.best_gops_per_w, best.fitness / 1e9),
        best_dac_res=best.dac_res if better else outcome.best_dac_res,
        best_conv_dup=best.conv_dup if better else outcome.best_conv_dup,
    )


def _no_design_error(net: Network, hw, options: SynthesisOptions, outcomes: list[ComboOutcome]) -> PimsynError:
    """Explain why nothing fits and which budget would (the smallest that holds the weights)."""
    from pimsyn.hw import cost_network, crossbar_budget

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
