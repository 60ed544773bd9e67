"""The paper's ablations (Fig. 7-9) on the five benchmark networks.

    python bench/ablation.py [--networks ...] [--power 49] [--effort 0.5] [--jobs N] [--skip-none]

For each network three comparisons, each a full synthesis per variant:
  Fig. 7  weight duplication: SA filter vs W0H0-proportional vs none (macros specified,
          sharing on); the paper reports +19 % power efficiency, +27 % throughput for SA
          over W0H0;
  Fig. 8  identical (unified) vs specialized (specified) macros, sharing off: +13 %, +31 %;
  Fig. 9  macro sharing off vs on (specified): +8 %, +15 %.
Plus "SA vs none" (no duplication at all; not in the paper). Without duplication a VGG's
first convs are one long chain of ~50,000 blocks: one evaluation takes 0.07-0.7 s instead
of tens of ms (docs/benchmarks.md, "Networks without duplication"), so that synthesis
takes about an hour per big network; ``--skip-none`` leaves the column out.
Prints our ratios beside the paper's, and each synthesis's result and wall time.
Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dse_bench import NETWORKS, run  # noqa: E402

PAPER = {"fig7": (19, 27), "fig8": (13, 31), "fig9": (8, 15)}


def gain(better, worse) -> tuple[float, float]:
    eb, ew = better.evaluation, worse.evaluation
    return (100 * (eb.power_efficiency_gops_per_w / ew.power_efficiency_gops_per_w - 1),
            100 * (eb.throughput_inferences_per_s / ew.throughput_inferences_per_s - 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--power", type=float, default=49.0)
    parser.add_argument("--effort", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-none", action="store_true", help="no synthesis without duplication")
    args = parser.parse_args()
    print(f"# ablations at {args.power:g} W, effort {args.effort:g}; gains in % "
          "(power efficiency, throughput); paper: fig7 +19/+27, fig8 +13/+31, fig9 +8/+15")
    print(f"{'network':10} {'fig7 SA/W0H0':>16} {'SA/none':>16} {'fig8 spec/unif':>16} {'fig9 share/none':>16}")
    totals: dict[str, list[tuple[float, float]]] = {k: [] for k in ("fig7", "none", "fig8", "fig9")}
    for name in args.networks.split(","):
        def synth(label, reuse, **kwargs):
            result, wall = run(name, args.power, args.effort, args.jobs, reuse, **kwargs)
            print(f"#   {name} {label}: {result.evaluation.power_efficiency_gops_per_w:.1f} GOPS/W, "
                  f"{result.evaluation.throughput_inferences_per_s:.1f} inf/s, {result.evaluations} evaluations, "
                  f"{wall:.0f} s", flush=True)
            return result

        try:
            sa = synth("SA, sharing", True)
            woho = synth("W0H0, sharing", True, duplication="woho")
            none = None if args.skip_none else synth("no duplication, sharing", True, duplication="uniform")
            spec = synth("SA, no sharing", False)
            unif = synth("SA, unified, no sharing", False, setting="unified")
        except Exception as err:  # report and go on with the next network
            import traceback

            traceback.print_exc()
            print(f"{name:10} failed: {err}")
            continue
        row = {"fig7": gain(sa, woho), "none": gain(sa, none) if none else None, "fig8": gain(spec, unif),
               "fig9": gain(sa, spec)}
        for key, value in row.items():
            if value is not None:
                totals[key].append(value)
        print(f"{name:10} " + " ".join(f"{row[k][0]:+7.1f}/{row[k][1]:+7.1f}" if row[k] else f"{'-':>16}"
                                       for k in ("fig7", "none", "fig8", "fig9")), flush=True)
    means = {k: tuple(sum(v[i] for v in vals) / len(vals) for i in range(2)) if vals else None
             for k, vals in totals.items()}
    print(f"{'mean':10} " + " ".join(f"{means[k][0]:+7.1f}/{means[k][1]:+7.1f}" if means[k] else f"{'-':>16}"
                                     for k in ("fig7", "none", "fig8", "fig9")))
    print(f"{'paper':10} {'+19.0/+27.0':>16} {'-':>16} {'+13.0/+31.0':>16} {'+8.0/+15.0':>16}")


if __name__ == "__main__":
    main()
