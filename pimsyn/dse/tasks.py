"""Worker side of the DSE: the tasks that run in worker processes (or in the driver with
--jobs 1). Each worker gets the network, hardware and options once (`init_worker`).

* `screen_combination`: one (RatioRram, ResRram, XbSize): crossbar budget (Eq. 3), SA
  duplication candidates (Eq. 2-4), and a few random genes per (candidate, ResDAC) arm;
* `improve_arm`: one arm's next slice of local refinement (`search/local.py`) under an
  evaluation budget, continuing from the arm's best point and memo.

Every evaluation is guarded by a time limit far above its peers' (`EvaluationGuard`): a
pathological design point counts as infeasible instead of stalling the run.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from pimsyn.dse.budget import SearchBudget
from pimsyn.dse.pool import ignore_interrupts
from pimsyn.dse.result import ComboOutcome, SynthesisOptions
from pimsyn.model.network import Network

SCREEN, HALVE = 0, 1


@dataclass(frozen=True)
class Configuration:
    """An arm of the search: a (combination, duplication candidate, ResDAC) start and the
    best point found from it so far, with the memo its next task continues from."""

    combo_index: int
    candidate_index: int
    rram_ratio: float
    cell_res: int
    xbar_size: int
    dac_res: int
    adc_res: int
    conv_budget: int  # crossbars the convs may use (Eq. 3)
    conv_dup: tuple[int, ...]
    macros: tuple[int, ...]
    partners: tuple[int, ...]
    fitness: float  # ops/J, 0 = infeasible
    evaluations: int
    memo: tuple = ()  # ((D, macros, partners), fitness) pairs already known
    timeouts: int = 0
    climber: int = 0  # refinement: > 0 for a second climber of a leader (`driver._refocus`)

    @property
    def order(self) -> tuple:
        """Position in the reference's loop order (ties go to the earliest)."""
        return (self.combo_index, self.candidate_index, self.dac_res)

    @property
    def point(self) -> tuple:
        return (self.conv_dup, self.macros, self.partners)


class EvaluationTimeout(Exception):
    pass


class EvaluationGuard:
    """Time limit of one evaluation: `factor` x the median of this process's recent
    evaluations, at least `floor_s`; the first `warmup` evaluations of a process (JIT
    compilation, caches) get `warmup_s`. Only in the main thread (SIGALRM)."""

    def __init__(self, floor_s: float = 20.0, factor: float = 50.0, warmup: int = 3, warmup_s: float = 300.0):
        self.floor_s, self.factor, self.warmup, self.warmup_s = floor_s, factor, warmup, warmup_s
        self.times: deque[float] = deque(maxlen=64)
        self.count = 0
        self.timeouts = 0

    def limit_s(self) -> float:
        if self.count < self.warmup or not self.times:
            return self.warmup_s
        return max(self.floor_s, self.factor * float(np.median(self.times)))

    def __call__(self, func, *args) -> float:
        if threading.current_thread() is not threading.main_thread():
            return func(*args)

        def expire(*_):
            raise EvaluationTimeout()

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.limit_s())
        started = time.perf_counter()
        try:
            value = func(*args)
            self.times.append(time.perf_counter() - started)
            return value
        except EvaluationTimeout:
            self.timeouts += 1
            return 0.0
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            self.count += 1


_WORKER: dict = {}


def init_worker(net: Network, hw, options: SynthesisOptions, budget: SearchBudget | None = None) -> None:
    _WORKER.clear()
    _WORKER.update(net=net, hw=hw, options=options, budget=budget or SearchBudget.from_effort(options.effort),
                   cnets={}, states={}, guard=EvaluationGuard())


def init_worker_process(net: Network, hw, options: SynthesisOptions, budget: SearchBudget | None = None) -> None:
    ignore_interrupts()
    init_worker(net, hw, options, budget)


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
    found = sa_filter(
        problem, conv_budget, rng=_rng(SCREEN, index), energy=hw.annealing.energy_function,
        alpha=hw.annealing.alpha, iters=budget.sa_iterations, chains=budget.sa_chains,
        sigma=hw.annealing.cooling, candidates=budget.candidates,
    )
    return found + _balanced_candidates(cnet, conv_budget, found)


def _balanced_candidates(cnet, conv_budget: int, found) -> list[np.ndarray]:
    """Balanced duplications (`search.local.balanced`) using a share of the conv budget
    (`SearchBudget.balanced_shares`): the SA fills the budget, but at a high RatioRram the
    best designs use far fewer crossbars, a start the local search would need thousands
    of evaluations to walk to."""
    from pimsyn.search.local import balanced

    convs = np.asarray(cnet.conv_layers)
    pixels = np.asarray(cnet.pixels)[convs]
    sets = np.asarray(cnet.set_size)[convs]
    seen = {tuple(int(d) for d in c) for c in found}
    out = []
    for share in _WORKER["budget"].balanced_shares:
        dup = balanced(pixels, sets, int(conv_budget * share))
        if dup is not None and dup not in seen:
            seen.add(dup)
            out.append(np.asarray(dup, dtype=np.int64))
    return out


def _partition_problem(cnet, conv_dup):
    from pimsyn.search.partition_space import MacroSizeRange, PartitionProblem

    options, hw = _WORKER["options"], _WORKER["hw"]
    return PartitionProblem.from_cost_network(
        cnet, conv_dup, mode=options.macro_setting, macro_reuse=options.macro_reuse,
        sizes=MacroSizeRange(hw.evolution.min_macro_size, hw.evolution.max_macro_size, hw.evolution.macro_size_stride),
    )


