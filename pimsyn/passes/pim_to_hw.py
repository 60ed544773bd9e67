"""`pim-to-hw`: the synthesized accelerator as CIRCT's `hw` dialect (docs/netlist.md).

Lowers the physical design of design.mlir (`pim.chip`, its `pim.macro` ops, `#pim.hw` and
the hardware table) into a structural netlist, paper Fig. 2:

* one module per leaf component configuration, with its ports and no logic (a black-box
  shell: `Crossbar_256x256_c2`, `Dac_r1`, `SampleHold_256`, `Adc_r9`, `ShiftAdd_w16`,
  `Adder_w16`, `Pool_w16`, `Relu_w16`, `Sigmoid_w16`, `Eltwise_w16`, `Scratchpad_64KB`,
  `Router_f64`): the configuration is in the name (xDSL 0.74 does not parse `hw.instance`
  parameters) and in `pim.*` attributes;
* `<Leaf>_x<N>`: N copies of a leaf as a binary tree of two `<Leaf>_x<N/2>` (+ one leaf
  when N is odd), so that thousands of crossbars or DACs take O(log N) modules and
  instances while `stat` in yosys still counts N leaves;
* one `Macro_<k>` module per distinct macro configuration (unified macros share one):
  router, scratchpad, DACs -> crossbars -> sample-and-holds -> ADCs -> shift-adders ->
  adders / pool / activation / eltwise units, chained on the macro's data path;
* the top module `Accelerator` instantiating every macro at its mesh position
  (`macro_<id>_r<row>_c<col>`) and wiring each router to its four neighbours with
  flit-wide ports (the hardware table's `noc_bw`); mesh edges read zero, the chip's
  input enters macro 0 from the west and its output leaves the last macro to the east.

Port widths: data words of `data_res` bits, DAC inputs of `dac_res` bits, ADC outputs of
`adc_res` bits, analog lines as 1 bit, NoC ports of `noc_bw` bits.
The design point and metrics stay as module attributes; the body becomes the hw ops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import comb, hw
from xdsl.dialects.builtin import (
    ArrayAttr, FlatSymbolRefAttr, IntegerAttr, IntegerType, ModuleOp, StringAttr, i32, i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

#: ALU unit of the IR -> leaf module stem, in data-path order after the shift-adders.
ALU_LEAVES = (("SHIFTADD", "ShiftAdd"), ("ADDITION", "Adder"), ("POOL", "Pool"), ("RELU", "Relu"),
              ("SIGMOID", "Sigmoid"), ("ELTWISE", "Eltwise"), ("LEAKYRELU", "LeakyRelu"), ("PRELU", "PRelu"),
              ("HARDSIGMOID", "HardSigmoid"), ("HARDSWISH", "HardSwish"), ("ELU", "Elu"), ("SELU", "Selu"),
              ("SOFTPLUS", "Softplus"), ("SWISH", "Swish"), ("GELU", "Gelu"), ("MISH", "Mish"),
              ("INSTANCENORM", "InstanceNorm"), ("LAYERNORM", "LayerNorm"))
DIRECTIONS = ("n", "e", "s", "w")


@dataclass(frozen=True)
class PimToHwPass(ModulePass):
    """Lower the placed design (pim.chip) into hw.module ops: leaf components, macro modules, top."""

    name = "pim-to-hw"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        ops = lower_to_hw(op)
        for old in list(op.body.block.ops):
            old.detach()
            old.erase(safe_erase=False)
        op.body.block.add_ops(ops)


def _port(name: str, width: int, output: bool) -> hw.ModulePort:
    direction = hw.Direction.OUTPUT if output else hw.Direction.INPUT
    return hw.ModulePort(StringAttr(name), IntegerType(width), hw.DirectionAttr(direction))


def _module_type(ins: list[tuple[str, int]], outs: list[tuple[str, int]]) -> hw.ModuleType:
    return hw.ModuleType(ArrayAttr([_port(n, w, False) for n, w in ins] + [_port(n, w, True) for n, w in outs]))


def _int_attrs(values: dict[str, int]) -> dict[str, Attribute]:
    return {f"pim.{k}": IntegerAttr(int(v), i64) for k, v in values.items()}


@dataclass(frozen=True)
class Leaf:
    """A leaf component: module name, kind, input and output width, configuration."""

    name: str
    kind: str
    in_width: int
    out_width: int
    config: tuple[tuple[str, int], ...] = ()


class NetlistBuilder:
    """Collects the hw.module ops of one design, each module defined once."""

    def __init__(self) -> None:
        self.modules: dict[str, hw.HWModuleOp] = {}
        self.order: list[str] = []

    def _add(self, name: str, module: hw.HWModuleOp) -> None:
        self.modules[name] = module
        self.order.append(name)

    def leaf(self, leaf: Leaf) -> str:
        """The black-box shell of a leaf: ports, outputs tied to zero, no logic."""
        if leaf.name not in self.modules:
            block = Block(arg_types=[IntegerType(1), IntegerType(leaf.in_width)])
            zero = hw.ConstantOp(0, IntegerType(leaf.out_width))
            block.add_ops([zero, hw.OutputOp([zero.result])])
            module = hw.HWModuleOp(StringAttr(leaf.name), _module_type([("clk", 1), ("in", leaf.in_width)],
                                                                        [("out", leaf.out_width)]), Region(block))
            module.attributes["pim.component"] = StringAttr(leaf.kind)
            module.attributes.update(_int_attrs(dict(leaf.config)))
            self._add(leaf.name, module)
        return leaf.name

    def router(self, flit: int) -> str:
        """The router shell: five flit-wide inputs and outputs (N, E, S, W, local)."""
        name = f"Router_f{flit}"
        if name not in self.modules:
            ports = (*DIRECTIONS, "l")
            block = Block(arg_types=[IntegerType(1)] + [IntegerType(flit)] * len(ports))
            zero = hw.ConstantOp(0, IntegerType(flit))
            block.add_ops([zero, hw.OutputOp([zero.result] * len(ports))])
            module = hw.HWModuleOp(StringAttr(name), _module_type([("clk", 1)] + [(f"{p}_in", flit) for p in ports],
                                                                   [(f"{p}_out", flit) for p in ports]), Region(block))
            module.attributes["pim.component"] = StringAttr("router")
            module.attributes.update(_int_attrs({"flit_bits": flit}))
            self._add(name, module)
        return name

    def array(self, leaf: Leaf, count: int) -> str:
        """A module holding `count` copies of `leaf` (binary tree), or the leaf itself."""
        if count == 1:
            return self.leaf(leaf)
        name = f"{leaf.name}_x{count}"
        if name in self.modules:
            return name
        half = self.array(leaf, count // 2)
        children = [half, half] + ([self.leaf(leaf)] if count % 2 else [])
        block = Block(arg_types=[IntegerType(1), IntegerType(leaf.in_width)])
        outs = []
        for index, child in enumerate(children):
            inst = hw.InstanceOp(f"part{index}", FlatSymbolRefAttr(child),
                                 [("clk", block.args[0]), ("in", block.args[1])], [("out", IntegerType(leaf.out_width))])
            block.add_op(inst)
            outs.append(inst.results[0])
        block.add_op(hw.OutputOp([outs[0]]))
        module = hw.HWModuleOp(StringAttr(name), _module_type([("clk", 1), ("in", leaf.in_width)],
                                                               [("out", leaf.out_width)]), Region(block))
        module.attributes["pim.component"] = StringAttr(leaf.kind)
        module.attributes["pim.count"] = IntegerAttr(count, i64)
        self._add(name, module)
        return name


def _fit(block: Block, value: SSAValue, width: int) -> SSAValue:
    """`value` as `width` bits: its low bits, or zero-extended."""
    have = value.type.width.data  # type: ignore[attr-defined]
    if have == width:
        return value
    if have > width:
        op: Operation = comb.ExtractOp(value, IntegerAttr(0, i32), IntegerType(width))
        block.add_op(op)
        return op.results[0]
    zeros = hw.ConstantOp(0, IntegerType(width - have))
    cat = comb.ConcatOp([zeros.result, value], IntegerType(width))
    block.add_ops([zeros, cat])
    return cat.results[0]


def _macro_config(macro) -> tuple:
    return (macro.count("size"), macro.count("dac"), macro.count("sh"), macro.count("adc"),
            tuple(sorted(macro.alu.counts.items())), macro.count("spm_kb"))


def _macro_module(builder: NetlistBuilder, name: str, macro, widths: dict[str, int]) -> hw.HWModuleOp:
    """Router, scratchpad and the macro's components chained on its data path."""
    flit, data, dac_res, adc_res = widths["flit"], widths["data"], widths["dac_res"], widths["adc_res"]
    xbar, cell = widths["xbar"], widths["cell_res"]
    ins = [("clk", 1)] + [(f"{d}_in", flit) for d in DIRECTIONS]
    outs = [(f"{d}_out", flit) for d in DIRECTIONS]
    block = Block(arg_types=[IntegerType(w) for _, w in ins])
    clk = block.args[0]
    router_name = builder.router(flit)
    spm_kb = macro.count("spm_kb")
    spm = builder.leaf(Leaf(f"Scratchpad_{spm_kb}KB", "scratchpad", flit, flit, (("capacity_kb", spm_kb),)))
    stages = [
        (Leaf(f"Dac_r{dac_res}", "dac", dac_res, 1, (("resolution", dac_res),)), macro.count("dac")),
        (Leaf(f"Crossbar_{xbar}x{xbar}_c{cell}", "crossbar", 1, 1, (("rows", xbar), ("cols", xbar),
                                                                     ("cell_res", cell))), macro.count("size")),
        (Leaf(f"SampleHold_{xbar}", "sample_hold", 1, 1, (("columns", xbar),)), macro.count("sh")),
        (Leaf(f"Adc_r{adc_res}", "adc", 1, adc_res, (("resolution", adc_res),)), macro.count("adc")),
    ]
    units = macro.alu.counts
    for key, stem in ALU_LEAVES:
        width_in = adc_res if key == "SHIFTADD" else data
        stages.append((Leaf(f"{stem}_w{data}", key.lower(), width_in, data, (("width", data),)), units.get(key, 0)))
    # router first: its local output feeds the scratchpad, the data path's end its local input
    router_inst = hw.InstanceOp(
        "router", FlatSymbolRefAttr(router_name),
        [("clk", clk)] + [(f"{d}_in", block.args[1 + i]) for i, d in enumerate(DIRECTIONS)] + [("l_in", clk)],
        [(f"{d}_out", IntegerType(flit)) for d in (*DIRECTIONS, "l")])
    block.add_op(router_inst)
    spm_inst = hw.InstanceOp("scratchpad", FlatSymbolRefAttr(spm), [("clk", clk), ("in", router_inst.results[4])],
                             [("out", IntegerType(flit))])
    block.add_op(spm_inst)
    signal = spm_inst.results[0]
    for leaf, count in stages:
        if count <= 0:
            continue
        module = builder.array(leaf, count)
        inst = hw.InstanceOp(f"{leaf.kind}s", FlatSymbolRefAttr(module),
                             [("clk", clk), ("in", _fit(block, signal, leaf.in_width))],
                             [("out", IntegerType(leaf.out_width))])
        block.add_op(inst)
        signal = inst.results[0]
    router_inst.operands[5] = _fit(block, signal, flit)
    block.add_op(hw.OutputOp(list(router_inst.results[:4])))
    module = hw.HWModuleOp(StringAttr(name), _module_type(ins, outs), Region(block))
    module.attributes.update(_int_attrs({
        "crossbar_slots": macro.count("size"), "crossbars_used": macro.count("crossbars"),
        "dac": macro.count("dac"), "sh": macro.count("sh"), "adc": macro.count("adc"),
        "spm_kb": spm_kb, **{key.lower(): units[key] for key, _ in ALU_LEAVES if units.get(key)},
    }))
    return module


