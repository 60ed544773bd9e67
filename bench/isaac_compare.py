"""The paper's Fig. 6: our synthesized designs against an ISAAC-like fixed design.

    python bench/isaac_compare.py [--networks alexnet,resnet18,...] [--effort 1] [--jobs N]

For each network: the ISAAC organisation (`pimsyn evaluate --preset isaac`, docs/cost-model.md
"Fixed organisations") scaled to a power budget, and a full synthesis at the same budget,
both evaluated by the same cost model. The budget is the paper's for the network (49 W for
AlexNet and ResNet-18, 120 W for the VGGs and MSRA) when ISAAC's tiles can hold the weights
there, else the smallest round budget that can (ISAAC's one ADC per crossbar is costly).
The paper reports 1.4-5.8x power efficiency and 2.3-6.45x throughput over ISAAC.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dse_bench import NETWORKS, run  # noqa: E402

from pimsyn.dse.isaac import isaac_design  # noqa: E402
from pimsyn.errors import PimsynError  # noqa: E402
from pimsyn.frontend.network_json import load_network_json  # noqa: E402
from pimsyn.hw import load_hardware  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAPER_POWER = {"alexnet": 49.0, "resnet18": 49.0, "vgg13": 120.0, "vgg16": 120.0, "msra_A": 120.0}


def isaac_at(net, hw, power: float):
    """(budget, ISAAC design): the paper's budget, or the smallest multiple of 10 W that holds it."""
    try:
        return power, isaac_design(net, hw, power)
    except PimsynError:
        pass
    low = power
    while True:
        low = math.ceil((low * 1.25) / 10) * 10
        try:
            return low, isaac_design(net, hw, low)
        except PimsynError:
            continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--effort", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    hw = load_hardware()
    print("| network | budget | ISAAC GOPS/W | ISAAC inf/s | ISAAC tiles | ours GOPS/W | ours inf/s | "
          "efficiency x | throughput x | synthesis wall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.networks.split(","):
        net = load_network_json(ROOT / "test" / "data" / "networks" / f"{name}.json")
        budget, isaac = isaac_at(net, hw, PAPER_POWER.get(name, 49.0))
        ie = isaac.evaluate()
        started = time.perf_counter()
        ours, _ = run(name, budget, args.effort, args.jobs, True)
        wall = time.perf_counter() - started
        oe = ours.evaluation
        print(f"| {name} | {budget:g} W | {ie.power_efficiency_gops_per_w:.1f} | {ie.throughput_inferences_per_s:.1f} | "
              f"{sum(isaac.macros)} | {oe.power_efficiency_gops_per_w:.1f} | {oe.throughput_inferences_per_s:.1f} | "
              f"{oe.power_efficiency_gops_per_w / ie.power_efficiency_gops_per_w:.2f} | "
              f"{oe.throughput_inferences_per_s / ie.throughput_inferences_per_s:.2f} | {wall:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
