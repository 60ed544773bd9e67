"""SA duplication filter: spec 8.1/8.2 golden numbers, invariants, determinism."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pimsyn.frontend.network_json import load_network_json
from pimsyn.search.duplication import initial_seed, run_sa, sa_filter, temperature_schedule
from pimsyn.search.duplication_energy import (
    chain_energy_function,
    computation_energy,
    eq4_energy,
    ordering_ok,
    sa_energy,
)
from pimsyn.search.duplication_problem import (
    DuplicationError,
    DuplicationProblem,
    check_budget,
)

NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"
# Spec 8.1: S = 256, rho = 2 -> R = 8, N_xb = trunc(14.7 / 12e-4) = 12250.
ALEXNET_TOTAL_CROSSBARS = 12250
ALEXNET_CONV_BUDGET = 5082


@pytest.fixture(scope="module")
def alexnet():
    return load_network_json(NETWORKS / "alexnet.json")


@pytest.fixture(scope="module")
def alexnet_problem(alexnet):
    return DuplicationProblem.from_network(alexnet, crossbar_size=256, cell_slices=8)


def test_alexnet_layer_arrays_match_spec_8_1(alexnet, alexnet_problem):
    problem = alexnet_problem
    assert problem.set_sizes.tolist() == [16, 56, 112, 112, 72]
    assert problem.out_pixels.tolist() == [3025, 729, 169, 169, 169]
    assert problem.in_rows.tolist() == [363, 1600, 1728, 3456, 2304]
    assert problem.out_cols.tolist() == [64, 192, 384, 256, 256]
    assert problem.row_tiles.tolist() == [2, 7, 7, 14, 9]
    assert problem.col_tiles.tolist() == [1, 1, 2, 1, 1]
    # The FC reservation and the conv budget come from the cost model's Eq. 3 (one
    # implementation for the searches and the evaluation).
    from pimsyn.hw import cost_network, crossbar_budget, load_hardware

    hw = load_hardware()
    budget = crossbar_budget(hw, 49.0, 0.3, 256, 2, cost_network(alexnet, hw, 256, 2))
    assert budget.total_crossbars == ALEXNET_TOTAL_CROSSBARS
    assert budget.fc_crossbars == 7168
    assert budget.conv_crossbars == ALEXNET_CONV_BUDGET
    assert problem.max_duplication(ALEXNET_CONV_BUDGET).tolist() == [295, 85, 43, 43, 66]


@pytest.mark.parametrize("fit", ["strict", "reference"])
def test_alexnet_seed_matches_spec_8_1(alexnet_problem, fit):
    seed = initial_seed(alexnet_problem, ALEXNET_CONV_BUDGET, fit=fit)
    assert seed.tolist() == [110, 26, 6, 6, 7]
    assert int(alexnet_problem.used_crossbars(seed)) - ALEXNET_CONV_BUDGET == -18
    assert computation_energy(alexnet_problem, seed).tolist() == [29.0]


def test_alexnet_temperature_schedule_matches_spec_8_1():
    assert temperature_schedule(29.0, 0.95) == (10.0, 135)
    # Spec 3.3: 135 levels for every T0 = 10^j, j = 0..4 (seed energies up to the 1e4 cap).
    for energy in (1.0, 5.0, 99.0, 1234.0, 1e4, math.inf):
        assert temperature_schedule(energy, 0.95)[1] == 135
    assert temperature_schedule(0.0, 0.95) == (1.0, 135)  # the reference would fail on log10(0)


def test_alexnet_design_b_energies_match_spec_8_2(alexnet_problem):
    design_b = np.array([119, 26, 6, 6, 6])
    assert int(alexnet_problem.used_crossbars(design_b)) == 5136
    assert computation_energy(alexnet_problem, design_b).tolist() == [29.0]
    assert eq4_energy(alexnet_problem, design_b, alpha=0.1)[0] == 15463.920220053287
    assert chain_energy_function(alexnet_problem, "eq4", 0.1)(design_b.tolist()) == 15463.920220053287


def test_ordering_constraint_gives_infinite_energy(alexnet_problem):
    broken = np.array([[10, 26, 6, 6, 6], [110, 26, 6, 6, 11]])  # 10 < 0.6*26, 6 < 0.6*11
    assert ordering_ok(broken).tolist() == [False, False]
    assert np.all(np.isinf(computation_energy(alexnet_problem, broken)))
    assert np.all(np.isinf(eq4_energy(alexnet_problem, broken)))
    assert ordering_ok(np.array([3, 5])).tolist() == [True]  # 3 >= 0.6 * 5 exactly


def test_budget_error_names_needed_and_available(alexnet_problem):
    with pytest.raises(DuplicationError, match=r"need at least 369 crossbars .* only 368 available"):
        check_budget(alexnet_problem, 368)
    with pytest.raises(DuplicationError, match=r"at least 7537 would fit"):
        check_budget(alexnet_problem, 100, fc_reserved=7168)
    with pytest.raises(DuplicationError):
        sa_filter(alexnet_problem, 368, rng=np.random.default_rng(0))
    check_budget(alexnet_problem, 369)  # one spare crossbar is enough


def test_unknown_energy_is_rejected(alexnet_problem):
    with pytest.raises(ValueError, match="unknown SA energy"):
        sa_energy(alexnet_problem, np.ones(5), "paper")


def test_alexnet_sa_candidates_fit_and_beat_nothing_worse_than_seed(alexnet_problem):
    result = run_sa(alexnet_problem, ALEXNET_CONV_BUDGET, rng=np.random.default_rng(7), effort=0.2)
    assert result.temperature_levels == 135
    assert result.initial_temperature == 10.0
    assert result.proposals == 135 * 20 * 10
    assert 1 <= len(result.candidates) <= 10
    for candidate in result.candidates:
        assert alexnet_problem.used_crossbars(candidate) <= ALEXNET_CONV_BUDGET
        assert ordering_ok(candidate)[0]
    # keep="best": the best candidates are at least as good as the seed (E = 29).
    assert result.candidate_energies[0] <= 29.0
    assert list(result.candidate_energies) == sorted(result.candidate_energies)
    assert len({tuple(c) for c in result.candidates}) == len(result.candidates)


def test_sa_is_deterministic_per_seed(alexnet_problem):
    def run(seed: int, keep: str) -> list[list[int]]:
        candidates = sa_filter(
            alexnet_problem, ALEXNET_CONV_BUDGET, rng=np.random.default_rng(seed), effort=0.1, keep=keep
        )
        return [c.tolist() for c in candidates]

    for keep in ("best", "final"):
        assert run(11, keep) == run(11, keep)
    assert run(11, "final") != run(12, "final")


def test_keep_final_returns_distinct_final_chain_states(alexnet_problem):
    result = run_sa(alexnet_problem, ALEXNET_CONV_BUDGET, rng=np.random.default_rng(3), effort=0.1, keep="final")
    finals = {tuple(row) for row in result.final_states.tolist()}
    assert {tuple(c.tolist()) for c in result.candidates} == finals
    assert len(result.candidates) == len(finals)


def test_reference_fit_stays_within_mean_set_of_budget(alexnet_problem):
    result = run_sa(
        alexnet_problem, ALEXNET_CONV_BUDGET, rng=np.random.default_rng(5), effort=0.1, fit="reference"
    )
    mean_set = float(alexnet_problem.set_sizes.mean())
    for state in result.final_states:
        assert abs(int(alexnet_problem.used_crossbars(state)) - ALEXNET_CONV_BUDGET) <= mean_set


def test_eq4_energy_sa_runs_and_improves_on_seed(alexnet_problem):
    result = run_sa(alexnet_problem, ALEXNET_CONV_BUDGET, rng=np.random.default_rng(2), energy="eq4", effort=0.1)
    assert result.initial_temperature == 10.0 ** math.floor(math.log10(result.seed_energy))
    assert result.candidate_energies[0] < result.seed_energy


def test_single_conv_layer_does_not_crash_or_hang():
    problem = DuplicationProblem(out_pixels=[100], in_rows=[300], out_cols=[64], crossbar_size=256, cell_slices=2)
    assert problem.set_sizes.tolist() == [4]
    for energy in ("computation", "eq4"):
        # maxdup = 10: every increase move from the top is impossible; the reference loops forever.
        candidates = sa_filter(problem, 40, rng=np.random.default_rng(0), energy=energy, effort=0.05)
        assert candidates and all(1 <= c[0] <= 10 for c in candidates)
        assert eq4_energy(problem, np.array([7]))[0] == computation_energy(problem, np.array([7]))[0] == 15.0


def test_effort_scales_iterations(alexnet_problem):
    low = run_sa(alexnet_problem, ALEXNET_CONV_BUDGET, rng=np.random.default_rng(0), effort=0.05, chains=3)
    assert low.proposals == 135 * 5 * 3


def test_seed_violating_ordering_is_repaired():
    # The last layer has the most pixels, so the proportional seed breaks D_i >= 0.6 D_{i+1}.
    problem = DuplicationProblem(
        out_pixels=[16, 4096], in_rows=[256, 256], out_cols=[256, 256], crossbar_size=256, cell_slices=1
    )
    seed = initial_seed(problem, 200)
    assert ordering_ok(seed)[0]
    assert problem.used_crossbars(seed) <= 200


problems = st.integers(min_value=1, max_value=6).flatmap(
    lambda layers: st.tuples(
        st.lists(st.integers(1, 3136), min_size=layers, max_size=layers),
        st.lists(st.integers(1, 4608), min_size=layers, max_size=layers),
        st.lists(st.integers(1, 512), min_size=layers, max_size=layers),
        st.sampled_from([128, 256, 512]),
        st.sampled_from([1, 2, 4, 8, 16]),
        st.integers(min_value=1, max_value=4000),
        st.integers(min_value=0, max_value=2**31 - 1),
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems, st.sampled_from(["computation", "eq4"]), st.sampled_from(["best", "final"]))
def test_candidates_respect_budget_and_ordering(case, energy, keep):
    pixels, rows, cols, size, slices, spare, seed = case
    problem = DuplicationProblem(pixels, rows, cols, crossbar_size=size, cell_slices=slices)
    budget = problem.weight_crossbars + spare
    candidates = sa_filter(
        problem, budget, rng=np.random.default_rng(seed), energy=energy, keep=keep, iters=2, chains=3
    )
    assert 1 <= len(candidates) <= 3
    for candidate in candidates:
        assert candidate.dtype == np.int64 and candidate.shape == (problem.layers,)
        assert np.all(candidate >= 1)
        assert problem.used_crossbars(candidate) <= budget
        assert ordering_ok(candidate)[0]


@settings(max_examples=60, deadline=None)
@given(problems, st.data())
def test_scalar_energy_matches_batch(case, data):
    pixels, rows, cols, size, slices, _, _ = case
    problem = DuplicationProblem(pixels, rows, cols, crossbar_size=size, cell_slices=slices)
    batch = np.array(
        data.draw(st.lists(st.lists(st.integers(1, 300), min_size=problem.layers, max_size=problem.layers), min_size=1, max_size=4))
    )
    for energy in ("computation", "eq4"):
        scalar = chain_energy_function(problem, energy, 0.1)
        expected = sa_energy(problem, batch, energy, 0.1)
        got = np.array([scalar(row) for row in batch.tolist()])
        assert np.array_equal(np.isinf(got), np.isinf(expected))
        finite = np.isfinite(expected)
        assert np.allclose(got[finite], expected[finite], rtol=1e-12, atol=0)
