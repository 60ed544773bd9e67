"""Speed and agreement of the built-in simulator (`pimsyn sim`, docs/simulator.md).

Usage:
    python bench/sim_bench.py                 # speed on the five shared networks' fixed design points
    python bench/sim_bench.py --agreement     # simulator vs cost model on DSE designs (slow)
        [--effort 0.1] [--settings specified,unified]

Speed: events per second of the kernel (numba compiled; the first run of a fresh checkout
also compiles it, which is excluded), and the wall time of a whole `simulate` call from
the parsed module (reading the dataflow, building the arrays, running, summarising).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "unit"))
sys.path.insert(0, str(ROOT))  # this checkout's pimsyn, not the installed one (worktree comparisons)

from design_points import POINTS, fixed_design  # noqa: E402

from pimsyn.passes.pipeline import design_to_module  # noqa: E402
from pimsyn.sim import simulate  # noqa: E402


def speed(batch: int) -> None:
    print(f"| network | events | kernel | events/s | simulate (total) | cycles sim / model |")
    print("|---|---:|---:|---:|---:|---:|")
    for point in POINTS:
        module = design_to_module(fixed_design(*point))
        simulate(module, batch=1)  # compile or load the kernel
        begin = time.perf_counter()
        result = simulate(module, batch=batch)
        total = time.perf_counter() - begin
        print(f"| {point[0]} | {result.events:,} | {result.wall_s:.2f} s | {result.events_per_s / 1e6:.1f} M | "
              f"{total:.2f} s | {result.inference_cycles[0]:,} / {result.model_cycles:,} |")


def agreement(effort: float, settings: list[str]) -> None:
    from pimsyn.dse.driver import synthesize
    from pimsyn.dse.result import SynthesisOptions
    from pimsyn.frontend.network_json import load_network_json
    from pimsyn.hw import load_hardware

    hw = load_hardware()
    print("| network | setting | GOPS/W | cycles (cost model) | cycles (sim) | deviation | "
          "with --spm-ports | DSE wall |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, power, *_ in POINTS:
        net = load_network_json(ROOT / "test" / "data" / "networks" / f"{name}.json")
        for setting in settings:
            options = SynthesisOptions(total_power_w=power, macro_setting=setting, macro_reuse=True, seed=1,
                                       jobs=2, effort=effort, progress=False)
            begin = time.perf_counter()
            result = synthesize(net, hw, options)
            wall = time.perf_counter() - begin
            module = design_to_module(result.design)
            sim = simulate(module)
            ports = simulate(module, spm_ports=True)
            print(f"| {name} | {setting} | {result.evaluation.power_efficiency_gops_per_w:.1f} | "
                  f"{sim.model_cycles:,} | {sim.inference_cycles[0]:,} | {100 * sim.deviation:+.3f} % | "
                  f"{100 * ports.deviation:+.3f} % | {wall:.0f} s |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreement", action="store_true")
    parser.add_argument("--effort", type=float, default=0.1)
    parser.add_argument("--settings", default="specified,unified")
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    if args.agreement:
        agreement(args.effort, args.settings.split(","))
    else:
        speed(args.batch)


if __name__ == "__main__":
    main()
