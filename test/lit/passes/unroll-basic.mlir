// RUN: pimsyn-opt %inputs/tiny-compact.mlir -p unroll | filecheck %s

// conv1: 2 blocks x [load, mvm (2 bits), store]; pool1: 3 blocks x [load, alu pool].
// Operand order: inter-op, inter-block, inter-layer, inter-bit (spec 5.12).

// CHECK:      pim.dataflow unrolled {
// CHECK-NEXT:   [[L0:%.*]] = pim.load "conv1" cnt 0 vec_width 27
// inter-op from the load:
// CHECK-NEXT:   [[M00:%.*]] = pim.mvm "conv1" cnt 0 xb_num 1 after [[L0]]
// inter-bit: bit 1 waits for bit 0 only:
// CHECK-NEXT:   [[M01:%.*]] = pim.mvm "conv1" cnt 0 bit 1 xb_num 1 after [[M00]]
// the store waits for bit 0 of the mvm (inter-op links bit-0 ops):
// CHECK-NEXT:   [[S0:%.*]] = pim.store "conv1" cnt 0 vec_width 4 after [[M00]]
// inter-block: block 1's load waits for block 0's load:
// CHECK-NEXT:   [[L1:%.*]] = pim.load "conv1" cnt 1 vec_width 27 after [[L0]]
// CHECK-NEXT:   [[M10:%.*]] = pim.mvm "conv1" cnt 1 xb_num 1 after [[L1]], [[M00]]
// CHECK-NEXT:   [[M11:%.*]] = pim.mvm "conv1" cnt 1 bit 1 xb_num 1 after [[M10]]
// CHECK-NEXT:   [[S1:%.*]] = pim.store "conv1" cnt 1 vec_width 4 after [[M10]], [[S0]]
// inter-layer: pool block c waits for conv1's store at parent_blocks[c] = 0, 1, 1:
// CHECK-NEXT:   [[P0:%.*]] = pim.load "pool1" cnt 0 vec_width 16 after [[S0]]
// CHECK-NEXT:   [[A0:%.*]] = pim.alu "pool1" pool cnt 0 vec_width 4 after [[P0]]
// CHECK-NEXT:   [[P1:%.*]] = pim.load "pool1" cnt 1 vec_width 16 after [[P0]], [[S1]]
// CHECK-NEXT:   [[A1:%.*]] = pim.alu "pool1" pool cnt 1 vec_width 4 after [[P1]], [[A0]]
// CHECK-NEXT:   [[P2:%.*]] = pim.load "pool1" cnt 2 vec_width 16 after [[P1]], [[S1]]
// CHECK-NEXT:   [[A2:%.*]] = pim.alu "pool1" pool cnt 2 vec_width 4 after [[P2]], [[A1]]
// CHECK-NEXT: }
