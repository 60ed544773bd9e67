"""Time one cost-model evaluation (spec 8 designs A and B-hist, both macro modes).

Usage: python bench/eval_bench.py [--repeat N] [--oracle]
Prints median / mean wall time of ``evaluate`` and ``fitness`` per design, plus the time
spent outside the DAG scheduler (with a constant-answer stand-in schedule).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw import DesignPoint, apply_duplication, cost_network, evaluate, fitness, load_hardware
from pimsyn.hw import schedule as schedule_module

ROOT = Path(__file__).resolve().parents[1]
GENE_MACROS = [11, 10, 5, 5, 3, 18, 8, 4]


def _designs(cnet):
    design_a = apply_duplication(cnet, [110, 26, 6, 7, 6])
    history = apply_duplication(cnet, [119, 26, 6, 6, 6]).blocks.copy()
    history[1] = 29
    b_hist = apply_duplication(cnet, [119, 26, 6, 6, 6], history)
    return {"A": design_a, "B-hist": b_hist}


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, statistics.fmean(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--oracle", action="store_true", help="use the node-by-node oracle scheduler")
    args = parser.parse_args()
    hw = load_hardware()
    cnet = cost_network(load_network_json(ROOT / "test/data/networks/alexnet.json"), hw, 256, 2)
    scheduler = None
    if args.oracle:
        from pimsyn.hw.schedule_reference import schedule_reference

        scheduler = schedule_reference
    constant = schedule_module.ScheduleResult(cycles=1000, noc_bubbles=0, adc_bubbles=0, buffer_elements=33000.0, nodes=0)
    no_schedule = SimpleNamespace(
        LayerSchedule=schedule_module.LayerSchedule, ScheduleProblem=schedule_module.ScheduleProblem,
        scratchpad_kb=schedule_module.scratchpad_kb, schedule=lambda problem, tau: constant,
    )
    print(f"{'design':8} {'mode':10} {'allocation':10} {'evaluate ms':>22} {'fitness ms':>22} {'w/o schedule ms':>18}")
    for name, state in _designs(cnet).items():
        for mode, quirks in (("unified", True), ("unified", False), ("specified", True), ("specified", False)):
            # reference: the reference tool's allocation (may exceed the budget); budget: the
            # default, bisected until the allocation fits (docs/cost-model.md)
            point = DesignPoint(49, 0.3, 256, 2, 1, 9, mode, reference_quirks=quirks)
            ev_med, ev_mean = _time(lambda: evaluate(cnet, hw, point, state, GENE_MACROS, scheduler=scheduler), args.repeat)
            fit_med, fit_mean = _time(lambda: fitness(cnet, hw, point, state, GENE_MACROS, scheduler=scheduler), args.repeat)
            rest_med, _ = _time(lambda: fitness(cnet, hw, point, state, GENE_MACROS, schedule_api=no_schedule), args.repeat)
            label = "reference" if quirks else "budget"
            print(f"{name:8} {mode:10} {label:10} {ev_med:9.3f} (mean {ev_mean:6.3f}) {fit_med:9.3f} "
                  f"(mean {fit_mean:6.3f}) {rest_med:18.3f}")


if __name__ == "__main__":
    main()
