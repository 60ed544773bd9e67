// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2},allocate,place' | filecheck %s

// place writes the physical design: pim.chip with one pim.macro per macro and one pim.map
// per layer, `crossbars` on every conv/FC layer, and real src/dst on transfers and merges.
// This option set gives conv1 and conv2 two macros each, sharing one run (0..3), so there
// are merges and a transfer to several macros.
//
// Crossbars (S = 128, 16-bit weights / 2-bit cells = 8 slices): conv1 dup 64 x 8 = 512,
// conv2 dup 16 x 8 = 128, fc1 2 row tiles x 8 = 16.
// CHECK: "conv1" {{.*}}macros = 2 : i64, share_with = "conv2", {{.*}}crossbars = 512 : i64}
// CHECK: "pool1" {{.*}}alloc = #pim.alloc<POOL = 1>} :
// CHECK: "conv2" {{.*}}macros = 2 : i64, share_with = "conv1", {{.*}}crossbars = 128 : i64}
// CHECK: "fc1" {{.*}}macros = 1 : i64, {{.*}}crossbars = 16 : i64}
//
// M = 2 + 2 + 1 = 5 macros: rows = ceil(sqrt 5) = 3, cols = ceil(5 / 3) = 2. Serpentine
// positions: row 0 left to right (0, 1), row 1 right to left (2 at col 1, 3 at col 0),
// row 2 left to right (4). The owner conv1 holds the run's first c = 2 macros, its
// partner conv2 the next 2; each layer's crossbars spread evenly (512 = 256 + 256,
// 128 = 64 + 64) and a macro's size is the largest share. Units per macro are
// ceil(alloc / c): conv1 DAC 13824 / 2 = 6912, ADC ceil(565 / 2) = 283, SHIFTADD
// ceil(71 / 2) = 36, ADDITION 2 / 2 = 1; conv2 DAC 9216 / 2 = 4608, SHIFTADD 18 / 2 = 9,
// ADDITION ceil(1 / 2) = 1 (ADC 0: it uses its partner's ADCs). pool1 runs on the merge
// macro of its provider conv1 (3), which so gets its POOL unit.
// CHECK:      pim.chip mesh [3, 2] {
// CHECK-NEXT:   pim.macro 0 at [0, 0] layers ["conv1", "conv2"] size 256 crossbars 256 dac 6912 sh 256 adc 283 alu <SHIFTADD = 36, ADDITION = 1> spm_kb 64
// CHECK-NEXT:   pim.macro 1 at [0, 1] layers ["conv1", "conv2"] size 256 crossbars 256 dac 6912 sh 256 adc 283 alu <SHIFTADD = 36, ADDITION = 1> spm_kb 64
// CHECK-NEXT:   pim.macro 2 at [1, 1] layers ["conv2", "conv1"] size 64 crossbars 64 dac 4608 sh 64 adc 0 alu <SHIFTADD = 9, ADDITION = 1> spm_kb 64
// CHECK-NEXT:   pim.macro 3 at [1, 0] layers ["conv2", "conv1"] size 64 crossbars 64 dac 4608 sh 64 adc 0 alu <SHIFTADD = 9, ADDITION = 1, POOL = 1> spm_kb 64
// CHECK-NEXT:   pim.macro 4 at [2, 0] layers ["fc1"] size 16 crossbars 16 dac 21 sh 16 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
// CHECK-NEXT:   pim.map "conv1" macros [0, 1] crossbars [256, 256] merge 3 shared_with "conv2" units <DAC = 6912, ADC = 283, SHIFTADD = 36, ADDITION = 1>
// CHECK-NEXT:   pim.map "pool1" macros [3] merge 3 units <POOL = 1>
// CHECK-NEXT:   pim.map "conv2" macros [2, 3] crossbars [64, 64] merge 0 shared_with "conv1" units <DAC = 4608, ADC = 0, SHIFTADD = 9, ADDITION = 1>
// CHECK-NEXT:   pim.map "fc1" macros [4] crossbars [16] merge 4 units <DAC = 21, ADC = 1, SHIFTADD = 1, ADDITION = 1>
// CHECK-NEXT: }
//
// Both layers of the pair run on the whole run 0..3: a merge goes from the run's other
// macros to the map's merge macro (conv1: 0, 1, 2 -> 3; conv2: 1, 2, 3 -> 0), each source
// sending dup / 4 output positions x C channels x 2 bytes (conv1 16 x 8 x 2 = 256, conv2
// 4 x 16 x 2 = 128). A transfer goes from the provider's merge macro to every macro its
// layer runs on: pool1 (on 3) -> conv2's run 0..3, conv2 (merge 0) -> fc1's macro 4 with
// fc1's 256 inputs x 2 bytes = 512. conv2's transfer (spec 5.5): m = 4 macros, d = 16, so
// q = ceil(4/16) = 1, u = 4, dpm = ceil(16/4) = 4 and each macro receives
// (dpm * stride + kernel) * ceil(C_in / q) = (4 + 3) * 8 = 56 words = 112 bytes per block.
// conv1 reads the network input: no transfer.
// CHECK:      pim.dataflow {
// CHECK-NOT:  pim.transfer "conv1"
// CHECK:      pim.merge "conv1" cnt 0 macro_num 4 vec_width 512 src [0, 1, 2] dst [3] bytes 256 after
// CHECK:      pim.transfer "conv2" cnt 0 src [3] dst [0, 1, 2, 3] bytes 112 after
// CHECK:      pim.merge "conv2" cnt 0 macro_num 4 vec_width 256 src [1, 2, 3] dst [0] bytes 128 after
// CHECK-NEXT: pim.transfer "fc1" cnt 0 src [0] dst [4] bytes 512 after
// CHECK-NOT:  pim.merge "fc1"
// CHECK:      }
