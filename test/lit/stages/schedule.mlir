// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=1 generations=3},allocate,place,schedule' > %t.first.mlir
// RUN: filecheck %s < %t.first.mlir
// Scheduling a scheduled design again changes nothing.
// RUN: pimsyn-opt %t.first.mlir -p schedule > %t.second.mlir
// RUN: diff %t.first.mlir %t.second.mlir

// schedule writes the cost model's schedule: `start` (cycle of block 0, bit 0) and
// `latency` (cycles per block, per bit for mvm/adc/shiftadd) on every op, `clock_ns` and
// `cycles` on pim.dataflow. The design is the one of evaluate.mlir (clock at the 100 ns
// floor, cycles = 1156) with one macro per layer: every op takes 1 cycle.
//
// Inside a layer an op starts 1 cycle after the previous one, except that the add waits
// for all 16 bits of the shiftadd (3 + 16 x 1 = 19); one block follows the other every 16
// cycles (the 16 bits of the mvm), so conv1 stores block b at 20 + 16 b.
// pool1 block 0 needs conv1 block 9 (parent_blocks): stored at 20 + 16 x 9 = 164 -> 165.
// conv2 block 0 needs pool1 block 5, which needs conv1 block 27: stored at 452, pool1
// loads/pools/stores at 453..455 -> the transfer at 456.
// fc1 needs conv2 block 15. conv2 block 10 is the first to need pool1 block 15 (conv1
// block 63, stored at 1028; pool1 store 1031; transfer 1032, mvm 1034); blocks 11..15
// follow every 16 cycles: block 15 mvm at 1034 + 5 x 16 = 1114, store at 1114 + 19 = 1133
// -> the fc1 transfer at 1134, fc1's store at 1155, cycles = 1155 + 1 = 1156.
// CHECK:      pim.dataflow clock_ns 100.0 cycles 1156 {
// CHECK-NEXT:   pim.load "conv1" cnt 0 to 64 vec_width 27 start 0 latency 1
// CHECK-NEXT:   pim.mvm "conv1" {{.*}} start 1 latency 1 after
// CHECK-NEXT:   pim.adc "conv1" {{.*}} start 2 latency 1 after
// CHECK-NEXT:   pim.alu "conv1" shiftadd {{.*}} start 3 latency 1 after
// CHECK-NEXT:   pim.alu "conv1" add {{.*}} start 19 latency 1 after
// CHECK-NEXT:   pim.store "conv1" {{.*}} start 20 latency 1 after
// CHECK-NEXT:   pim.load "pool1" {{.*}} start 165 latency 1 after {{%[0-9]+}} parent_blocks {{\[\[}}9, 11,
// CHECK-NEXT:   pim.alu "pool1" pool {{.*}} start 166 latency 1 after
// CHECK-NEXT:   pim.store "pool1" {{.*}} start 167 latency 1 after
// CHECK-NEXT:   pim.transfer "conv2" cnt 0 to 16 src [0] dst [1] bytes 64 start 456 latency 1 after {{%[0-9]+}} parent_blocks {{\[\[}}5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15,
// CHECK-NEXT:   pim.load "conv2" {{.*}} start 457 latency 1 after
// CHECK-NEXT:   pim.mvm "conv2" {{.*}} start 458 latency 1 after
// CHECK-NEXT:   pim.adc "conv2" {{.*}} start 459 latency 1 after
// CHECK-NEXT:   pim.alu "conv2" shiftadd {{.*}} start 460 latency 1 after
// CHECK-NEXT:   pim.alu "conv2" add {{.*}} start 476 latency 1 after
// CHECK-NEXT:   pim.store "conv2" {{.*}} start 477 latency 1 after
// CHECK-NEXT:   pim.transfer "fc1" cnt 0 src [1] dst [2] bytes 512 start 1134 latency 1 after {{%[0-9]+}} parent_blocks {{\[\[}}15]]
// CHECK-NEXT:   pim.load "fc1" {{.*}} start 1135 latency 1 after
// CHECK-NEXT:   pim.mvm "fc1" {{.*}} start 1136 latency 1 after
// CHECK-NEXT:   pim.adc "fc1" {{.*}} start 1137 latency 1 after
// CHECK-NEXT:   pim.alu "fc1" shiftadd {{.*}} start 1138 latency 1 after
// CHECK-NEXT:   pim.alu "fc1" add {{.*}} start 1154 latency 1 after
// CHECK-NEXT:   pim.store "fc1" {{.*}} start 1155 latency 1 after
// CHECK-NEXT: }
