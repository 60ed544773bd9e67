// RUN: pimsyn-opt %s -p verify | filecheck %s

// The verify pass leaves valid IR unchanged.
%d = pim.input "data" {share_with = "data2"} : tensor<1x3x8x8xi16>
%e = pim.input "data2" : tensor<1x3x8x8xi16>
// CHECK:      %d = pim.input "data" {share_with = "data2"} : tensor<1x3x8x8xi16>
// CHECK-NEXT: %e = pim.input "data2" : tensor<1x3x8x8xi16>
