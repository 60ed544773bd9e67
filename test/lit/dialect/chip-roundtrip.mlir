// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s
// Printing is a fixed point in both forms: custom -> custom and generic -> generic.
// RUN: pimsyn-opt %s > %t.custom.mlir
// RUN: pimsyn-opt %t.custom.mlir > %t.custom2.mlir
// RUN: diff %t.custom.mlir %t.custom2.mlir
// RUN: pimsyn-opt %s --print-op-generic > %t.generic.mlir
// RUN: pimsyn-opt %t.generic.mlir --print-op-generic > %t.generic2.mlir
// RUN: diff %t.generic.mlir %t.generic2.mlir

// A placed and scheduled design (pim.chip with pim.macro / pim.map, placed transfers and
// merges, start/latency on every op, clock_ns/cycles on the region) prints, re-parses and
// prints identically. Printed by
//   pimsyn-opt tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128
//     cell-res=2},partition{seed=4 generations=2},allocate,place,schedule'
// with the module attributes (pim.hardware, pim.hw, pim.metrics, ...) dropped. It has a
// sharing pair (conv1/conv2 on macros 0, 1), a layer on two macros (fc1 on 2, 3: a merge),
// an optional field left out (no crossbars on the pool map) and a clock_ns that needs all
// 17 significant digits to print back the same.

