// RUN: pimsyn-opt %s -p unroll | filecheck %s

// A module with only layer ops is left as it is.
%d = pim.input "data" : tensor<1x3x8x8xi16>
// CHECK:      %d = pim.input "data" : tensor<1x3x8x8xi16>
// CHECK-NOT:  pim.dataflow
