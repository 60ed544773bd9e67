"""Build the small ONNX models the frontend lit tests import: make_onnx.py KIND OUT.onnx."""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weight(name, *shape):
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def model(nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, "g", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def vi(name, *shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def build(kind):
    x = vi("x", 1, 8, 16, 16)
    if kind == "conv-groups-pads":
        # 3x3 conv, stride 2, asymmetric padding, 2 groups, then ReLU (fused).
        return model(
            [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 1], group=2),
             helper.make_node("Relu", ["c"], ["y"])],
            [x], [vi("y", 1, 4, 8, 8)], [weight("w", 4, 4, 3, 3)])
    if kind == "pool-fc":
        return model(
            [helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("GlobalAveragePool", ["p"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"]),
             helper.make_node("Gemm", ["f", "w", "b"], ["y"], transB=1)],
            [x], [vi("y", 1, 10)], [weight("w", 10, 8), weight("b", 10)])
    if kind == "residual":
        # conv -> conv, added back to the input, ReLU after the add (costed as a post-op).
        return model(
            [helper.make_node("Conv", ["x", "w1"], ["a"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["a"], ["ar"]),
             helper.make_node("Conv", ["ar", "w2"], ["b"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["b", "x"], ["s"]),
             helper.make_node("Relu", ["s"], ["y"])],
            [x], [vi("y", 1, 8, 16, 16)], [weight("w1", 8, 8, 3, 3), weight("w2", 8, 8, 3, 3)])
    if kind == "concat":
        return model(
            [helper.make_node("Conv", ["x", "w1"], ["a"], kernel_shape=[1, 1]),
             helper.make_node("Conv", ["x", "w2"], ["b"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Concat", ["a", "b"], ["y"], axis=1)],
            [x], [vi("y", 1, 24, 16, 16)], [weight("w1", 8, 8, 1, 1), weight("w2", 16, 8, 3, 3)])
    if kind == "same-operand-add":
        # x + x: Add with one tensor twice.
        return model(
            [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c", "c"], ["y"])],
            [x], [vi("y", 1, 4, 16, 16)], [weight("w", 4, 8, 3, 3)])
    if kind == "unsupported":
        return model(
            [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
             helper.make_node("Einsum", ["c"], ["y"], equation="nchw->nchw", name="mix")],
            [x], [vi("y", 1, 8, 16, 16)], [weight("w", 8, 8, 1, 1)])
    raise SystemExit(f"unknown model kind {kind}")


if __name__ == "__main__":
    onnx.save(build(sys.argv[1]), sys.argv[2])
