// The accelerator-json target reads the design IR alone: each number below is in the
// printed design (the place.mlir design of the tiny network: conv1 and conv2 share a run of
// 2 + 2 macros on a 3 x 2 mesh, fc1 has 1 macro).
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2},allocate,place,schedule,evaluate' -o %t.mlir
// RUN: pimsyn-opt %t.mlir -t accelerator-json | filecheck %s
// The same bytes through `pimsyn emit`, and through plain xdsl-opt (the universe entry point).
// RUN: pimsyn-opt %t.mlir -t accelerator-json > %t.opt.json
// RUN: pimsyn emit %t.mlir --target accelerator-json > %t.emit.json
// RUN: diff %t.opt.json %t.emit.json
// RUN: xdsl-opt %t.mlir -t accelerator-json | diff - %t.opt.json

// CHECK-LABEL: "rram_ratio": 0.3,
// CHECK-NEXT:  "rram_res": 2,
// CHECK-NEXT:  "xbar_size": 128,
// CHECK:       "macro_h": 3,
// CHECK-NEXT:  "macro_w": 2,
// CHECK-NEXT:  "spm_capacity": 64,
// macro_size = ceil(crossbars / macros): conv1 512 / 2 = 256, conv2 128 / 2 = 64; per-macro
// units as the pim.map says (ADC ceil(565 / 2) = 283, SHIFTADD ceil(71 / 2) = 36).
// CHECK-LABEL: "conv1": {
// CHECK-NEXT:  "duplication": 64,
// CHECK-NEXT:  "macro_num": 2,
// CHECK-NEXT:  "macro_sharing": "conv2",
// CHECK-NEXT:  "macro_size": 256,
// CHECK-NEXT:  "ADC": 283,
// CHECK-NEXT:  "SHIFTADD": 36,
// CHECK-NEXT:  "ADDITION": 1
// CHECK-LABEL: "pool1": {
// CHECK-NEXT:  "duplication": 16,
// CHECK-NEXT:  "POOL": 1
// CHECK-LABEL: "conv2": {
// CHECK:       "macro_sharing": "conv1",
// CHECK-NEXT:  "macro_size": 64,
// CHECK-LABEL: "metrics": {
// CHECK-NEXT:  "feasible": true,
