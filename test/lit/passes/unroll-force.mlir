// RUN: pimsyn-opt %inputs/tiny-compact.mlir -p 'unroll{limit=12 force=true}' | filecheck %s
// RUN: pimsyn-opt %inputs/tiny-compact.mlir -p 'unroll{limit=14}' | filecheck %s

// force=true unrolls past the limit; a limit equal to the count is accepted.
// CHECK:     pim.dataflow unrolled {
// CHECK-COUNT-14: = pim.
// CHECK-NEXT: }
