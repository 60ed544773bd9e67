// YOLO-style LeakyRelu after conv + BN, a Concat route, and a PRelu: each a costed ALU
// post-op of its conv (never a free fused activation).
// RUN: sed -n 's|^// PY: ||p' %s > %t.py
// RUN: %python %t.py %t.onnx
// RUN: pimsyn import %t.onnx | filecheck %s
// CHECK: %conv_a = pim.conv %x "conv_a" kernel [3, 3] stride [2, 2] pads [1, 1, 1, 1] in 8 out 16 post_ops [leakyrelu] bn_folded
// CHECK: %conv_b = pim.conv %conv_a "conv_b" kernel [3, 3] pads [1, 1, 1, 1] in 16 out 16 post_ops [leakyrelu] bn_folded
// CHECK: %route = pim.concat %conv_a, %conv_b "route" : tensor<1x16x8x8xi16>, tensor<1x16x8x8xi16> -> tensor<1x32x8x8xi16>
// CHECK: %conv_c = pim.conv %route "conv_c" kernel [1, 1] in 32 out 8 post_ops [prelu] : tensor<1x32x8x8xi16> -> tensor<1x8x8x8xi16>
//
// PY: import sys
// PY: import numpy as np
// PY: import onnx
// PY: from onnx import TensorProto, helper, numpy_helper
// PY: def w(name, *shape):
// PY:     return numpy_helper.from_array(np.full(shape, 0.5, dtype=np.float32), name)
// PY: def vi(name, *shape):
// PY:     return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))
// PY: bn = ["g", "b", "b", "g"]
// PY: nodes = [
// PY:     helper.make_node("Conv", ["x", "w1"], ["conv_a"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
// PY:     helper.make_node("BatchNormalization", ["conv_a", *bn], ["bn_a"]),
// PY:     helper.make_node("LeakyRelu", ["bn_a"], ["act_a"], alpha=0.1),
// PY:     helper.make_node("Conv", ["act_a", "w2"], ["conv_b"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
// PY:     helper.make_node("BatchNormalization", ["conv_b", *bn], ["bn_b"]),
// PY:     helper.make_node("LeakyRelu", ["bn_b"], ["act_b"], alpha=0.1),
// PY:     helper.make_node("Concat", ["act_a", "act_b"], ["route"], axis=1),
// PY:     helper.make_node("Conv", ["route", "w3"], ["conv_c"], kernel_shape=[1, 1]),
// PY:     helper.make_node("PRelu", ["conv_c", "slope"], ["y"]),
// PY: ]
// PY: inits = [w("w1", 16, 8, 3, 3), w("w2", 16, 16, 3, 3), w("w3", 8, 32, 1, 1), w("g", 16), w("b", 16), w("slope", 8, 1, 1)]
// PY: graph = helper.make_graph(nodes, "g", [vi("x", 1, 8, 16, 16)], [vi("y", 1, 8, 8, 8)], inits)
// PY: onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
