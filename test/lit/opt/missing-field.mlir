// RUN: not pimsyn-opt %s 2>&1 | filecheck %s

// A required field (here `out`) left out of a conv.
%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>

// CHECK: pimsyn-opt: error: {{.*}}missing-field.mlir:5:{{[0-9]+}}: pim.conv: missing 'out'
