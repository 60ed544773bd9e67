"""Read the PIMCOMP / PIMSYN network JSON (all three variants) into a :class:`Network`.

The variants (shared/docs/network-json-format.md): PIMCOMP wrapped
``{"node_list": [...]}``, PIMSYN bare list, Tengine-style bare list. Edges are taken from
the ``consumer`` lists, as the reference tool does (spec 1.1); nodes that are not layers
are dissolved: activation nodes become ``post_ops`` of the layer they follow (the
reference appends RELU/SIGMOID to that layer's op list), pass-through nodes (Flatten,
Reshape, Dropout, LRN, Softmax, ...) disappear and their consumers read the producer.
"""

from __future__ import annotations

import json
from pathlib import Path

from pimsyn.model.network import Network, NetworkError, Node

_LAYER_OPS = {
    "OP_INPUT": "input",
    "OP_CONV": "conv",
    "OP_FC": "fc",
    "OP_POOL": "pool",
    "OP_ELTWISE": "eltwise",
    "OP_CONCAT": "concat",
}
_ACTIVATION_OPS = {"OP_RELU": "relu", "OP_SIGMOID": "sigmoid", "OP_TANH": "tanh", "OP_CLIP": "clip"}
_PASS_THROUGH_OPS = {
    "OP_FLATTEN", "OP_RESHAPE", "OP_DROPOUT", "OP_LRN", "OP_SOFTMAX", "OP_BN", "OP_TRANSPOSE",
    "OP_SQUEEZE", "OP_UNSQUEEZE", "OP_MATMUL", "OP_SHUFFLE", "OP_PAD", "OP_SHAPE", "OP_GATHER",
    "OP_IDENTITY",
}
_ACT_TYPES = {-1: "none", 0: "relu", 1: "tanh", 2: "sigmoid"}
# Tengine eltwise codes: 0 ELT_PROD, 2 ELT_SUM, 4 ELT_SUB (PIMCOMP writes Mul as 2 too)
_ELTWISE_TYPES = {0: "mul", 2: "add", 4: "sub"}


