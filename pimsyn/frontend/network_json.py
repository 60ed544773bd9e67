"""Read the PIMCOMP / PIMSYN network JSON (all three variants) into a :class:`Network`.

The variants (shared/docs/network-json-format.md): PIMCOMP wrapped
``{"node_list": [...]}``, PIMSYN bare list, Tengine-style bare list. Edges are taken from
the ``consumer`` lists, as the reference tool does (spec 1.1); nodes that are not layers
are dissolved: activation nodes become ``post_ops`` of the layer they follow (the
reference appends RELU/SIGMOID to that layer's op list), pass-through nodes (Flatten,
Reshape, Dropout, LRN, Softmax, ...) disappear and their consumers read the producer.

Every value is checked on load (:mod:`pimsyn.frontend.validate`): the graph (unique names,
resolved references, a DAG in topological order), each field's type and range, and the
shapes propagated through the network; a problem is one :class:`NetworkError` naming the
node and the field.
"""

from __future__ import annotations

import json
from pathlib import Path

from pimsyn.frontend.validate import (
    check_json_graph, check_network, escaped, json_choice, json_dims, json_flag, json_int, json_number,
)
from pimsyn.model.network import POST_OPS, Network, NetworkError, Node

_LAYER_OPS = {
    "OP_INPUT": "input",
    "OP_CONV": "conv",
    "OP_FC": "fc",
    "OP_POOL": "pool",
    "OP_ELTWISE": "eltwise",
    "OP_CONCAT": "concat",
}
_ACTIVATION_OPS = {"OP_RELU": "relu", "OP_SIGMOID": "sigmoid", "OP_TANH": "tanh", "OP_CLIP": "clip"}
# The activations PIMCOMP's format has no code for, as pimsyn writes them (OP_<NAME>, see
# network_json_export), so that a network.json written by `pimsyn synth` reads back.
_ACTIVATION_OPS.update({f"OP_{op.upper()}": op for op in POST_OPS if f"OP_{op.upper()}" not in _ACTIVATION_OPS})
_PASS_THROUGH_OPS = {
    "OP_FLATTEN", "OP_RESHAPE", "OP_DROPOUT", "OP_LRN", "OP_SOFTMAX", "OP_BN", "OP_TRANSPOSE",
    "OP_SQUEEZE", "OP_UNSQUEEZE", "OP_MATMUL", "OP_SHUFFLE", "OP_PAD", "OP_SHAPE", "OP_GATHER",
    "OP_IDENTITY",
}
_ACT_TYPES = {-1: "none", 0: "relu", 1: "tanh", 2: "sigmoid"}
# Tengine eltwise codes: 0 ELT_PROD, 2 ELT_SUM, 4 ELT_SUB (PIMCOMP writes Mul as 2 too)
_ELTWISE_TYPES = {0: "mul", 2: "add", 4: "sub"}
_POOL_METHODS = {0: "max", 1: "avg"}


def load_network_json(path: str | Path) -> Network:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise NetworkError(f"{path}: cannot read network JSON ({err.strerror})") from None
    except UnicodeDecodeError as err:
        raise NetworkError(f"{path}: not valid JSON (not UTF-8 text at byte {err.start})") from None
    try:
        data = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise NetworkError(f"{path}: not valid JSON (line {err.lineno}: {err.msg})") from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise NetworkError(f"{path}: not valid JSON ({str(err).splitlines()[0][:120]})") from None
    except RecursionError:
        raise NetworkError(f"{path}: not valid JSON (nested too deeply)") from None
    name = path.stem
    try:
        return network_from_json(data, name)
    except NetworkError as err:
        raise NetworkError(f"{path}: {err}") from None


class _HugeInt(int):
    """An integer literal of more digits than Python converts (kept for the field check)."""

    digits: int


def _parse_int(text: str) -> int:
    # Python refuses int() of more than 4300 digits (a ValueError that names no field):
    # keep such a literal as a huge int, so that the field check names node and field
    digits = len(text.lstrip("-"))
    if digits <= 1000:
        return int(text)
    value = _HugeInt(10**1000 * (-1 if text.startswith("-") else 1))
    value.digits = digits
    return value


def _node_list(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("node_list"), list):
        return data["node_list"]
    if isinstance(data, list):
        return data
    raise NetworkError("expected a list of nodes or an object with 'node_list'")


def network_from_json(data, name: str = "network") -> Network:
    raw = _node_list(data)
    # names unique, references resolved, both edge lists agree, a DAG in file order; the
    # producers come from the consumer lists (the reference ignores 'provider' for edges),
    # each consumer's operands in the order of its own 'provider' list
    producers = check_json_graph(raw)

    nodes: list[Node] = []
    index: dict[str, int] = {}  # kept node name -> index
    alias: dict[str, str] = {}  # dissolved node name -> kept node it reads
    post_ops: dict[str, list[str]] = {}

    def resolve(n: str) -> str:
        while n in alias:
            n = alias[n]
        return n

    for entry in raw:
        nname = entry["name"]
        op = entry["operation"]
        provs = list(dict.fromkeys(resolve(p) for p in producers[nname]))
        if op in _ACTIVATION_OPS or op in _PASS_THROUGH_OPS:
            if not provs:
                raise NetworkError(f"node '{nname}': {op} has no provider")
            if len(provs) > 1:
                names = ", ".join(f"'{p}'" for p in producers[nname])
                raise NetworkError(f"node '{nname}': {op} reads one provider, got {len(provs)} ({names})")
            alias[nname] = provs[0]
            if op in _ACTIVATION_OPS:
                post_ops.setdefault(provs[0], []).append(_ACTIVATION_OPS[op])
            continue
        if op not in _LAYER_OPS:
            raise NetworkError(f"node '{nname}': unsupported operation {escaped(op)}")
        kind = _LAYER_OPS[op]
        if len(provs) < len(producers[nname]):
            # e.g. an add of x and relu(x): with the ReLU node dissolved (spec 1.1) both
            # operands are the same layer, which the pim IR cannot express
            names = ", ".join(f"'{p}'" for p in producers[nname])
            raise NetworkError(
                f"node '{nname}': field 'provider' ({names}) reads one layer twice once activation and "
                f"pass-through nodes are dissolved"
            )
        if kind == "input" and provs:
            raise NetworkError(f"node '{nname}': an OP_INPUT has no provider, got '{provs[0]}'")
        if kind != "input" and not provs:
            raise NetworkError(f"node '{nname}': {op} has no provider (no node lists it as a consumer)")
        nodes.append(_make_node(entry, kind, tuple(index[p] for p in provs)))
        index[nname] = len(nodes) - 1

    final = [
        node if node.name not in post_ops else _with_post_ops(node, post_ops[node.name])
        for node in nodes
    ]
    net = Network(name, tuple(final))
    check_network(net)
    return net


