// After partition, the dataflow gains the inter-macro ops that the placement requires:
// with 64 copies over several macros conv1's partial outputs must be merged.
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2}' | filecheck %s
// CHECK: pim.dataflow {
// CHECK: pim.store "conv1"
// CHECK: pim.merge "conv1"
