// RUN: not pimsyn-opt %s 2>&1 | filecheck %s

// Malformed IR: one error line naming file, line and column; no traceback.
%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d kernel [3, 3] in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>

// CHECK:      pimsyn-opt: error: {{.*}}parse-error.mlir:5:18: string literal expected (the layer name of pim.conv)
// CHECK-NOT:  Traceback
