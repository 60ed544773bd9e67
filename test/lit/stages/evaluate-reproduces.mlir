// Re-running evaluate on an evaluated design gives the same metrics (design.mlir promise).
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=1 generations=3},allocate,evaluate' > %t.first.mlir
// RUN: pimsyn-opt %t.first.mlir -p evaluate > %t.second.mlir
// RUN: diff %t.first.mlir %t.second.mlir
// RUN: filecheck %s < %t.second.mlir
// CHECK: power_efficiency_gops_per_w
