// pim-to-hw lowers the placed tiny design (the place.mlir design: conv1 and conv2 share a
// run of 2 + 2 macros on a 3 x 2 mesh, fc1 on macro 4) to CIRCT's hw dialect, and the hw
// IR prints, parses and prints again identically (custom and generic form).
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2},allocate,place,schedule,evaluate,pim-to-hw' -o %t.mlir
// RUN: filecheck %s < %t.mlir
// RUN: pimsyn-opt %t.mlir | diff - %t.mlir
// RUN: pimsyn-opt %t.mlir --print-op-generic | pimsyn-opt | diff - %t.mlir

// Leaf components are port-only shells named by their configuration.
// CHECK-LABEL: hw.module @Router_f64(in %0 clk: i1, in %1 n_in: i64, in %2 e_in: i64, in %3 s_in: i64, in %4 w_in: i64, in %5 l_in: i64, out n_out: i64, out e_out: i64, out s_out: i64, out w_out: i64, out l_out: i64)
// CHECK-LABEL: hw.module @Dac_r1(in %0 clk: i1, in %1 in: i1, out out: i1) attributes {pim.component = "dac", pim.resolution = 1 : i64}
// CHECK-NEXT:    %2 = hw.constant false
// CHECK-NEXT:    hw.output %2 : i1
// N copies are a binary tree: 3 = 1 + 1 + 1, 6 = 3 + 3, ... 6912 = 3456 + 3456 (conv1's
// 13824 DACs over its 2 home macros).
// CHECK-LABEL: hw.module @Dac_r1_x3(
// CHECK-NEXT:    hw.instance "part0" @Dac_r1(
// CHECK-NEXT:    hw.instance "part1" @Dac_r1(
// CHECK-NEXT:    hw.instance "part2" @Dac_r1(
// CHECK-LABEL: hw.module @Dac_r1_x6912(
// CHECK-NEXT:    hw.instance "part0" @Dac_r1_x3456(
// CHECK-NEXT:    hw.instance "part1" @Dac_r1_x3456(
// CHECK-NEXT:    hw.output
// CHECK-LABEL: hw.module @Crossbar_128x128_c2(in %0 clk: i1, in %1 in: i1, out out: i1) attributes {pim.component = "crossbar", pim.rows = 128 : i64, pim.cols = 128 : i64, pim.cell_res = 2 : i64}
// CHECK-LABEL: hw.module @Adc_r8(in %0 clk: i1, in %1 in: i1, out out: i8)

// One module per distinct macro: conv1's two home macros (256 crossbars, 6912 DACs, 283
// ADCs, 36 shift-adders, 1 adder) share Macro_0; the data path runs from the router's local
// port through the scratchpad and the components back to the router (zero-extended to the
// 64-bit flit).
// CHECK-LABEL: hw.module @Macro_0(in %0 clk: i1, in %1 n_in: i64, in %2 e_in: i64, in %3 s_in: i64, in %4 w_in: i64, out n_out: i64, out e_out: i64, out s_out: i64, out w_out: i64) attributes {pim.crossbar_slots = 256 : i64, pim.crossbars_used = 256 : i64, pim.dac = 6912 : i64, pim.sh = 256 : i64, pim.adc = 283 : i64, pim.spm_kb = 64 : i64, pim.shiftadd = 36 : i64, pim.addition = 1 : i64}
// CHECK-NEXT:    %5, %6, %7, %8, %9 = hw.instance "router" @Router_f64(clk: %0: i1, n_in: %1: i64, e_in: %2: i64, s_in: %3: i64, w_in: %4: i64, l_in: %10: i64)
// CHECK-NEXT:    %11 = hw.instance "scratchpad" @Scratchpad_64KB(clk: %0: i1, in: %9: i64) -> (out: i64)
// CHECK-NEXT:    %12 = comb.extract %11 from 0 :  (i64) -> i1
// CHECK-NEXT:    %13 = hw.instance "dacs" @Dac_r1_x6912(clk: %0: i1, in: %12: i1) -> (out: i1)
// CHECK-NEXT:    %14 = hw.instance "crossbars" @Crossbar_128x128_c2_x256(clk: %0: i1, in: %13: i1) -> (out: i1)
// CHECK-NEXT:    %15 = hw.instance "sample_holds" @SampleHold_128_x256(clk: %0: i1, in: %14: i1) -> (out: i1)
// CHECK-NEXT:    %16 = hw.instance "adcs" @Adc_r8_x283(clk: %0: i1, in: %15: i1) -> (out: i8)
// CHECK-NEXT:    %17 = hw.instance "shiftadds" @ShiftAdd_w16_x36(clk: %0: i1, in: %16: i8) -> (out: i16)
// CHECK-NEXT:    %18 = hw.instance "additions" @Adder_w16(clk: %0: i1, in: %17: i16) -> (out: i16)
// CHECK-NEXT:    %19 = hw.constant 0 : i48
// CHECK-NEXT:    %10 = comb.concat %19, %18 : i48, i16
// CHECK-NEXT:    hw.output %5, %6, %7, %8 : i64, i64, i64, i64
// Macro 3 (conv2's second home macro) also hosts pool1: a Macro of its own with the pool unit.
// CHECK-LABEL: hw.module @Macro_2(
// CHECK-SAME:    pim.pool = 1 : i64

// The top instantiates the 5 macros at their serpentine positions and wires each router to
// its neighbours: macro 0 at (0, 0) reads macro 1's west output on its east input and
// macro 3's north output on its south input; edges read zero; the chip input enters
// macro 0 from the west, the output leaves macro 4 (the last) to the east.
// CHECK-LABEL: hw.module @Accelerator(in %0 clk: i1, in %1 in: i64, out out: i64) attributes {pim.network = "tiny", pim.mesh_rows = 3 : i64, pim.mesh_cols = 2 : i64, pim.macros = 5 : i64}
// CHECK-NEXT:    %2 = hw.constant 0 : i64
// CHECK-NEXT:    %3, %4, %5, %6 = hw.instance "macro_0_r0_c0" @Macro_0(clk: %0: i1, n_in: %2: i64, e_in: %7: i64, s_in: %8: i64, w_in: %1: i64)
// CHECK-NEXT:    %9, %10, %11, %7 = hw.instance "macro_1_r0_c1" @Macro_0(clk: %0: i1, n_in: %2: i64, e_in: %2: i64, s_in: %12: i64, w_in: %4: i64)
// CHECK-NEXT:    %12, %13, %14, %15 = hw.instance "macro_2_r1_c1" @Macro_1(
// CHECK-NEXT:    %8, %16, %17, %18 = hw.instance "macro_3_r1_c0" @Macro_2(clk: %0: i1, n_in: %5: i64,
// CHECK-NEXT:    %19, %20, %21, %22 = hw.instance "macro_4_r2_c0" @Macro_3(clk: %0: i1, n_in: %17: i64, e_in: %2: i64, s_in: %2: i64, w_in: %2: i64)
// CHECK-NEXT:    hw.output %20 : i64