def verilog_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return name if re.match(r"[A-Za-z_]", name) else f"m_{name}"


def lower_to_hw(module: ModuleOp) -> list[hw.HWModuleOp]:
    """The hw.module ops of a placed design (leaves, arrays, macros, then the top)."""
    from pimsyn.ir import design as ir_design
    from pimsyn.ir.physical import chip_of

    chip = chip_of(module)
    hw_attr = ir_design.get_hw(module)
    if chip is None or hw_attr is None:
        raise PassFailedException("pim-to-hw: the module has no physical design (pim.chip); run 'place' first")
    from pimsyn.ir.hw_table import HwTableAttr

    table = module.attributes.get("pim.hardware")
    if not isinstance(table, HwTableAttr):
        raise PassFailedException("pim-to-hw: the module has no hardware table (pim.hardware); run 'duplicate' first")
    flit = int(table.hardware().noc_bw_bits)  # read only: a backend never changes the design
    widths = {"flit": flit, "data": hw_attr.data_res, "dac_res": hw_attr.dac_res, "adc_res": hw_attr.adc_res,
              "xbar": hw_attr.xbar, "cell_res": hw_attr.cell_res}
    builder = NetlistBuilder()
    configs: dict[tuple, str] = {}
    macro_modules: list[hw.HWModuleOp] = []
    macros = sorted(chip.macro_ops(), key=lambda m: m.macro_id)
    module_of: dict[int, str] = {}
    for macro in macros:
        key = _macro_config(macro)
        if key not in configs:
            configs[key] = f"Macro_{len(configs)}"
            macro_modules.append(_macro_module(builder, configs[key], macro, widths))
        module_of[macro.macro_id] = configs[key]
    top = _top_module(module, chip, macros, module_of, flit)
    return [builder.modules[name] for name in builder.order] + macro_modules + [top]


