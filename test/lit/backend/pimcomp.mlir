// The pimcomp target (the reference's small PIMCOMP file) from the design IR: chip = the
// 3 x 2 macro mesh of pim.chip, core = the largest macro (conv1's 256 crossbars):
// CoreH = ceil(sqrt 256) = 16, CoreW = ceil(256 / 16) = 16.
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2},allocate,place,schedule,evaluate' -t pimcomp | filecheck %s

// CHECK-LABEL: "CellPrecision": 2,
// CHECK-NEXT:  "CrossbarH": 128,
// CHECK-NEXT:  "CrossbarW": 128,
// CHECK-NEXT:  "ChipH": 3,
// CHECK-NEXT:  "ChipW": 2,
// CHECK-NEXT:  "CoreH": 16,
// CHECK-NEXT:  "CoreW": 16
