"""Design points of the five shared networks without search, shared by the tests that need
real designs of every network (design IR, netlist), and one point a search climbs through
(`oscillating_point`), shared by its test and bench/eval_bench.py."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from pimsyn.frontend import load_model
from pimsyn.hw import DesignPoint, apply_duplication, cost_network, load_hardware
from pimsyn.hw.design import Design
from pimsyn.hw.energy import used_crossbars

NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"
#: (network, budget W, RatioRram, crossbar size, macro setting): feasible points of the five
#: shared networks (VGG needs 512x512 crossbars to leave power for the periphery at 120 W).
POINTS = [
    ("alexnet", 49.0, 0.3, 256, "specified"),
    ("resnet18", 49.0, 0.3, 256, "unified"),
    ("vgg13", 120.0, 0.2, 512, "specified"),
    ("vgg16", 120.0, 0.2, 512, "unified"),
    ("msra_A", 120.0, 0.3, 256, "specified"),
]


@lru_cache(maxsize=None)
def fixed_design(name: str, power: float, ratio: float, xbar: int, setting: str) -> Design:
    """A design point without search: no duplication, a macro per 128 crossbars, and on
    AlexNet a sharing pair (conv4 with fc3) so the physical design has shared macros."""
    net = load_model(NETWORKS / f"{name}.json")
    hw = load_hardware()
    cnet = cost_network(net, hw, xbar, 2)
    dup = np.ones(net.count("conv"), dtype=np.int64)
    crossbars = used_crossbars(cnet, apply_duplication(cnet, dup))[cnet.gene_layers]
    macros = tuple(int(max(1, -(-x // 128))) for x in crossbars)
    partners = [-1] * len(macros)
    if name == "alexnet":
        partners[3], partners[7] = 7, 3
    return Design(network=net, hw=hw, total_power_w=power, rram_ratio=ratio, xbar_size=xbar, cell_res=2,
                  dac_res=1, adc_res=9 if xbar == 256 else 10, macro_setting=setting,
                  conv_dup=tuple(int(d) for d in dup), macros=macros, partners=tuple(partners))


#: ResNet-18 seed 2's second finalist at 49 W (RatioRram 0.2, 256 x 256 crossbars, 1-bit
#: cells, DAC 2, ADC 9, specified macros, five sharing pairs): a point the refinement
#: climbs through whose scratchpad capacity alternates for all ten fixed-point iterations
#: (spec 5.15; docs/cost-model.md, "One evaluation", step 7)
OSCILLATING_DUP = (48, 12, 12, 11, 11, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
OSCILLATING_MACROS = [3, 1, 3, 3, 3, 1, 5, 1, 3, 3, 1, 3, 1, 3, 3, 1, 1, 1, 3, 1, 1]
OSCILLATING_PARTNERS = [-1, 18, -1, 16, 15, -1, 19, -1, -1, -1, 20, -1, -1, -1, -1, 4, 3, -1, 1, 6, 10]


def oscillating_point(net=None):
    """(cost network, DesignPoint, LayerState) of the oscillating ResNet-18 point; its gene
    is OSCILLATING_MACROS / OSCILLATING_PARTNERS. ``net``: the loaded ResNet-18, if at hand."""
    hw = load_hardware()
    cnet = cost_network(net if net is not None else load_model(NETWORKS / "resnet18.json"), hw, 256, 1)
    point = DesignPoint(49.0, 0.2, 256, 1, 2, 9, "specified")
    return cnet, point, apply_duplication(cnet, np.asarray(OSCILLATING_DUP))
