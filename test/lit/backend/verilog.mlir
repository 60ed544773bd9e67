// The verilog target: the pim-to-hw netlist through CIRCT's ExportVerilog, with a comment
// header carrying the design point and metrics (the place.mlir design of the tiny network).
// REQUIRES: circt
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2},allocate,place,schedule,evaluate' -o %t.mlir
// RUN: pimsyn emit %t.mlir --target verilog -o %t.v
// RUN: filecheck %s < %t.v
// RUN: pimsyn-opt %t.mlir -t verilog | diff - %t.v

// CHECK:      // PIMSYN accelerator for tiny (structural netlist; leaf components are black-box shells)
// CHECK-NEXT: // design point: 2 W budget, RatioRram 0.3, 128x128 crossbars, 2-bit cells, DAC 1 bit, ADC 8 bit, specified macros, 3x2 mesh, 5 macros, 64 KB scratchpad per macro
// CHECK-NEXT: // metrics: {{[0-9.]+}} GOPS/W
// CHECK-LABEL: module Dac_r1(
// CHECK-NEXT:    input  clk,
// CHECK-NEXT:           in,
// CHECK-NEXT:    output out
// CHECK:         assign out = 1'h0;
// CHECK-LABEL: module Macro_0(
// CHECK:         Dac_r1_x6912 dacs (
// CHECK:         Crossbar_128x128_c2_x256 crossbars (
// CHECK:         Adc_r8_x283 adcs (
// CHECK-LABEL: module Accelerator(
// CHECK-NEXT:    input         clk,
// CHECK-NEXT:    input  [63:0] in,
// CHECK-NEXT:    output [63:0] out
// CHECK:         Macro_0 macro_0_r0_c0 (
// CHECK:         .w_in  (in),
// CHECK:         Macro_3 macro_4_r2_c0 (
// CHECK:       endmodule
