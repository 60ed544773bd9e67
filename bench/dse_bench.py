"""Synthesize the paper's five networks and print quality and cost of the search.

    python bench/dse_bench.py [--networks alexnet,vgg13,...] [--power 49] [--effort 1]
                              [--jobs N] [--curve alexnet] [--curve-efforts 0.25,0.5,1,2]
    python bench/dse_bench.py --convergence [--networks ...] [--no-reuse] [--seeds 1,2,3]
                              [--big-power 120] [--efforts 1,4]

Per network: best power efficiency (GOPS/W), throughput, the design point, evaluations
made and wall time (49 W, specified macros, macro sharing on, as the paper's Table IV
setup). Then power efficiency against wall time for a few --effort levels on one network
(the quality/time curve). Results are recorded in docs/benchmarks.md.

`--convergence`: for each network (AlexNet and ResNet-18 at --power, VGG-13, VGG-16 and
MSRA at --big-power), the default effort against 4x the effort (same seed: never worse)
and the default effort over three seeds (how much the result depends on the draw); wall
time and evaluations of each run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pimsyn.dse.driver import synthesize  # noqa: E402
from pimsyn.dse.result import SynthesisOptions  # noqa: E402
from pimsyn.frontend.network_json import load_network_json  # noqa: E402
from pimsyn.hw import load_hardware  # noqa: E402

NETWORKS = ("alexnet", "vgg13", "vgg16", "msra_A", "resnet18")
BIG = ("vgg13", "vgg16", "msra_A")


def run(name: str, power: float, effort: float, jobs: int, reuse: bool, setting: str = "specified",
        duplication: str = "sa", seed: int = 1):
    net = load_network_json(ROOT / "test" / "data" / "networks" / f"{name}.json")
    options = SynthesisOptions(total_power_w=power, macro_setting=setting, macro_reuse=reuse, seed=seed,
                               jobs=jobs, effort=effort, duplication=duplication, progress=False)
    started = time.perf_counter()
    result = synthesize(net, load_hardware(), options)
    return result, time.perf_counter() - started


def describe(result) -> str:
    d = result.design
    shared = sum(1 for p in d.partners if p >= 0) // 2
    return (f"theta={d.rram_ratio:g} S={d.xbar_size} rho={d.cell_res} dac={d.dac_res} "
            f"dup={list(d.conv_dup)} sharing_pairs={shared}")


def convergence(args) -> None:
    efforts = [float(x) for x in args.efforts.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    print(f"# convergence: specified macros, sharing {'off' if args.no_reuse else 'on'}, {args.jobs} jobs; "
          f"efforts {efforts} at seed {seeds[0]}, seeds {seeds} at effort {efforts[0]}")
    print(f"{'network':10} {'W':>5} {'effort':>6} {'seed':>4} {'GOPS/W':>9} {'evals':>7} {'wall s':>8}  design point")
    for name in args.networks.split(","):
        power = args.big_power if name in BIG else args.power
        runs = [(e, seeds[0]) for e in efforts] + [(efforts[0], s) for s in seeds[1:]]
        for effort, seed in runs:
            result, wall = run(name, power, effort, args.jobs, not args.no_reuse, seed=seed)
            print(f"{name:10} {power:5g} {effort:6g} {seed:4d} {result.evaluation.power_efficiency_gops_per_w:9.1f} "
                  f"{result.evaluations:7d} {wall:8.1f}  {describe(result)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--power", type=float, default=49.0)
    parser.add_argument("--effort", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-reuse", action="store_true")
    parser.add_argument("--curve", default="alexnet", help="network for the quality/time curve ('' = none)")
    parser.add_argument("--curve-efforts", default="0.25,0.5,1,2")
    parser.add_argument("--convergence", action="store_true", help="default vs 4x effort vs 3 seeds per network")
    parser.add_argument("--efforts", default="1,4", help="--convergence: efforts (the first is the default)")
    parser.add_argument("--seeds", default="1,2,3", help="--convergence: seeds (the first is the default)")
    parser.add_argument("--big-power", type=float, default=120.0, help="--convergence: budget of VGG and MSRA")
    args = parser.parse_args()
    if args.convergence:
        convergence(args)
        return

    print(f"# pimsyn DSE benchmark: {args.power:g} W, specified macros, sharing "
          f"{'off' if args.no_reuse else 'on'}, effort {args.effort:g}, {args.jobs} jobs")
    print(f"{'network':10} {'GOPS/W':>9} {'inf/s':>10} {'evals':>7} {'wall s':>8}  design point")
    for name in args.networks.split(","):
        try:
            result, wall = run(name, args.power, args.effort, args.jobs, not args.no_reuse)
        except Exception as err:  # a network that does not fit the budget is reported, not fatal
            print(f"{name:10} {'-':>9} {'-':>10} {'-':>7} {'-':>8}  {err}")
            continue
        e = result.evaluation
        print(f"{name:10} {e.power_efficiency_gops_per_w:9.1f} {e.throughput_inferences_per_s:10.1f} "
              f"{result.evaluations:7d} {wall:8.1f}  {describe(result)}", flush=True)
    if args.curve:
        print(f"\n# quality/time curve on {args.curve}")
        print(f"{'effort':>6} {'GOPS/W':>9} {'evals':>7} {'wall s':>8}")
        for effort in (float(x) for x in args.curve_efforts.split(",")):
            result, wall = run(args.curve, args.power, effort, args.jobs, not args.no_reuse)
            print(f"{effort:6g} {result.evaluation.power_efficiency_gops_per_w:9.1f} "
                  f"{result.evaluations:7d} {wall:8.1f}", flush=True)


if __name__ == "__main__":
    main()
