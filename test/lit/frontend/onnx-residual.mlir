// RUN: %python %inputs/make_onnx.py residual %t.onnx
// RUN: pimsyn import %t.onnx | filecheck %s
// CHECK: %a = pim.conv %x "a" {{.*}}activation relu
// CHECK: %b = pim.conv %a "b"
// The ReLU after the residual add cannot be fused into a conv: it is an ALU post-op.
// CHECK: pim.eltwise %b, %x "s" add post_ops [relu] : tensor<1x8x16x16xi16>, tensor<1x8x16x16xi16> -> tensor<1x8x16x16xi16>
