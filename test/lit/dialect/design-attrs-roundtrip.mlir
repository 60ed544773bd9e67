// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// Design attributes written by synthesis passes, on the module and on layer ops.
builtin.module @alexnet attributes {pim.hw = #pim.hw<xbar = 256, cell_res = 2, weight_res = 16, data_res = 16, dac_res = 1, adc_res = 9>, pim.budget = #pim.budget<total_power_w = 49.0, rram_ratio = 0.3, crossbars = 12250>, pim.macro_setting = #pim.macro_setting<unified>, pim.metrics = {power_efficiency = 1.5e+12 : f64, cycles = 21954.0 : f64}} {
  %data = pim.input "data" : tensor<1x3x16x16xi16>
  %c1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 {dup = 4 : i64, blocks = 64 : i64, macros = 2 : i64, alloc = #pim.alloc<adc = 12, shiftadd = 3, dac = 0>} : tensor<1x3x16x16xi16> -> tensor<1x8x16x16xi16>
  %c2 = pim.conv %c1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 8 {dup = 1 : i64, share_with = "conv1"} : tensor<1x8x16x16xi16> -> tensor<1x8x16x16xi16>
}

// CHECK:      builtin.module @alexnet attributes {pim.hw = #pim.hw<xbar = 256, cell_res = 2, weight_res = 16, data_res = 16, dac_res = 1, adc_res = 9>, pim.budget = #pim.budget<total_power_w = 49.0, rram_ratio = 0.3, crossbars = 12250>, pim.macro_setting = #pim.macro_setting<unified>, pim.metrics = {power_efficiency = 1.500000e+12 : f64, cycles = 2.195400e+04 : f64}} {
// CHECK:        %c1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 {dup = 4 : i64, blocks = 64 : i64, macros = 2 : i64, alloc = #pim.alloc<adc = 12, shiftadd = 3, dac = 0>} : tensor<1x3x16x16xi16> -> tensor<1x8x16x16xi16>
// CHECK-NEXT:   %c2 = pim.conv %c1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 8 {dup = 1 : i64, share_with = "conv1"} : tensor<1x8x16x16xi16> -> tensor<1x8x16x16xi16>
