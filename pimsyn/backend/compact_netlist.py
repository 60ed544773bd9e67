"""The netlist of the one physical chip of a compact design (every part runs on it):
netlist JSON in the schema of `backend/netlist.py` (modules with ports, parameters,
instances and connections) and structural Verilog written from that same structure.

Structure: a top module `compact_chip` with one `pim_tile` instance per macro and one
`dram_interface`; a `pim_tile` holds one bank instance per component kind (crossbars,
sample-and-holds, DACs, ADCs, ALUs, eDRAM, router) with its unit count as a parameter.
Banks are black-box shells, as the leaf components of the PIMSYN netlist are.
"""

from __future__ import annotations

import json

#: the clock and reset every module takes
_PORTS = [{"name": "clk", "direction": "in", "width": 1}, {"name": "rst", "direction": "in", "width": 1}]
_WIRES = {"clk": "clk", "rst": "rst"}
#: instance names that are not "<kind>s"
_INSTANCE = {"edram": "spm", "router": "noc_router"}


def _tile_banks(chip) -> list[tuple[str, dict[str, int]]]:
    """(bank module, parameters) of one macro of the organisation."""
    from pimsyn.hw.compact_eval import tile_units
    from pimsyn.hw.organisation import organisation

    units = tile_units(organisation(chip.organisation))
    x = chip.macro_crossbars
    banks = [("crossbar_bank", {"count": x, "size": chip.xbar_size, "cell_bits": chip.cell_res}),
             ("sample_hold_bank", {"count": x * chip.xbar_size}),
             ("dac_bank", {"count": units.pop("DAC"), "bits": chip.dac_res}),
             ("adc_bank", {"count": units.pop("ADC"), "bits": chip.adc_res})]
    banks += [(f"{comp.lower()}_bank", {"count": count}) for comp, count in units.items()]
    banks += [("edram", {"kb": organisation(chip.organisation).spm_kb}), ("router", {"count": 1})]
    return banks


def compact_netlist(view) -> dict:
    chip = view.design.chip
    banks = _tile_banks(chip)
    modules = []
    for name, params in banks:
        modules.append({"name": name, "ports": _PORTS, "parameters": {k: 0 for k in params}, "instances": [],
                        "outputs": {}})
    modules.append({"name": "dram_interface", "ports": _PORTS, "parameters": {"standard": chip.dram}, "instances": [],
                    "outputs": {}})
    modules.append({
        "name": "pim_tile", "ports": _PORTS, "parameters": {"organisation": chip.organisation},
        "instances": [{"name": _INSTANCE.get(name, name.replace("_bank", "s")), "module": name, "parameters": params,
                       "connections": dict(_WIRES)} for name, params in banks],
        "outputs": {},
    })
    tiles = [{"name": f"tile{k}", "module": "pim_tile", "parameters": {}, "connections": dict(_WIRES)}
             for k in range(chip.macros)]
    tiles.append({"name": "dram", "module": "dram_interface", "parameters": {"standard": chip.dram},
                  "connections": dict(_WIRES)})
    modules.append({"name": "compact_chip", "ports": _PORTS,
                    "parameters": {"macros": chip.macros, "area_mm2": round(chip.area_mm2, 6), "parts": len(view.design.parts),
                                   "batch": chip.batch}, "instances": tiles, "outputs": {}})
    return {"top": "compact_chip", "network": view.design.name, "mode": "compact", "modules": modules}


def compact_netlist_json_text(view) -> str:
    return json.dumps(compact_netlist(view), indent=2) + "\n"


def _verilog_value(value) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def compact_verilog_text(view) -> str:
    d = view.design
    net = compact_netlist(view)
    lines = [f"// Compact PIM chip for {d.name} (structural netlist; banks are black-box shells)",
             f"// {d.chip.macros} {d.chip.organisation} macros, {d.chip.area_mm2:.4g} mm², {d.chip.dram}, "
             f"{len(d.parts)} parts, batch {d.chip.batch}",
             "// written by pimsyn from design.mlir (pim.compact)", ""]
    for module in net["modules"]:
        params = module["parameters"]
        header = f"module {module['name']}"
        if params and not module["instances"]:  # a leaf shell declares its parameters
            header += " #(" + ", ".join(f"parameter {k.upper()} = {_verilog_value(v)}" for k, v in params.items()) + ")"
        lines.append(f"{header} (input clk, input rst);")
        for inst in module["instances"]:
            override = ""
            if inst["parameters"]:
                override = " #(" + ", ".join(f".{k.upper()}({_verilog_value(v)})" for k, v in inst["parameters"].items()) + ")"
            ports = ", ".join(f".{port}({wire})" for port, wire in inst["connections"].items())
            lines.append(f"  {inst['module']}{override} {inst['name']} ({ports});")
        lines.append("endmodule")
        lines.append("")
    return "\n".join(lines)
