// MobileNetV3-style: HardSwish (the operator, and x * Relu6(x + 3) / 6 as exported below
// opset 14) after a conv and a depthwise conv, then a squeeze-excite gate ending in
// HardSigmoid, multiplied into the block: ALU post-ops and an eltwise mul by a per-channel gate.
// RUN: sed -n 's|^// PY: ||p' %s > %t.py
// RUN: %python %t.py %t.onnx
// RUN: pimsyn import %t.onnx | filecheck %s
// The per-channel gate verifies (parsed back by pimsyn-opt):
// RUN: pimsyn import %t.onnx | pimsyn-opt | filecheck %s --check-prefix=OPT
// OPT: pim.eltwise %{{.*}}, %{{.*}} "gated" mul : tensor<1x16x8x8xi16>, tensor<1x16x1x1xi16> -> tensor<1x16x8x8xi16>
// CHECK: %stem = pim.conv %x "stem" kernel [3, 3] stride [2, 2] pads [1, 1, 1, 1] in 8 out 16 post_ops [hardswish] bn_folded
// CHECK: %dw = pim.conv %stem "dw" kernel [3, 3] pads [1, 1, 1, 1] groups 16 in 16 out 16 post_ops [hardswish] : tensor<1x16x8x8xi16> -> tensor<1x16x8x8xi16>
// CHECK: %squeeze = pim.pool %dw "squeeze" avg global kernel [8, 8] : tensor<1x16x8x8xi16> -> tensor<1x16x1x1xi16>
// CHECK: %fc1 = pim.conv %squeeze "fc1" kernel [1, 1] in 16 out 4 activation relu
// CHECK: %fc2 = pim.conv %fc1 "fc2" kernel [1, 1] in 4 out 16 post_ops [hardsigmoid] : tensor<1x4x1x1xi16> -> tensor<1x16x1x1xi16>
// CHECK: %gated = pim.eltwise %dw, %fc2 "gated" mul : tensor<1x16x8x8xi16>, tensor<1x16x1x1xi16> -> tensor<1x16x8x8xi16>
//
// PY: import sys
// PY: import numpy as np
// PY: import onnx
// PY: from onnx import TensorProto, helper, numpy_helper
// PY: def c(name, *shape, value=0.5):
// PY:     return numpy_helper.from_array(np.full(shape, value, dtype=np.float32), name)
// PY: def vi(name, *shape):
// PY:     return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))
// PY: nodes = [
// PY:     helper.make_node("Conv", ["x", "w1"], ["stem"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
// PY:     helper.make_node("BatchNormalization", ["stem", "g", "b", "b", "g"], ["bn"]),
// PY:     helper.make_node("HardSwish", ["bn"], ["hs"]),
// PY:     helper.make_node("Conv", ["hs", "w2"], ["dw"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=16),
// PY:     helper.make_node("Add", ["dw", "three"], ["shifted"]),
// PY:     helper.make_node("Clip", ["shifted", "zero", "six"], ["relu6"]),
// PY:     helper.make_node("Mul", ["dw", "relu6"], ["scaled"]),
// PY:     helper.make_node("Div", ["scaled", "six"], ["dw_hs"]),
// PY:     helper.make_node("GlobalAveragePool", ["dw_hs"], ["squeeze"]),
// PY:     helper.make_node("Conv", ["squeeze", "w3"], ["fc1"], kernel_shape=[1, 1]),
// PY:     helper.make_node("Relu", ["fc1"], ["fc1_relu"]),
// PY:     helper.make_node("Conv", ["fc1_relu", "w4"], ["fc2"], kernel_shape=[1, 1]),
// PY:     helper.make_node("HardSigmoid", ["fc2"], ["excite"]),
// PY:     helper.make_node("Mul", ["dw_hs", "excite"], ["gated"]),
// PY: ]
// PY: inits = [c("w1", 16, 8, 3, 3), c("w2", 16, 1, 3, 3), c("w3", 4, 16, 1, 1), c("w4", 16, 4, 1, 1), c("g", 16),
// PY:          c("b", 16), c("three", value=3.0), c("zero", value=0.0), c("six", value=6.0)]
// PY: graph = helper.make_graph(nodes, "g", [vi("x", 1, 8, 16, 16)], [vi("gated", 1, 16, 8, 8)], inits)
// PY: onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), sys.argv[1])