def _top_module(module: ModuleOp, chip, macros, module_of: dict[int, str], flit: int) -> hw.HWModuleOp:
    block = Block(arg_types=[IntegerType(1), IntegerType(flit)])
    clk, chip_in = block.args
    zero = hw.ConstantOp(0, IntegerType(flit))
    block.add_op(zero)
    at = {macro.position: macro for macro in macros}
    insts: dict[int, hw.InstanceOp] = {}
    for macro in macros:
        inst = hw.InstanceOp(
            f"macro_{macro.macro_id}_r{macro.position[0]}_c{macro.position[1]}",
            FlatSymbolRefAttr(module_of[macro.macro_id]),
            [("clk", clk)] + [(f"{d}_in", zero.result) for d in DIRECTIONS],
            [(f"{d}_out", IntegerType(flit)) for d in DIRECTIONS])
        block.add_op(inst)
        insts[macro.macro_id] = inst
    # neighbour (row, col) offsets; a macro's `d` input is its neighbour's opposite output
    step = {"n": (-1, 0), "e": (0, 1), "s": (1, 0), "w": (0, -1)}
    opposite = {"n": 2, "e": 3, "s": 0, "w": 1}  # index of the neighbour's output port
    for macro in macros:
        row, col = macro.position
        for i, d in enumerate(DIRECTIONS):
            dr, dc = step[d]
            other = at.get((row + dr, col + dc))
            if other is not None:
                insts[macro.macro_id].operands[1 + i] = insts[other.macro_id].results[opposite[d]]
    first, last = insts[macros[0].macro_id], insts[macros[-1].macro_id]
    if first.operands[4] is zero.result:
        first.operands[4] = chip_in  # the chip's input enters macro 0 from the west
    block.add_op(hw.OutputOp([last.results[1]]))
    name = "Accelerator"
    top = hw.HWModuleOp(StringAttr(name), _module_type([("clk", 1), ("in", flit)], [("out", flit)]), Region(block))
    top.attributes["pim.network"] = StringAttr(module.sym_name.data if module.sym_name else "network")
    top.attributes.update(_int_attrs({"mesh_rows": chip.rows, "mesh_cols": chip.cols, "macros": len(macros)}))
    return top
