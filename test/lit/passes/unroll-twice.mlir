// RUN: pimsyn-opt %inputs/tiny-compact.mlir -p unroll,unroll | filecheck %s
// RUN: pimsyn-opt %inputs/tiny-compact.mlir -p unroll | pimsyn-opt -p unroll | filecheck %s

// Unrolling an unrolled dataflow changes nothing.
// CHECK:          pim.dataflow unrolled {
// CHECK-COUNT-14: = pim.
// CHECK-NEXT:     }
