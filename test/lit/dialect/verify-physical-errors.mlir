// RUN: pimsyn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// The physical-design verifier (pim.chip / pim.dataflow, pimsyn/ir/physical.py) rejects an
// inconsistent placed or scheduled design; each message names the op and the field.
// The cases are hand edits of printed designs of the tiny network
// (duplicate{strategy=woho ...},partition{seed=4 generations=2},allocate,place,schedule):
// its FC "fc1" (256 -> 10, 2 row tiles x 8 bit slices = 16 crossbars) on 2 macros of 8
// crossbars (DACs ceil(21 / 2) = 11 per macro), with "pim.hardware"/"pim.metrics" dropped,
// layer attributes cut to macros/crossbars/share_with and macro ids renumbered from 0.
// Each case changes one thing of a design that verifies.

// A layer's crossbars over its macros must add up to the layer's crossbars (16 = 8 + 8);
// here one crossbar is missing (macro 1 and the map agree on 7).
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 1 at [1, 0] layers ["fc1"] size 8 crossbars 7 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [0, 1] crossbars [8, 7] merge 1 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.map "fc1": crossbars add up to 15 but the layer has crossbars = 16

// -----

// A map names macro 2 of a chip with macros 0 and 1.
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 1 at [1, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [0, 2] crossbars [8, 8] merge 1 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.map "fc1": macros names macro 2, but the chip has macros 0 to 1

// -----

// A transfer to macro 3 of a chip with macros 0 to 2 (conv2 on macro 0 feeds fc1 on 1, 2).
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv2" macros [0] crossbars [128] merge 0 units <DAC = 9216, ADC = 1, SHIFTADD = 18, ADDITION = 1>
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 2 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
pim.dataflow {
  %0 = pim.transfer "fc1" cnt 0 src [0] dst [1, 3] bytes 256
}
// CHECK: pim.transfer "fc1": dst names macro 3, but the chip has macros 0 to 2

// -----

// A merge to macro 3 of a chip with macros 0 to 2 (fc1 merges in macro 2).
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv2" macros [0] crossbars [128] merge 0 units <DAC = 9216, ADC = 1, SHIFTADD = 18, ADDITION = 1>
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 2 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
pim.dataflow {
  %0 = pim.transfer "fc1" cnt 0 src [0] dst [1, 2] bytes 256
  %1 = pim.merge "fc1" cnt 0 macro_num 2 vec_width 10 src [1] dst [3] bytes 20 after %0
}
// CHECK: pim.merge "fc1": dst names macro 3, but the chip has macros 0 to 2

// -----

// Macros 0 and 1 serve conv1 and conv2 as a sharing pair, but neither layer has share_with
// (nor its map shared_with): the pair of the printed design with the sharing edited out.
%x = pim.input "x" : tensor<1x3x8x8xi16>
%conv1 = pim.conv %x "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 activation relu {macros = 1 : i64, crossbars = 512 : i64} : tensor<1x3x8x8xi16> -> tensor<1x8x8x8xi16>
%pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] : tensor<1x8x8x8xi16> -> tensor<1x8x4x4xi16>
%conv2 = pim.conv %pool1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["conv1", "conv2"] size 512 crossbars 512 dac 13824 sh 512 adc 572 alu <SHIFTADD = 72, ADDITION = 2> spm_kb 64
  pim.macro 1 at [1, 0] layers ["conv2", "conv1"] size 128 crossbars 128 dac 9216 sh 128 adc 0 alu <SHIFTADD = 18, ADDITION = 1, POOL = 1> spm_kb 64
  pim.map "conv1" macros [0] crossbars [512] merge 1 units <DAC = 13824, ADC = 572, SHIFTADD = 72, ADDITION = 2>
  pim.map "pool1" macros [1] merge 1 units <POOL = 1>
  pim.map "conv2" macros [1] crossbars [128] merge 0 units <DAC = 9216, ADC = 0, SHIFTADD = 18, ADDITION = 1>
}
// CHECK: pim.macro 0: serves "conv1" and "conv2", which are not sharing partners (share_with)

// -----

