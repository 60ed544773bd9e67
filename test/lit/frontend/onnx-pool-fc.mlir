// RUN: %python %inputs/make_onnx.py pool-fc %t.onnx
// RUN: pimsyn import %t.onnx | filecheck %s
// CHECK: pim.pool %x "p" max kernel [2, 2] stride [2, 2] : tensor<1x8x16x16xi16> -> tensor<1x8x8x8xi16>
// A global average pool has the whole map as its window.
// CHECK: pim.pool %p "g" avg global kernel [8, 8] : tensor<1x8x8x8xi16> -> tensor<1x8x1x1xi16>
// Flatten dissolves; the Gemm reads the pool directly.
// CHECK: pim.fc %g "y" in 8 out 10 bias : tensor<1x8x1x1xi16> -> tensor<1x10xi16>
