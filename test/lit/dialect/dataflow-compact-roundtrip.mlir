// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// Every Table II op in compact form: one op per (layer, kind), ranges over blocks and bits,
// a chain inside a layer, provider tokens + parent_blocks at a layer's first op.
builtin.module @tiny {
  %data = pim.input "data" : tensor<1x3x4x4xi16>
  %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 4 : tensor<1x3x4x4xi16> -> tensor<1x4x4x4xi16>
  %pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] : tensor<1x4x4x4xi16> -> tensor<1x4x2x2xi16>
  pim.dataflow {
    %0 = pim.load "conv1" cnt 0 to 4 vec_width 108
    %1 = pim.mvm "conv1" cnt 0 to 4 bit 0 to 16 xb_num 2 after %0
    %2 = pim.adc "conv1" cnt 0 to 4 bit 0 to 16 vec_width 32 after %1
    %3 = pim.alu "conv1" shiftadd cnt 0 to 4 bit 0 to 16 vec_width 32 after %2
    %4 = pim.alu "conv1" add cnt 0 to 4 vec_width 4 after %3
    %5 = pim.store "conv1" cnt 0 to 4 vec_width 16 after %4
    %6 = pim.merge "conv1" cnt 0 to 4 macro_num 2 vec_width 16 bytes 32 after %5
    %7 = pim.transfer "pool1" cnt 0 to 2 bytes 48 after %6 parent_blocks [[1, 3]]
    %8 = pim.load "pool1" cnt 0 to 2 vec_width 36 after %7
    %9 = pim.alu "pool1" pool cnt 0 to 2 vec_width 4 after %8
    %10 = pim.alu "pool1" relu cnt 0 to 2 vec_width 4 after %9
    %11 = pim.store "pool1" cnt 0 to 2 vec_width 8 after %10
  }
}

// CHECK:      pim.dataflow {
// CHECK-NEXT:   %0 = pim.load "conv1" cnt 0 to 4 vec_width 108
// CHECK-NEXT:   %1 = pim.mvm "conv1" cnt 0 to 4 bit 0 to 16 xb_num 2 after %0
// CHECK-NEXT:   %2 = pim.adc "conv1" cnt 0 to 4 bit 0 to 16 vec_width 32 after %1
// CHECK-NEXT:   %3 = pim.alu "conv1" shiftadd cnt 0 to 4 bit 0 to 16 vec_width 32 after %2
// CHECK-NEXT:   %4 = pim.alu "conv1" add cnt 0 to 4 vec_width 4 after %3
// CHECK-NEXT:   %5 = pim.store "conv1" cnt 0 to 4 vec_width 16 after %4
// CHECK-NEXT:   %6 = pim.merge "conv1" cnt 0 to 4 macro_num 2 vec_width 16 bytes 32 after %5
// CHECK-NEXT:   %7 = pim.transfer "pool1" cnt 0 to 2 bytes 48 after %6 parent_blocks {{\[\[}}1, 3]]
// CHECK-NEXT:   %8 = pim.load "pool1" cnt 0 to 2 vec_width 36 after %7
// CHECK-NEXT:   %9 = pim.alu "pool1" pool cnt 0 to 2 vec_width 4 after %8
// CHECK-NEXT:   %10 = pim.alu "pool1" relu cnt 0 to 2 vec_width 4 after %9
// CHECK-NEXT:   %11 = pim.store "pool1" cnt 0 to 2 vec_width 8 after %10
// CHECK-NEXT: }
