// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2}' | filecheck %s

// W0H0-proportional duplication (the ISAAC-style baseline of paper Fig. 7): conv1 has
// 4x the output pixels of conv2 and gets 4x its copies; every conv has a set of 8
// crossbars and 2000 - 16 (FC) = 1984 are left, so 64*8 + 16*8 = 640 <= 1984 caps conv1
// at its 64 pixels (one block) and conv2 at its 16 pixels.
// CHECK: "conv1" {{.*}}{dup = 64 : i64, blocks = 1 : i64}
// CHECK: "pool1" {{.*}}{dup = 16 : i64, blocks = 1 : i64}
// CHECK: "conv2" {{.*}}{dup = 16 : i64, blocks = 1 : i64}
