"""Simulator vs cost model on designs the DSE produces (docs/simulator.md, "Agreement"):
the five shared networks, both macro settings, inter-layer sharing on, at a small effort
on one design-space combination each (bench/sim_bench.py --agreement runs the default
effort and the whole space)."""

from __future__ import annotations

from pathlib import Path

import pytest

from design_points import POINTS
from pimsyn.dse.driver import synthesize
from pimsyn.dse.result import SynthesisOptions
from pimsyn.dse.space import DesignSpace
from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw import load_hardware
from pimsyn.passes.pipeline import design_to_module
from pimsyn.sim import simulate

DATA = Path(__file__).resolve().parent.parent / "data" / "networks"
CASES = [(name, power, ratio, xbar, setting) for name, power, ratio, xbar, _ in POINTS
         for setting in ("specified", "unified")]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[4]}" for c in CASES])
def test_simulated_cycles_within_one_percent_of_the_cost_model(case, monkeypatch):
    from dataclasses import replace

    from pimsyn.dse import driver
    from pimsyn.dse.budget import SearchBudget

    # what is tested is the simulator against the cost model on a searched design, not the
    # search: a small fixed budget (the default one keeps three arms per start and
    # refines hundreds of evaluations on the big networks, minutes per case)
    monkeypatch.setattr(driver, "search_budget", lambda net, hw, options: replace(
        SearchBudget.from_effort(options.effort), first_round=4, chunk=40, arms_per_start=1))
    name, power, ratio, xbar, setting = case
    space = DesignSpace(rram_ratios=(ratio,), cell_resolutions=(2,), xbar_sizes=(xbar,), dac_resolutions=(1,))
    options = SynthesisOptions(total_power_w=power, macro_setting=setting, macro_reuse=True, seed=1, jobs=2,
                               effort=0.02, space=space, progress=False)
    result = synthesize(load_network_json(DATA / f"{name}.json"), load_hardware(), options)
    module = design_to_module(result.design)
    sim = simulate(module)
    assert sim.model_cycles == result.evaluation.cycles
    assert abs(sim.deviation) <= 0.01, f"{name} {setting}: {sim.inference_cycles[0]} vs {sim.model_cycles}"
