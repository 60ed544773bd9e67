"""Layer-level ``pim`` IR -> Network (the inverse of :mod:`pimsyn.ir.build`)."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from pimsyn.ir.build import COMMON_FIELDS, KIND_FIELDS
from pimsyn.ir.errors import IRBuildError
from pimsyn.ir.layer_ops import LayerOp
from pimsyn.model.network import Network, NetworkError, Node

_FLAGS = {"bias", "global_pool", "batchnorm_folded"}


def op_to_node(op: LayerOp, inputs: tuple[int, ...]) -> Node:
    """The :class:`Node` an op describes (fields of other kinds keep their defaults)."""
    fields: dict[str, object] = {}
    for attr, key in KIND_FIELDS[op.kind] + COMMON_FIELDS:
        value = op.field(key)
        if attr in _FLAGS:
            fields[attr] = bool(value)
        elif value is not None:
            fields[attr] = value
    return Node(name=op.layer, kind=op.kind, inputs=inputs, shape=op.out_shape, **fields)  # type: ignore[arg-type]


def module_to_network(module: ModuleOp, name: str | None = None) -> Network:
    """Network of the module's layer ops (dataflow ops and design attributes are ignored)."""
    index_of: dict[int, int] = {}  # id(result value) -> node index
    nodes: list[Node] = []
    for op in module.ops:
        if not isinstance(op, LayerOp):
            continue
        inputs = []
        for operand in op.inputs:
            if id(operand) not in index_of:
                raise IRBuildError(f"layer '{op.layer}': an operand is not the result of an earlier layer op")
            inputs.append(index_of[id(operand)])
        if op.kind == "eltwise" and len(set(inputs)) == 1:
            inputs = inputs[:1]  # x + x: the network names its provider once (build.py)
        nodes.append(op_to_node(op, tuple(inputs)))
        index_of[id(op.results[0])] = len(nodes) - 1
    net_name = name or (module.sym_name.data if module.sym_name is not None else "network")
    try:
        return Network(net_name, tuple(nodes))
    except NetworkError as err:
        raise IRBuildError(str(err)) from None
