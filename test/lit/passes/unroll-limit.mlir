// RUN: not pimsyn-opt %inputs/tiny-compact.mlir -p 'unroll{limit=12}' 2>&1 | filecheck %s

// 2 blocks x 4 conv1 ops + 3 blocks x 2 pool1 ops = 14 unrolled ops > 12: refused, one line.
// CHECK: pimsyn-opt: error: unroll: the unrolled dataflow would hold 14 ops, over the limit of 12 (raise limit=N or pass force=true)
// CHECK-NOT: Traceback
