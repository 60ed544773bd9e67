// RUN: not pimsyn-opt %s 2>&1 | filecheck %s

// Without --verify-diagnostics a verifier failure is one error line and a non-zero exit.
%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 out 5 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>

// CHECK:      pimsyn-opt: error: pim.conv "conv1": out 5 does not match the result's channel dimension 4
// CHECK-NOT:  {{.}}
