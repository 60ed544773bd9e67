"""Files for the PIMCOMP-NN compiler (shared/docs/network-json-format.md, spec 6).

`pimcomp_json` is the small file the reference writes with --pimcomp; nothing reads it, its
values are meant to be copied into a PIMCOMP-NN config. `pimcomp_config_json` is that config:
PIMCOMP-NN's complete default with our values where our design decides them
(`pimsyn.backend.pimcomp_config`), so the compiler and its simulator take it unchanged.

The macro size ms: in unified mode the unified size (spec 6 / B19); in specified mode the
macros differ per layer, and a PIMCOMP chip has one core size, so we take the largest
per-layer macro size (every layer fits). The reference writes this file in unified mode only
and takes the first layer's size; both agree in unified mode.
"""

from __future__ import annotations

import json
import math

from pimsyn.backend.accelerator_json import WEIGHT_KINDS, largest_macro_size, require_feasible


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
    return -(-largest_macro_size(design, evaluation) // int(design.weight_slices))


def pimcomp_core(design, evaluation):
    """Our values for PIMCOMP-NN's config: one core per macro, layout = the macro mesh, the
    largest macro's crossbars, DACs and ADCs (a PIMCOMP chip has one core type)."""
    from pimsyn.backend.pimcomp_config import PimcompCore

    weight = [layer for layer in evaluation.layers if layer.kind in WEIGHT_KINDS]
    dacs = max((-(-layer.alloc.get("DAC", 0) // layer.macros) for layer in weight if layer.macros), default=1)
    adcs = max((layer.per_macro.get("ADC", 0) for layer in weight), default=1)
    return PimcompCore(
        cell_precision=design.cell_res, xbar_size=design.xbar_size,
        xbar_array_count=max(1, logical_crossbars_per_core(design, evaluation)),
        dac_resolution=design.dac_res, dac_count=max(1, dacs), adc_resolution=design.adc_res,
        adc_count=max(1, adcs), mesh_rows=int(evaluation.mesh_rows), mesh_cols=int(evaluation.mesh_cols),
        core_count=int(evaluation.total_macros),
    )


def pimcomp_config_json(design, evaluation) -> dict:
    """A complete PIMCOMP-NN config (every key of its default config.json,
    `pimsyn.backend.pimcomp_config`) for this accelerator."""
    from pimsyn.backend.pimcomp_config import pimcomp_config

    require_feasible(design, evaluation, "the PIMCOMP-NN config")
    return pimcomp_config(pimcomp_core(design, evaluation))


def pimcomp_json_text(design, evaluation) -> str:
    return json.dumps(pimcomp_json(design, evaluation), indent=4) + "\n"


def pimcomp_config_json_text(design, evaluation) -> str:
    return json.dumps(pimcomp_config_json(design, evaluation), indent=4) + "\n"
