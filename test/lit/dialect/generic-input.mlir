// RUN: pimsyn-opt %s | filecheck %s

// Generic input (properties in any order, defaults spelled out) prints in custom form
// with the defaults left out.
"builtin.module"() ({
  %data = "pim.input"() <{name = "data"}> : () -> tensor<1x3x4x4xi16>
  %c = "pim.conv"(%data) <{out_channels = 4 : i64, name = "c", groups = 1 : i64, kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, in_channels = 3 : i64, activation = "relu"}> : (tensor<1x3x4x4xi16>) -> tensor<1x4x4x4xi16>
  "pim.dataflow"() <{unrolled}> ({
    %0 = "pim.load"() <{layer = "c", cnt = #pim.range<2>, bit = #pim.range<0>, vec_width = 3 : i64}> : () -> !pim.token
  }) : () -> ()
}) : () -> ()

// CHECK:      %c = pim.conv %data "c" kernel [1, 1] in 3 out 4 activation relu : tensor<1x3x4x4xi16> -> tensor<1x4x4x4xi16>
// CHECK-NEXT: pim.dataflow unrolled {
// CHECK-NEXT:   %0 = pim.load "c" cnt 2 vec_width 3
