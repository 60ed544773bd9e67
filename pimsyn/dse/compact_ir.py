"""design.mlir of a compact design: the network's layer ops, the embedded hardware table,
the metrics at the design's batch and the `pim.compact` op (docs/compact.md, "Compact
synthesis"). Self-contained like a PIMSYN design.mlir: every backend lowers from it."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from pimsyn.hw.compact_design import CompactDesign

SEARCH_KEY = "pim.search"


def compact_design_to_module(net, hw, design: CompactDesign, hw_config_path: str | None = None) -> ModuleOp:
    from pimsyn.ir import design as ir_design
    from pimsyn.ir.build import network_to_module
    from pimsyn.ir.compact_records import compact_op
    from pimsyn.ir.hw_table import to_attribute
    from pimsyn.passes.design_state import embed_hardware

    module = network_to_module(net)
    embed_hardware(module, hw, hw_config_path)
    ir_design.set_metrics(module, design.metrics)
    module.attributes[SEARCH_KEY] = to_attribute({"seed": design.seed, "mode": "compact"}, SEARCH_KEY)
    module.body.block.add_op(compact_op(design))
    return module


def compact_design_to_module_text(net, hw, design: CompactDesign, hw_config_path: str | None = None) -> str:
    from pimsyn.ir.context import print_module, verify_module

    module = compact_design_to_module(net, hw, design, hw_config_path)
    verify_module(module)
    return print_module(module)
