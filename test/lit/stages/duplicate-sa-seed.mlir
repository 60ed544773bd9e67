// The SA filter is deterministic for a seed, and its candidate fits the crossbar budget.
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{seed=7 total-power=0.2 ratio=0.3 xbar=128 cell-res=2}' > %t.a
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{seed=7 total-power=0.2 ratio=0.3 xbar=128 cell-res=2}' > %t.b
// RUN: diff %t.a %t.b
// RUN: filecheck %s < %t.a

// 0.2 W x 0.3 / 3e-4 W = 200 crossbars, 184 for the two convs (8 crossbars per copy).
// CHECK: crossbars = 200
// CHECK: "conv1" {{.*}}dup = [[D1:[0-9]+]] : i64
// CHECK: "conv2" {{.*}}dup = [[D2:[0-9]+]] : i64
