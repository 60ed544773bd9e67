// RUN: pimsyn-opt %s --print-op-generic | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt --print-op-generic | filecheck %s

// The generic form shows every property, defaults included, and the range attribute.
%data = pim.input "data" : tensor<1x3x4x4xi16>
%conv1 = pim.conv %data "conv1" kernel [3, 3] in 3 out 4 : tensor<1x3x4x4xi16> -> tensor<1x4x2x2xi16>
pim.dataflow {
  %0 = pim.mvm "conv1" cnt 0 to 4 bit 0 to 16 xb_num 2
}

// CHECK:      %data = "pim.input"() <{name = "data"}> : () -> tensor<1x3x4x4xi16>
// CHECK-NEXT: %conv1 = "pim.conv"(%data) <{name = "conv1", kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64, in_channels = 3 : i64, out_channels = 4 : i64}> : (tensor<1x3x4x4xi16>) -> tensor<1x4x2x2xi16>
// CHECK-NEXT: "pim.dataflow"() ({
// CHECK-NEXT:   %0 = "pim.mvm"() <{layer = "conv1", cnt = #pim.range<0, 4>, bit = #pim.range<0, 16>, xb_num = 2 : i64}> : () -> !pim.token
// CHECK-NEXT: }) : () -> ()
