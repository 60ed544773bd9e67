"""`place`: the physical design — macros on the mesh, layers on macros (spec 5.1-5.5, 6).

Needs `duplicate` and `partition`. Writes, from the cost model's own placement (one
implementation, `pimsyn.hw.placement`):

* `pim.chip mesh [rows, cols] { pim.macro ... pim.map ... }`: one `pim.macro` per
  macro (id = serpentine position, spec 5.2) with its crossbar slots, used crossbars and
  units; one `pim.map` per layer (home macros, crossbars per macro, merge macro, sharing
  partner, units per macro; a pool/eltwise layer runs in the merge macro of its first
  provider);
* `crossbars` on every conv/FC layer op (the crossbars its weights use, spec 5.6);
* the dataflow again, its `pim.transfer` / `pim.merge` ops with the real `src`/`dst`
  macro ids.

How a layer's X crossbars spread over its c home macros: evenly, the first X mod c macros
holding one more (the largest holds ceil(X/c), the macro size of spec 6). A sharing pair's
run of c_i + c_j macros holds the owner's (earlier gene position) c_i home macros first,
then the partner's; both layers' dataflow runs on the whole run (spec 5.1/5.2). Units per
macro are the per-macro counts of spec 6 (ceil(alloc / c)); in unified mode every macro
holds the per-macro maximum of every unit (spec 6, B2) and the unified size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.ir import design as ir_design

WEIGHT_KINDS = ("conv", "fc")
_ALU_UNITS = ("SHIFTADD", "ADDITION", "POOL", "RELU", "SIGMOID", "ELTWISE", "LEAKYRELU", "PRELU", "HARDSIGMOID",
              "HARDSWISH", "ELU", "SELU", "SOFTPLUS", "SWISH", "GELU", "MISH", "INSTANCENORM", "LAYERNORM")


@dataclass(frozen=True)
class PlacePass(ModulePass):
    """Place macros on the mesh and layers on macros; transfers/merges get real macro ids."""

    name = "place"

    config: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from pimsyn.passes.design_state import evaluate_module

        design, evaluation = evaluate_module(op, self.config, self.name)
        if not evaluation.feasible:
            raise PassFailedException(f"place: infeasible design: {evaluation.reason}")
        write_placement(op, design, evaluation)


def spread(total: int, parts: int) -> list[int]:
    """`total` over `parts` as evenly as possible, the larger shares first."""
    base, extra = divmod(int(total), int(parts))
    return [base + 1 if i < extra else base for i in range(parts)]


def home_macros(evaluation) -> dict[str, list[int]]:
    """Home macro ids of every conv/FC layer (owner of a sharing run first)."""
    homes: dict[str, list[int]] = {}
    by_name = {layer.name: layer for layer in evaluation.layers}
    for layer in evaluation.layers:
        if layer.kind not in WEIGHT_KINDS:
            continue
        start, end = layer.run_start, layer.run_start + layer.run_length
        if layer.partner is None:
            homes[layer.name] = list(range(start, end))
            continue
        owner = layer.merge_pos == end - 1  # the owner merges in the run's last macro (spec 5.2)
        partner_macros = by_name[layer.partner].macros
        if owner:
            homes[layer.name] = list(range(start, start + layer.macros))
        else:
            homes[layer.name] = list(range(start + partner_macros, end))
    return homes


def _per_macro_units(layer) -> dict[str, int]:
    """Units on each home macro of a conv/FC layer: spec 6 per-macro counts plus its DACs."""
    units = {}
    dacs = int(layer.alloc.get("DAC", 0))
    if dacs:
        units["DAC"] = -(-dacs // layer.macros)
    units.update({comp: int(n) for comp, n in layer.per_macro.items()})
    return units


def write_placement(module: ModuleOp, design, evaluation) -> None:
    from pimsyn.hw.placement import serpentine_coordinates
    from pimsyn.ir.chip_ops import ChipOp, MacroOp, MapOp
    from pimsyn.ir.syntax import to_attr
    from pimsyn.passes.build_deps import rebuild_dataflow

    unified = design.macro_setting == "unified"
    layers = evaluation.layers
    homes = home_macros(evaluation)
    count = evaluation.total_macros
    macro_layers: list[list[str]] = [[] for _ in range(count)]
    macro_xbars = [0] * count
    macro_size = [0] * count
    macro_units: list[dict[str, int]] = [dict() for _ in range(count)]
    maps = []
    by_op = ir_design.layer_op_by_name(module)
    for layer in layers:
        if layer.kind in WEIGHT_KINDS:
            ids = homes[layer.name]
            xbars = spread(layer.crossbars, len(ids))
            units = _per_macro_units(layer)
            size = int(evaluation.unified_macro_size) if unified else int(layer.macro_size)
            for macro, x in zip(ids, xbars):
                macro_layers[macro] = [layer.name] + ([layer.partner] if layer.partner else [])
                macro_xbars[macro] = x
                macro_size[macro] = size
                for comp, n in units.items():
                    macro_units[macro][comp] = macro_units[macro].get(comp, 0) + n
            ir_design.set_design_int(by_op[layer.name], "crossbars", max(1, int(layer.crossbars)))
            props = {"layer": layer.name, "macros": ids, "crossbars": xbars, "merge": layer.merge_pos,
                     "units": units}
            if layer.partner:
                props["shared_with"] = layer.partner
        else:
            units = {comp: int(n) for comp, n in layer.alloc.items()}
            if not unified:
                for comp, n in units.items():
                    macro_units[layer.merge_pos][comp] = macro_units[layer.merge_pos].get(comp, 0) + n
            props = {"layer": layer.name, "macros": [layer.merge_pos], "merge": layer.merge_pos, "units": units}
        maps.append(props)
    if unified:  # identical macros: the per-macro maximum of every unit (spec 6, B2)
        dacs = max((u.get("DAC", 0) for u in macro_units), default=0)
        same = {"DAC": dacs, **{comp: int(n) for comp, n in evaluation.per_macro_max.items()}}
        macro_units = [dict(same) for _ in range(count)]
    rows, cols = serpentine_coordinates(np.arange(count), evaluation.mesh_cols)
    ops = []
    for macro in range(count):
        units = macro_units[macro]
        props = {
            "id": macro, "at": (int(rows[macro]), int(cols[macro])), "layers": macro_layers[macro],
            "size": macro_size[macro], "crossbars": macro_xbars[macro], "dac": units.get("DAC", 0),
            "sh": macro_size[macro], "adc": units.get("ADC", 0),
            "alu": {comp: units[comp] for comp in _ALU_UNITS if units.get(comp)},
            "spm_kb": int(evaluation.spm_kb),
        }
        ops.append(MacroOp.create(properties=_props(MacroOp, props, to_attr)))
    ops += [MapOp.create(properties=_props(MapOp, props, to_attr)) for props in maps]
    old = _chip(module)
    if old is not None:
        old.detach()
        old.erase()
    chip = ChipOp(evaluation.mesh_rows, evaluation.mesh_cols, ops)
    region = ir_design.dataflow_region(module)
    if region is not None:
        module.body.block.insert_op_before(chip, region)
    else:
        module.body.block.add_op(chip)
    rebuild_dataflow(module, evaluation=evaluation, endpoints=_endpoints(design, evaluation))


def _props(op_class, values: dict, to_attr) -> dict:
    kinds = {f.key: f.kind for f in op_class.FIELDS}
    out = {}
    if "layer" in values:
        from xdsl.dialects.builtin import StringAttr

        out["layer"] = StringAttr(values["layer"])
    for field in op_class.FIELDS:
        if field.key in values:
            out[field.key] = to_attr(kinds[field.key], values[field.key])
    return out


def _chip(module: ModuleOp):
    from pimsyn.ir.chip_ops import ChipOp

    return next((op for op in module.ops if isinstance(op, ChipOp)), None)


def _endpoints(design, evaluation) -> dict[str, dict[str, tuple[list[int], list[int]]]]:
    """Placed src/dst of every layer's TRAN and MRG op (spec 5.3 routes): a transfer goes
    from each provider's merge macro to every macro of the layer's run, a merge from the
    run's other macros to the merge macro."""
    cnet = design.cost_network
    layers = evaluation.layers
    out: dict[str, dict[str, tuple[list[int], list[int]]]] = {}
    for i, layer in enumerate(layers):
        run = list(range(layer.run_start, layer.run_start + layer.run_length))
        ends = {}
        if "TRAN" in layer.ops:
            ends["TRAN"] = ([layers[p].merge_pos for p in cnet.providers[i]], run)
        if "MRG" in layer.ops:
            ends["MRG"] = ([m for m in run if m != layer.merge_pos], [layer.merge_pos])
        out[layer.name] = ends
    return out
