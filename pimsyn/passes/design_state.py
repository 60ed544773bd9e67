"""Read a design out of a `pim` module and write decisions back: what every pass shares.

A pass reads the network (`module_to_network`), the hardware table embedded in the module
(`pim.hardware`, `hardware_for`) and the decisions earlier passes made (module attributes
`pim.hw`, `pim.budget`, `pim.macro_setting`; layer attributes `dup`, `blocks`, `macros`,
`share_with`), calls the plain functions of `pimsyn.hw` / `pimsyn.search`, and writes its
own decision. A missing earlier decision is a clean `PassFailedException`
naming the pass to run first.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.utils.exceptions import PassFailedException

from pimsyn.ir import design as ir_design
from pimsyn.ir.extract import module_to_network

#: Module attribute holding the whole hardware description (`#pim.hw_table`).
HW_TABLE_KEY = "pim.hardware"
#: Informational module attribute: the hardware file the table was read from.
HW_FILE_KEY = "pim.hw_file"
#: Unit module attribute: the design uses the reference tool's allocation (spec B2), which
#: may exceed the budget; absent = every allocation within the budget.
QUIRKS_KEY = "pim.reference_quirks"


def reference_quirks(module: ModuleOp) -> bool:
    return QUIRKS_KEY in module.attributes


def set_reference_quirks(module: ModuleOp, on: bool) -> None:
    from xdsl.dialects.builtin import UnitAttr

    if on:
        module.attributes[QUIRKS_KEY] = UnitAttr()
    else:
        module.attributes.pop(QUIRKS_KEY, None)


def hardware_for(module: ModuleOp, override: str = ""):
    """The hardware description of a module: the pass option's file if given, else the
    table embedded in the module, else the bundled one. The description used is embedded
    (`pim.hardware`), so the design stays self-contained whatever file it came from."""
    from pimsyn.hw import load_hardware
    from pimsyn.ir.hw_table import HwTableAttr

    attr = module.attributes.get(HW_TABLE_KEY)
    if not override and isinstance(attr, HwTableAttr):
        return attr.hardware(source=f"the {HW_TABLE_KEY} table of the module")
    hw = load_hardware(override or None)
    embed_hardware(module, hw, override)
    return hw


def embed_hardware(module: ModuleOp, hw, path: str | None = None) -> None:
    from pimsyn.ir.hw_table import HwTableAttr

    module.attributes[HW_TABLE_KEY] = HwTableAttr(hw.as_dict())
    if path:
        module.attributes[HW_FILE_KEY] = StringAttr(str(path))


def require_hw(module: ModuleOp, pass_name: str):
    hw_attr, budget = ir_design.get_hw(module), ir_design.get_budget(module)
    if hw_attr is None or budget is None:
        raise PassFailedException(f"{pass_name}: the module has no #pim.hw / #pim.budget; run 'duplicate' first")
    return hw_attr, budget


def conv_duplication(module: ModuleOp, pass_name: str) -> tuple[int, ...]:
    dups = []
    for op in ir_design.layer_ops(module):
        if op.name == "pim.conv":
            dup = ir_design.get_design_int(op, "dup")
            if dup is None:
                raise PassFailedException(f"{pass_name}: layer '{op.layer}' has no dup; run 'duplicate' first")
            dups.append(dup)
    return tuple(dups)


def gene_macros(module: ModuleOp, pass_name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Macro counts and partner indices of the weight layers, gene order (convs, then FCs)."""
    ops = ir_design.layer_ops(module)
    gene = [op for op in ops if op.name == "pim.conv"] + [op for op in ops if op.name == "pim.fc"]
    names = [op.layer for op in gene]
    macros, partners = [], []
    for op in gene:
        count = ir_design.get_design_int(op, "macros")
        if count is None:
            raise PassFailedException(f"{pass_name}: layer '{op.layer}' has no macros; run 'partition' first")
        macros.append(count)
        partner = ir_design.get_share_with(op)
        partners.append(names.index(partner) if partner in names else -1)
    return tuple(macros), tuple(partners)


def has_partition(module: ModuleOp) -> bool:
    return any(ir_design.get_design_int(op, "macros") is not None
               for op in ir_design.layer_ops(module) if op.name in ("pim.conv", "pim.fc"))


