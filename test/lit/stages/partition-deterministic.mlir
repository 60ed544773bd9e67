// The EA is deterministic for a seed; a different macro setting is recorded on the module.
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=5 generations=4 macro-setting=unified}' > %t.a
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=5 generations=4 macro-setting=unified}' > %t.b
// RUN: diff %t.a %t.b
// RUN: filecheck %s < %t.a
// CHECK: pim.macro_setting = #pim.macro_setting<unified>
// CHECK: "conv1" {{.*}}macros = {{[0-9]+}} : i64
