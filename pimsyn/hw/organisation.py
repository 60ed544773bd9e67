"""Fixed component organisations: a published accelerator's units per crossbar, evaluated by
the same cost model in place of the synthesized allocation (docs/cost-model.md, "Fixed
organisations").

PIMSYN allocates ADCs, shift-adders, adders and ALUs by power (Eq. 5-6). A fixed
organisation instead gives every layer the units its crossbars come with in a published
design, so the same network, budget and cost model compare a synthesized design with a
hand-designed one (the paper's Fig. 6 comparison with ISAAC).

ISAAC (Shafiee et al., ISCA 2016), from its published organisation: 128x128 crossbars of
2-bit cells, 1-bit DACs (one per row), one 8-bit ADC per crossbar (its 128 columns share
it), an IMA of 8 crossbars with 4 shift-and-add units, a tile of 12 IMAs (96 crossbars)
with one max-pool and one sigmoid unit, 64 KB of eDRAM per tile. Mapped to our components:
ADC 1 per used crossbar, SHIFTADD 1 per 2 crossbars, ADDITION 1 per IMA (8 crossbars),
DACs one per row in use (as in our allocation). ISAAC sizes its other digital units
(max-pool, sigmoid, output registers) to keep pace with its crossbar/ADC pipeline, so every
other ALU op gets at least one unit per macro (a macro is a tile) and as many as keep its
latency within the clock the ADCs and shift-adders set. The clock follows from these units
exactly as it follows from an allocation (spec 5.9).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pimsyn.hw.layers import CostNetwork, LayerState


@dataclass(frozen=True)
class Organisation:
    name: str
    xbar_size: int
    cell_res: int
    dac_res: int
    adc_res: int
    crossbars_per_macro: int  # a tile
    per_crossbar: dict[str, float] = field(default_factory=dict)  # units per used crossbar
    per_macro: int = 1  # units of every other ALU component per macro
    spm_kb: int = 64  # scratchpad of one tile (the cost model still sizes its own, spec 5.14)
    source: str = ""


ISAAC = Organisation(
    name="isaac", xbar_size=128, cell_res=2, dac_res=1, adc_res=8, crossbars_per_macro=96,
    per_crossbar={"ADC": 1.0, "SHIFTADD": 0.5, "ADDITION": 0.125}, per_macro=1, spm_kb=64,
    source="Shafiee et al., ISAAC, ISCA 2016: IMA = 8 crossbars, 8 ADCs, 4 shift-and-add; tile = 12 IMAs",
)
ORGANISATIONS: dict[str, Organisation] = {ISAAC.name: ISAAC}


def organisation(name: str) -> Organisation:
    try:
        return ORGANISATIONS[name]
    except KeyError:
        raise ValueError(f"unknown organisation '{name}' (known: {', '.join(sorted(ORGANISATIONS))})") from None


def organisation_units(org: Organisation, cnet: CostNetwork, state: LayerState, layer_macros: np.ndarray,
                       workloads: np.ndarray, frequency_ghz: np.ndarray, clock_floor_ns: float) -> np.ndarray:
    """Units per component item (the allocation's layout) of a fixed organisation."""
    from pimsyn.hw.energy import used_crossbars

    crossbars = used_crossbars(cnet, state)
    layer = cnet.item_layer
    names = np.asarray(cnet.item_component, dtype=object)
    fixed = np.zeros(len(names), dtype=bool)
    units = np.zeros(len(names), dtype=np.int64)
    for comp, ratio in org.per_crossbar.items():
        mine = names == comp
        fixed |= mine
        units = np.where(mine, np.maximum(1, np.ceil(crossbars[layer] * ratio)).astype(np.int64), units)
    dac = names == "DAC"
    units = np.where(dac, workloads.astype(np.int64), units)
    # the clock the fixed units set (spec 5.9 over non-FC items), then the other ALU units
    # that keep pace with it
    busy = fixed & (workloads > 0) & ~cnet.is_fc[layer]
    clock = max([clock_floor_ns] + (workloads[busy] / (frequency_ghz[busy] * units[busy])).tolist())
    rest = ~fixed & ~dac
    pace = np.ceil(workloads / (frequency_ghz * clock)).astype(np.int64)
    base = np.asarray(layer_macros, dtype=np.int64)[layer] * org.per_macro
    units = np.where(rest, np.maximum(base, pace), units)
    return np.where(workloads > 0, units, 0).astype(np.int64)
