// RUN: %python %inputs/make_onnx.py conv-groups-pads %t.onnx
// RUN: pimsyn import %t.onnx | filecheck %s
// Asymmetric pads are kept as (top, left, bottom, right); the group count and the full
// input channel count are kept; the ReLU of a single-consumer conv is fused.
// CHECK: %x = pim.input "x" : tensor<1x8x16x16xi16>
// CHECK: pim.conv %x "c" kernel [3, 3] stride [2, 2] pads [1, 0, 1, 1] groups 2 in 8 out 4 activation relu : tensor<1x8x16x16xi16> -> tensor<1x4x8x8xi16>
// CHECK-NOT: relu "y"
