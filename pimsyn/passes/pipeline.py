"""A `Design` (`pimsyn.hw.design`) written as design.mlir: the network lowered to the `pim`
dialect, the design's decisions set, then the stage passes that derive the rest
(`build-deps`, `allocate`, `place`, `schedule`, `evaluate`) run through xDSL's pass
pipeline. This is how `pimsyn synth` writes its design.mlir; every backend then reads
only that module (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import PassPipeline

from pimsyn.ir import design as ir_design
from pimsyn.passes.allocate import AllocatePass
from pimsyn.passes.build_deps import BuildDepsPass
from pimsyn.passes.design_state import embed_hardware, set_reference_quirks, write_duplication, write_partition
from pimsyn.passes.evaluate import EvaluatePass
from pimsyn.passes.place import PlacePass
from pimsyn.passes.schedule import SchedulePass

#: Module attribute with the search that produced the design (options, per-combination
#: outcomes, evaluations, wall time): provenance for the report.
SEARCH_KEY = "pim.search"

#: The passes that derive a placed, scheduled and evaluated design from the decisions.
DERIVE = (BuildDepsPass(), AllocatePass(), PlacePass(), SchedulePass(), EvaluatePass())


def design_to_module(design, hw_config_path: str | None = None, search: Mapping | None = None) -> ModuleOp:
    """The design.mlir module of `design`: network, decisions, physical design, schedule,
    metrics, the embedded hardware table and (optionally) the search summary."""
    from pimsyn.hw import crossbar_budget
    from pimsyn.ir.attributes import BudgetAttr, HwAttr
    from pimsyn.ir.build import network_to_module

    module = network_to_module(design.network)
    embed_hardware(module, design.hw, hw_config_path)
    budget = crossbar_budget(design.hw, design.total_power_w, design.rram_ratio, design.xbar_size, design.cell_res)
    ir_design.set_hw(module, HwAttr(design.xbar_size, design.cell_res, design.hw.weight_res, design.hw.data_res,
                                    design.dac_res, design.adc_res))
    ir_design.set_budget(module, BudgetAttr(design.total_power_w, design.rram_ratio, budget.total_crossbars))
    write_duplication(module, design.cost_network, design.state)
    write_partition(module, design.cost_network, design.macros, design.partners, design.macro_setting)
    set_reference_quirks(module, design.reference_quirks)
    ir_design.set_area_limit(module, design.area_limit_mm2)
    if search:
        from pimsyn.ir.hw_table import to_attribute

        module.attributes[SEARCH_KEY] = to_attribute(dict(search), "pim.search")
    PassPipeline(DERIVE).apply(Context(), module)
    return module


def design_to_module_text(design, hw_config_path: str | None = None, search: Mapping | None = None) -> str:
    from pimsyn.ir.context import print_module

    return print_module(design_to_module(design, hw_config_path, search))
