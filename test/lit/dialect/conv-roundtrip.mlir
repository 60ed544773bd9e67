// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// Every conv field in custom form; defaults (stride 1, no pads, dilation 1, groups 1) stay out.
builtin.module @convs {
  %data = pim.input "data" : tensor<1x3x224x224xi16>
  %conv1 = pim.conv %data "conv1" kernel [11, 11] stride [4, 4] pads [2, 2, 2, 2] in 3 out 64 activation relu : tensor<1x3x224x224xi16> -> tensor<1x64x55x55xi16>
  %c2 = pim.conv %conv1 "conv2" kernel [5, 5] pads [2, 2, 2, 2] dilation [2, 2] groups 2 in 64 out 192 bias post_ops [relu, sigmoid] clip [0.0, 6.0] bn_folded : tensor<1x64x55x55xi16> -> tensor<1x192x55x55xi16>
  %c3 = pim.conv %c2 "conv3" kernel [1, 1] stride [1, 1] pads [0, 0, 0, 0] dilation [1, 1] groups 1 in 192 out 8 : tensor<1x192x55x55xi16> -> tensor<1x8x55x55xi16>
}

// CHECK:      builtin.module @convs {
// CHECK-NEXT:   %data = pim.input "data" : tensor<1x3x224x224xi16>
// CHECK-NEXT:   %conv1 = pim.conv %data "conv1" kernel [11, 11] stride [4, 4] pads [2, 2, 2, 2] in 3 out 64 activation relu : tensor<1x3x224x224xi16> -> tensor<1x64x55x55xi16>
// CHECK-NEXT:   %c2 = pim.conv %conv1 "conv2" kernel [5, 5] pads [2, 2, 2, 2] dilation [2, 2] groups 2 in 64 out 192 bias post_ops [relu, sigmoid] clip [0.0, 6.0] bn_folded : tensor<1x64x55x55xi16> -> tensor<1x192x55x55xi16>
// CHECK-NEXT:   %c3 = pim.conv %c2 "conv3" kernel [1, 1] in 192 out 8 : tensor<1x192x55x55xi16> -> tensor<1x8x55x55xi16>
// CHECK-NEXT: }
