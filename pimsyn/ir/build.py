"""Network -> layer-level ``pim`` IR.

One ``pim.<kind>`` op per :class:`Node`, in network order; node inputs become operands
(the producers' results), the node shape becomes the result type. The module is named
after the network (``builtin.module @alexnet``). :func:`pimsyn.ir.extract.module_to_network`
is the exact inverse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Attribute, SSAValue

from pimsyn.ir import syntax
from pimsyn.ir.errors import IRBuildError
from pimsyn.ir.layer_ops import LAYER_OP_BY_KIND, LayerOp
from pimsyn.ir.types import feature_map_type
from pimsyn.model.network import Network, Node

#: Node fields each layer op kind carries, as (Node attribute, op property) pairs. Every
#: kind also carries name, inputs, shape, post_ops, clip_range and batchnorm_folded.
_GEOMETRY = (("kernel", "kernel"), ("stride", "stride"), ("pads", "pads"))
_WEIGHTS = (("in_channels", "in_channels"), ("out_channels", "out_channels"), ("bias", "bias"))
KIND_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "input": (),
    "conv": (*_GEOMETRY, ("dilation", "dilation"), ("groups", "groups"), *_WEIGHTS, ("activation", "activation")),
    "fc": (*_WEIGHTS, ("activation", "activation")),
    "pool": (("pool_method", "method"), ("global_pool", "global"), *_GEOMETRY),
    "eltwise": (("eltwise_op", "op"),),
    "concat": (("concat_axis", "axis"),),
}
COMMON_FIELDS = (("post_ops", "post_ops"), ("clip_range", "clip_range"), ("batchnorm_folded", "batchnorm_folded"))
_ALWAYS = {"name", "kind", "inputs", "shape"}

_DEFAULT_NODE = Node(name="_", kind="input", inputs=(), shape=(1, 1))
_INVALID_NAME_CHARS = re.compile(r"[^\w$.-]")


def value_name(layer_name: str) -> str:
    """A valid SSA name hint for a layer name (``fire2/squeeze`` -> ``fire2_squeeze``)."""
    hint = _INVALID_NAME_CHARS.sub("_", layer_name) or "v"
    return hint if not hint[0].isdigit() else f"l{hint}"


def _property_value(node_attr: str, value: object) -> object:
    """Node field -> Python value of the op property (None / False = absent)."""
    if node_attr == "activation":
        return None if value == "none" else value
    if node_attr == "post_ops":
        return tuple(value) or None  # type: ignore[arg-type]
    return value


def node_properties(node: Node) -> dict[str, Attribute]:
    """Properties of the op for ``node``; refuses fields the op kind cannot hold."""
    if node.kind not in KIND_FIELDS:
        raise IRBuildError(f"node '{node.name}': unknown kind '{node.kind}'")
    fields = KIND_FIELDS[node.kind] + COMMON_FIELDS
    carried = {attr for attr, _ in fields} | _ALWAYS
    for attr in Node.__dataclass_fields__:
        if attr not in carried and getattr(node, attr) != getattr(_DEFAULT_NODE, attr):
            raise IRBuildError(
                f"node '{node.name}': a {node.kind} layer cannot carry {attr}={getattr(node, attr)!r} in pim IR"
            )
    op_cls = LAYER_OP_BY_KIND[node.kind]
    kinds = {f.key: f.kind for f in op_cls.FIELDS}
    props: dict[str, Attribute] = {"name": StringAttr(node.name)}
    for attr, key in fields:
        value = _property_value(attr, getattr(node, attr))
        if value is None or value is False:
            continue
        props[key] = syntax.to_attr(kinds[key], value)
    return syntax.in_field_order(props, "name", op_cls.FIELDS)


def node_to_op(node: Node, operands: list[SSAValue]) -> LayerOp:
    op_cls = LAYER_OP_BY_KIND[node.kind]
    op = op_cls.create(
        operands=operands, result_types=[feature_map_type(node.shape)], properties=node_properties(node)
    )
    op.results[0].name_hint = value_name(node.name)
    return op


def network_to_module(net: Network, attributes: Mapping[str, Attribute] | None = None) -> ModuleOp:
    """Layer-level module of ``net`` (optionally with module attributes, e.g. ``pim.hw``)."""
    values: list[SSAValue] = []
    ops: list[LayerOp] = []
    for node in net.nodes:
        operands = [values[i] for i in node.inputs]
        if node.kind == "eltwise" and len(operands) == 1:
            # x + x: a network names each provider once (the network JSON's provider list),
            # the eltwise op takes its two operands (extract.py folds them back)
            operands = operands * 2
        op = node_to_op(node, operands)
        ops.append(op)
        values.append(op.results[0])
    return ModuleOp(ops, attributes=dict(attributes or {}), sym_name=StringAttr(net.name))
