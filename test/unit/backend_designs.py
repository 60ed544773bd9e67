"""AlexNet designs of spec 8 shared by the backend tests (S = 256, rho = 2, theta = 0.3,
r_dac = 1, r_adc = 9, 49 W, gene macros [11, 10, 5, 5, 3, 18, 8, 4], no sharing)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pimsyn.hw.design import Design
from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw import apply_duplication, evaluate, load_hardware

DATA = Path(__file__).resolve().parents[1] / "data"
GENE_MACROS = (11, 10, 5, 5, 3, 18, 8, 4)
DESIGN_A_DUP = (110, 26, 6, 7, 6)  # spec 8.3
DESIGN_B_DUP = (119, 26, 6, 6, 6)  # spec 8.2
DESIGN_A_UNIFIED_GOPS_PER_W = 572.3071531441486  # spec 8.3, bit-identical
REFERENCE_ALEXNET = DATA / "reference-designs" / "alexnet-49W.json"
REFERENCE_ALEXNET_PIMCOMP = DATA / "reference-designs" / "alexnet-49W-pimcomp.json"


@lru_cache(maxsize=None)
def alexnet():
    return load_network_json(DATA / "networks" / "alexnet.json")


@lru_cache(maxsize=None)
def hardware():
    return load_hardware()


def alexnet_design(conv_dup=DESIGN_A_DUP, macro_setting: str = "unified", partners=(-1,) * 8,
                   macros=GENE_MACROS, total_power_w: float = 49.0) -> Design:
    return Design(
        network=alexnet(), hw=hardware(), total_power_w=total_power_w, rram_ratio=0.3, xbar_size=256,
        cell_res=2, dac_res=1, adc_res=9, macro_setting=macro_setting, conv_dup=tuple(conv_dup),
        macros=tuple(macros), partners=tuple(partners), reference_quirks=True,  # spec 8 is the reference's
    )


@lru_cache(maxsize=None)
def design_a(macro_setting: str = "unified"):
    design = alexnet_design(DESIGN_A_DUP, macro_setting)
    return design, design.evaluate()


@lru_cache(maxsize=None)
def design_b(history: bool):
    """Design B unified (spec 8.2): B-hist carries the first max-pool's n = 29 over from an
    earlier candidate (a state a Design cannot express, so it is evaluated directly);
    B-fresh is `Design.evaluate()`."""
    design = alexnet_design(DESIGN_B_DUP, "unified")
    if not history:
        return design, design.evaluate()
    cnet = design.cost_network
    blocks = apply_duplication(cnet, list(DESIGN_B_DUP)).blocks.copy()
    blocks[1] = 29
    state = apply_duplication(cnet, list(DESIGN_B_DUP), blocks)
    return design, evaluate(cnet, design.hw, design.point, state, list(GENE_MACROS), [-1] * 8)
