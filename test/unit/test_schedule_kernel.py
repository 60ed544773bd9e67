"""The compiled segment kernel (pimsyn.hw.schedule_kernel, numba), the same kernel run by
CPython, and the Python classes used without numba give identical schedules; the golden
evaluations are bit-exact on both paths (seeded numpy)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from schedule_designs import design_a
from schedule_random import (
    random_long_chain_problem, random_noc_problem, random_noc_sharing_problem, random_problem, random_sharing_problem,
)

import pimsyn.hw.schedule as schedule_module
from pimsyn.hw import schedule_kernel, schedule_kernel_host
from pimsyn.hw.schedule import schedule
from pimsyn.hw.schedule_reference import schedule_reference

GENERATORS = {
    "random": lambda rng: random_problem(rng, max_layers=8),
    "noc": random_noc_problem,
    "sharing": random_sharing_problem,
    "noc+sharing": random_noc_sharing_problem,
}
#: the three implementations; the compiled one only where numba is installed
PATHS = {"interpreted kernel": schedule_kernel.KERNEL_PY, "python classes": None}
if schedule_kernel.KERNEL is not None:
    PATHS["compiled kernel"] = schedule_kernel.KERNEL


def _run(monkeypatch, kernel, problem, tau):
    monkeypatch.setattr(schedule_module, "KERNEL", kernel)
    # a fresh problem object: nothing cached by another path
    return schedule(replace(problem), tau, layer_buffers=True, op_starts=True)


@pytest.mark.parametrize("kind", list(GENERATORS))
def test_paths_agree_on_random_problems(kind, monkeypatch):
    for seed in range(40):
        problem, tau = GENERATORS[kind](np.random.default_rng(20000 + seed))
        results = {name: _run(monkeypatch, kernel, problem, tau) for name, kernel in PATHS.items()}
        first = next(iter(results.values()))
        for name, result in results.items():
            assert result == first, f"{kind} seed {20000 + seed}: {name} differs"


def test_long_chains_agree_with_oracle(monkeypatch):
    """Chains of ~1,000 blocks with many same-step NoC victims: the kernel's ``A``-order
    walks store their answers per pair of nodes and answer later comparisons from them
    (before, such walks overflowed the kernel's stack and Python resolved them, seconds per
    VGG evaluation without duplication); every path equals the node-by-node oracle, and
    the pair store was used."""
    layouts = []
    memory = schedule_kernel_host.GlobalLayout.memory

    def recording(self):
        layouts.append(self)
        return memory(self)

    def stored_pairs() -> int:
        """Pairs the last kernel run stored (its generation's G_PAIR entries)."""
        layout = layouts[-1]
        gen, start = int(layout.header[schedule_kernel.G_GEN]), int(layout.header[schedule_kernel.G_PAIR])
        nodes = schedule_kernel_host._SCRATCH.nodes
        return int(np.count_nonzero(nodes[start:start + layout.total] >= gen * schedule_kernel.STAMP))

    monkeypatch.setattr(schedule_kernel_host.GlobalLayout, "memory", recording)
    pairs = 0
    for seed in range(12):
        problem, tau = random_long_chain_problem(np.random.default_rng(30000 + seed))
        expected = schedule_reference(problem, tau, layer_buffers=True)
        for name, kernel in PATHS.items():
            got = _run(monkeypatch, kernel, problem, tau)
            assert replace(got, op_starts=()) == expected, f"seed {30000 + seed}: {name}"
            if kernel is not None:
                pairs += stored_pairs()
    assert pairs > 100


@pytest.mark.parametrize("pairs", [(), ((0, 6),), ((0, 6), (9, 10))])
def test_paths_agree_with_oracle_on_alexnet(pairs, monkeypatch):
    problem, first, final = design_a()
    problem = replace(problem, adc_conflicts=frozenset(frozenset(pair) for pair in pairs))
    for tau in (first, final):
        expected = schedule_reference(problem, tau, layer_buffers=True)
        for name, kernel in PATHS.items():
            got = _run(monkeypatch, kernel, problem, tau)
            assert replace(got, op_starts=()) == expected, name


@pytest.mark.skipif(schedule_kernel.KERNEL is None, reason="numba is not installed")
def test_kernel_is_compiled():
    """With numba the scheduler uses the compiled kernel by default."""
    assert schedule_module.KERNEL is schedule_kernel.KERNEL
    problem, first, _ = design_a()
    schedule(replace(problem), first)
    assert schedule_kernel.KERNEL.dispatcher.signatures


def test_golden_evaluations_on_every_path(monkeypatch):
    """Spec 8.3 design A, both settings and the sharing pairs: every path gives the same
    Evaluation (the golden tests pin the numbers themselves)."""
    from pimsyn.frontend.network_json import load_network_json
    from pimsyn.hw import DesignPoint, apply_duplication, cost_network, evaluate, load_hardware
    from pathlib import Path

    hw = load_hardware()
    net = load_network_json(Path(__file__).resolve().parents[1] / "data" / "networks" / "alexnet.json")
    cnet = cost_network(net, hw, 256, 2)
    state = apply_duplication(cnet, [110, 26, 6, 7, 6])
    macros = [11, 10, 5, 5, 3, 18, 8, 4]
    for setting in ("specified", "unified"):
        point = DesignPoint(49, 0.3, 256, 2, 1, 9, setting, reference_quirks=True)
        for partners in ([-1] * 8, [4, -1, -1, -1, 0, 6, 5, -1]):
            results = []
            for kernel in PATHS.values():
                monkeypatch.setattr(schedule_module, "KERNEL", kernel)
                results.append(evaluate(cnet, hw, point, state, macros, partners))
            assert all(result == results[0] for result in results), (setting, partners)
