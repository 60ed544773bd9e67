"""`build-deps`: dataflow compilation (paper Section IV-B, Table II, Fig. 4; spec 5.12).

Lowers every layer into its chain of Table II ops in compact form: one op per (layer, op
kind) covering all computation blocks (`cnt` 0..n) and, for the bit-level ops (mvm, adc,
shift-add), all input bits (`bit` 0..B). The four dependency kinds are explicit:
inter-op and inter-layer dependencies are `!pim.token` operands (the first op of a layer
waits on each provider's last op, `parent_blocks` says which producer block each block
needs, spec 5.12); inter-block and inter-bit dependencies are the ranges themselves
(block c after block c-1, bit b after bit b-1), which `unroll` makes explicit.

Transfer and merge ops (inter-macro communication) exist only once `partition` has placed
the macros; before that the dataflow has the intra-macro ops only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.passes import ModulePass

from pimsyn.ir import design as ir_design
from pimsyn.ir.attributes import RangeAttr
from pimsyn.ir.dataflow_ops import (
    AdcOp, AluOp, DataflowOp, DataflowRegionOp, LoadOp, MergeOp, MvmOp, StoreOp, TransferOp,
)
from pimsyn.ir.extract import module_to_network
from pimsyn.ir.syntax import int_arrays_attr, int_attr, ints_attr
from pimsyn.ir.types import TokenType
from pimsyn.passes.design_state import (
    conv_duplication, evaluate_module, hardware_for, has_partition, require_hw,
)

_ALU_OPS = {"SHIFTADD": "shiftadd", "ADDITION": "add", "POOL": "pool", "RELU": "relu",
            "SIGMOID": "sigmoid", "ELTWISE": "eltwise", "LEAKYRELU": "leakyrelu", "PRELU": "prelu",
            "HARDSIGMOID": "hardsigmoid", "HARDSWISH": "hardswish", "ELU": "elu", "SELU": "selu",
            "SOFTPLUS": "softplus", "SWISH": "swish", "GELU": "gelu", "MISH": "mish",
            "INSTANCENORM": "instancenorm", "LAYERNORM": "layernorm"}
_BIT_LEVEL = ("DAC", "ADC", "SHIFTADD")


@dataclass(frozen=True)
class BuildDepsPass(ModulePass):
    name = "build-deps"

    config: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        rebuild_dataflow(op, self.config)


def rebuild_dataflow(module: ModuleOp, config: str = "", *, evaluation=None, endpoints=None) -> None:
    """Replace the module's `pim.dataflow` op by one built from its current decisions.

    `evaluation` (of the module's design) saves evaluating it again; `endpoints` maps a
    layer name to the placed ``{"TRAN": (src, dst), "MRG": (src, dst)}`` macro ids (the
    `place` pass), written as the transfer/merge ops' src/dst."""
    from pimsyn.hw import apply_duplication, cost_network

    hw_attr, _ = require_hw(module, "build-deps")
    hw = hardware_for(module, config)
    cnet = cost_network(module_to_network(module), hw, hw_attr.xbar, hw_attr.cell_res)
    state = apply_duplication(cnet, conv_duplication(module, "build-deps"))
    bits = -(-hw_attr.data_res // hw_attr.dac_res)
    layers = None
    if has_partition(module):
        if evaluation is None:
            _, evaluation = evaluate_module(module, config, "build-deps")
        layers = {layer.name: layer for layer in evaluation.layers}
    old = ir_design.dataflow_region(module)
    if old is not None:
        old.detach()
        old.erase()
    module.body.block.add_op(DataflowRegionOp(_dataflow_ops(cnet, state, bits, layers, endpoints or {})))


def _dataflow_ops(cnet, state, bits: int, layers, endpoints) -> list[DataflowOp]:
    from pimsyn.hw.geometry import MapGeometry, parent_blocks

    geometry = [
        MapGeometry(
            name=cnet.names[i], kind=cnet.kinds[i], blocks=int(state.blocks[i]), dup=int(state.dup[i]),
            channels=int(cnet.channels[i]), rows=int(cnet.out_w[i]), cols=int(cnet.out_h[i]),
            kernel=(int(cnet.kernel_h[i]), int(cnet.kernel_w[i])),
            stride=(int(cnet.stride_h[i]), int(cnet.stride_w[i])),
            pad0=(int(cnet.pad_h0[i]), int(cnet.pad_w0[i])), input_split=1, dup_split=1,
        )
        for i in range(cnet.num_layers)
    ]
    last_token = {}
    ops: list[DataflowOp] = []
    for i, name in enumerate(cnet.names):
        layer = layers.get(name) if layers else None
        op_names = layer.ops if layer is not None else cnet.base_ops[i]
        blocks = RangeAttr(0, int(state.blocks[i]))
        prev = None
        for k, op_name in enumerate(op_names):
            deps = []
            props = {"layer": StringAttr(name), "cnt": blocks,
                     "bit": RangeAttr(0, bits) if op_name in _BIT_LEVEL else RangeAttr(0)}
            if k == 0:
                providers = cnet.providers[i]
                deps = [last_token[p] for p in providers]
                if providers:
                    rows = [parent_blocks(geometry[i], geometry[p], np.arange(int(state.blocks[i]))).tolist()
                            for p in providers]
                    props["parent_blocks"] = int_arrays_attr(rows)
            else:
                deps = [prev]
            op_class, params = _op_params(cnet, state, i, op_name, layer)
            props.update({key: int_attr(value) for key, value in params.items()})
            if op_name in endpoints.get(name, {}):
                src, dst = endpoints[name][op_name]
                props["src"], props["dst"] = ints_attr(src), ints_attr(dst)
            if op_class is AluOp:
                props["aluop"] = StringAttr(_ALU_OPS[op_name])
            new = op_class.create(operands=deps, result_types=[TokenType()], properties=props)
            ops.append(new)
            prev = new.results[0]
        last_token[i] = prev
    return ops


def _op_params(cnet, state, i: int, op_name: str, layer) -> tuple[type[DataflowOp], dict[str, int]]:
    """Table II parameters of one op: crossbars of an mvm, operand width of the others."""
    dup, channels = int(state.dup[i]), int(cnet.channels[i])
    col_crossbars = int(cnet.col_tiles[i]) * cnet.weight_slices
    outputs = max(1, dup * channels)
    if op_name == "LD":
        width = dup * int(cnet.in_len[i]) if cnet.in_len[i] else outputs * max(1, len(cnet.providers[i]))
        return LoadOp, {"vec_width": max(1, width)}
    if op_name == "ST":
        return StoreOp, {"vec_width": outputs}
    if op_name == "DAC":
        return MvmOp, {"xb_num": max(1, dup * int(cnet.set_size[i]))}
    if op_name == "ADC":
        return AdcOp, {"vec_width": max(1, dup * col_crossbars * cnet.xbar_size * int(cnet.row_tiles[i]))}
    if op_name == "TRAN":  # endpoints (src/dst) are written by `place`
        return TransferOp, {"bytes": max(1, int(layer.transfer_bytes) if layer else 1)}
    if op_name == "MRG":
        return MergeOp, {"macro_num": max(1, int(layer.shared_macros) if layer else 1), "vec_width": outputs,
                         "bytes": max(1, int(layer.merge_bytes) if layer else 1)}
    return AluOp, {"vec_width": outputs}
