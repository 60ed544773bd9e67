// RUN: %python %inputs/make_onnx.py concat %t.onnx
// RUN: pimsyn import %t.onnx | filecheck %s
// CHECK: %a = pim.conv %x "a" kernel [1, 1] in 8 out 8
// CHECK: %b = pim.conv %x "b" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16
// CHECK: pim.concat %a, %b "y" : tensor<1x8x16x16xi16>, tensor<1x16x16x16xi16> -> tensor<1x24x16x16xi16>
