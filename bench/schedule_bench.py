"""Median/min time of the fast DAG schedule and the node-by-node oracle on AlexNet (spec 8).

Usage: .venv/bin/python bench/schedule_bench.py [repeats]
Prints, for design B-hist and design A, first and final pass: cycles, and the median and
minimum wall time of ``schedule`` (fresh problem object each call, i.e. including the
problem-only precomputation, and a reused one) and of ``schedule_reference``. Then design A
with ADC sharing (inter-layer macro sharing, paper Fig. 9): conv1 with conv5, FC1 with FC2,
and both; and full ``pimsyn.hw.fitness`` evaluations of the same AlexNet design
(macros [11,10,5,5,3,18,8,4], specified mode) without and with sharing partners.
Last, ResNet-18 at 49 W, RatioRram 0.3 (NoC-heavy: hundreds to thousands of NoC bubbles
per pass): the SA seed duplication and random initial genes (seeded); per schedule pass
cycles, bubbles and the times of ``schedule`` and ``schedule_reference``, then the time
of a whole ``evaluate``.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(ROOT / "test" / "unit"))
sys.path.insert(0, str(ROOT))  # this checkout's pimsyn, not the installed one (worktree comparisons)

from schedule_designs import design_a, design_b_hist  # noqa: E402

from pimsyn.frontend.network_json import load_network_json  # noqa: E402
from pimsyn.hw import (  # noqa: E402
    DesignPoint, adc_resolution, apply_duplication, cost_network, crossbar_budget, evaluate, fitness, load_hardware,
)
from pimsyn.hw.schedule import schedule  # noqa: E402
from pimsyn.hw.schedule_reference import schedule_reference  # noqa: E402
from pimsyn.search.duplication import initial_seed  # noqa: E402
from pimsyn.search.duplication_problem import DuplicationProblem  # noqa: E402
from pimsyn.search.partition_mutation import initial_gene  # noqa: E402
from pimsyn.search.partition_space import MacroSizeRange, PartitionProblem  # noqa: E402


def _times(call, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def _fmt(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1e3:7.3f} ms  min {min(times) * 1e3:7.3f} ms"


#: cost-layer pairs of design A: 0 conv1, 6 conv5, 9 FC1, 10 FC2
SHARING = (("conv1+conv5", ((0, 6),)), ("FC1+FC2", ((9, 10),)), ("both", ((0, 6), (9, 10))))
#: gene partners for the fitness runs (gene order conv1..conv5, FC1..FC3)
PARTNERS = (
    ("no sharing", [-1] * 8),
    ("FC1+FC2", [-1, -1, -1, -1, -1, 6, 5, -1]),
    ("conv1+conv5", [4, -1, -1, -1, 0, -1, -1, -1]),
    ("conv1+conv5, FC1+FC2", [4, -1, -1, -1, 0, 6, 5, -1]),
    ("conv1+conv2", [1, 0, -1, -1, -1, -1, -1, -1]),
)


def _schedules(repeats: int) -> None:
    for label, build in (("B-hist", design_b_hist), ("A", design_a)):
        problem, first, final = build()
        for tag, tau in (("first", first), ("final", final)):
            result = schedule(problem, tau)
            warm = _times(lambda: schedule(problem, tau), repeats)
            fresh = _times(lambda: schedule(replace(problem), tau), max(20, repeats // 4))
            oracle = _times(lambda: schedule_reference(problem, tau), max(3, repeats // 40))
            print(f"{label:6s} {tag:5s} cycles {result.cycles:5d} bubbles {result.noc_bubbles:3d}")
            print(f"    schedule (problem reused)  {_fmt(warm)}")
            print(f"    schedule (fresh problem)   {_fmt(fresh)}")
            print(f"    schedule_reference         {_fmt(oracle)}")


def _sharing(repeats: int) -> None:
    base, first, final = design_a()
    for label, pairs in SHARING:
        problem = replace(base, adc_conflicts=frozenset(frozenset(pair) for pair in pairs))
        for tag, tau in (("first", first), ("final", final)):
            result = schedule(problem, tau)
            warm = _times(lambda: schedule(problem, tau), max(10, repeats // 4))
            oracle = _times(lambda: schedule_reference(problem, tau), max(3, repeats // 40))
            print(f"A + {label:12s} {tag:5s} cycles {result.cycles:5d} NoC bubbles {result.noc_bubbles:3d} "
                  f"ADC bubbles {result.adc_bubbles:4d}")
            print(f"    schedule (problem reused)  {_fmt(warm)}")
            print(f"    schedule_reference         {_fmt(oracle)}")


def _fitness(repeats: int) -> None:
    hw = load_hardware()
    cnet = cost_network(load_network_json(ROOT / "test" / "data" / "networks" / "alexnet.json"), hw, 256, 2)
    state = apply_duplication(cnet, [110, 26, 6, 7, 6])
    point = DesignPoint(49, 0.3, 256, 2, 1, 9, "specified")
    macros = [11, 10, 5, 5, 3, 18, 8, 4]
    for label, partners in PARTNERS:
        times = _times(lambda: fitness(cnet, hw, point, state, macros, partners), max(10, repeats // 10))
        print(f"fitness AlexNet, {label:22s} {_fmt(times)}")


def _resnet18(repeats: int, genes: int = 4) -> None:
    hw = load_hardware()
    cnet = cost_network(load_network_json(ROOT / "test" / "data" / "networks" / "resnet18.json"), hw, 256, 2)
    budget = crossbar_budget(hw, 49, 0.3, 256, 2, cnet)
    conv_dup = initial_seed(DuplicationProblem.from_cost_network(cnet), budget.conv_crossbars)
    state = apply_duplication(cnet, conv_dup)
    sizes = MacroSizeRange(hw.evolution.min_macro_size, hw.evolution.max_macro_size, hw.evolution.macro_size_stride)
    partition = PartitionProblem.from_cost_network(cnet, conv_dup, mode="specified", sizes=sizes)
    point = DesignPoint(49, 0.3, 256, 2, 1, adc_resolution(256, 2, 1), "specified")
    rng = __import__("numpy").random.default_rng(2024)
    for gene in range(genes):
        macros, partners = initial_gene(partition, rng)
        calls = []

        def recording(problem, tau):
            calls.append((problem, tau))
            return schedule(problem, tau)

        evaluate(cnet, hw, point, state, macros, partners, scheduler=recording)
        for tag, (problem, tau) in enumerate(calls):
            result = schedule(problem, tau)
            fast = _times(lambda: schedule(replace(problem), tau), max(5, repeats // 20))
            oracle = _times(lambda: schedule_reference(problem, tau), 3)
            same = "==" if schedule_reference(problem, tau) == result else "!="
            print(f"ResNet-18 gene {gene} pass {tag}: cycles {result.cycles:5d} NoC bubbles {result.noc_bubbles:4d} "
                  f"(fast {same} oracle)")
            print(f"    schedule (fresh problem)   {_fmt(fast)}")
            print(f"    schedule_reference         {_fmt(oracle)}")
        times = _times(lambda: evaluate(cnet, hw, point, state, macros, partners), max(5, repeats // 20))
        print(f"    evaluate ({len(calls)} passes)       {_fmt(times)}")


def main(repeats: int = 200) -> None:
    _schedules(repeats)
    _sharing(repeats)
    _fitness(repeats)
    _resnet18(repeats)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