def _state(cnet, conv_dup: tuple[int, ...]):
    from pimsyn.hw import apply_duplication

    states = _WORKER["states"]
    key = (cnet.xbar_size, cnet.cell_res, conv_dup)
    if key not in states:
        if len(states) > 512:
            states.clear()
        states[key] = apply_duplication(cnet, conv_dup)
    return states[key]


def _fitness(cnet, point):
    """fitness(D, macros, partners) of one design point, guarded."""
    from pimsyn.hw import fitness

    hw, guard = _WORKER["hw"], _WORKER["guard"]
    return lambda dup, macros, partners: guard(fitness, cnet, hw, point, _state(cnet, dup), macros, partners)


def _point(rram_ratio, xbar_size, cell_res, dac_res, adc_res):
    from pimsyn.hw import DesignPoint

    options = _WORKER["options"]
    extra = {}
    if options.reference_quirks:  # the search scores what the winner will be (spec B2)
        extra["reference_quirks"] = True
    if options.area_mm2 is not None:  # a larger chip scores 0 (infeasible)
        extra["area_limit_mm2"] = options.area_mm2
    return DesignPoint(
        total_power_w=options.total_power_w, rram_ratio=rram_ratio, xbar_size=xbar_size,
        cell_res=cell_res, dac_res=dac_res, adc_res=adc_res, macro_setting=options.macro_setting, **extra,
    )


def screen_combination(index: int, combo: tuple[float, int, int]) -> tuple[ComboOutcome, list[Configuration]]:
    """One (RatioRram, ResRram, XbSize): all candidates x ResDAC, a few random genes each."""
    from pimsyn.hw import adc_resolution, crossbar_budget
    from pimsyn.search.partition import evolve_partition

    started = time.perf_counter()
    ratio, cell_res, xbar = combo
    options, hw, budget, guard = _WORKER["options"], _WORKER["hw"], _WORKER["budget"], _WORKER["guard"]
    timeouts = guard.timeouts
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
        dup = tuple(int(d) for d in conv_dup)
        problem = _partition_problem(cnet, dup)
        for dac_res in options.space.dac_resolutions:
            adc_res = adc_resolution(xbar, cell_res, dac_res)
            if adc_res not in hw.adcs:
                continue
            fitness = _fitness(cnet, _point(ratio, xbar, cell_res, dac_res, adc_res))
            result = evolve_partition(
                problem, lambda m, p, dup=dup, fitness=fitness: fitness(dup, m, p),
                rng=_rng(SCREEN, index, cand_index, dac_res), population=budget.screen_population, generations=0,
            )
            evaluations += result.evaluations
            point = (dup, tuple(int(m) for m in result.macros), tuple(int(p) for p in result.partners))
            configurations.append(Configuration(
                combo_index=index, candidate_index=cand_index, rram_ratio=ratio, cell_res=cell_res,
                xbar_size=xbar, dac_res=dac_res, adc_res=adc_res, conv_budget=crossbars.conv_crossbars,
                conv_dup=point[0], macros=point[1], partners=point[2], fitness=float(result.fitness),
                evaluations=result.evaluations, memo=((point, float(result.fitness)),),
            ))
    best = max(configurations, key=lambda c: c.fitness, default=None)
    status = "explored" if best is not None and best.fitness > 0 else "infeasible"
    reason = "" if status == "explored" else (
        "no ADC table for any ResDAC" if best is None else "no allocation fits the power left for components")
    outcome = replace(
        outcome, status=status, reason=reason, candidates=len(candidates), evaluations=evaluations,
        best_gops_per_w=(best.fitness / 1e9) if best else 0.0, best_dac_res=best.dac_res if best else 0,
        best_conv_dup=best.conv_dup if best else (), seconds=time.perf_counter() - started,
        timeouts=guard.timeouts - timeouts,
    )
    return outcome, configurations


def improve_arm(config: Configuration, evaluations: int, path: tuple[int, ...]) -> Configuration:
    """Refine one arm by at most `evaluations` new evaluations (`search.local.hill_climb`),
    seeded by `path`; never returns a worse point than the arm's."""
    from pimsyn.search.local import LocalSpace, hill_climb

    options, budget, guard = _WORKER["options"], _WORKER["budget"], _WORKER["guard"]
    timeouts = guard.timeouts
    cnet = _cost_network(config.xbar_size, config.cell_res)
    convs = np.asarray(cnet.conv_layers)
    space = LocalSpace(
        set_sizes=tuple(int(s) for s in np.asarray(cnet.set_size)[convs]),
        pixels=tuple(int(p) for p in np.asarray(cnet.pixels)[convs]),
        conv_budget=config.conv_budget, problem_for=lambda dup: _partition_problem(cnet, dup),
        vary_duplication=options.duplication == "sa", macro_steps=budget.macro_steps, dup_steps=budget.dup_steps,
    )
    point = _point(config.rram_ratio, config.xbar_size, config.cell_res, config.dac_res, config.adc_res)
    result = hill_climb(space, _fitness(cnet, point), config.point, rng=_rng(HALVE, *path), budget=evaluations,
                        known=list(config.memo), memo_limit=budget.memo_limit)
    spent = config.evaluations + result.evaluations
    timeouts = config.timeouts + guard.timeouts - timeouts
    if result.fitness <= config.fitness:  # keep the known point on ties
        return replace(config, evaluations=spent, memo=tuple(result.memo), timeouts=timeouts)
    dup, macros, partners = result.point
    return replace(config, conv_dup=dup, macros=macros, partners=partners, fitness=result.fitness,
                   evaluations=spent, memo=tuple(result.memo), timeouts=timeouts)
