"""ONNX import: the real Model Zoo graphs shipped with onnx, and hand-built graphs whose
expected Network is written down by hand (or as hand-written network JSON)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from pimsyn.frontend import load_model, load_onnx, network_from_json, network_from_onnx_model
from pimsyn.model.network import Node

LIGHT_DIR = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
LIGHT_MODELS = sorted(p.stem.removeprefix("light_") for p in LIGHT_DIR.glob("light_*.onnx"))


def light(name: str) -> Path:
    return LIGHT_DIR / f"light_{name}.onnx"


# ---------------------------------------------------------------------------------------
# helpers to build small ONNX graphs
def weight(name: str, *dims: int) -> TensorProto:
    return numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)


def model_of(nodes, inputs, outputs, initializers=(), opset: int = 13) -> onnx.ModelProto:
    graph = helper.make_graph(list(nodes), "g", list(inputs), list(outputs), list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def tensor(name: str, *dims) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def import_graph(nodes, inputs, outputs, initializers=(), opset: int = 13):
    return network_from_onnx_model(model_of(nodes, inputs, outputs, initializers, opset), "t")


def window_output(in_size: int, kernel: int, stride: int, pad_begin: int, pad_end: int, dilation: int) -> int:
    return (in_size + pad_begin + pad_end - ((kernel - 1) * dilation + 1)) // stride + 1


# ---------------------------------------------------------------------------------------
# Model Zoo graphs
@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_every_light_model_imports_with_consistent_geometry(name):
    net = load_onnx(light(name))
    assert net.name == f"light_{name}"
    assert net.nodes[0].kind == "input" and net.nodes[0].shape == (1, 3, 224, 224)
    for node in net.nodes:
        if node.kind not in ("conv", "pool"):
            continue
        producer = net.nodes[node.inputs[0]]
        assert node.shape[0] == 1 and len(node.shape) == 4
        # every window obeys the network JSON size rule (doc: floor((in + p0 + p1 - k) / s) + 1)
        for axis in range(2):
            assert node.shape[2 + axis] == window_output(
                producer.shape[2 + axis], node.kernel[axis], node.stride[axis],
                node.pads[axis], node.pads[2 + axis], node.dilation[axis],
            ), node.name
        if node.kind == "conv":
            assert node.in_channels == producer.shape[1]
            assert node.out_channels == node.shape[1]
    for node in net.nodes:
        if node.kind == "fc":
            assert node.in_channels == int(np.prod(net.nodes[node.inputs[0]].shape[1:]))
            assert len(node.shape) == 2


# (conv, fc, pool, eltwise, concat) counted by hand from each graph's operator list
LIGHT_COUNTS = {
    "bvlc_alexnet": (5, 3, 3, 0, 0),
    "zfnet512": (5, 3, 3, 0, 0),
    "vgg19": (16, 3, 5, 0, 0),
    "resnet50": (53, 1, 2, 16, 0),  # 16 residual Sums; max pool + final average pool
    "squeezenet": (26, 0, 4, 0, 8),  # 3 max pools + 1 global average pool; no Gemm
    "inception_v1": (57, 1, 14, 0, 9),  # 13 max pools + 1 average pool
    "inception_v2": (69, 1, 13, 0, 10),
    # densenet121: 120 feature convs + the classifier, which this graph writes as a 1x1
    # Conv ('fc6_1') on the 1x1 global-pooled map, not as a Gemm: 121 conv, 0 fc
    "densenet121": (121, 0, 5, 0, 58),
    "shufflenet": (49, 1, 5, 13, 3),
}


@pytest.mark.parametrize("name", sorted(LIGHT_COUNTS))
def test_light_model_layer_counts(name):
    net = load_onnx(light(name))
    counts = tuple(net.count(kind) for kind in ("conv", "fc", "pool", "eltwise", "concat"))
    assert counts == LIGHT_COUNTS[name]


def test_light_models_are_all_covered():
    assert set(LIGHT_MODELS) == set(LIGHT_COUNTS)


def test_resnet50_details():
    net = load_onnx(light("resnet50"))
    adds = [n for n in net.nodes if n.kind == "eltwise"]
    # every residual Sum adds two branches and is followed by a ReLU that cannot be fused
    assert all(n.eltwise_op == "add" and len(n.inputs) == 2 and n.post_ops == ("relu",) for n in adds)
    convs = [n for n in net.nodes if n.kind == "conv"]
    assert all(n.batchnorm_folded for n in convs)  # every Conv is followed by a BN
    # 49 ReLUs: 16 after Sums (post-ops), 33 fused into the conv in front of them
    assert sum(n.activation == "relu" for n in convs) == 33
    first = convs[0]
    assert (first.kernel, first.stride, first.pads, first.shape) == ((7, 7), (2, 2), (3, 3, 3, 3), (1, 64, 112, 112))
    fc = net.nodes[-1]
    assert (fc.kind, fc.in_channels, fc.out_channels, fc.shape, fc.bias) == ("fc", 2048, 1000, (1, 1000), True)
    pool = net.nodes[-2]
    assert (pool.pool_method, pool.kernel, pool.shape) == ("avg", (7, 7), (1, 2048, 1, 1))


def test_alexnet_details():
    net = load_onnx(light("bvlc_alexnet"))
    convs = [n for n in net.nodes if n.kind == "conv"]
    assert [n.groups for n in convs] == [1, 2, 1, 2, 2]
    assert [n.in_channels for n in convs] == [3, 96, 256, 384, 384]  # full channels, not / group
    fcs = [n for n in net.nodes if n.kind == "fc"]
    assert [(n.in_channels, n.out_channels) for n in fcs] == [(9216, 4096), (4096, 4096), (4096, 1000)]
    # ReLUs after conv1..5, fc6, fc7 are fused; fc8 feeds the Softmax (dissolved)
    assert [n.activation for n in convs + fcs] == ["relu"] * 7 + ["none"]
    assert all(n.pool_method == "max" for n in net.nodes if n.kind == "pool")
    # the last pool has pads (0, 0, 1, 1) in the graph: 13 -> 6 with k3 s2 and end padding
    last_pool = [n for n in net.nodes if n.kind == "pool"][-1]
    assert last_pool.pads == (0, 0, 1, 1) and last_pool.shape == (1, 256, 6, 6)


def test_squeezenet_and_densenet_details():
    squeeze = load_onnx(light("squeezenet"))
    gpool = [n for n in squeeze.nodes if n.global_pool]
    assert len(gpool) == 1 and gpool[0].kernel == (13, 13) and gpool[0].stride == (1, 1)
    assert all(len(n.inputs) == 2 for n in squeeze.nodes if n.kind == "concat")
    dense = load_onnx(light("densenet121"))
    classifier = dense.nodes[-1]
    assert (classifier.name, classifier.kind, classifier.in_channels, classifier.shape) == (
        "fc6_1", "conv", 1024, (1, 1000, 1, 1),
    )
    # pre-activation BN-ReLU after each concat cannot be fused (concat is no conv): a post-op
    assert all(n.post_ops == ("relu",) for n in dense.nodes if n.kind == "concat")
    assert dense.nodes[-2].global_pool and dense.nodes[-2].post_ops == ()


def test_shufflenet_channel_shuffle_is_dissolved():
    net = load_onnx(light("shufflenet"))
    convs = [n for n in net.nodes if n.kind == "conv"]
    assert max(n.groups for n in convs) > 4  # depthwise convs (group = channels)
    depthwise = [n for n in convs if n.groups == n.in_channels]
    assert depthwise and all(n.kernel == (3, 3) for n in depthwise)
    # reshape -> transpose -> reshape vanished: each conv reads a layer of the same channels
    for node in convs:
        assert net.nodes[node.inputs[0]].shape[1] == node.in_channels


def test_import_leaves_file_untouched():
    path = light("densenet121")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    load_onnx(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------------------------------
# a small network, built with onnx.helper and written by hand as PIMSYN network JSON
def small_onnx_model() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=4),
        helper.make_node("BatchNormalization", ["c2", "s", "bb", "m", "v"], ["n2"]),
        helper.make_node("Add", ["r1", "n2"], ["sum"]),
        helper.make_node("Relu", ["sum"], ["r3"]),
        helper.make_node("Concat", ["r3", "r1"], ["cat"], axis=1),
        helper.make_node("MaxPool", ["cat"], ["pool"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool"], ["flat"]),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["fc"], transB=1),
        helper.make_node("Softmax", ["fc"], ["prob"]),
    ]
    inits = [
        weight("w1", 8, 3, 3, 3), weight("b1", 8), weight("w2", 8, 2, 3, 3), weight("s", 8),
        weight("bb", 8), weight("m", 8), weight("v", 8), weight("wf", 10, 256), weight("bf", 10),
    ]
    return model_of(nodes, [tensor("x", 1, 3, 8, 8)], [tensor("prob", 1, 10)], inits)


SMALL_JSON = [
    {"name": "x", "operation": "OP_INPUT", "output_dim": [1, 3, 8, 8], "consumer": ["c1"]},
    {"name": "c1", "operation": "OP_CONV", "output_dim": [1, 8, 8, 8], "provider": ["x"],
     "consumer": ["c2", "sum", "cat"], "with_act": 1, "act_type": 0, "with_bn": 0,
     "param": {"kernel_h": 3, "kernel_w": 3, "stride_h": 1, "stride_w": 1, "pad_h0": 1, "pad_h1": 1,
               "pad_w0": 1, "pad_w1": 1, "group": 1, "input_channel": 3, "output_channel": 8, "with_bias": 1}},
    {"name": "c2", "operation": "OP_CONV", "output_dim": [1, 8, 8, 8], "provider": ["c1"],
     "consumer": ["sum"], "with_act": 0, "act_type": -1, "with_bn": 1,
     "param": {"kernel_h": 3, "kernel_w": 3, "stride_h": 1, "stride_w": 1, "pad_h0": 1, "pad_h1": 1,
               "pad_w0": 1, "pad_w1": 1, "group": 4, "input_channel": 8, "output_channel": 8, "with_bias": 0}},
    {"name": "sum", "operation": "OP_ELTWISE", "output_dim": [1, 8, 8, 8], "provider": ["c1", "c2"],
     "consumer": ["r3"], "param": {"eletype": 2}},
    {"name": "r3", "operation": "OP_RELU", "output_dim": [1, 8, 8, 8], "provider": ["sum"], "consumer": ["cat"]},
    {"name": "cat", "operation": "OP_CONCAT", "output_dim": [1, 16, 8, 8], "provider": ["r3", "c1"],
     "consumer": ["pool"]},
    {"name": "pool", "operation": "OP_POOL", "output_dim": [1, 16, 4, 4], "provider": ["cat"],
     "consumer": ["flat"], "param": {"kernel_h": 2, "kernel_w": 2, "stride_h": 2, "stride_w": 2,
                                      "pad_h0": 0, "pad_h1": 0, "pad_w0": 0, "pad_w1": 0, "pool_method": 0}},
    {"name": "flat", "operation": "OP_FLATTEN", "output_dim": [1, 256], "provider": ["pool"], "consumer": ["fc"]},
    {"name": "fc", "operation": "OP_FC", "output_dim": [1, 10], "provider": ["flat"], "consumer": ["prob"],
     "with_act": 0, "act_type": -1, "param": {"input_channel": 256, "output_channel": 10, "with_bias": 1}},
    {"name": "prob", "operation": "OP_SOFTMAX", "output_dim": [1, 10], "provider": ["fc"]},
]


def test_small_network_onnx_equals_hand_written_json():
    from_onnx = network_from_onnx_model(small_onnx_model(), "small")
    from_json = network_from_json(SMALL_JSON, "small")
    assert from_onnx == from_json
    # and spot-check the facts themselves, not only agreement of two readers
    assert [n.kind for n in from_onnx.nodes] == ["input", "conv", "conv", "eltwise", "concat", "pool", "fc"]
    assert from_onnx.nodes[3].inputs == (1, 2) and from_onnx.nodes[3].post_ops == ("relu",)
    assert from_onnx.nodes[4].inputs == (3, 1)


def test_small_network_relu_not_fused_into_multi_consumer_conv():
    # c1 feeds c2, the Add and the Concat through the ReLU: the ReLU is c1's only consumer,
    # so it fuses; give c1 a second direct consumer and the ReLU must become a post-op
    model = small_onnx_model()
    model.graph.node[6].input[1] = "c1"  # Concat reads the conv before its ReLU
    net = network_from_onnx_model(model, "small")
    c1 = net.nodes[1]
    assert (c1.activation, c1.post_ops) == ("none", ("relu",))


def test_load_model_reads_onnx_written_to_disk(tmp_path):
    path = tmp_path / "small.onnx"
    onnx.save(small_onnx_model(), str(path))
    net = load_model(path)
    assert net.name == "small" and net.count("conv") == 2


# ---------------------------------------------------------------------------------------
# operator forms
def test_auto_pad_same_upper_and_lower():
    for mode, pads in (("SAME_UPPER", (0, 0, 1, 1)), ("SAME_LOWER", (1, 1, 0, 0))):
        net = import_graph(
            [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[2, 2], auto_pad=mode)],
            [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 4, 4, 4)], [weight("w", 4, 4, 3, 3)],
        )
        # out 4 from in 8 with k3 s2 needs (4 - 1) * 2 + 3 - 8 = 1 padding row, put at the end
        # (SAME_UPPER) or the beginning (SAME_LOWER)
        assert net.nodes[1].pads == pads and net.nodes[1].shape == (1, 4, 4, 4)


def test_ceil_mode_pool_becomes_end_padding():
    net = import_graph(
        [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)],
        [tensor("x", 1, 4, 7, 7)], [tensor("y", 1, 4, 4, 4)],
    )
    assert net.nodes[1].shape == (1, 4, 4, 4) and net.nodes[1].pads == (0, 0, 1, 1)


def test_pad_is_merged_into_conv_and_pool():
    for opset in (9, 13):  # pads as attribute (opset 9) or as constant input (opset >= 11)
        pads = [0, 0, 1, 2, 0, 0, 3, 0]  # (N, C, H, W) begins then ends
        if opset == 9:
            pad = helper.make_node("Pad", ["x"], ["p"], pads=pads)
            inits = [weight("w", 4, 4, 3, 3)]
        else:
            pad = helper.make_node("Pad", ["x", "pads"], ["p"])
            inits = [weight("w", 4, 4, 3, 3), numpy_helper.from_array(np.array(pads, dtype=np.int64), "pads")]
        net = import_graph(
            [pad, helper.make_node("Conv", ["p", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("AveragePool", ["p"], ["z"], kernel_shape=[2, 2], strides=[2, 2])],
            [tensor("x", 1, 4, 8, 8)], [tensor("y", 1, 4, 12, 10), tensor("z", 1, 4, 6, 5)], inits, opset,
        )
        conv, pool = net.nodes[1], net.nodes[2]
        assert conv.inputs == (0,) and conv.pads == (2, 3, 4, 1) and conv.shape == (1, 4, 12, 10)
        assert pool.inputs == (0,) and pool.pads == (1, 2, 3, 0) and pool.shape == (1, 4, 6, 5)


def test_conv_kernel_from_weight_and_dilation():
    net = import_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], dilations=[2, 2])],
        [tensor("x", 1, 2, 9, 9)], [tensor("y", 1, 6, 5, 5)], [weight("w", 6, 2, 3, 3)],
    )
    conv = net.nodes[1]
    assert (conv.kernel, conv.dilation, conv.shape, conv.bias) == ((3, 3), (2, 2), (1, 6, 5, 5), False)


def test_matmul_add_is_fc_with_bias_and_constant_scale_is_folded():
    net = import_graph(
        [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["y"]),
         helper.make_node("Mul", ["y", "scale"], ["z"]), helper.make_node("Sigmoid", ["z"], ["s"])],
        [tensor("x", 1, 32)], [tensor("s", 1, 16)],
        [weight("w", 32, 16), weight("b", 16), weight("scale", 16)],
    )
    assert len(net.nodes) == 2
    fc = net.nodes[1]
    assert (fc.kind, fc.in_channels, fc.out_channels, fc.bias, fc.activation) == ("fc", 32, 16, True, "sigmoid")


def test_sum_of_three_and_mul_of_activations():
    conv = lambda out: helper.make_node("Conv", ["x", "w"], [out], kernel_shape=[1, 1])  # noqa: E731
    net = import_graph(
        [conv("a"), conv("b"), conv("c"), helper.make_node("Sum", ["a", "b", "c"], ["s"]),
         helper.make_node("Mul", ["s", "a"], ["m"]), helper.make_node("Sub", ["m", "b"], ["d"])],
        [tensor("x", 1, 4, 5, 5)], [tensor("d", 1, 4, 5, 5)], [weight("w", 4, 4, 1, 1)],
    )
    assert [(n.kind, n.eltwise_op, n.inputs) for n in net.nodes[4:]] == [
        ("eltwise", "add", (1, 2, 3)), ("eltwise", "mul", (4, 1)), ("eltwise", "sub", (5, 2)),
    ]


def test_clip_fused_with_constant_bounds():
    net = import_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
         helper.make_node("Clip", ["c", "lo", "hi"], ["y"])],
        [tensor("x", 1, 4, 5, 5)], [tensor("y", 1, 4, 5, 5)],
        [weight("w", 4, 4, 1, 1), numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
         numpy_helper.from_array(np.array(6.0, np.float32), "hi")],
    )
    assert (net.nodes[1].activation, net.nodes[1].clip_range) == ("clip", (0.0, 6.0))


def test_pytorch_style_flatten_shape_path_and_symbolic_batch():
    # x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
        helper.make_node("Shape", ["c"], ["shape"]),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"]),
        helper.make_node("Concat", ["batch1", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["c", "target"], ["flat"]),
        helper.make_node("Gemm", ["flat", "wf"], ["y"], transB=1),
    ]
    inits = [
        weight("w", 4, 3, 1, 1), weight("wf", 10, 100),
        numpy_helper.from_array(np.array(0, np.int64), "zero"),
        numpy_helper.from_array(np.array([0], np.int64), "axes"),
        numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
    ]
    model = model_of(nodes, [tensor("x", "N", 3, 5, 5)], [tensor("y", "N", 10)], inits)
    snapshot = model.SerializeToString()
    net = network_from_onnx_model(model, "flat")
    assert model.SerializeToString() == snapshot  # the caller's model is not modified
    assert [n.kind for n in net.nodes] == ["input", "conv", "fc"]
    assert net.nodes[0].shape == (1, 3, 5, 5) and net.nodes[2].in_channels == 100
    assert net.nodes[2].shape == (1, 10) and net.nodes[2].bias is False


def test_relu_on_pool_is_post_op_and_nodes_named_by_first_output():
    net = import_graph(
        [helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[2, 2], strides=[2, 2], name="pool_node"),
         helper.make_node("Relu", ["p"], ["r"])],
        [tensor("x", 1, 4, 4, 4)], [tensor("r", 1, 4, 2, 2)],
    )
    assert net.nodes[1] == Node(
        name="p", kind="pool", inputs=(0,), shape=(1, 4, 2, 2), kernel=(2, 2), stride=(2, 2),
        pool_method="max", post_ops=("relu",),
    )


def test_kind_counts_of_small_model():
    net = network_from_onnx_model(small_onnx_model(), "small")
    assert Counter(n.kind for n in net.nodes) == Counter(
        {"input": 1, "conv": 2, "eltwise": 1, "concat": 1, "pool": 1, "fc": 1}
    )