def design_from_module(module: ModuleOp, config: str | None = None, pass_name: str = "pimsyn"):
    """The full Design a module describes (needs duplicate and partition to have run)."""
    from pimsyn.hw.design import Design
    from pimsyn.ir.compact_ops import compact_of

    if compact_of(module) is not None:
        raise PassFailedException(
            f"{pass_name}: this is a compact design (the network runs part by part on a chip too small for its "
            "weights, docs/compact.md); its metrics per batch size are in its report.md and accelerator.json")

    hw_attr, budget = require_hw(module, pass_name)
    macros, partners = gene_macros(module, pass_name)
    return Design(
        network=module_to_network(module), hw=hardware_for(module, config or ""),
        total_power_w=budget.total_power_w, rram_ratio=budget.rram_ratio, xbar_size=hw_attr.xbar,
        cell_res=hw_attr.cell_res, dac_res=hw_attr.dac_res, adc_res=hw_attr.adc_res,
        macro_setting=ir_design.get_macro_setting(module) or "specified",
        conv_dup=conv_duplication(module, pass_name), macros=macros, partners=partners,
        reference_quirks=reference_quirks(module), area_limit_mm2=ir_design.get_area_limit(module),
    )


#: The last evaluation of `evaluate_module`: (module id, Design, Evaluation).
_LAST_EVALUATION: list = []


def evaluate_module(module: ModuleOp, config: str | None = None, pass_name: str = "pimsyn"):
    """(Design, Evaluation) of the module's design. The passes that derive a design
    (build-deps, allocate, place, schedule, evaluate) each need the same evaluation, so the
    last one is kept and reused while the module describes an equal Design (same network,
    hardware and decisions); any change of a decision evaluates anew."""
    design = design_from_module(module, config, pass_name)
    if _LAST_EVALUATION and _LAST_EVALUATION[0] == id(module) and _LAST_EVALUATION[1] == design:
        return design, _LAST_EVALUATION[2]
    evaluation = design.evaluate()
    _LAST_EVALUATION[:] = [id(module), design, evaluation]
    return design, evaluation


def write_duplication(module: ModuleOp, cnet, state) -> None:
    """dup and blocks on every cost layer (conv, fc, pool, eltwise)."""
    by_name = ir_design.layer_op_by_name(module)
    for index, name in enumerate(cnet.names):
        op = by_name[name]
        ir_design.set_design_int(op, "dup", int(state.dup[index]))
        ir_design.set_design_int(op, "blocks", int(state.blocks[index]))


def write_partition(module: ModuleOp, cnet, macros, partners, macro_setting: str) -> None:
    by_name = ir_design.layer_op_by_name(module)
    gene_names = [cnet.names[i] for i in cnet.gene_layers]
    for position, name in enumerate(gene_names):
        op = by_name[name]
        ir_design.set_design_int(op, "macros", int(macros[position]))
        partner = int(partners[position])
        ir_design.set_share_with(op, gene_names[partner] if partner >= 0 else None)
    ir_design.set_macro_setting(module, macro_setting)


def write_allocation(module: ModuleOp, evaluation) -> None:
    by_name = ir_design.layer_op_by_name(module)
    for layer in evaluation.layers:
        counts = {k: int(v) for k, v in layer.alloc.items() if k != "DAC" or v}
        ir_design.set_alloc(by_name[layer.name], counts)


def write_metrics(module: ModuleOp, design, evaluation) -> None:
    """`pim.metrics`: every number of `metrics_dict` as a float (energy terms flattened to
    `energy_<term>_nj`), plus the component energy split (`component_<COMP>_static_nj` /
    `_dynamic_nj`, spec 5.16) and the chip totals the reports show."""
    from pimsyn.hw.metrics import metrics_dict

    values = {}
    for key, value in metrics_dict(design, evaluation).items():
        if isinstance(value, bool):
            values[key] = float(value)
        elif isinstance(value, (int, float)):
            values[key] = float(value)
        elif isinstance(value, dict) and key == "energy_nj":
            values.update({f"energy_{k}_nj": float(v) for k, v in value.items()})
    if evaluation.feasible:
        for comp, (static, dynamic) in evaluation.component_energy_nj.items():
            values[f"component_{comp}_static_nj"] = float(static)
            values[f"component_{comp}_dynamic_nj"] = float(dynamic)
        values["peak_ops_per_s"] = float(evaluation.peak_ops_per_s)
    ir_design.set_metrics(module, values)
