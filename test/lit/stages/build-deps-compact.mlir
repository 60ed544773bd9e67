// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps' | filecheck %s

// One compact op per (layer, op): cnt covers all blocks, bit the 16 one-bit DAC slices of
// the bit-level ops (mvm, adc, shift-add). The conv's fused ReLU costs no op (spec B13).
// CHECK:      pim.dataflow {
// CHECK-NEXT:   %[[L1:.*]] = pim.load "conv1" cnt 0 to 64 vec_width 27
// CHECK-NEXT:   %[[M1:.*]] = pim.mvm "conv1" cnt 0 to 64 bit 0 to 16 xb_num 8 after %[[L1]]
// CHECK-NEXT:   %[[A1:.*]] = pim.adc "conv1" cnt 0 to 64 bit 0 to 16 vec_width 1024 after %[[M1]]
// CHECK-NEXT:   %[[S1:.*]] = pim.alu "conv1" shiftadd cnt 0 to 64 bit 0 to 16 vec_width 8 after %[[A1]]
// CHECK-NEXT:   %[[D1:.*]] = pim.alu "conv1" add cnt 0 to 64 vec_width 8 after %[[S1]]
// CHECK-NEXT:   %[[ST1:.*]] = pim.store "conv1" cnt 0 to 64 vec_width 8 after %[[D1]]

// Inter-layer dependency: pool block c (one 2x2 window) needs conv1 up to the window's
// bottom-right pixel: rows 2c'.., e.g. block 0 -> pixel (2,2) = index 9, block 4 -> (4,2) = 25.
// CHECK-NEXT:   %[[L2:.*]] = pim.load "pool1" cnt 0 to 16 vec_width 8 after %[[ST1]] parent_blocks {{\[\[}}9, 11, 13, 15, 25, 27, 29, 31, 41, 43, 45, 47, 57, 59, 61, 63]]
// CHECK-NEXT:   pim.alu "pool1" pool cnt 0 to 16
// CHECK-NEXT:   %[[ST2:.*]] = pim.store "pool1"

// conv2 (3x3, pad 1 on 4x4): block 0 needs pool pixel (2,2) = index 5; the last two rows
// both need the whole map's last row.
// CHECK-NEXT:   pim.load "conv2" cnt 0 to 16 vec_width 72 after %[[ST2]] parent_blocks {{\[\[}}5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15]]
// The FC waits for the producer's last block.
// CHECK:        pim.load "fc1" cnt 0 vec_width 256 after %{{.*}} parent_blocks {{\[\[}}15]]
// CHECK:        pim.mvm "fc1" cnt 0 bit 0 to 16 xb_num 16