def load_network_json(path: str | Path) -> Network:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise NetworkError(f"{path}: cannot read network JSON ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise NetworkError(f"{path}: not valid JSON (line {err.lineno}: {err.msg})") from None
    name = path.stem
    try:
        return network_from_json(data, name)
    except NetworkError as err:
        raise NetworkError(f"{path}: {err}") from None


def _node_list(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("node_list"), list):
        return data["node_list"]
    if isinstance(data, list):
        return data
    raise NetworkError("expected a list of nodes or an object with 'node_list'")


def _int(param: dict, key: str, default: int, node: str) -> int:
    value = param.get(key, default)
    if not isinstance(value, (int, float)) or int(value) != value:
        raise NetworkError(f"node '{node}': param '{key}' must be an integer, got {value!r}")
    return int(value)


def network_from_json(data, name: str = "network") -> Network:
    raw = _node_list(data)
    by_name: dict[str, dict] = {}
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or "name" not in entry or "operation" not in entry:
            raise NetworkError(f"node #{i}: needs 'name' and 'operation'")
        by_name[str(entry["name"])] = entry
    # producers from the consumer lists (the reference ignores 'provider' for edges); keep
    # each consumer's operands in the order of its own 'provider' list where it gives one.
    producers: dict[str, list[str]] = {n: [] for n in by_name}
    for entry in raw:
        for cons in entry.get("consumer", []) or []:
            cons = str(cons)
            if cons not in by_name:
                raise NetworkError(f"node '{entry['name']}': consumer '{cons}' does not exist")
            if str(entry["name"]) not in producers[cons]:
                producers[cons].append(str(entry["name"]))
    for n, provs in producers.items():
        order = [str(p) for p in by_name[n].get("provider", []) or []]
        provs.sort(key=lambda p: order.index(p) if p in order else len(order))

    nodes: list[Node] = []
    index: dict[str, int] = {}  # kept node name -> index
    alias: dict[str, str] = {}  # dissolved node name -> kept node it reads
    post_ops: dict[str, list[str]] = {}

    def resolve(n: str) -> str:
        while n in alias:
            n = alias[n]
        return n

    for entry in raw:
        nname = str(entry["name"])
        op = str(entry["operation"])
        provs = [resolve(p) for p in producers[nname]]
        if op in _ACTIVATION_OPS or op in _PASS_THROUGH_OPS:
            if not provs:
                raise NetworkError(f"node '{nname}': {op} has no producer")
            alias[nname] = provs[0]
            if op in _ACTIVATION_OPS:
                post_ops.setdefault(provs[0], []).append(_ACTIVATION_OPS[op])
            continue
        if op not in _LAYER_OPS:
            raise NetworkError(f"node '{nname}': unsupported operation {op}")
        kind = _LAYER_OPS[op]
        nodes.append(_make_node(entry, kind, tuple(dict.fromkeys(index[p] for p in provs))))
        index[nname] = len(nodes) - 1

    final = [
        node if node.name not in post_ops else _with_post_ops(node, post_ops[node.name])
        for node in nodes
    ]
    return Network(name, tuple(final))


def _with_post_ops(node: Node, ops: list[str]) -> Node:
    from dataclasses import replace

    return replace(node, post_ops=node.post_ops + tuple(ops))


def _make_node(entry: dict, kind: str, inputs: tuple[int, ...]) -> Node:
    name = str(entry["name"])
    dims = entry.get("output_dim")
    if not isinstance(dims, list) or len(dims) not in (2, 4) or not all(isinstance(d, int) for d in dims):
        raise NetworkError(f"node '{name}': output_dim must be a list of 2 or 4 integers")
    param = entry.get("param", {}) or {}
    shape = tuple(int(d) for d in dims)
    common = dict(name=name, kind=kind, inputs=inputs)
    if kind == "fc":
        c_in = param.get("input_channel", param.get("num_input"))
        c_out = param.get("output_channel", param.get("num_output", shape[1]))
        if c_in is None:
            raise NetworkError(f"node '{name}': FC needs param input_channel or num_input")
        return Node(
            **common, shape=(shape[0], shape[1]), in_channels=int(c_in), out_channels=int(c_out),
            bias=bool(param.get("with_bias", 0)), **_activation(entry),
        )
    if len(shape) != 4 and kind in ("conv", "pool"):
        raise NetworkError(f"node '{name}': {kind} output_dim must have 4 entries")
    if kind in ("conv", "pool"):
        geom = dict(
            kernel=(_int(param, "kernel_h", 1, name), _int(param, "kernel_w", 1, name)),
            stride=(_int(param, "stride_h", 1, name), _int(param, "stride_w", 1, name)),
            pads=(
                _int(param, "pad_h0", 0, name), _int(param, "pad_w0", 0, name),
                _int(param, "pad_h1", 0, name), _int(param, "pad_w1", 0, name),
            ),
        )
        if kind == "conv":
            if "input_channel" not in param:
                raise NetworkError(f"node '{name}': conv needs param input_channel")
            return Node(
                **common, shape=shape, **geom,
                dilation=(_int(param, "dilation_h", 1, name), _int(param, "dilation_w", 1, name)),
                groups=_int(param, "group", 1, name),
                in_channels=_int(param, "input_channel", 0, name),
                out_channels=_int(param, "output_channel", shape[1], name),
                bias=bool(param.get("with_bias", 0)), **_activation(entry),
            )
        return Node(
            **common, shape=shape, **geom,
            dilation=(_int(param, "dilation_h", 1, name), _int(param, "dilation_w", 1, name)),
            pool_method="avg" if param.get("pool_method", 0) == 1 else "max",
            global_pool=bool(param.get("global", 0)),
        )
    if kind == "eltwise":
        etype = param.get("eletype", 2)
        return Node(**common, shape=shape, eltwise_op=_ELTWISE_TYPES.get(etype, "add"))
    if kind == "concat":
        return Node(**common, shape=shape, concat_axis=int(param.get("axis", 1)))
    return Node(**common, shape=shape)


def _activation(entry: dict) -> dict:
    act = "none"
    if entry.get("with_act", 0):
        act = _ACT_TYPES.get(int(entry.get("act_type", -1)), "none")
    out: dict = {"activation": act, "batchnorm_folded": bool(entry.get("with_bn", 0))}
    if entry.get("with_clip", 0):
        out["activation"] = "clip" if act == "none" else act
        out["clip_range"] = (float(entry.get("clip_min", 0.0)), float(entry.get("clip_max", 6.0)))
    return out
