// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2}' | filecheck %s

// Eq. 3: 2 W x 0.3 / 3e-4 W per 128x128 crossbar = 2000 crossbars. ADC resolution
// log2(128) + 1 + 2 - 2 = 8 (spec 2.2, DAC 1 bit).
// CHECK: pim.hw = #pim.hw<xbar = 128, cell_res = 2, weight_res = 16, data_res = 16, dac_res = 1, adc_res = 8>
// CHECK-SAME: pim.budget = #pim.budget<total_power_w = 2.0, rram_ratio = 0.3, crossbars = 2000>

// No duplication: a conv computes one output pixel per block (8x8 = 64 blocks).
// CHECK: "conv1" {{.*}}{dup = 1 : i64, blocks = 64 : i64}
// The pool inherits its provider's 64 blocks, capped at its own 4x4 = 16 pixels (spec 2.3).
// CHECK: "pool1" {{.*}}{dup = 1 : i64, blocks = 16 : i64}
// CHECK: "conv2" {{.*}}{dup = 1 : i64, blocks = 16 : i64}
// FC layers always have duplication 1 and one block.
// CHECK: "fc1" {{.*}}{dup = 1 : i64, blocks = 1 : i64}