def _with_post_ops(node: Node, ops: list[str]) -> Node:
    from dataclasses import replace

    return replace(node, post_ops=node.post_ops + tuple(ops))


def _make_node(entry: dict, kind: str, inputs: tuple[int, ...]) -> Node:
    name = entry["name"]
    shape = json_dims(name, entry)
    param = entry.get("param", {})
    if param is None:
        param = {}
    if not isinstance(param, dict):
        raise NetworkError(f"node '{name}': field 'param' must be an object, got {type(param).__name__}")
    common = dict(name=name, kind=kind, inputs=inputs)
    if kind == "fc":
        c_in = _either(name, param, ("input_channel", "num_input"), None)
        c_out = _either(name, param, ("output_channel", "num_output"), shape[1])
        if c_out != shape[1]:
            key = "output_channel" if "output_channel" in param else "num_output"
            raise NetworkError(
                f"node '{name}': param '{key}' is {c_out} but field 'output_dim' has {shape[1]} channels"
            )
        # Tengine style writes an FC output as [1, C, 1, 1]
        if len(shape) == 4 and shape[2:] != (1, 1):
            raise NetworkError(f"node '{name}': field 'output_dim' of an FC must be [N, C] or [N, C, 1, 1]")
        return Node(
            **common, shape=(shape[0], shape[1]), in_channels=c_in, out_channels=c_out,
            bias=json_flag(name, param, "with_bias"), **_activation(entry),
        )
    if len(shape) != 4 and kind in ("conv", "pool"):
        raise NetworkError(f"node '{name}': field 'output_dim' of a {kind} must have 4 entries")
    if kind in ("conv", "pool"):

        def size(key: str, low: int, default: int | None) -> int:
            return json_int(name, param, key, low=low, default=default)

        geom = dict(
            kernel=(size("kernel_h", 1, None), size("kernel_w", 1, None)),
            stride=(size("stride_h", 1, 1), size("stride_w", 1, 1)),
            pads=(size("pad_h0", 0, 0), size("pad_w0", 0, 0), size("pad_h1", 0, 0), size("pad_w1", 0, 0)),
            dilation=(size("dilation_h", 1, 1), size("dilation_w", 1, 1)),
        )
        if kind == "conv":
            return Node(
                **common, shape=shape, **geom,
                groups=size("group", 1, 1),
                in_channels=size("input_channel", 1, None),
                out_channels=size("output_channel", 1, shape[1]),
                bias=json_flag(name, param, "with_bias"), **_activation(entry),
            )
        return Node(
            **common, shape=shape, **geom,
            pool_method=json_choice(name, param, "pool_method", _POOL_METHODS, 0),
            global_pool=json_flag(name, param, "global"),
        )
    if kind == "eltwise":
        return Node(**common, shape=shape, eltwise_op=json_choice(name, param, "eletype", _ELTWISE_TYPES, 2))
    if kind == "concat":
        return Node(**common, shape=shape, concat_axis=json_int(name, param, "axis", low=0, high=3, default=1))
    return Node(**common, shape=shape)


def _either(name: str, param: dict, keys: tuple[str, str], default: int | None) -> int:
    """An FC size under PIMSYN's or PIMCOMP's key; both spellings must agree."""
    values = [json_int(name, param, key, low=1, default=0) for key in keys if key in param]
    if not values:
        if default is None:
            raise NetworkError(f"node '{name}': param '{keys[0]}' (or '{keys[1]}') is missing")
        return default
    if len(values) == 2 and values[0] != values[1]:
        raise NetworkError(
            f"node '{name}': param '{keys[0]}' {values[0]} and '{keys[1]}' {values[1]} disagree"
        )
    return values[0]


def _activation(entry: dict) -> dict:
    name = entry["name"]
    act = "none"
    act_type = json_choice(name, entry, "act_type", _ACT_TYPES, -1, param=False)
    if json_flag(name, entry, "with_act", param=False):
        act = act_type
    out: dict = {"activation": act, "batchnorm_folded": json_flag(name, entry, "with_bn", param=False)}
    if json_flag(name, entry, "with_clip", param=False):
        low = json_number(name, entry, "clip_min", 0.0)
        high = json_number(name, entry, "clip_max", 6.0)
        if low > high:
            raise NetworkError(f"node '{name}': field 'clip_min' {low} is above 'clip_max' {high}")
        out["activation"] = "clip" if act == "none" else act
        out["clip_range"] = (low, high)
    return out
