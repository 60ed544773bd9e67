"""The netlist targets: structural Verilog through CIRCT, and the same structure as JSON
(docs/netlist.md).

Both lower the design with the `pim-to-hw` pass (`pimsyn.passes.pim_to_hw`) into CIRCT's
`hw` dialect. `verilog` prints those hw ops, parses them with CIRCT's Python bindings
(PyPI package `circt`: `circt.ir.Module.parse`) and lets CIRCT's ExportVerilog write the
Verilog; the only text we add is a comment header with the design point and the metrics.
`netlist-json` walks the same hw ops: modules with their ports, parameters and instances,
each instance input naming the net that drives it.
"""

from __future__ import annotations

import io
import json

from xdsl.dialects import comb, hw
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr

from pimsyn.backend.accelerator_json import require_feasible
from pimsyn.backend.errors import BackendError


def hw_modules(design) -> list[hw.HWModuleOp]:
    from pimsyn.passes.pim_to_hw import lower_to_hw

    return lower_to_hw(design.module)


def hw_text(design) -> str:
    """The hw ops alone in a module, printed (what CIRCT parses)."""
    from pimsyn.ir.context import print_module

    return print_module(ModuleOp(hw_modules(design)))


def _header(design, evaluation) -> str:
    m = evaluation
    lines = [
        f"PIMSYN accelerator for {design.name} (structural netlist; leaf components are black-box shells)",
        f"design point: {design.total_power_w:g} W budget, RatioRram {design.rram_ratio:g}, "
        f"{design.xbar_size}x{design.xbar_size} crossbars, {design.cell_res}-bit cells, DAC {design.dac_res} bit, "
        f"ADC {design.adc_res} bit, {design.macro_setting} macros, {m.mesh_rows}x{m.mesh_cols} mesh, "
        f"{m.total_macros} macros, {m.spm_kb} KB scratchpad per macro",
        f"metrics: {m.power_efficiency_gops_per_w:.3f} GOPS/W, {m.throughput_inferences_per_s:.2f} inferences/s, "
        f"latency {m.latency_ns:.3f} ns ({m.cycles} cycles x {m.clock_ns:.6g} ns), "
        f"energy {m.energy_per_inference_nj:.3f} nJ per inference",
        "written by pimsyn (pim-to-hw) and CIRCT ExportVerilog",
    ]
    return "".join(f"// {line}\n" for line in lines)


def verilog_text(design, evaluation) -> str:
    """Structural Verilog of the design, written by CIRCT's ExportVerilog."""
    require_feasible(design, evaluation, "the Verilog netlist")
    try:
        import circt
        from circt.ir import Context, Module
        from circt.ir import StringAttr as CirctStringAttr
    except ImportError:
        raise BackendError("the verilog target needs CIRCT's Python bindings (pip install circt; "
                           "PyPI has no circt wheel for some platforms)") from None
    text = hw_text(design)
    out = io.StringIO()
    with Context() as ctx:
        circt.register_dialects(ctx)
        module = Module.parse(text)
        module.operation.attributes["circt.loweringOptions"] = CirctStringAttr.get(
            "locationInfoStyle=none,omitVersionComment")
        circt.export_verilog(module, out)
    return _header(design, evaluation) + out.getvalue()


def _width(value) -> int:
    return value.type.width.data


def netlist(design, evaluation) -> dict:
    """Modules, ports, parameters, instances and connections of the hw netlist."""
    require_feasible(design, evaluation, "the netlist")
    modules = []
    top = None
    for module in hw_modules(design):
        ports = [{"name": p.port_name.data, "direction": "out" if p.dir.data == hw.Direction.OUTPUT else "in",
                  "width": p.type.width.data} for p in module.module_type.ports]
        inputs = [p["name"] for p in ports if p["direction"] == "in"]
        nets: dict = {arg: name for arg, name in zip(module.body.block.args, inputs)}
        instances = []
        for op in module.body.block.ops:
            if isinstance(op, hw.InstanceOp):
                names = [s.data for s in op.result_names.data]
                for result, port in zip(op.results, names):
                    nets[result] = f"{op.instance_name.data}.{port}"
        for op in module.body.block.ops:
            if isinstance(op, hw.ConstantOp):
                nets[op.result] = f"const:{op.value.value.data}"
            elif isinstance(op, comb.ExtractOp):
                nets[op.result] = f"bits[{_width(op.result) - 1}:0]({nets.get(op.input, '?')})"
            elif isinstance(op, comb.ConcatOp):
                nets[op.result] = f"zext{_width(op.result)}({nets.get(op.inputs[-1], '?')})"
        for op in module.body.block.ops:
            if isinstance(op, hw.InstanceOp):
                in_names = [s.data for s in op.arg_names.data]
                instances.append({
                    "name": op.instance_name.data, "module": op.module_name.string_value(),
                    "connections": {port: nets.get(value, "?") for port, value in zip(in_names, op.inputs)},
                })
        outputs = next((op for op in module.body.block.ops if isinstance(op, hw.OutputOp)), None)
        out_names = [p["name"] for p in ports if p["direction"] == "out"]
        parameters = {key[len("pim."):]: (attr.value.data if isinstance(attr, IntegerAttr) else attr.data)
                      for key, attr in module.attributes.items()
                      if key.startswith("pim.") and isinstance(attr, (IntegerAttr, StringAttr))}
        entry = {"name": module.sym_name.data, "ports": ports, "parameters": parameters, "instances": instances,
                 "outputs": {n: nets.get(v, "?") for n, v in zip(out_names, outputs.operands if outputs else ())}}
        modules.append(entry)
        top = entry["name"]
    return {"top": top, "network": design.name, "modules": modules}


def netlist_json_text(design, evaluation) -> str:
    return json.dumps(netlist(design, evaluation), indent=2) + "\n"
