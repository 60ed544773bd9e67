// RUN: pimsyn-opt %s --split-input-file --verify-diagnostics | filecheck %s

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 out 4 {dup = 0 : i64} : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": design attribute 'dup' must be an integer >= 1, got 0 : i64

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 out 4 {share_with = "conv1"} : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": a layer cannot share macros with itself

// -----

builtin.module attributes {pim.hw = #pim.hw<xbar = 0, cell_res = 2, weight_res = 16, data_res = 16, dac_res = 1, adc_res = 9>} {
}
// CHECK: #pim.hw: xbar must be positive, got 0

// -----

builtin.module attributes {pim.budget = #pim.budget<total_power_w = 49.0, rram_ratio = 1.3, crossbars = 10>} {
}
// CHECK: #pim.budget: rram_ratio must be in (0, 1), got 1.3

// -----

builtin.module attributes {pim.macro_setting = #pim.macro_setting<mixed>} {
}
// CHECK: #pim.macro_setting: 'mixed' is not one of specified, unified

// -----

%d = pim.input "data" {alloc = #pim.alloc<adc = -1>} : tensor<1x3x8x8xi16>
// CHECK: #pim.alloc: count of 'adc' must be >= 0, got -1
