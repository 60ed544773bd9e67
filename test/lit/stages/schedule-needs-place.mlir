// The schedule is written on the placed dataflow: without `place` (no pim.chip, transfers
// without endpoints) `schedule` refuses with one line, exit 2.
// RUN: not pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=3},schedule' 2>&1 | filecheck %s
// CHECK: pimsyn-opt: error: schedule: the module is not placed (no pim.chip and compact pim.dataflow); run 'place' first
// CHECK-NOT: Traceback
