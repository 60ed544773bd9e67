// RUN: pimsyn-opt %s --split-input-file --verify-diagnostics | filecheck %s

%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "conv9" cnt 0 to 2 vec_width 4
}
// CHECK: pim.dataflow: pim.load names layer "conv9" that is not a layer op of the module

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.mvm "data" cnt 0 to 2 xb_num 0
}
// CHECK: pim.mvm "data": xb_num must be >= 1, got 0

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.alu "data" softsign cnt 0 vec_width 4
}
// CHECK: pim.alu "data": unknown aluop 'softsign'

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
  %1 = pim.mvm "data" cnt 0 to 2 xb_num 1
}
// CHECK: pim.mvm "data": in compact form an op depends on exactly the previous op of its layer

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%e = pim.input "e" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
  %1 = pim.load "e" cnt 0 to 3 vec_width 4 after %0
}
// CHECK: pim.load "e": has 1 provider token(s) but 0 parent_blocks row(s)

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%e = pim.input "e" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
  %1 = pim.load "e" cnt 0 to 3 vec_width 4 after %0 parent_blocks [[0, 1]]
}
// CHECK: pim.load "e": parent_blocks[0] has 2 entries, expected one per block (3)

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%e = pim.input "e" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
  %1 = pim.load "e" cnt 0 to 3 vec_width 4 after %0 parent_blocks [[0, 1, 2]]
}
// CHECK: pim.load "e": parent_blocks[0] names blocks outside the provider "data"'s range 0 to 2

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%e = pim.input "e" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
  %1 = pim.load "e" cnt 0 to 2 vec_width 4 after %0 parent_blocks [[0, 1]]
  %2 = pim.store "data" cnt 0 to 2 vec_width 4
}
// CHECK: pim.store "data": ops of one layer must be consecutive in a compact pim.dataflow

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow unrolled {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
}
// CHECK: pim.load "data": an unrolled dataflow op must cover one block and one bit
