"""The ``pim`` dialect: layer ops, dataflow ops, design attributes and the token type."""

from __future__ import annotations

from xdsl.ir import Dialect

from pimsyn.ir.attributes import AllocAttr, BudgetAttr, HwAttr, MacroSettingAttr, RangeAttr
from pimsyn.ir.chip_ops import CHIP_OPS
from pimsyn.ir.compact_ops import COMPACT_OPS
from pimsyn.ir.dataflow_ops import DATAFLOW_OPS, DataflowRegionOp
from pimsyn.ir.hw_table import HwTableAttr
from pimsyn.ir.layer_ops import LAYER_OPS
from pimsyn.ir.types import TokenType

PIM = Dialect(
    "pim",
    [*LAYER_OPS, *DATAFLOW_OPS, DataflowRegionOp, *CHIP_OPS, *COMPACT_OPS],
    [TokenType, RangeAttr, HwAttr, BudgetAttr, MacroSettingAttr, AllocAttr, HwTableAttr],
)
