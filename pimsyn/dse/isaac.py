"""The ISAAC baseline (`pimsyn evaluate --preset isaac`, docs/cost-model.md "Fixed
organisations"): ISAAC's published organisation (`hw/organisation.py`) scaled to a power
budget and evaluated by the same cost model as our synthesized designs (the paper's Fig. 6
comparison).

Scaling: a macro is an ISAAC tile of 96 crossbars; the chip gets the largest number of
tiles whose allocated peak power (crossbars, the organisation's units, scratchpads, NoC)
fits the budget. Weights are replicated as ISAAC balances its pipeline, in proportion to
each conv layer's output size (the `woho` rule, `search/duplication_baselines.py`), as far
as the tiles allow; every layer occupies whole tiles, and no two layers share one.
"""

from __future__ import annotations

import numpy as np

from pimsyn.errors import PimsynError
from pimsyn.hw.design import Design
from pimsyn.hw.organisation import ISAAC, Organisation

_MAX_TILES = 1 << 20


def isaac_design(net, hw, total_power_w: float, org: Organisation = ISAAC) -> Design:
    """The organisation's design for `net` with the most tiles that fit `total_power_w`."""
    from pimsyn.hw import cost_network

    if (org.xbar_size, org.cell_res) not in hw.crossbars:
        raise PimsynError(f"the hardware description has no {org.xbar_size}x{org.xbar_size} crossbar with "
                          f"{org.cell_res}-bit cells, which {org.name} uses")
    if org.adc_res not in hw.adcs:
        raise PimsynError(f"the hardware description has no {org.adc_res}-bit ADC, which {org.name} uses")
    cnet = cost_network(net, hw, org.xbar_size, org.cell_res)
    least = _design(net, hw, cnet, org, total_power_w, None)
    if least is None or not _fits(least, total_power_w):
        weights_only = _design(net, hw, cnet, org, 1e9, None)
        need = weights_only.evaluate()
        raise PimsynError(
            f"{total_power_w:g} W cannot hold {net.name} on {org.name} tiles: its weights alone take "
            f"{sum(weights_only.macros)} tiles with a peak power of "
            f"{need.allocated_peak_power_w:.4g} W (try --total-power {need.allocated_peak_power_w * 1.01:.3g} or more)")
    lo = sum(least.macros)  # fits
    hi = lo * 2
    while hi < _MAX_TILES:
        trial = _design(net, hw, cnet, org, total_power_w, hi)
        if trial is None or not _fits(trial, total_power_w):
            break
        lo, hi = hi, hi * 2
    best = _design(net, hw, cnet, org, total_power_w, lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        trial = _design(net, hw, cnet, org, total_power_w, mid)
        if trial is not None and _fits(trial, total_power_w):
            lo, best = mid, trial
        else:
            hi = mid
    return best


def _fits(design: Design, budget_w: float) -> bool:
    evaluation = design.evaluate()
    return bool(evaluation.feasible) and evaluation.allocated_peak_power_w <= budget_w


def _design(net, hw, cnet, org: Organisation, total_power_w: float, tiles: int | None) -> Design | None:
    """Tiles given: the woho duplication that fills them; None: no duplication."""
    from pimsyn.hw import apply_duplication
    from pimsyn.hw.energy import used_crossbars
    from pimsyn.search.duplication_baselines import no_duplication, woho_duplication
    from pimsyn.search.duplication_problem import DuplicationProblem

    problem = DuplicationProblem.from_cost_network(cnet)
    per_tile = org.crossbars_per_macro

    def layout(dup):
        crossbars = used_crossbars(cnet, apply_duplication(cnet, dup))
        return crossbars, -(-crossbars[cnet.gene_layers] // per_tile)

    dup = no_duplication(problem)
    crossbars, macros = layout(dup)
    if tiles is not None:
        if macros.sum() > tiles:
            return None
        fc = int(crossbars[cnet.fc_layers].sum()) if len(cnet.fc_layers) else 0
        lo, hi = int(crossbars[cnet.conv_layers].sum()), tiles * per_tile - fc
        while lo < hi:  # the largest conv crossbar budget whose layers fit in the tiles
            mid = (lo + hi + 1) // 2
            if layout(woho_duplication(problem, mid))[1].sum() <= tiles:
                lo = mid
            else:
                hi = mid - 1
        dup = woho_duplication(problem, lo)
        crossbars, macros = layout(dup)
    xbar_power = float(crossbars.sum()) * hw.crossbar(org.xbar_size, org.cell_res).peak_power_w
    ratio = xbar_power / total_power_w
    if not 0.0 < ratio < 1.0:
        return None
    return Design(
        network=net, hw=hw, total_power_w=total_power_w, rram_ratio=ratio, xbar_size=org.xbar_size,
        cell_res=org.cell_res, dac_res=org.dac_res, adc_res=org.adc_res, macro_setting="specified",
        conv_dup=tuple(int(d) for d in dup), macros=tuple(int(m) for m in macros),
        partners=tuple(-1 for _ in macros), macro_reuse=False, organisation=org.name,
    )
