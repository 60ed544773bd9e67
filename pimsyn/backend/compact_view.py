"""What the backends read from the design.mlir of a compact design (`pim.compact`): the
records of `hw/compact_design.py`, the network and the hardware file, from the module
alone (nothing re-evaluated)."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp

from pimsyn.backend.errors import BackendError
from pimsyn.hw.compact_design import CompactDesign


@dataclass(frozen=True)
class CompactView:
    design: CompactDesign
    module: ModuleOp
    hw_file: str | None

    @property
    def network(self):
        from pimsyn.ir.extract import module_to_network

        return module_to_network(self.module)


def is_compact(module: ModuleOp) -> bool:
    from pimsyn.ir.compact_ops import compact_of

    return compact_of(module) is not None


def read_compact(module: ModuleOp) -> CompactView:
    from xdsl.dialects.builtin import StringAttr

    from pimsyn.ir import design as ir_design
    from pimsyn.ir.compact_records import compact_design_of
    from pimsyn.ir.hw_table import to_python

    if not is_compact(module):
        raise BackendError("the module is not a compact design (no pim.compact op)")
    metrics = ir_design.get_metrics(module)
    if not metrics:
        raise BackendError("the compact design has no metrics (pim.metrics)")
    search = module.attributes.get("pim.search")
    seed = int(to_python(search).get("seed", 1)) if search is not None else 1
    hw_file = module.attributes.get("pim.hw_file")
    return CompactView(design=compact_design_of(module, metrics, seed), module=module,
                       hw_file=hw_file.data if isinstance(hw_file, StringAttr) else None)
