// A backend target on a module that is not a synthesized design: one line, exit 2.
// RUN: not pimsyn-opt %S/../Inputs/tiny-net.mlir -t accelerator-json 2>&1 | filecheck %s
// CHECK: pimsyn-opt: error: the module is not a synthesized design (no #pim.hw / #pim.budget); run the synthesis passes or `pimsyn synth`
// CHECK-NOT: Traceback
