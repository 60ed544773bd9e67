"""The accelerator description file of the reference tool (spec 6, its --output file).

Same keys in the same order as the reference: rram_ratio, rram_res, xbar_size,
power_efficiency (GOPS/W), dac_res, adc_res, macro_h, macro_w, spm_capacity, then one entry
per layer in network order keyed by the layer name. Unlike the reference, every field comes
from the ONE design it describes (the reference takes its efficiency from one duplication
candidate and its layer details from another, spec A3), and a final "metrics" key adds the
numbers the reference does not write (`pimsyn.hw.metrics.metrics_dict`).
"""

from __future__ import annotations

import json

from pimsyn.backend.errors import BackendError
from pimsyn.hw.metrics import metrics_dict

WEIGHT_KINDS = ("conv", "fc")


def require_feasible(design, evaluation, what: str) -> None:
    if not evaluation.feasible:
        raise BackendError(f"cannot write {what}: the design is infeasible ({evaluation.reason})")


def layer_macro_size(design, evaluation, layer) -> int:
    """Crossbars per macro of a conv/FC layer as the reference writes it (spec 6).

    Specified mode: ceil(X / c) for the layer's used crossbars X and macro count c. Unified
    mode: every macro has the same size, the engine's unified size (spec 6 / B19).
    """
    if design.macro_setting == "unified":
        return int(evaluation.unified_macro_size)
    return int(layer.macro_size)


def largest_macro_size(design, evaluation) -> int:
    """The macro size a uniform chip needs: the unified size, or in specified mode the
    largest per-layer size (so that every layer's macros fit)."""
    if design.macro_setting == "unified":
        return int(evaluation.unified_macro_size)
    return max((int(layer.macro_size) for layer in evaluation.layers if layer.kind in WEIGHT_KINDS), default=0)


def _component_counts(layer) -> dict[str, int]:
    """Per-macro (conv/FC) or raw (pool/eltwise) component counts, no DAC, in the order the
    layer's ops use them (spec 6)."""
    ordered = [op for op in layer.ops if op in layer.per_macro]
    ordered += [comp for comp in layer.per_macro if comp not in ordered]
    return {comp: int(layer.per_macro[comp]) for comp in ordered if comp != "DAC"}


def layer_entry(design, evaluation, layer) -> dict:
    entry: dict = {"duplication": int(layer.dup)}
    if layer.kind in WEIGHT_KINDS:
        entry["macro_num"] = int(layer.macros)
        entry["macro_sharing"] = layer.partner if layer.partner is not None else "None"
        entry["macro_size"] = layer_macro_size(design, evaluation, layer)
    entry.update(_component_counts(layer))
    return entry


def accelerator_json(design, evaluation) -> dict:
    """The accelerator file of `design` (spec 6 key order) plus its "metrics"."""
    require_feasible(design, evaluation, "the accelerator JSON")
    record: dict = {
        "rram_ratio": design.rram_ratio,
        "rram_res": design.cell_res,
        "xbar_size": design.xbar_size,
        "power_efficiency": float(evaluation.power_efficiency_gops_per_w),
        "dac_res": design.dac_res,
        "adc_res": design.adc_res,
        "macro_h": int(evaluation.mesh_rows),
        "macro_w": int(evaluation.mesh_cols),
        "spm_capacity": int(evaluation.spm_kb),
    }
    reserved = set(record) | {"metrics"}
    for layer in evaluation.layers:
        if layer.name in reserved:
            raise BackendError(f"layer name '{layer.name}' collides with a top-level key of the accelerator JSON")
        record[layer.name] = layer_entry(design, evaluation, layer)
    record["metrics"] = metrics_dict(design, evaluation)
    return record


def accelerator_json_text(design, evaluation) -> str:
    """4-space indent, like the reference writes it."""
    return json.dumps(accelerator_json(design, evaluation), indent=4) + "\n"
