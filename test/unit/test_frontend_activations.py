"""Activations beyond ReLU, SE gates, depthwise/grouped convs and normalisations in the ONNX
frontend ("Real CNNs use more than ReLU"): small graphs in the style of YOLO, MobileNetV3,
EfficientNet, RegNet and ConvNeXt import with the right layer counts and synthesize; plus
external data beside the model, zero-sized dimensions and unknown hardware-file keys."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from importlib import resources

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from pimsyn.frontend import load_model, network_from_onnx_model
from pimsyn.frontend.errors import UnsupportedOperatorError
from pimsyn.hw.config import OPTIONAL_ALU_DEFAULTS, HardwareWarning, hardware_from_dict, load_hardware
from pimsyn.hw.layers import cost_network
from pimsyn.ir.context import read_module
from pimsyn.model.network import NetworkError
from pimsyn.tools.cli import main


class Graph:
    """A tiny onnx.helper graph builder: every node gets a fresh output name."""

    def __init__(self, channels: int = 8, size: int = 16) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0
        self.input = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, size, size])

    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"

    def const(self, value, stem: str = "k") -> str:
        name = self.fresh(stem)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def op(self, op_type: str, inputs: list[str], stem: str | None = None, **attrs) -> str:
        out = self.fresh(stem or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def conv(self, x: str, cin: int, cout: int, k: int = 3, stride: int = 1, group: int = 1) -> str:
        weight = self.const(np.full((cout, cin // group, k, k), 0.01), "w")
        return self.op("Conv", [x, weight], "conv", kernel_shape=[k, k], strides=[stride, stride],
                       pads=[(k - 1) // 2, (k - 1) // 2, k // 2, k // 2], group=group)

    def bn(self, x: str, channels: int) -> str:
        ones, zeros = self.const(np.ones(channels)), self.const(np.zeros(channels))
        return self.op("BatchNormalization", [x, ones, zeros, zeros, ones], "bn")

    def model(self, y: str, opset: int = 20) -> onnx.ModelProto:
        def build(output: onnx.ValueInfoProto) -> onnx.ModelProto:
            graph = helper.make_graph(self.nodes, "g", [self.input], [output], self.inits)
            return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])

        inferred = onnx.shape_inference.infer_shapes(build(helper.make_tensor_value_info(y, TensorProto.FLOAT, None)))
        dims = [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
        return build(helper.make_tensor_value_info(y, TensorProto.FLOAT, dims))


# ---- one activation after a conv -------------------------------------------------------
def _swish(g, x):
    return g.op("Mul", [x, g.op("Sigmoid", [x])])


def _gelu_erf(g, x):  # x * 0.5 * (1 + erf(x / sqrt 2)), as torch exports nn.GELU below opset 20
    erf = g.op("Erf", [g.op("Div", [x, g.const(math.sqrt(2))])])
    return g.op("Mul", [g.op("Mul", [x, g.op("Add", [erf, g.const(1.0)])]), g.const(0.5)])


def _gelu_erf_half_first(g, x):  # (x * 0.5) * (1 + erf(x * (1/sqrt 2)))
    erf = g.op("Erf", [g.op("Mul", [x, g.const(1 / math.sqrt(2))])])
    return g.op("Mul", [g.op("Mul", [x, g.const(0.5)]), g.op("Add", [g.const(1.0), erf])])


def _mish_decomposed(g, x):
    return g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x])])])


def _hardswish_hardsigmoid(g, x):
    return g.op("Mul", [g.op("HardSigmoid", [x], alpha=1 / 6, beta=0.5), x])


def _hardswish_relu6(g, x):  # x * relu6(x + 3) / 6, as torch exports Hardswish below opset 14
    clip = g.op("Clip", [g.op("Add", [x, g.const(3.0)]), g.const(0.0), g.const(6.0)])
    return g.op("Div", [g.op("Mul", [x, clip]), g.const(6.0)])


def _channels_last_layernorm(g, x):
    nhwc = g.op("Transpose", [x], perm=[0, 2, 3, 1])
    ln = g.op("LayerNormalization", [nhwc, g.const(np.ones(8)), g.const(np.zeros(8))], axis=-1)
    return g.op("Transpose", [ln], perm=[0, 3, 1, 2])


ACTIVATIONS = {
    "leakyrelu": lambda g, x: g.op("LeakyRelu", [x], alpha=0.1),
    "prelu": lambda g, x: g.op("PRelu", [x, g.const(np.full((8, 1, 1), 0.25))]),
    "hardsigmoid": lambda g, x: g.op("HardSigmoid", [x]),
    "hardswish": lambda g, x: g.op("HardSwish", [x]),
    "hardswish-from-hardsigmoid": _hardswish_hardsigmoid,
    "hardswish-from-relu6": _hardswish_relu6,
    "elu": lambda g, x: g.op("Elu", [x]),
    "selu": lambda g, x: g.op("Selu", [x]),
    "softplus": lambda g, x: g.op("Softplus", [x]),
    "gelu": lambda g, x: g.op("Gelu", [x]),
    "gelu-from-erf": _gelu_erf,
    "gelu-from-erf-half-first": _gelu_erf_half_first,
    "mish": lambda g, x: g.op("Mish", [x]),
    "mish-from-tanh-softplus": _mish_decomposed,
    "swish": _swish,
    "instancenorm": lambda g, x: g.op("InstanceNormalization", [x, g.const(np.ones(8)), g.const(np.zeros(8))]),
    "layernorm": _channels_last_layernorm,
}


def _one_activation(key: str) -> onnx.ModelProto:
    g = Graph()
    act = ACTIVATIONS[key](g, g.bn(g.conv("x", 8, 8), 8))
    return g.model(g.conv(act, 8, 8))


@pytest.mark.parametrize("key", sorted(ACTIVATIONS))
def test_activation_is_a_costed_alu_post_op(key):
    net = network_from_onnx_model(_one_activation(key))
    assert [n.kind for n in net.nodes] == ["input", "conv", "conv"]
    first = net.nodes[1]
    post_op = key.split("-")[0]
    assert (first.activation, first.post_ops, first.batchnorm_folded) == ("none", (post_op,), True)
    cnet = cost_network(net, load_hardware(), 128, 2)
    assert cnet.base_ops[0] == ("LD", "DAC", "ADC", "SHIFTADD", "ADDITION", post_op.upper(), "ST")
    assert cnet.base_ops[1] == ("LD", "DAC", "ADC", "SHIFTADD", "ADDITION", "ST")


def test_relu6_is_clip_0_6_fused():
    g = Graph()
    y = g.op("Clip", [g.conv("x", 8, 8), g.const(0.0), g.const(6.0)])
    conv = network_from_onnx_model(g.model(g.conv(y, 8, 8))).nodes[1]
    assert (conv.activation, conv.clip_range, conv.post_ops) == ("clip", (0.0, 6.0), ())


def test_a_gate_input_used_elsewhere_is_not_fused():
    """sigmoid(x) also read by another node: computed anyway, so no swish (eltwise mul)."""
    g = Graph()
    x = g.conv("x", 8, 8)
    s = g.op("Sigmoid", [x])
    y = g.op("Add", [g.op("Mul", [x, s]), s])
    net = network_from_onnx_model(g.model(y))
    assert [n.kind for n in net.nodes] == ["input", "conv", "eltwise", "eltwise"]
    assert "swish" not in net.nodes[1].post_ops


# ---- network styles ----------------------------------------------------------------
def _se_gate(g, x, channels, gate="Sigmoid", act="Relu"):
    squeeze = g.op("GlobalAveragePool", [x])
    hidden = g.op(act, [g.conv(squeeze, channels, channels // 4, k=1)])
    excite = g.op(gate, [g.conv(hidden, channels // 4, channels, k=1)])
    return g.op("Mul", [x, excite])


def yolo_style():
    g = Graph()
    leaky = lambda t: g.op("LeakyRelu", [t], alpha=0.1)  # noqa: E731
    a = leaky(g.bn(g.conv("x", 8, 16, stride=2), 16))
    b = leaky(g.bn(g.conv(a, 16, 16, k=1), 16))
    c = leaky(g.bn(g.conv(b, 16, 16), 16))
    route = g.op("Concat", [a, c], axis=1)  # a route: an earlier map concatenated with a later one
    d = leaky(g.bn(g.conv(route, 32, 32, k=1), 32))
    e = g.op("MaxPool", [d], kernel_shape=[2, 2], strides=[2, 2])
    return g.model(g.conv(e, 32, 16, k=1))


def mobilenetv3_style():
    g = Graph()
    stem = g.op("HardSwish", [g.bn(g.conv("x", 8, 16, stride=2), 16)])
    expand = g.op("HardSwish", [g.bn(g.conv(stem, 16, 32, k=1), 32)])
    depthwise = g.op("Relu", [g.bn(g.conv(expand, 32, 32, group=32), 32)])
    gated = _se_gate(g, depthwise, 32, gate="HardSigmoid")
    project = g.bn(g.conv(gated, 32, 16, k=1), 16)
    block = g.op("Add", [project, stem])
    return g.model(g.op("HardSwish", [g.conv(block, 16, 32, k=1)]))


def efficientnet_style():
    g = Graph()
    stem = _swish(g, g.bn(g.conv("x", 8, 16, stride=2), 16))
    depthwise = _swish(g, g.bn(g.conv(stem, 16, 16, group=16), 16))
    squeeze = g.op("GlobalAveragePool", [depthwise])
    hidden = _swish(g, g.conv(squeeze, 16, 4, k=1))
    gated = g.op("Mul", [depthwise, g.op("Sigmoid", [g.conv(hidden, 4, 16, k=1)])])
    project = g.bn(g.conv(gated, 16, 16, k=1), 16)
    return g.model(g.op("Add", [project, stem]))


def regnet_style():
    g = Graph()
    stem = g.op("Relu", [g.bn(g.conv("x", 8, 16, stride=2), 16)])
    a = g.op("Relu", [g.bn(g.conv(stem, 16, 16, k=1), 16)])
    b = g.op("Relu", [g.bn(g.conv(a, 16, 16, group=4), 16)])  # group width 4
    c = g.bn(g.conv(b, 16, 16, k=1), 16)
    return g.model(g.op("Relu", [g.op("Add", [c, stem])]))


def convnext_style(gelu=None):
    g = Graph()
    stem = g.conv("x", 8, 16, k=2, stride=2)
    stem_nhwc = g.op("Transpose", [stem], perm=[0, 2, 3, 1])
    stem_ln = g.op("LayerNormalization", [stem_nhwc, g.const(np.ones(16)), g.const(np.zeros(16))], axis=-1)
    x = g.op("Transpose", [stem_ln], perm=[0, 3, 1, 2])
    depthwise = g.conv(x, 16, 16, k=7, group=16)
    nhwc = g.op("Transpose", [depthwise], perm=[0, 2, 3, 1])
    ln = g.op("LayerNormalization", [nhwc, g.const(np.ones(16)), g.const(np.zeros(16))], axis=-1)
    fc1 = g.op("Add", [g.op("MatMul", [ln, g.const(np.full((16, 64), 0.01))]), g.const(np.zeros(64))])
    act = (gelu or (lambda g, t: g.op("Gelu", [t])))(g, fc1)
    fc2 = g.op("Add", [g.op("MatMul", [act, g.const(np.full((64, 16), 0.01))]), g.const(np.zeros(16))])
    nchw = g.op("Transpose", [fc2], perm=[0, 3, 1, 2])
    scaled = g.op("Mul", [nchw, g.const(np.full((16, 1, 1), 1e-6))])  # layer scale
    return g.model(g.op("Add", [scaled, x]))


STYLES = {
    # name: (builder, layer counts, post-ops of some layers)
    "yolo": (yolo_style, {"conv": 5, "concat": 1, "pool": 1},
             {"conv2": ("leakyrelu",), "conv8": ("leakyrelu",), "conv14": ("leakyrelu",), "conv21": ("leakyrelu",),
              "conv28": ()}),
    "mobilenetv3": (mobilenetv3_style, {"conv": 7, "pool": 1, "eltwise": 2},
                    {"conv2": ("hardswish",), "conv8": ("hardswish",), "conv14": (), "conv24": ("hardsigmoid",),
                     "conv34": ("hardswish",)}),
    "efficientnet": (efficientnet_style, {"conv": 5, "pool": 1, "eltwise": 2},
                     {"conv2": ("swish",), "conv9": ("swish",), "conv17": ("swish",), "conv21": ()}),
    "regnet": (regnet_style, {"conv": 4, "eltwise": 1}, {"add24": ("relu",)}),
    "convnext": (convnext_style, {"conv": 4, "eltwise": 1},
                 {"conv2": ("layernorm",), "conv9": ("layernorm",), "matmul15": ("gelu",), "matmul20": ()}),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_style_layer_counts(style):
    build, counts, post_ops = STYLES[style]
    net = network_from_onnx_model(build())
    got = {kind: net.count(kind) for kind in ("conv", "fc", "pool", "eltwise", "concat") if net.count(kind)}
    assert got == counts
    by_name = {n.name: n for n in net.nodes}
    for name, ops in post_ops.items():
        assert by_name[name].post_ops == ops, name


def test_style_details():
    mobilenet = network_from_onnx_model(mobilenetv3_style())
    depthwise = next(n for n in mobilenet.nodes if n.kind == "conv" and n.groups > 1)
    assert (depthwise.groups, depthwise.in_channels, depthwise.activation) == (32, 32, "relu")
    se_mul = next(n for n in mobilenet.nodes if n.kind == "eltwise" and n.eltwise_op == "mul")
    assert [mobilenet.nodes[i].kind for i in se_mul.inputs] == ["conv", "conv"]  # block map x gate
    efficient = network_from_onnx_model(efficientnet_style())
    gate = efficient.nodes[efficient.nodes.index(next(n for n in efficient.nodes if n.eltwise_op == "mul")) - 1]
    assert (gate.activation, gate.post_ops) == ("sigmoid", ())  # SE sigmoid fused as in PIMCOMP
    regnet = network_from_onnx_model(regnet_style())
    assert [n.groups for n in regnet.nodes if n.kind == "conv"] == [1, 1, 4, 1]
    convnext = network_from_onnx_model(convnext_style())
    convs = [n for n in convnext.nodes if n.kind == "conv"]
    assert [(n.kernel, n.groups, n.shape) for n in convs] == [
        ((2, 2), 1, (1, 16, 8, 8)), ((7, 7), 16, (1, 16, 8, 8)), ((1, 1), 1, (1, 64, 8, 8)), ((1, 1), 1, (1, 16, 8, 8)),
    ]
    decomposed = network_from_onnx_model(convnext_style(gelu=_gelu_erf))
    assert _unnamed(decomposed) == _unnamed(convnext)


def _unnamed(net):
    return [dataclasses.replace(node, name="") for node in net.nodes]


def _activation_chain(keys):
    def build():
        g = Graph()
        x = "x"
        for key in keys:
            x = ACTIVATIONS[key](g, g.conv(x, 8, 8))
        return g.model(g.conv(x, 8, 8))

    return build


_KEYS = sorted(ACTIVATIONS)
#: every activation once, in chains of six convs (a longer chain needs more than 50 W)
SYNTH = {
    **{style: build for style, (build, _, _) in STYLES.items()},
    **{f"activations-{i // 6}": _activation_chain(_KEYS[i:i + 6]) for i in range(0, len(_KEYS), 6)},
}


@pytest.mark.parametrize("name", sorted(SYNTH))
def test_style_synthesizes(name, tmp_path):
    path = tmp_path / f"{name}.onnx"
    onnx.save_model(SYNTH[name](), str(path))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "synth", str(path), "--total-power", "50", "--ratios", "0.3", "--xbars", "128", "--cell-resolutions", "2",
        "--dac-resolutions", "1", "--effort", "0.02", "--jobs", "1", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    module = read_module(str(out / "design.mlir"))  # parses and verifies
    text = (out / "design.mlir").read_text()
    for op in {p for n in load_model(path).nodes for p in n.post_ops if p not in ("relu", "sigmoid", "tanh", "clip")}:
        assert f" {op} cnt " in text, op  # a pim.alu of the activation in the dataflow
        assert f"{op.upper()} = " in text  # its units in the allocation / the macros
    assert module.attributes["pim.metrics"].data["feasible"].value.data == 1.0


# ---- rejections ------------------------------------------------------------------------
def test_resize_is_rejected_with_one_line():
    g = Graph()
    up = g.op("Resize", [g.conv("x", 8, 8), "", g.const([1.0, 1.0, 2.0, 2.0])], mode="nearest")
    with pytest.raises(UnsupportedOperatorError, match=r"^unsupported operator 'Resize' .*upsampling") as info:
        network_from_onnx_model(g.model(up))
    assert "\n" not in str(info.value)


def test_erf_outside_gelu_is_rejected():
    g = Graph()
    y = g.op("Erf", [g.conv("x", 8, 8)])
    with pytest.raises(UnsupportedOperatorError, match=r"'Erf' .*only inside GELU"):
        network_from_onnx_model(g.model(g.conv(y, 8, 8)))


def test_layernorm_not_over_channels_is_rejected():
    g = Graph()
    c = g.conv("x", 8, 8)
    y = g.op("LayerNormalization", [c, g.const(np.ones((8, 16, 16))), g.const(np.zeros((8, 16, 16)))], axis=1)
    with pytest.raises(UnsupportedOperatorError, match=r"normalises axes \[1, 2, 3\] .*channel axis only"):
        network_from_onnx_model(g.model(y))


# ---- external data, zero-sized dimensions ---------------------------------------------------
def test_external_data_is_read_beside_the_model(tmp_path, monkeypatch):
    folder = tmp_path / "model"
    folder.mkdir()
    path = folder / "yolo.onnx"
    onnx.save_model(yolo_style(), str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="yolo.data", size_threshold=0)
    assert (folder / "yolo.data").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    net = load_model(path)
    assert net == network_from_onnx_model(yolo_style(), "yolo")
    result = CliRunner().invoke(main, ["layers", str(path)])
    assert result.exit_code == 0, result.output


def test_zero_sized_input_dimension_is_named():
    g = Graph()
    g.input = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 0, 16])
    weight = g.const(np.zeros((8, 8, 1, 1)), "w")
    g.nodes.append(helper.make_node("Conv", ["x", weight], ["y"], kernel_shape=[1, 1]))
    model = helper.make_model(
        helper.make_graph(g.nodes, "g", [g.input], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 0, 16])],
                          g.inits), opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(NetworkError, match=r"input 'x' has a zero-sized dimension 2") as info:
        network_from_onnx_model(model)
    assert "unknown" not in str(info.value)


def test_zero_sized_intermediate_tensor_is_named():
    """A 3x3 conv without padding on a map 2 rows high gives 0 rows."""
    g = Graph()
    g.input = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 2, 16])
    weight = g.const(np.zeros((8, 8, 3, 3)), "w")
    g.nodes.append(helper.make_node("Conv", ["x", weight], ["empty"], kernel_shape=[3, 3]))
    model = helper.make_model(helper.make_graph(g.nodes, "g", [g.input], [
        helper.make_tensor_value_info("empty", TensorProto.FLOAT, [1, 8, 0, 14])], g.inits),
        opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(NetworkError, match=r"tensor 'empty' \(node 'empty'\) has a zero-sized dimension 2") as info:
        network_from_onnx_model(model)
    assert "unknown" not in str(info.value)


# ---- the hardware file ------------------------------------------------------------------
def _reference_table() -> dict:
    table = json.loads(resources.files("pimsyn.data").joinpath("default-hw.json").read_text())
    for name in OPTIONAL_ALU_DEFAULTS:
        table.pop(name)
    return table


def test_new_alu_tables_are_optional_with_documented_defaults():
    reference = hardware_from_dict(_reference_table(), "config.json")
    bundled = load_hardware()
    assert reference.notes == () and bundled.notes == ()
    for name, table in OPTIONAL_ALU_DEFAULTS.items():
        assert reference.alu[name] == bundled.alu[name]
        assert reference.alu[name].latency_ns == table["latency"]
        assert reference.alu[name].frequency_ghz == 1 / table["latency"]
    assert reference.alu["LEAKYRELU"].latency_ns == 2 * reference.alu["RELU"].latency_ns
    assert reference.alu["SWISH"].latency_ns == reference.alu["SIGMOID"].latency_ns + reference.alu["RELU"].latency_ns
    # a table in the file wins over the default
    custom = _reference_table()
    custom["GELU"] = dict(OPTIONAL_ALU_DEFAULTS["GELU"], latency=50, frequency=0.02)
    assert hardware_from_dict(custom).alu["GELU"].latency_ns == 50


def test_unknown_top_level_key_is_reported_with_the_nearest_known_key():
    table = _reference_table()
    table["Sigmod"] = table["SIGMOID"]
    table["noc_bandwidth"] = 128
    with pytest.warns(HardwareWarning) as caught:
        hw = hardware_from_dict(table, "my-hw.json")
    assert hw.notes == (
        "my-hw.json: unknown top-level key 'Sigmod' ignored (nearest known key: 'SIGMOID')",
        "my-hw.json: unknown top-level key 'noc_bandwidth' ignored (nearest known key: 'noc_bw')",
    )
    assert [str(w.message) for w in caught] == list(hw.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_hardware()  # the bundled file has no unknown key