// Macro id 0 defined twice (ids must be the serpentine positions 0 to M-1).
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 0 at [1, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [0, 1] crossbars [8, 8] merge 1 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.chip: macro ids must be 0 to 1 (macro 0 is defined twice)

// -----

// Two macros at the same mesh position [0, 0].
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [0, 1] crossbars [8, 8] merge 1 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.macro 1: at [0, 0] is taken by macro 0

// -----

// A macro outside the 2 x 1 mesh (column 1).
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 1 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [0, 1] crossbars [8, 8] merge 1 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.macro 1: at [1, 1] is outside the 2 x 1 mesh

// -----

// A transfer must reach every macro its layer runs on (fc1: 1, 2), not conv2's macro 0.
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv2" macros [0] crossbars [128] merge 0 units <DAC = 9216, ADC = 1, SHIFTADD = 18, ADDITION = 1>
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 2 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
pim.dataflow {
  %0 = pim.transfer "fc1" cnt 0 src [0] dst [0, 1] bytes 256
}
// CHECK: pim.transfer "fc1": dst [0, 1] is not the macros the layer runs on [1, 2]

// -----

// A map of "fc2", which is no layer op of the module.
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 1] {
  pim.macro 0 at [0, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 1 at [1, 0] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [0, 1] crossbars [8, 8] merge 1 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
  pim.map "fc2" macros [1] merge 1 units <ADDITION = 1>
}
// CHECK: pim.map "fc2": names no layer op of the module

// -----

// A placed conv/FC layer needs a map: conv2's is missing.
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 2 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.chip: layer "conv2" (pim.conv) has no pim.map

// -----

// A transfer with src/dst (placed) in a module that has no pim.chip.
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.dataflow {
  %0 = pim.transfer "fc1" cnt 0 src [0] dst [1, 2] bytes 256
}
// CHECK: pim.transfer "fc1": names macros (src/dst) but the module has no pim.chip

// -----

// A scheduled dataflow (clock_ns/cycles) needs start/latency on every op: fc1's printed
// schedule rebased to cycle 0, the mvm's start dropped.
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.dataflow clock_ns 114.57342657342657 cycles 21 {
  %0 = pim.load "fc1" cnt 0 vec_width 256 start 0 latency 1
  %1 = pim.mvm "fc1" cnt 0 bit 0 to 16 xb_num 16 latency 1 after %0
  %2 = pim.adc "fc1" cnt 0 bit 0 to 16 vec_width 2048 start 2 latency 1 after %1
  %3 = pim.alu "fc1" shiftadd cnt 0 bit 0 to 16 vec_width 10 start 3 latency 1 after %2
  %4 = pim.alu "fc1" add cnt 0 vec_width 10 start 19 latency 1 after %3
  %5 = pim.store "fc1" cnt 0 vec_width 10 start 20 latency 1 after %4
}
// CHECK: pim.mvm "fc1": a scheduled dataflow has no 'start' on this op

// -----

// Every start lies within the schedule's cycles (1 + the last start, spec 5.13): the store
// starts at cycle 20, so cycles must be >= 21; 20 is one short.
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.dataflow clock_ns 114.57342657342657 cycles 20 {
  %0 = pim.load "fc1" cnt 0 vec_width 256 start 0 latency 1
  %1 = pim.mvm "fc1" cnt 0 bit 0 to 16 xb_num 16 start 1 latency 1 after %0
  %2 = pim.adc "fc1" cnt 0 bit 0 to 16 vec_width 2048 start 2 latency 1 after %1
  %3 = pim.alu "fc1" shiftadd cnt 0 bit 0 to 16 vec_width 10 start 3 latency 1 after %2
  %4 = pim.alu "fc1" add cnt 0 vec_width 10 start 19 latency 1 after %3
  %5 = pim.store "fc1" cnt 0 vec_width 10 start 20 latency 1 after %4
}
// CHECK: pim.store "fc1": start 20 is not within the 20 cycles of the schedule (1 + the last start, spec 5.13)

// -----

// A map's merge macro is one of the macros its layer runs on: fc1 runs on 1 and 2, not 0.
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv2" macros [0] crossbars [128] merge 0 units <DAC = 9216, ADC = 1, SHIFTADD = 18, ADDITION = 1>
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 0 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.map "fc1": merge is macro 0, which is not one of the layer's macros [1, 2]

// -----

// A merge gathers from the layer's other macros: fc1 on [1, 2] merging in 2 sends from [1], not [0].
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv2" macros [0] crossbars [128] merge 0 units <DAC = 9216, ADC = 1, SHIFTADD = 18, ADDITION = 1>
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 2 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
pim.dataflow {
  %0 = pim.load "conv2" cnt 0 to 16 vec_width 72
  %1 = pim.store "conv2" cnt 0 to 16 vec_width 16 after %0
  %2 = pim.transfer "fc1" cnt 0 src [0] dst [1, 2] bytes 256 after %1 parent_blocks [[15]]
  %3 = pim.merge "fc1" cnt 0 macro_num 2 vec_width 10 src [0] dst [2] bytes 20 after %2
}
// CHECK: pim.merge "fc1": src [0] is not the layer's macros other than the merge macro [1]

// -----

// A transfer starts at its providers' merge macros: conv2 merges in macro 0, not 2.
%x = pim.input "x" : tensor<1x8x4x4xi16>
%conv2 = pim.conv %x "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu {macros = 1 : i64, crossbars = 128 : i64} : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
%fc1 = pim.fc %conv2 "fc1" in 256 out 10 {macros = 2 : i64, crossbars = 16 : i64} : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.chip mesh [2, 2] {
  pim.macro 0 at [0, 0] layers ["conv2"] size 128 crossbars 128 dac 9216 sh 128 adc 1 alu <SHIFTADD = 18, ADDITION = 1> spm_kb 64
  pim.macro 1 at [0, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.macro 2 at [1, 1] layers ["fc1"] size 8 crossbars 8 dac 11 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv2" macros [0] crossbars [128] merge 0 units <DAC = 9216, ADC = 1, SHIFTADD = 18, ADDITION = 1>
  pim.map "fc1" macros [1, 2] crossbars [8, 8] merge 2 units <DAC = 11, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
pim.dataflow {
  %0 = pim.load "conv2" cnt 0 to 16 vec_width 72
  %1 = pim.store "conv2" cnt 0 to 16 vec_width 16 after %0
  %2 = pim.transfer "fc1" cnt 0 src [2] dst [1, 2] bytes 256 after %1 parent_blocks [[15]]
  %3 = pim.merge "fc1" cnt 0 macro_num 2 vec_width 10 src [1] dst [2] bytes 20 after %2
}
// CHECK: pim.transfer "fc1": src [2] is not the merge macros of its providers (conv2): [0]

// -----

// A placed pool layer runs on a macro too: pool1 without its pim.map.
%x = pim.input "x" : tensor<1x8x8x8xi16>
%conv1 = pim.conv %x "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 8 activation relu {macros = 1 : i64, crossbars = 8 : i64} : tensor<1x8x8x8xi16> -> tensor<1x8x8x8xi16>
%pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] : tensor<1x8x8x8xi16> -> tensor<1x8x4x4xi16>
pim.chip mesh [1, 1] {
  pim.macro 0 at [0, 0] layers ["conv1"] size 8 crossbars 8 dac 72 sh 8 adc 1 alu <SHIFTADD = 1, ADDITION = 1> spm_kb 64
  pim.map "conv1" macros [0] crossbars [8] merge 0 units <DAC = 72, ADC = 1, SHIFTADD = 1, ADDITION = 1>
}
// CHECK: pim.chip: layer "pool1" (pim.pool) has no pim.map

// -----

// An op of a layer starts once the previous op finished block 0: the mvm at cycle 1 cannot
// follow a load that starts at 5 and takes 1 cycle.
%x = pim.input "x" : tensor<1x16x4x4xi16>
%fc1 = pim.fc %x "fc1" in 256 out 10 : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
pim.dataflow clock_ns 114.57342657342657 cycles 21 {
  %0 = pim.load "fc1" cnt 0 vec_width 256 start 5 latency 1
  %1 = pim.mvm "fc1" cnt 0 bit 0 to 16 xb_num 16 start 1 latency 1 after %0
}
// CHECK: pim.mvm "fc1": start 1 is before the previous op of its layer finishes block 0 (start 5 + latency 1)
