"""Network JSON export: PIMCOMP wrapped form, and the round trip through our reader."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest

from pimsyn.frontend import load_model, load_network_json, network_from_json, network_to_json, write_network_json
from pimsyn.model.network import Network, Node

ROOT = Path(__file__).resolve().parents[2]
SHARED_NETWORKS = sorted((ROOT / "test" / "data" / "networks").glob("*.json"))
LIGHT_MODELS = sorted((Path(onnx.__file__).parent / "backend" / "test" / "data" / "light").glob("light_*.onnx"))
ALL_MODELS = SHARED_NETWORKS + LIGHT_MODELS
CONV_KEYS = {
    "kernel_h", "kernel_w", "stride_h", "stride_w", "pad_h0", "pad_h1", "pad_w0", "pad_w1",
    "dilation_h", "dilation_w", "group", "input_channel", "output_channel", "with_bias",
}
POOL_KEYS = CONV_KEYS - {"group", "input_channel", "output_channel", "with_bias"} | {"pool_method", "global"}


def test_model_lists_are_not_empty():
    assert len(SHARED_NETWORKS) == 5 and len(LIGHT_MODELS) == 9


@pytest.mark.parametrize("path", ALL_MODELS, ids=lambda p: p.stem)
def test_round_trip_is_identity(path):
    net = load_model(path)
    assert network_from_json(network_to_json(net), net.name) == net


@pytest.mark.parametrize("path", ALL_MODELS, ids=lambda p: p.stem)
def test_wrapped_form_is_consistent(path):
    net = load_model(path)
    data = network_to_json(net)
    assert set(data) == {"node_list", "reshape_info"}
    nodes = data["node_list"]
    json.dumps(data, allow_nan=False)  # strict JSON: readable by the C++ backend
    assert nodes[0]["operation"] == "OP_INPUT"
    position = {entry["name"]: i for i, entry in enumerate(nodes)}
    assert len(position) == len(nodes)  # unique names
    for i, entry in enumerate(nodes):
        assert entry["index"] == entry["new_node_index"] == i
        providers = entry.get("provider", [])
        consumers = entry.get("consumer", [])
        assert entry["provider_num"] == len(providers) and entry["consumer_num"] == len(consumers)
        assert entry["provider_index"] == [position[p] for p in providers]
        assert entry["consumer_index"] == [position[c] for c in consumers]
        assert all(position[p] < i for p in providers)  # topological order
        for consumer in consumers:  # edges listed on both ends
            assert entry["name"] in nodes[position[consumer]]["provider"]
        assert entry["output_dim_num"] == len(entry["output_dim"])
        op = entry["operation"]
        if op == "OP_INPUT":
            assert "input_dim" not in entry and not providers
        else:
            assert entry["input_dim"] == nodes[position[providers[0]]]["output_dim"] or op in ("OP_CONV", "OP_POOL")
        if op == "OP_CONV":
            assert CONV_KEYS <= set(entry["param"]) and len(entry["input_dim"]) == 4
            assert {"with_bn", "with_act", "act_type", "with_clip"} <= set(entry)
        if op == "OP_POOL":
            assert POOL_KEYS <= set(entry["param"]) and len(entry["input_dim"]) == 4
            assert all(entry["param"][k] >= 1 for k in ("stride_h", "stride_w"))
        if op == "OP_FC":
            param = entry["param"]
            assert param["num_input"] == param["input_channel"] and param["num_output"] == param["output_channel"]
            assert len(entry["output_dim"]) == 2


def test_post_ops_become_separate_activation_nodes():
    net = Network("n", (
        Node("x", "input", (), (1, 4, 5, 5)),
        Node("c", "conv", (0,), (1, 4, 5, 5), kernel=(3, 3), pads=(1, 1, 1, 1), in_channels=4, out_channels=4,
             activation="relu", post_ops=("sigmoid", "relu")),
        Node("e", "eltwise", (1, 0), (1, 4, 5, 5), eltwise_op="mul"),
        Node("c/sigmoid", "concat", (2, 1), (1, 8, 5, 5)),  # a name the exporter must not reuse
    ))
    nodes = network_to_json(net)["node_list"]
    assert [(e["name"], e["operation"]) for e in nodes] == [
        ("x", "OP_INPUT"), ("c", "OP_CONV"), ("c/sigmoid_2", "OP_SIGMOID"), ("c/relu", "OP_RELU"),
        ("e", "OP_ELTWISE"), ("c/sigmoid", "OP_CONCAT"),
    ]
    conv = nodes[1]
    assert (conv["with_act"], conv["act_type"], conv["consumer"]) == (1, 0, ["c/sigmoid_2"])
    # consumers of the conv read the last activation node
    assert nodes[4]["provider"] == ["c/relu", "x"] and nodes[5]["provider"] == ["e", "c/relu"]
    assert nodes[4]["param"] == {"eletype": 0}
    assert network_from_json(network_to_json(net), "n") == net


def test_clip_activation_round_trip():
    net = Network("n", (
        Node("x", "input", (), (1, 8)),
        Node("f", "fc", (0,), (1, 4), in_channels=8, out_channels=4, activation="clip", clip_range=(0.0, 6.0),
             batchnorm_folded=True),
    ))
    fc = network_to_json(net)["node_list"][1]
    assert (fc["with_clip"], fc["clip_min"], fc["clip_max"], fc["with_act"], fc["with_bn"]) == (1, 0.0, 6.0, 0, 1)
    assert network_from_json(network_to_json(net), "n") == net


def test_write_and_load_file(tmp_path):
    net = load_model(ROOT / "test" / "data" / "networks" / "resnet18.json")
    path = tmp_path / "resnet18.json"
    write_network_json(net, path)
    assert load_network_json(path) == net
    assert json.loads(path.read_text())["node_list"][0]["name"] == net.nodes[0].name


def test_fc_input_dim_is_the_flattened_provider_shape():
    net = load_model(ROOT / "test" / "data" / "networks" / "alexnet.json")
    nodes = network_to_json(net)["node_list"]
    first_fc = next(e for e in nodes if e["operation"] == "OP_FC")
    assert first_fc["param"]["num_input"] == 9216
    assert first_fc["input_dim"] == [1, 256, 6, 6]  # the pool it reads (Flatten dissolved)


# ---------------------------------------------------------------------------------------
# property: any network whose fields the JSON can express survives the round trip
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_post_ops = st.lists(st.sampled_from(["relu", "sigmoid", "tanh", "clip"]), max_size=3).map(tuple)


@st.composite
def random_networks(draw) -> Network:
    channels = draw(st.integers(1, 16))
    size = draw(st.integers(4, 12))
    nodes = [Node("in", "input", (), (1, channels, size, size), post_ops=draw(_post_ops))]
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["conv", "pool", "eltwise", "concat"]))
        name = draw(st.sampled_from([f"n{i}", f"/block{i}/Conv_output_0", f"n{i}/relu"]))
        if any(n.name == name for n in nodes):
            name = f"{name}#{i}"
        same = [j for j, n in enumerate(nodes) if n.shape == (1, channels, size, size)]
        source = draw(st.sampled_from(same))
        shape = (1, channels, size, size)
        post = draw(_post_ops)
        if kind == "conv":
            activation = draw(st.sampled_from(["none", "relu", "tanh", "sigmoid", "clip"]))
            clip = (0.0, draw(st.floats(1, 10))) if activation == "clip" else None
            nodes.append(Node(
                name, "conv", (source,), shape, kernel=(3, 3), pads=(1, 1, 1, 1), groups=draw(st.sampled_from([1, channels])),
                in_channels=channels, out_channels=channels, bias=draw(st.booleans()), activation=activation,
                clip_range=clip, batchnorm_folded=draw(st.booleans()), post_ops=post,
            ))
        elif kind == "pool":
            nodes.append(Node(
                name, "pool", (source,), shape, kernel=(3, 3), pads=(1, 1, 1, 1),
                pool_method=draw(st.sampled_from(["max", "avg"])), post_ops=post,
            ))
        elif kind == "eltwise":
            other = draw(st.sampled_from(same))
            operands = tuple(dict.fromkeys((source, other)))
            nodes.append(Node(name, "eltwise", operands, shape, eltwise_op=draw(st.sampled_from(["add", "sub", "mul"])),
                              post_ops=post))
        else:
            nodes.append(Node(name, "concat", (source,), shape, post_ops=post))
    fc_in = channels * size * size
    nodes.append(Node("fc", "fc", (len(nodes) - 1,), (1, 10), in_channels=fc_in, out_channels=10,
                      activation=draw(st.sampled_from(["none", "relu"])), post_ops=draw(_post_ops)))
    return Network("random", tuple(nodes))


@settings(max_examples=60, deadline=None)
@given(random_networks())
def test_round_trip_of_random_networks(net):
    assert network_from_json(network_to_json(net), net.name) == net
