"""Files for the PIMCOMP-NN compiler (shared/docs/network-json-format.md, spec 6).

`pimcomp_json` is the small file the reference writes with --pimcomp; nothing reads it, its
values are meant to be copied into a PIMCOMP-NN config. `pimcomp_config_json` is that config,
holding exactly the keys PIMCOMP-NN reads, so the compiler takes it unchanged.

The macro size ms: in unified mode the unified size (spec 6 / B19); in specified mode the
macros differ per layer, and a PIMCOMP chip has one core size, so we take the largest
per-layer macro size (every layer fits). The reference writes this file in unified mode only
and takes the first layer's size; both agree in unified mode.
"""

from __future__ import annotations

import json
import math

from pimsyn.backend.accelerator_json import largest_macro_size, require_feasible
from pimsyn.backend.errors import BackendError

#: PIMCOMP-NN's layout holds at most this many cores (ChipH * ChipW).
PIMCOMP_MAX_CORES = 1000
#: PIMCOMP-NN reads adc_count as its arithmetic precision (bits), 16.
PIMCOMP_ADC_COUNT = 16


def _ceil_sqrt(value: int) -> int:
    """ceil(sqrt(value)) in exact integer arithmetic."""
    return math.isqrt(value - 1) + 1 if value > 0 else 0


def core_shape(macro_size: int) -> tuple[int, int]:
    """(CoreH, CoreW) = (ceil(sqrt(ms)), ceil(ms / CoreH)) (spec 6)."""
    core_h = _ceil_sqrt(macro_size)
    core_w = -(-macro_size // core_h) if core_h else 0
    return core_h, core_w


def pimcomp_json(design, evaluation) -> dict:
    """The reference's small PIMCOMP file (spec 6): chip = the macro mesh, core = one macro."""
    require_feasible(design, evaluation, "the PIMCOMP JSON")
    core_h, core_w = core_shape(largest_macro_size(design, evaluation))
    return {
        "CellPrecision": design.cell_res,
        "CrossbarH": design.xbar_size,
        "CrossbarW": design.xbar_size,
        "ChipH": int(evaluation.mesh_rows),
        "ChipW": int(evaluation.mesh_cols),
        "CoreH": core_h,
        "CoreW": core_w,
    }


def logical_crossbars_per_core(design, evaluation) -> int:
    """Crossbars per core as PIMCOMP-NN counts them.

    Our macro size counts physical crossbars: a 16-bit weight is bit-sliced over
    R = ceil(16 / cell_res) crossbars of cell_res-bit cells. PIMCOMP-NN counts logical
    crossbars (one 16-bit weight per cell) and gets the cell precision separately, so one of
    its crossbars stands for R of ours: ceil(ms / R), rounded up so no weights are lost.
    """
    slices = int(design.cost_network.weight_slices)
    return -(-largest_macro_size(design, evaluation) // slices)


def pimcomp_config_json(design, evaluation) -> dict:
    """A PIMCOMP-NN config (its config.json) for this accelerator: one core per macro,
    layout = the macro mesh."""
    require_feasible(design, evaluation, "the PIMCOMP-NN config")
    chip_h, chip_w = int(evaluation.mesh_rows), int(evaluation.mesh_cols)
    if chip_h * chip_w > PIMCOMP_MAX_CORES:
        raise BackendError(
            f"the macro mesh is {chip_h}x{chip_w} = {chip_h * chip_w} cores but PIMCOMP-NN supports at most "
            f"{PIMCOMP_MAX_CORES}"
        )
    return {
        "chip_config": {
            "core_config": {
                "matrix_config": {
                    "cell_precision": design.cell_res,
                    "xbar_size": [design.xbar_size, design.xbar_size],
                    "xbar_array_count": logical_crossbars_per_core(design, evaluation),
                    "adc_count": PIMCOMP_ADC_COUNT,
                },
            },
            "network_config": {"layout": [chip_h, chip_w]},
        },
    }


def pimcomp_json_text(design, evaluation) -> str:
    return json.dumps(pimcomp_json(design, evaluation), indent=4) + "\n"


def pimcomp_config_json_text(design, evaluation) -> str:
    return json.dumps(pimcomp_config_json(design, evaluation), indent=4) + "\n"
