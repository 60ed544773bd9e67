// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// Unrolled form: single block/bit per op (a single index prints as `cnt 1`, bit 0 is
// left out), several explicit dependency tokens per op.
%data = pim.input "data" : tensor<1x3x4x4xi16>
%conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 4 : tensor<1x3x4x4xi16> -> tensor<1x4x4x4xi16>
pim.dataflow unrolled {
  %0 = pim.load "conv1" cnt 0 vec_width 108
  %1 = pim.mvm "conv1" cnt 0 bit 0 xb_num 2 after %0
  %2 = pim.mvm "conv1" cnt 0 bit 1 xb_num 2 after %1
  %3 = pim.load "conv1" cnt 1 vec_width 108 after %0
  %4 = pim.mvm "conv1" cnt 1 xb_num 2 after %3, %1
}

// CHECK:      pim.dataflow unrolled {
// CHECK-NEXT:   %0 = pim.load "conv1" cnt 0 vec_width 108
// CHECK-NEXT:   %1 = pim.mvm "conv1" cnt 0 xb_num 2 after %0
// CHECK-NEXT:   %2 = pim.mvm "conv1" cnt 0 bit 1 xb_num 2 after %1
// CHECK-NEXT:   %3 = pim.load "conv1" cnt 1 vec_width 108 after %0
// CHECK-NEXT:   %4 = pim.mvm "conv1" cnt 1 xb_num 2 after %3, %1
// CHECK-NEXT: }
