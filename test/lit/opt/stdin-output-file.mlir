// RUN: pimsyn-opt < %s | filecheck %s
// RUN: pimsyn-opt %s -o %t && filecheck %s < %t

%d = pim.input "data" : tensor<1x3x8x8xi16>
// CHECK: %d = pim.input "data" : tensor<1x3x8x8xi16>
