"""Time one cost-model evaluation (the DSE's inner loop) on the five shared networks.

Usage: python bench/eval_bench.py [--repeat N] [--networks a,b] [--cases sub] [--oracle]
                                  [--evaluate] [--spec8]

Design points (realistic DSE points, both macro settings, without and with sharing pairs):

* ``fixed``: ``test/unit/design_points.fixed_design`` (no duplication, a macro per 128
  crossbars; AlexNet has its conv4+fc3 pair), at the network's POINTS budget;
* ``dse``: what the DSE's first screening evaluates: the SA seed duplication
  (``initial_seed`` of the crossbar budget) and a seeded ``initial_gene`` of the mode;
* ``dse+share``: the same gene with up to two sharing pairs (seeded ``mutate_share``);
* ``nodup`` / ``nodup+share``: no duplication and a seeded ``initial_gene`` of the mode,
  without and with up to two sharing pairs (what the ablation's synthesis without
  duplication screens: long chains of blocks, many same-step NoC ties);
* AlexNet ``A`` / ``A+share``: spec 8.3 design A (dup [110, 26, 6, 7, 6], macros
  [11, 10, 5, 5, 3, 18, 8, 4]) without and with sharing pairs conv1+conv5, FC1+FC2;
* ResNet-18 ``climb`` (specified): a point the refinement climbs, not one it starts from
  (seed 2's second finalist at 49 W: RatioRram 0.2, 256 x 256, 1-bit cells, DAC 2, five
  sharing pairs; `test/unit/design_points.oscillating_point`): its scratchpad capacity
  alternates for all ten fixed-point iterations (docs/cost-model.md, "One evaluation").

Prints the median ``fitness`` time per case (``--evaluate``: also ``evaluate``) over
``--repeat`` runs after one warm-up, the cycles and fitness of the case. A repeated
evaluation of one design finds its routes and its layers' geometry cached (as a search
re-evaluating a gene, or a layer whose geometry did not change, does); ``--cold``
clears those caches before every run. ``--spec8`` runs
the older table: spec 8 designs A and B-hist, reference and budget allocations, plus the
time outside the DAG scheduler (constant-answer stand-in schedule).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "unit"))
sys.path.insert(0, str(ROOT))  # this checkout's pimsyn, not the installed one (worktree comparisons)

from design_points import (  # noqa: E402
    OSCILLATING_MACROS, OSCILLATING_PARTNERS, POINTS, fixed_design, oscillating_point,
)

from pimsyn.frontend import load_model  # noqa: E402
from pimsyn.frontend.network_json import load_network_json  # noqa: E402
from pimsyn.hw import (  # noqa: E402
    DesignPoint, adc_resolution, apply_duplication, cost_network, crossbar_budget, evaluate, fitness, load_hardware,
)
from pimsyn.hw import schedule as schedule_module  # noqa: E402
from pimsyn.hw import schedule_problem  # noqa: E402
from pimsyn.search.duplication import initial_seed  # noqa: E402
from pimsyn.search.duplication_problem import DuplicationProblem  # noqa: E402
from pimsyn.search.partition_mutation import initial_gene, mutate_share  # noqa: E402
from pimsyn.search.partition_space import MacroSizeRange, PartitionProblem  # noqa: E402

GENE_MACROS = [11, 10, 5, 5, 3, 18, 8, 4]
#: design A sharing partners (gene order conv1..conv5, FC1..FC3): conv1+conv5, FC1+FC2
A_PARTNERS = [4, -1, -1, -1, 0, 6, 5, -1]
SETTINGS = ("specified", "unified")


def _time(fn, repeat: int, cpu: list | None = None) -> float:
    """Median wall time (ms); the median process CPU time is appended to ``cpu`` (less
    sensitive to other jobs on the machine)."""
    fn()  # warm-up
    times, cpu_times = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - start_cpu)
    if cpu is not None:
        cpu.append(statistics.median(cpu_times) * 1e3)
    return statistics.median(times) * 1e3


def _shared(problem, macros, partners, rng):
    """The gene with up to two sharing pairs (seeded ``mutate_share``, first layers first)."""
    shared = partners
    for layer in range(len(partners)):
        if int((shared >= 0).sum()) >= 4:
            break
        if shared[layer] < 0:
            shared = mutate_share(problem, macros, shared, layer, rng)
    return shared


def cases(networks=None):
    """(network, case, setting, cnet, hw, point, state, macros, partners) of every case."""
    hw = load_hardware()
    out = []
    for name, power, ratio, xbar, _ in POINTS:
        if networks and name not in networks:
            continue
        net = load_model(ROOT / "test" / "data" / "networks" / f"{name}.json")
        cnet = cost_network(net, hw, xbar, 2)
        adc = adc_resolution(xbar, 2, 1)
        budget = crossbar_budget(hw, power, ratio, xbar, 2, cnet)
        seed_dup = initial_seed(DuplicationProblem.from_cost_network(cnet), budget.conv_crossbars)
        sizes = MacroSizeRange(hw.evolution.min_macro_size, hw.evolution.max_macro_size,
                               hw.evolution.macro_size_stride)
        for setting in SETTINGS:
            point = DesignPoint(power, ratio, xbar, 2, 1, adc, setting)
            design = fixed_design(name, power, ratio, xbar, setting)
            fixed_state = apply_duplication(cnet, np.asarray(design.conv_dup, dtype=np.int64))
            out.append((name, "fixed", setting, cnet, hw, point, fixed_state, list(design.macros),
                        list(design.partners)))
            state = apply_duplication(cnet, seed_dup)
            problem = PartitionProblem.from_cost_network(cnet, seed_dup, mode=setting, macro_reuse=True, sizes=sizes)
            rng = np.random.default_rng(11)
            macros, partners = initial_gene(problem, rng)
            out.append((name, "dse", setting, cnet, hw, point, state, macros.tolist(), partners.tolist()))
            shared = _shared(problem, macros, partners, rng)
            out.append((name, "dse+share", setting, cnet, hw, point, state, macros.tolist(), shared.tolist()))
            ones = np.ones_like(seed_dup)
            problem = PartitionProblem.from_cost_network(cnet, ones, mode=setting, macro_reuse=True, sizes=sizes)
            rng = np.random.default_rng(11)
            macros, partners = initial_gene(problem, rng)
            nodup_state = apply_duplication(cnet, ones)
            out.append((name, "nodup", setting, cnet, hw, point, nodup_state, macros.tolist(), partners.tolist()))
            out.append((name, "nodup+share", setting, cnet, hw, point, nodup_state, macros.tolist(),
                        _shared(problem, macros, partners, rng).tolist()))
            if name == "alexnet":
                state_a = apply_duplication(cnet, [110, 26, 6, 7, 6])
                out.append((name, "A", setting, cnet, hw, point, state_a, GENE_MACROS, [-1] * 8))
                out.append((name, "A+share", setting, cnet, hw, point, state_a, GENE_MACROS, A_PARTNERS))
            if name == "resnet18" and setting == "specified":
                climb_cnet, climb_point, climb_state = oscillating_point(net)
                out.append((name, "climb", setting, climb_cnet, hw, climb_point, climb_state, OSCILLATING_MACROS,
                            OSCILLATING_PARTNERS))
    return out


def _cold(cnet) -> None:
    """Forget what evaluations of other designs would have left behind (per-placement
    routes, per-layer-pair geometry), so that a repeated evaluation costs what a new one
    costs."""
    cnet.__dict__.pop("_route_cache", None)
    schedule_problem._PAIR_CACHE.clear()
    schedule_problem._pair_cache_elements = 0


def main_cases(args) -> None:
    networks = set(args.networks.split(",")) if args.networks else None
    scheduler = None
    if args.oracle:
        from pimsyn.hw.schedule_reference import schedule_reference

        scheduler = schedule_reference
    header = (f"{'network':9} {'case':10} {'setting':10} {'pairs':>5} {'cycles':>7} {'GOPS/W':>9} {'fitness ms':>11} "
              f"{'(cpu ms)':>9}")
    print(header + (f" {'evaluate ms':>12}" if args.evaluate else ""))
    for name, case, setting, cnet, hw, point, state, macros, partners in cases(networks):
        if args.cases and case not in args.cases.split(","):
            continue
        ev = evaluate(cnet, hw, point, state, macros, partners, scheduler=scheduler)

        def run(cnet=cnet, point=point, state=state, macros=macros, partners=partners):
            if args.cold:
                _cold(cnet)
            return fitness(cnet, hw, point, state, macros, partners, scheduler=scheduler)

        cpu = []
        fit_ms = _time(run, args.repeat, cpu)
        line = (f"{name:9} {case:10} {setting:10} {sum(p >= 0 for p in partners) // 2:5d} {ev.cycles:7d} "
                f"{ev.power_efficiency_gops_per_w:9.3f} {fit_ms:11.3f} {cpu[0]:9.3f}")
        if args.evaluate:
            ev_ms = _time(lambda: evaluate(cnet, hw, point, state, macros, partners, scheduler=scheduler), args.repeat)
            line += f" {ev_ms:12.3f}"
        print(line, flush=True)


def _designs(cnet):
    design_a = apply_duplication(cnet, [110, 26, 6, 7, 6])
    history = apply_duplication(cnet, [119, 26, 6, 6, 6]).blocks.copy()
    history[1] = 29
    b_hist = apply_duplication(cnet, [119, 26, 6, 6, 6], history)
    return {"A": design_a, "B-hist": b_hist}


def main_spec8(args) -> None:
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
    print(f"{'design':8} {'mode':10} {'allocation':10} {'evaluate ms':>12} {'fitness ms':>11} {'w/o schedule ms':>16}")
    for name, state in _designs(cnet).items():
        for mode, quirks in (("unified", True), ("unified", False), ("specified", True), ("specified", False)):
            # reference: the reference tool's allocation (may exceed the budget); budget: the
            # default, bisected until the allocation fits (docs/cost-model.md)
            point = DesignPoint(49, 0.3, 256, 2, 1, 9, mode, reference_quirks=quirks)
            ev_med = _time(lambda: evaluate(cnet, hw, point, state, GENE_MACROS, scheduler=scheduler), args.repeat)
            fit_med = _time(lambda: fitness(cnet, hw, point, state, GENE_MACROS, scheduler=scheduler), args.repeat)
            rest_med = _time(lambda: fitness(cnet, hw, point, state, GENE_MACROS, schedule_api=no_schedule), args.repeat)
            label = "reference" if quirks else "budget"
            print(f"{name:8} {mode:10} {label:10} {ev_med:12.3f} {fit_med:11.3f} {rest_med:16.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--networks", default="", help="comma-separated subset of " + ",".join(p[0] for p in POINTS))
    parser.add_argument("--cases", default="", help="comma-separated subset of fixed,dse,dse+share,nodup,nodup+share,A,A+share")
    parser.add_argument("--oracle", action="store_true", help="use the node-by-node oracle scheduler")
    parser.add_argument("--evaluate", action="store_true", help="also time evaluate (the full report)")
    parser.add_argument("--cold", action="store_true",
                        help="clear the per-placement route cache and the geometry cache before every run")
    parser.add_argument("--spec8", action="store_true", help="the spec 8 AlexNet table (A, B-hist, both allocations)")
    args = parser.parse_args()
    if args.spec8:
        main_spec8(args)
    else:
        main_cases(args)


if __name__ == "__main__":
    main()
