// A stage run before the stage it builds on names the missing stage.
// RUN: not pimsyn-opt %S/../Inputs/tiny-net.mlir -p build-deps 2>&1 | filecheck %s
// CHECK: build-deps: the module has no #pim.hw / #pim.budget; run 'duplicate' first
