// RUN: pimsyn-opt %inputs/compact-design.mlir | filecheck %s --check-prefix=ROUND
// RUN: pimsyn-opt %inputs/compact-design.mlir --print-op-generic | pimsyn-opt | filecheck %s --check-prefix=ROUND
// RUN: pimsyn-opt %inputs/compact-design.mlir > %t.1.mlir
// RUN: pimsyn-opt %t.1.mlir > %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: pimsyn emit %inputs/compact-design.mlir --target accelerator-json | filecheck %s --check-prefix=JSON
// RUN: not pimsyn emit %inputs/compact-design.mlir --target pimcomp 2>&1 | filecheck %s --check-prefix=NOPIMCOMP
// RUN: pimsyn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// A compact design (pim.compact, pimsyn/ir/compact_ops.py) prints, re-parses and prints
// identically, in the custom and the generic form. Hand numbers of its first part:
// conv1 (27 x 64 weights: 1 row tile x 1 column tile x 8 bit slices = 8 crossbars of
// 128 x 128 2-bit cells, 4096 bytes each = 32768 bytes), conv2's output (128 channels x 8 x 8
// x 2 bytes = 16384 bytes) stored for part 1.
// ROUND-LABEL: builtin.module @tiny
// ROUND:       pim.compact "isaac" macros 3 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 {{.*}} dram lpddr5 batch 16 area_limit_mm2 0.8 {
// ROUND-NEXT:    pim.part 0 layers ["conv1", "pool1", "conv2"] duplication ddm cycles_ddm {{.*}} cycles_sa {{.*}} {
// ROUND-NEXT:      pim.resident "conv1" rows [0, 1] cols [0, 1] crossbars 8 dup 12 ddm 12 sa 9 macros 1
// ROUND:           pim.dram_load "conv1" weights bytes 32768
// ROUND:           pim.dram_load "data" activations bytes {{[0-9]+}} into "conv1"
// ROUND-NEXT:      pim.dram_store "conv2" activations bytes 16384
// ROUND:         pim.part 1 layers ["conv3", "pool2"]
// ROUND:           pim.dram_load "conv2" activations bytes 16384 from 0 into "conv3"
// ROUND:         pim.part 2 layers ["fc"] duplication ddm {{.*}} overlap {
// ROUND:         pim.batch_point 1 throughput
// ROUND:         pim.batch_point 64 throughput

// The accelerator JSON of a compact design: one file with a "parts" list.
// JSON: "mode": "compact",
// JSON: "parts": [
// JSON: "index": 0,

// NOPIMCOMP: error: --target pimcomp: a compact design (pim.compact) runs part by part

// CHECK-LABEL: builtin.module
// CHECK: pim.compact "isaac" macros 1

// A valid one-part design: the weights stay resident, no reloads.
builtin.module {
  %x = pim.input "x" : tensor<1x3x4x4xi16>
  %c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
  pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr4 batch 2 {
    pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 64.0 {
      pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 12 ddm 12 sa 4 macros 1
      pim.dram_load "x" activations bytes 864 into "c"
      pim.dram_store "c" activations bytes 256
    }
    pim.batch_point 2 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 0.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 0.5
  }
}

// -----

// A part whose resident weights need more macros than the chip has.
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 1 {
  pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 13 ddm 13 sa 13 macros 2
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 0.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.compact "isaac": part 0: its resident weights take 2 macros, the chip has 1

// -----

// A resident slice whose macros do not match its copies (8 x 13 = 104 crossbars: 2 macros of 96).
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 4 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 1 {
  pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 13 ddm 13 sa 13 macros 1
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 0.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.compact "isaac": part 0: pim.resident "c": macros 1, but 13 copies of 8 crossbars take 2

// -----

// Activations read from a part that runs later.
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
%d = pim.conv %c "d" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 8 : tensor<1x8x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 1 {
  pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 1 ddm 1 sa 1 macros 1
    pim.dram_load "c" weights bytes 32768
    pim.dram_load "d" activations bytes 256 from 1 into "c"
  }
  pim.part 1 layers ["d"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "d" rows [0, 1] cols [0, 1] crossbars 8 dup 1 ddm 1 sa 1 macros 1
    pim.dram_load "d" weights bytes 32768
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 2.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.part 0: pim.dram_load "d": from part 1 does not run before part 0

// -----

// Weights loaded for a layer that is not resident in the part.
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 1 {
  pim.part 0 layers ["c"] duplication sa cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 2 ddm 1 sa 2 macros 1
    pim.dram_load "x" weights bytes 32768
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 1.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.part 0: pim.dram_load "x": loads weights that are not resident in the part

// -----

// A kept duplication that is not the part's chosen method's (duplication sa, but dup = ddm's).
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 1 {
  pim.part 0 layers ["c"] duplication sa cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 3 ddm 3 sa 2 macros 1
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 0.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.part 0: pim.resident "c": dup 3 is not its sa duplication 2

// -----

// A weight layer of the module that no part holds.
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
%f = pim.fc %c "f" in 128 out 10 : tensor<1x8x4x4xi16> -> tensor<1x10xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 1 {
  pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 1 ddm 1 sa 1 macros 1
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 0.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.compact "isaac": the weights of layer "f" are resident in no part

// -----

// A DRAM the model has no parameters for, and no batch point for the design's batch.
%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram ddr9 batch 1 {
  pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 1 ddm 1 sa 1 macros 1
  }
}
// CHECK: pim.compact "isaac": dram must be one of lpddr3, lpddr4, lpddr5, got 'ddr9'

// -----

%x = pim.input "x" : tensor<1x3x4x4xi16>
%c = pim.conv %x "c" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 : tensor<1x3x4x4xi16> -> tensor<1x8x4x4xi16>
pim.compact "isaac" macros 1 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.25 dram lpddr5 batch 16 {
  pim.part 0 layers ["c"] duplication ddm cycles_ddm 48.0 cycles_sa 48.0 {
    pim.resident "c" rows [0, 1] cols [0, 1] crossbars 8 dup 1 ddm 1 sa 1 macros 1
  }
  pim.batch_point 1 throughput 1.0 latency_ns 2.0 energy_nj 3.0 tops_per_w 0.5 dram_share 0.25 reloads 0.0 gops_per_mm2 1.0 throughput_ddm 1.0 throughput_sa 1.0
}
// CHECK: pim.compact "isaac": no pim.batch_point for the design's batch 16