builtin.module @tiny {
  %data = pim.input "data" : tensor<1x3x8x8xi16>
  %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 activation relu {dup = 64 : i64, blocks = 1 : i64, macros = 1 : i64, share_with = "conv2", alloc = #pim.alloc<DAC = 13824, ADC = 572, SHIFTADD = 72, ADDITION = 2>, crossbars = 512 : i64} : tensor<1x3x8x8xi16> -> tensor<1x8x8x8xi16>
  %pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] {dup = 16 : i64, blocks = 1 : i64, alloc = #pim.alloc<POOL = 1>} : tensor<1x8x8x8xi16> -> tensor<1x8x4x4xi16>
  %conv2 = pim.conv %pool1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {dup = 16 : i64, blocks = 1 : i64, macros = 1 : i64, share_with = "conv1", alloc = #pim.alloc<DAC = 9216, ADC = 0, SHIFTADD = 18, ADDITION = 1>, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
  %fc1 = pim.fc %conv2 "fc1" in 256 out 10 {dup = 1 : i64, blocks = 1 : i64, macros = 2 : i64, alloc = #pim.alloc<DAC = 21, ADC = 1, SHIFTADD = 1, ADDITION = 1>, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
  pim.chip mesh [2, 2] {
    pim.macro 0 at [0, 0] layers ["conv1", "conv2"] size 512 crossbars 512 dac 13824 sh 512 adc 572 alu <SHIFTADD = 72, ADDITION = 2> spm_kb 64
    pim.macro 1 at [0, 1] layers ["conv2", "conv1"] size 128 crossbars 128 dac 9216 sh 128 adc 0 alu <SHIFTADD = 18, ADDITION = 1, POOL = 1> spm_kb 64
    pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
    pim.macro 3 at [1, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
    pim.map "conv1" macros [0] crossbars [512] merge 1 shared_with "conv2" units <DAC = 13824, ADC = 572, SHIFTADD = 72, ADDITION = 2>
    pim.map "pool1" macros [1] merge 1 units <POOL = 1>
    pim.map "conv2" macros [1] crossbars [128] merge 0 shared_with "conv1" units <DAC = 9216, ADC = 0, SHIFTADD = 18, ADDITION = 1>
    pim.map "fc1" macros [2, 3] crossbars [8, 8] merge 3 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
  }
  pim.dataflow clock_ns 114.57342657342657 cycles 71 {
    %0 = pim.load "conv1" cnt 0 vec_width 1728 start 0 latency 1
    %1 = pim.mvm "conv1" cnt 0 bit 0 to 16 xb_num 512 start 1 latency 1 after %0
    %2 = pim.adc "conv1" cnt 0 bit 0 to 16 vec_width 65536 start 2 latency 1 after %1
    %3 = pim.alu "conv1" shiftadd cnt 0 bit 0 to 16 vec_width 512 start 3 latency 1 after %2
    %4 = pim.alu "conv1" add cnt 0 vec_width 512 start 19 latency 1 after %3
    %5 = pim.store "conv1" cnt 0 vec_width 512 start 20 latency 1 after %4
    %6 = pim.merge "conv1" cnt 0 macro_num 2 vec_width 512 src [0] dst [1] bytes 512 start 21 latency 1 after %5
    %7 = pim.load "pool1" cnt 0 vec_width 128 start 22 latency 1 after %6 parent_blocks [[0]]
    %8 = pim.alu "pool1" pool cnt 0 vec_width 128 start 23 latency 1 after %7
    %9 = pim.store "pool1" cnt 0 vec_width 128 start 24 latency 1 after %8
    %10 = pim.transfer "conv2" cnt 0 src [1] dst [0, 1] bytes 176 start 25 latency 1 after %9 parent_blocks [[0]]
    %11 = pim.load "conv2" cnt 0 vec_width 1152 start 26 latency 1 after %10
    %12 = pim.mvm "conv2" cnt 0 bit 0 to 16 xb_num 128 start 27 latency 1 after %11
    %13 = pim.adc "conv2" cnt 0 bit 0 to 16 vec_width 16384 start 28 latency 1 after %12
    %14 = pim.alu "conv2" shiftadd cnt 0 bit 0 to 16 vec_width 256 start 29 latency 1 after %13
    %15 = pim.alu "conv2" add cnt 0 vec_width 256 start 45 latency 1 after %14
    %16 = pim.store "conv2" cnt 0 vec_width 256 start 46 latency 1 after %15
    %17 = pim.merge "conv2" cnt 0 macro_num 2 vec_width 256 src [1] dst [0] bytes 256 start 47 latency 1 after %16
    %18 = pim.transfer "fc1" cnt 0 src [0] dst [2, 3] bytes 256 start 48 latency 1 after %17 parent_blocks [[0]]
    %19 = pim.load "fc1" cnt 0 vec_width 256 start 49 latency 1 after %18
    %20 = pim.mvm "fc1" cnt 0 bit 0 to 16 xb_num 16 start 50 latency 1 after %19
    %21 = pim.adc "fc1" cnt 0 bit 0 to 16 vec_width 2048 start 51 latency 1 after %20
    %22 = pim.alu "fc1" shiftadd cnt 0 bit 0 to 16 vec_width 10 start 52 latency 1 after %21
    %23 = pim.alu "fc1" add cnt 0 vec_width 10 start 68 latency 1 after %22
    %24 = pim.store "fc1" cnt 0 vec_width 10 start 69 latency 1 after %23
    %25 = pim.merge "fc1" cnt 0 macro_num 2 vec_width 10 src [2] dst [3] bytes 20 start 70 latency 1 after %24
  }
}

// CHECK:      builtin.module @tiny {
// CHECK-NEXT:   %data = pim.input "data" : tensor<1x3x8x8xi16>
// CHECK-NEXT:   %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 activation relu {dup = 64 : i64, blocks = 1 : i64, macros = 1 : i64, share_with = "conv2", alloc = #pim.alloc<DAC = 13824, ADC = 572, SHIFTADD = 72, ADDITION = 2>, crossbars = 512 : i64} : tensor<1x3x8x8xi16> -> tensor<1x8x8x8xi16>
// CHECK-NEXT:   %pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] {dup = 16 : i64, blocks = 1 : i64, alloc = #pim.alloc<POOL = 1>} : tensor<1x8x8x8xi16> -> tensor<1x8x4x4xi16>
// CHECK-NEXT:   %conv2 = pim.conv %pool1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {dup = 16 : i64, blocks = 1 : i64, macros = 1 : i64, share_with = "conv1", alloc = #pim.alloc<DAC = 9216, ADC = 0, SHIFTADD = 18, ADDITION = 1>, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
// CHECK-NEXT:   %fc1 = pim.fc %conv2 "fc1" in 256 out 10 {dup = 1 : i64, blocks = 1 : i64, macros = 2 : i64, alloc = #pim.alloc<DAC = 21, ADC = 1, SHIFTADD = 1, ADDITION = 1>, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
// CHECK-NEXT:   pim.chip mesh [2, 2] {
// CHECK-NEXT:     pim.macro 0 at [0, 0] layers ["conv1", "conv2"] size 512 crossbars 512 dac 13824 sh 512 adc 572 alu <SHIFTADD = 72, ADDITION = 2> spm_kb 64
// CHECK-NEXT:     pim.macro 1 at [0, 1] layers ["conv2", "conv1"] size 128 crossbars 128 dac 9216 sh 128 adc 0 alu <SHIFTADD = 18, ADDITION = 1, POOL = 1> spm_kb 64
// CHECK-NEXT:     pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
// CHECK-NEXT:     pim.macro 3 at [1, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
// CHECK-NEXT:     pim.map "conv1" macros [0] crossbars [512] merge 1 shared_with "conv2" units <DAC = 13824, ADC = 572, SHIFTADD = 72, ADDITION = 2>
// CHECK-NEXT:     pim.map "pool1" macros [1] merge 1 units <POOL = 1>
// CHECK-NEXT:     pim.map "conv2" macros [1] crossbars [128] merge 0 shared_with "conv1" units <DAC = 9216, ADC = 0, SHIFTADD = 18, ADDITION = 1>
// CHECK-NEXT:     pim.map "fc1" macros [2, 3] crossbars [8, 8] merge 3 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
// CHECK-NEXT:   }
// CHECK-NEXT:   pim.dataflow clock_ns 114.57342657342657 cycles 71 {
// CHECK-NEXT:     %0 = pim.load "conv1" cnt 0 vec_width 1728 start 0 latency 1
// CHECK-NEXT:     %1 = pim.mvm "conv1" cnt 0 bit 0 to 16 xb_num 512 start 1 latency 1 after %0
// CHECK-NEXT:     %2 = pim.adc "conv1" cnt 0 bit 0 to 16 vec_width 65536 start 2 latency 1 after %1
// CHECK-NEXT:     %3 = pim.alu "conv1" shiftadd cnt 0 bit 0 to 16 vec_width 512 start 3 latency 1 after %2
// CHECK-NEXT:     %4 = pim.alu "conv1" add cnt 0 vec_width 512 start 19 latency 1 after %3
// CHECK-NEXT:     %5 = pim.store "conv1" cnt 0 vec_width 512 start 20 latency 1 after %4
// CHECK-NEXT:     %6 = pim.merge "conv1" cnt 0 macro_num 2 vec_width 512 src [0] dst [1] bytes 512 start 21 latency 1 after %5
// CHECK-NEXT:     %7 = pim.load "pool1" cnt 0 vec_width 128 start 22 latency 1 after %6 parent_blocks {{\[\[}}0]]
// CHECK-NEXT:     %8 = pim.alu "pool1" pool cnt 0 vec_width 128 start 23 latency 1 after %7
// CHECK-NEXT:     %9 = pim.store "pool1" cnt 0 vec_width 128 start 24 latency 1 after %8
// CHECK-NEXT:     %10 = pim.transfer "conv2" cnt 0 src [1] dst [0, 1] bytes 176 start 25 latency 1 after %9 parent_blocks {{\[\[}}0]]
// CHECK-NEXT:     %11 = pim.load "conv2" cnt 0 vec_width 1152 start 26 latency 1 after %10
// CHECK-NEXT:     %12 = pim.mvm "conv2" cnt 0 bit 0 to 16 xb_num 128 start 27 latency 1 after %11
// CHECK-NEXT:     %13 = pim.adc "conv2" cnt 0 bit 0 to 16 vec_width 16384 start 28 latency 1 after %12
// CHECK-NEXT:     %14 = pim.alu "conv2" shiftadd cnt 0 bit 0 to 16 vec_width 256 start 29 latency 1 after %13
// CHECK-NEXT:     %15 = pim.alu "conv2" add cnt 0 vec_width 256 start 45 latency 1 after %14
// CHECK-NEXT:     %16 = pim.store "conv2" cnt 0 vec_width 256 start 46 latency 1 after %15
// CHECK-NEXT:     %17 = pim.merge "conv2" cnt 0 macro_num 2 vec_width 256 src [1] dst [0] bytes 256 start 47 latency 1 after %16
// CHECK-NEXT:     %18 = pim.transfer "fc1" cnt 0 src [0] dst [2, 3] bytes 256 start 48 latency 1 after %17 parent_blocks {{\[\[}}0]]
// CHECK-NEXT:     %19 = pim.load "fc1" cnt 0 vec_width 256 start 49 latency 1 after %18
// CHECK-NEXT:     %20 = pim.mvm "fc1" cnt 0 bit 0 to 16 xb_num 16 start 50 latency 1 after %19
// CHECK-NEXT:     %21 = pim.adc "fc1" cnt 0 bit 0 to 16 vec_width 2048 start 51 latency 1 after %20
// CHECK-NEXT:     %22 = pim.alu "fc1" shiftadd cnt 0 bit 0 to 16 vec_width 10 start 52 latency 1 after %21
// CHECK-NEXT:     %23 = pim.alu "fc1" add cnt 0 vec_width 10 start 68 latency 1 after %22
// CHECK-NEXT:     %24 = pim.store "fc1" cnt 0 vec_width 10 start 69 latency 1 after %23
// CHECK-NEXT:     %25 = pim.merge "fc1" cnt 0 macro_num 2 vec_width 10 src [2] dst [3] bytes 20 start 70 latency 1 after %24
// CHECK-NEXT:   }
// CHECK-NEXT: }
