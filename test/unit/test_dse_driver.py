"""The DSE driver: reproducible, invariant-respecting, and clear about impossible budgets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pimsyn.backend.accelerator_json import accelerator_json_text
from pimsyn.dse.driver import ImpossibleBudgetError, synthesize
from pimsyn.dse.result import SynthesisOptions
from pimsyn.dse.space import DesignSpace
from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw import crossbar_budget, load_hardware

DATA = Path(__file__).resolve().parent.parent / "data" / "networks"
SMALL_SPACE = DesignSpace(rram_ratios=(0.25, 0.3), cell_resolutions=(2,), xbar_sizes=(256,), dac_resolutions=(1, 2))


@pytest.fixture(scope="module")
def alexnet():
    return load_network_json(DATA / "alexnet.json")


@pytest.fixture(scope="module")
def hw():
    return load_hardware()


def _options(**changes) -> SynthesisOptions:
    base = dict(total_power_w=49.0, macro_setting="specified", macro_reuse=False, seed=3, jobs=1,
                effort=0.1, space=SMALL_SPACE, progress=False)
    base.update(changes)
    return SynthesisOptions(**base)


@pytest.fixture(scope="module")
def result(alexnet, hw):
    return synthesize(alexnet, hw, _options())


def test_same_seed_same_bytes_whatever_the_jobs(alexnet, hw, result):
    parallel = synthesize(alexnet, hw, _options(jobs=2))
    assert parallel.design == result.design
    first = accelerator_json_text(result.design, result.evaluation)
    second = accelerator_json_text(parallel.design, parallel.evaluation)
    assert first == second


def test_another_seed_is_a_different_search(alexnet, hw, result):
    other = synthesize(alexnet, hw, _options(seed=4))
    # Both searches are valid; they explore different random genes (equal results would be a
    # coincidence across two SA runs and two EAs).
    assert other.design.conv_dup != result.design.conv_dup or other.design.macros != result.design.macros


def test_winner_satisfies_the_invariants(result, hw):
    design, evaluation = result.design, result.evaluation
    assert evaluation.feasible and evaluation.power_efficiency_gops_per_w > 0
    cnet = design.cost_network
    budget = crossbar_budget(hw, design.total_power_w, design.rram_ratio, design.xbar_size, design.cell_res, cnet)
    assert design.state.used_crossbars(cnet) <= budget.total_crossbars
    assert all(d >= 1 for d in design.state.dup)
    partners = np.asarray(design.partners)
    for i, p in enumerate(partners):
        assert p == -1 or (p != i and partners[p] == i)  # sharing only in pairs
    # Specified allocation (spec 5.8): the ceilings may add at most one unit of each
    # component per layer beyond the budget.
    slack = sum(
        hw.component(comp, design.dac_res, design.adc_res).peak_power_w
        for layer in evaluation.layers for comp in layer.alloc if comp != "DAC"
    )
    assert evaluation.allocated_peak_power_w <= design.total_power_w + slack


def test_winner_is_the_best_outcome_reported(result):
    best = max(o.best_gops_per_w for o in result.outcomes)
    assert result.evaluation.power_efficiency_gops_per_w == pytest.approx(best, rel=1e-12)
    assert result.evaluations == sum(o.evaluations for o in result.outcomes)


def test_refinement_never_loses_to_screening(alexnet, hw, result):
    screened = [o for o in result.outcomes if o.finalist]
    assert screened, "at least one combination is refined"
    assert result.evaluation.power_efficiency_gops_per_w >= max(o.best_gops_per_w for o in screened) - 1e-9


def test_impossible_budget_names_a_budget_that_fits(hw):
    vgg16 = load_network_json(DATA / "vgg16.json")
    with pytest.raises(ImpossibleBudgetError) as info:
        synthesize(vgg16, hw, _options(total_power_w=0.5, space=DesignSpace()))
    message = str(info.value)
    assert "\n" not in message and "cannot hold the weights of vgg16" in message
    suggested = float(message.split("--total-power ")[1].split()[0])
    # The suggestion is the cheapest combination: it really buys enough crossbars there.
    combo = message.split("cheapest (")[1]
    xbar = int(combo.split("x")[0])
    cell_res = int(combo.split(", ")[1].split("-bit")[0])
    ratio = float(combo.split("RatioRram ")[1].split(")")[0])
    from pimsyn.hw import cost_network

    cnet = cost_network(vgg16, hw, xbar, cell_res)
    assert not crossbar_budget(hw, suggested, ratio, xbar, cell_res, cnet).rejected
    assert crossbar_budget(hw, suggested * 0.99, ratio, xbar, cell_res, cnet).rejected


def test_skipped_combinations_say_why(alexnet, hw):
    space = DesignSpace(rram_ratios=(0.1, 0.3), cell_resolutions=(2,), xbar_sizes=(256,), dac_resolutions=(1,))
    res = synthesize(alexnet, hw, _options(total_power_w=49.0, space=space))
    skipped = [o for o in res.outcomes if o.status == "skipped"]
    assert skipped and all("crossbars" in o.reason for o in skipped)


def test_woho_and_no_duplication_baselines_run(alexnet, hw):
    for strategy in ("woho", "uniform"):
        res = synthesize(alexnet, hw, _options(duplication=strategy))
        assert res.evaluation.feasible
    no_dup = synthesize(alexnet, hw, _options(duplication="uniform"))
    assert all(d == 1 for d in no_dup.design.conv_dup)


def _small_budget(monkeypatch):
    """Effort 1 and 2 with tiny chunks, so the monotonicity test runs in seconds."""
    from dataclasses import replace

    from pimsyn.dse import driver
    from pimsyn.dse.budget import SearchBudget

    def small(net, hw, options):
        return replace(SearchBudget.from_effort(options.effort), candidates=2, first_round=6, chunk=15)

    monkeypatch.setattr(driver, "search_budget", small)
    return small


def test_more_effort_is_never_worse(alexnet, hw, monkeypatch):
    _small_budget(monkeypatch)
    space = DesignSpace(rram_ratios=(0.3, 0.35), cell_resolutions=(2,), xbar_sizes=(256,), dac_resolutions=(1,))
    efficiencies = [synthesize(alexnet, hw, _options(effort=e, space=space)).evaluation.power_efficiency_gops_per_w
                    for e in (1.0, 2.0, 3.0)]
    assert efficiencies == sorted(efficiencies)


def test_evaluations_stay_within_the_budget(alexnet, hw, monkeypatch):
    from pimsyn.dse.budget import halving_rounds

    small = _small_budget(monkeypatch)
    options = _options(effort=1.0, space=SMALL_SPACE)
    budget = small(alexnet, hw, options)
    res = synthesize(alexnet, hw, options)
    combos, dacs = len(SMALL_SPACE.combinations()), len(SMALL_SPACE.dac_resolutions)
    arms = sum(1 for o in res.outcomes if o.status == "explored") * dacs
    plan = combos * budget.screen_candidates * dacs * budget.screen_population + sum(
        n * e for n, e in halving_rounds(arms, budget))
    assert 0 < res.evaluations <= plan
    assert all(o.timeouts == 0 for o in res.outcomes)


def test_baselines_keep_their_duplication(alexnet, hw):
    from pimsyn.search.duplication_baselines import woho_duplication
    from pimsyn.search.duplication_problem import DuplicationProblem

    res = synthesize(alexnet, hw, _options(duplication="woho"))
    design = res.design
    problem = DuplicationProblem.from_cost_network(design.cost_network)
    conv = crossbar_budget(hw, 49.0, design.rram_ratio, design.xbar_size, design.cell_res,
                           design.cost_network).conv_crossbars
    assert tuple(design.conv_dup) == tuple(int(d) for d in woho_duplication(problem, conv))


def _arm(combo: int, fitness: float, evaluations: int = 100, **changes):
    from pimsyn.dse.tasks import Configuration

    base = dict(combo_index=combo, candidate_index=0, rram_ratio=0.3, cell_res=2, xbar_size=256, dac_res=1, adc_res=9,
                conv_budget=100, conv_dup=(combo + 1,), macros=(1,), partners=(-1,), fitness=fitness,
                evaluations=evaluations, memo=((((combo + 1,), (1,), (-1,)), fitness),))
    base.update(changes)
    return Configuration(**base)


def test_a_stalled_finalist_becomes_a_second_climber_of_the_leader():
    from pimsyn.dse.driver import _path, _refocus

    leader_before, trailing = _arm(0, 5.0), _arm(1, 4.0)
    leader = _arm(0, 6.0, evaluations=200)
    out = _refocus([leader_before, trailing], [leader, trailing], step=0)
    assert out[0] is leader
    clone = out[1]
    # the leader's point and memo, its own rng path, evaluations counted from zero
    assert (clone.point, clone.fitness, clone.memo, clone.order) == (leader.point, 6.0, leader.memo, leader.order)
    assert clone.climber > 0 and clone.evaluations == 0
    assert _path(2, 3, 1, clone) != _path(2, 3, 1, leader) == (2, 3, 1, *leader.order)
    # a finalist that gained in its chunk keeps climbing, even below the leader
    gaining = _arm(1, 4.5)
    assert _refocus([leader_before, trailing], [leader, gaining], step=0)[1] is gaining
    # a second climber level with the leader is not replaced; clones made at different
    # steps or positions get different numbers
    assert _refocus([leader, clone], [leader, clone], step=1)[1] is clone
    again = _refocus([leader, trailing], [leader, trailing], step=1)[1]
    assert again.climber not in (0, clone.climber)
