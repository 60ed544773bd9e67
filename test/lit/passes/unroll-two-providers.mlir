// RUN: pimsyn-opt %s -p unroll | filecheck %s

// An eltwise with two providers: its first op takes one token per provider and one
// parent_blocks row per provider, in operand order.
%a = pim.input "a" : tensor<1x4x2x2xi16>
%b = pim.conv %a "b" kernel [1, 1] in 4 out 4 : tensor<1x4x2x2xi16> -> tensor<1x4x2x2xi16>
%c = pim.conv %a "c" kernel [1, 1] in 4 out 4 : tensor<1x4x2x2xi16> -> tensor<1x4x2x2xi16>
%e = pim.eltwise %b, %c "e" add : tensor<1x4x2x2xi16>, tensor<1x4x2x2xi16> -> tensor<1x4x2x2xi16>
pim.dataflow {
  %0 = pim.store "b" cnt 0 to 2 vec_width 4
  %1 = pim.store "c" cnt 0 to 3 vec_width 4
  %2 = pim.alu "e" eltwise cnt 0 to 2 vec_width 4 after %0, %1 parent_blocks [[1, 1], [0, 2]]
}

// CHECK:      [[B0:%.*]] = pim.store "b" cnt 0 vec_width 4
// CHECK-NEXT: [[B1:%.*]] = pim.store "b" cnt 1 vec_width 4 after [[B0]]
// CHECK-NEXT: [[C0:%.*]] = pim.store "c" cnt 0 vec_width 4
// CHECK-NEXT: [[C1:%.*]] = pim.store "c" cnt 1 vec_width 4 after [[C0]]
// CHECK-NEXT: [[C2:%.*]] = pim.store "c" cnt 2 vec_width 4 after [[C1]]
// CHECK-NEXT: [[E0:%.*]] = pim.alu "e" eltwise cnt 0 vec_width 4 after [[B1]], [[C0]]
// CHECK-NEXT: [[E1:%.*]] = pim.alu "e" eltwise cnt 1 vec_width 4 after [[E0]], [[B1]], [[C2]]
// CHECK-NEXT: }
