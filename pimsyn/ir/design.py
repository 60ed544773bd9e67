"""Read and write the design attributes of a ``pim`` module.

Module attributes (one synthesis task and its outcome):

* ``pim.hw``            ``#pim.hw<...>``            crossbar size and resolutions
* ``pim.budget``        ``#pim.budget<...>``        power budget and its RRAM share
* ``pim.macro_setting`` ``#pim.macro_setting<...>`` specified | unified
* ``pim.metrics``       ``{name = 1.0 : f64, ...}``  evaluation results (floats)
* ``pim.area_limit_mm2`` ``30.0 : f64``              the chip's area limit, when synthesized under one

Layer-op attributes: ``dup``, ``blocks``, ``macros`` (i64 >= 1), ``share_with`` (layer
name), ``alloc`` (``#pim.alloc<...>``).
"""

from __future__ import annotations

from collections.abc import Mapping

from xdsl.dialects.builtin import DictionaryAttr, Float64Type, FloatAttr, IntegerAttr, ModuleOp, StringAttr

from pimsyn.ir.attributes import AllocAttr, BudgetAttr, HwAttr, MacroSettingAttr
from pimsyn.ir.dataflow_ops import DataflowRegionOp
from pimsyn.ir.errors import IRVerifyError
from pimsyn.ir.layer_ops import DESIGN_INT_ATTRS, LayerOp

HW_KEY = "pim.hw"
BUDGET_KEY = "pim.budget"
MACRO_SETTING_KEY = "pim.macro_setting"
METRICS_KEY = "pim.metrics"
AREA_LIMIT_KEY = "pim.area_limit_mm2"
_MODULE_ATTR_TYPES = {
    HW_KEY: HwAttr,
    BUDGET_KEY: BudgetAttr,
    MACRO_SETTING_KEY: MacroSettingAttr,
    METRICS_KEY: DictionaryAttr,
    AREA_LIMIT_KEY: FloatAttr,
}


def layer_ops(module: ModuleOp) -> list[LayerOp]:
    """Layer ops of the module, in network order."""
    return [op for op in module.ops if isinstance(op, LayerOp)]


def layer_op_by_name(module: ModuleOp) -> dict[str, LayerOp]:
    return {op.layer: op for op in layer_ops(module)}


def dataflow_region(module: ModuleOp) -> DataflowRegionOp | None:
    """The module's ``pim.dataflow`` op, if any."""
    for op in module.ops:
        if isinstance(op, DataflowRegionOp):
            return op
    return None


# ---- module attributes ----------------------------------------------------------------

def get_hw(module: ModuleOp) -> HwAttr | None:
    attr = module.attributes.get(HW_KEY)
    return attr if isinstance(attr, HwAttr) else None


def set_hw(module: ModuleOp, hw: HwAttr) -> None:
    module.attributes[HW_KEY] = hw


def get_budget(module: ModuleOp) -> BudgetAttr | None:
    attr = module.attributes.get(BUDGET_KEY)
    return attr if isinstance(attr, BudgetAttr) else None


def set_budget(module: ModuleOp, budget: BudgetAttr) -> None:
    module.attributes[BUDGET_KEY] = budget


def get_macro_setting(module: ModuleOp) -> str | None:
    attr = module.attributes.get(MACRO_SETTING_KEY)
    return attr.setting if isinstance(attr, MacroSettingAttr) else None


def set_macro_setting(module: ModuleOp, setting: str) -> None:
    module.attributes[MACRO_SETTING_KEY] = MacroSettingAttr(setting)


def get_metrics(module: ModuleOp) -> dict[str, float]:
    attr = module.attributes.get(METRICS_KEY)
    if not isinstance(attr, DictionaryAttr):
        return {}
    return {k: v.value.data for k, v in attr.data.items() if isinstance(v, FloatAttr)}


def set_metrics(module: ModuleOp, metrics: Mapping[str, float]) -> None:
    module.attributes[METRICS_KEY] = DictionaryAttr(
        {k: FloatAttr(float(v), Float64Type()) for k, v in metrics.items()}
    )


def get_area_limit(module: ModuleOp) -> float | None:
    attr = module.attributes.get(AREA_LIMIT_KEY)
    return attr.value.data if isinstance(attr, FloatAttr) else None


def set_area_limit(module: ModuleOp, area_mm2: float | None) -> None:
    """The area limit the design was allocated under (None: no limit); the passes that
    re-derive the allocation read it, so design.mlir holds the design the DSE found."""
    if area_mm2 is None:
        module.attributes.pop(AREA_LIMIT_KEY, None)
    else:
        module.attributes[AREA_LIMIT_KEY] = FloatAttr(float(area_mm2), Float64Type())


# ---- layer attributes -----------------------------------------------------------------

def get_design_int(op: LayerOp, key: str) -> int | None:
    """``dup``, ``blocks`` or ``macros`` of a layer op (None when not set)."""
    if key not in DESIGN_INT_ATTRS:
        raise KeyError(key)
    attr = op.attributes.get(key)
    return attr.value.data if isinstance(attr, IntegerAttr) else None


def set_design_int(op: LayerOp, key: str, value: int) -> None:
    if key not in DESIGN_INT_ATTRS:
        raise KeyError(key)
    if int(value) < 1:
        raise IRVerifyError(f"layer '{op.layer}': {key} must be >= 1, got {value}")
    op.attributes[key] = IntegerAttr(int(value), 64)


def get_share_with(op: LayerOp) -> str | None:
    attr = op.attributes.get("share_with")
    return attr.data if isinstance(attr, StringAttr) else None


def set_share_with(op: LayerOp, partner: str | None) -> None:
    if partner is None:
        op.attributes.pop("share_with", None)
    else:
        op.attributes["share_with"] = StringAttr(partner)


def get_alloc(op: LayerOp) -> dict[str, int]:
    attr = op.attributes.get("alloc")
    return attr.counts if isinstance(attr, AllocAttr) else {}


def set_alloc(op: LayerOp, counts: Mapping[str, int]) -> None:
    op.attributes["alloc"] = AllocAttr(counts)


# ---- checks the op verifiers cannot do alone ------------------------------------------

def verify_design(module: ModuleOp) -> None:
    """Module-level design checks; raises :class:`IRVerifyError` with one line."""
    for key, attr_type in _MODULE_ATTR_TYPES.items():
        attr = module.attributes.get(key)
        if attr is not None and not isinstance(attr, attr_type):
            raise IRVerifyError(f"module attribute '{key}' must be a {attr_type.name}, got {attr}")
    metrics = module.attributes.get(METRICS_KEY)
    if isinstance(metrics, DictionaryAttr):
        for name, value in metrics.data.items():
            if not isinstance(value, FloatAttr):
                raise IRVerifyError(f"metric '{name}' must be a float, got {value}")
    names = {op.layer for op in layer_ops(module)}
    for op in layer_ops(module):
        partner = get_share_with(op)
        if partner is not None and partner not in names:
            raise IRVerifyError(f"layer '{op.layer}': share_with names unknown layer '{partner}'")
    regions = [op for op in module.ops if isinstance(op, DataflowRegionOp)]
    if len(regions) > 1:
        raise IRVerifyError(f"a module holds at most one pim.dataflow op, found {len(regions)}")
