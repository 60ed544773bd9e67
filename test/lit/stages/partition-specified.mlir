// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=1 generations=3}' | filecheck %s

// With duplication 1 a conv's crossbar set has one row tile, so it can only use one macro
// (limit = dup x row tiles, paper Alg. 2 rule c); the FC (2 row tiles) may use 1 or 2.
// CHECK: pim.macro_setting = #pim.macro_setting<specified>
// CHECK: "conv1" {{.*}}macros = 1 : i64
// CHECK: "conv2" {{.*}}macros = 1 : i64
// CHECK: "fc1" {{.*}}macros = {{[12]}} : i64
