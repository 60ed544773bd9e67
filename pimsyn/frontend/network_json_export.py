"""Write a :class:`Network` as PIMCOMP *wrapped* network JSON.

The layout is the one PIMCOMP-NN's backend reads unchanged (shared/docs/network-json-format.md,
"What PIMCOMP-NN's backend needs"): ``{"node_list": [...], "reshape_info": {}}``, node 0 the
OP_INPUT, topological order, ``index`` = ``new_node_index`` = position, provider / consumer
names with their ``*_index`` and ``*_num``, 4-D ``input_dim`` on CONV and POOL, every conv /
pool key filled (a missing stride reads as 0 there), activations fused (``with_act``,
``act_type``). FC nodes carry both PIMCOMP's ``num_input`` / ``num_output`` and PIMSYN's
``input_channel`` / ``output_channel``.

Explicit ``post_ops`` become separate OP_RELU / OP_SIGMOID / OP_TANH / OP_CLIP nodes chained
after their producer, and the producer's consumers read the last of them, so that
:func:`pimsyn.frontend.network_json.network_from_json` gives back the same post_ops:
``network_from_json(network_to_json(net), net.name) == net``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pimsyn.model.network import Network, Node

BITWIDTH = 16
_OPERATIONS = {
    "input": "OP_INPUT", "conv": "OP_CONV", "fc": "OP_FC", "pool": "OP_POOL",
    "eltwise": "OP_ELTWISE", "concat": "OP_CONCAT",
}
_POST_OP_OPERATIONS = {"relu": "OP_RELU", "sigmoid": "OP_SIGMOID", "tanh": "OP_TANH", "clip": "OP_CLIP"}
_ACT_TYPES = {"none": -1, "relu": 0, "tanh": 1, "sigmoid": 2, "clip": -1}
#: Tengine / PIMCOMP eltwise codes: 2 = sum, 4 = sub; 0 (ELT_PROD) for products, which
#: PIMCOMP itself writes as 2 (its frontend maps Mul to sum); we keep the distinction.
_ELETYPES = {"add": 2, "sub": 4, "mul": 0}
#: Bounds written on nodes without a clip (the values the PIMCOMP frontend writes).
_NO_CLIP_MIN, _NO_CLIP_MAX = -10000000, 10000000


def write_network_json(net: Network, path: str | Path) -> None:
    Path(path).write_text(json.dumps(network_to_json(net), indent=2) + "\n")


def network_to_json(net: Network) -> dict:
    entries = _expanded_entries(net)
    position = {entry["name"]: i for i, entry in enumerate(entries)}
    shapes = {entry["name"]: entry["output_dim"] for entry in entries}
    consumers: dict[str, list[str]] = {entry["name"]: [] for entry in entries}
    for entry in entries:
        for provider in entry["provider"]:
            consumers[provider].append(entry["name"])

    node_list = []
    for i, entry in enumerate(entries):
        providers = entry.pop("provider")
        record: dict = {
            "name": entry["name"],
            "operation": entry["operation"],
            "bitwidth": BITWIDTH,
            "index": i,
            "new_node_index": i,
            "output_dim": list(entry["output_dim"]),
            "output_dim_num": len(entry["output_dim"]),
            "provider_num": len(providers),
            "provider_index": [position[p] for p in providers],
            "consumer_num": len(consumers[entry["name"]]),
            "consumer_index": [position[c] for c in consumers[entry["name"]]],
        }
        if providers:
            record["provider"] = list(providers)
            input_dim = list(shapes[providers[0]])
            if entry["operation"] in ("OP_CONV", "OP_POOL") and len(input_dim) == 2:
                input_dim = input_dim + [1, 1]  # the backend wants 4-D inputs on windows
            record["input_dim"] = input_dim
            record["input_dim_num"] = len(input_dim)
        if consumers[entry["name"]]:
            record["consumer"] = list(consumers[entry["name"]])
        record.update(entry.get("extra", {}))
        if entry.get("param"):
            record["param"] = entry["param"]
        node_list.append(record)
    return {"node_list": node_list, "reshape_info": {}}


def _unique_name(base: str, taken: set[str]) -> str:
    name, suffix = base, 1
    while name in taken:
        suffix += 1
        name = f"{base}_{suffix}"
    taken.add(name)
    return name


def _expanded_entries(net: Network) -> list[dict]:
    """One entry per layer plus one per post-op, providers by name, in network order."""
    taken = {node.name for node in net.nodes}
    output_name: list[str] = []  # name the consumers of node i read (last post-op node)
    entries: list[dict] = []
    for node in net.nodes:
        providers = list(dict.fromkeys(output_name[j] for j in node.inputs))
        entries.append(dict(
            name=node.name, operation=_OPERATIONS[node.kind], output_dim=list(node.shape),
            provider=providers, param=_param(node), extra=_fusion_keys(node),
        ))
        last = node.name
        for op in node.post_ops:
            post_name = _unique_name(f"{node.name}/{op}", taken)
            entries.append(dict(
                # activations PIMCOMP has no code for: OP_<NAME>, read back by network_json
                name=post_name, operation=_POST_OP_OPERATIONS.get(op, f"OP_{op.upper()}"),
                output_dim=list(node.shape),
                provider=[last], param={}, extra={},
            ))
            last = post_name
        output_name.append(last)
    return entries


def _window_param(node: Node) -> dict:
    return {
        "kernel_h": node.kernel[0], "kernel_w": node.kernel[1],
        "stride_h": node.stride[0], "stride_w": node.stride[1],
        "pad_h0": node.pads[0], "pad_w0": node.pads[1], "pad_h1": node.pads[2], "pad_w1": node.pads[3],
        "dilation_h": node.dilation[0], "dilation_w": node.dilation[1],
    }


def _param(node: Node) -> dict:
    if node.kind == "conv":
        return {
            **_window_param(node), "group": node.groups, "input_channel": node.in_channels,
            "output_channel": node.out_channels, "with_bias": int(node.bias),
        }
    if node.kind == "pool":
        return {
            **_window_param(node), "pool_method": 1 if node.pool_method == "avg" else 0,
            "global": int(node.global_pool),
        }
    if node.kind == "fc":
        return {
            "num_input": node.in_channels, "num_output": node.out_channels,
            "input_channel": node.in_channels, "output_channel": node.out_channels,
            "with_bias": int(node.bias),
        }
    if node.kind == "eltwise":
        return {"eletype": _ELETYPES[node.eltwise_op or "add"]}
    if node.kind == "concat":
        return {"axis": node.concat_axis}
    return {}


def _fusion_keys(node: Node) -> dict:
    """Top-level with_* keys of CONV / FC nodes (fused BN, activation and clip)."""
    if node.kind not in ("conv", "fc"):
        return {}
    clip_min, clip_max = node.clip_range if node.clip_range is not None else (_NO_CLIP_MIN, _NO_CLIP_MAX)
    fused = node.activation not in ("none", "clip")
    return {
        "with_bn": int(node.batchnorm_folded),
        "with_act": int(fused),
        "act_type": _ACT_TYPES[node.activation],
        "with_clip": int(node.clip_range is not None),
        "clip_min": clip_min,
        "clip_max": clip_max,
    }
