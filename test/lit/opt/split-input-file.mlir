// RUN: pimsyn-opt %s --split-input-file | filecheck %s

%a = pim.input "first" : tensor<1x3x8x8xi16>

// -----

%b = pim.input "second" : tensor<1x4xi16>

// CHECK:      %a = pim.input "first" : tensor<1x3x8x8xi16>
// CHECK:      {{//}} -----
// CHECK:      %b = pim.input "second" : tensor<1x4xi16>
