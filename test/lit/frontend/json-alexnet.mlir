// RUN: pimsyn import %networks/alexnet.json | filecheck %s
// 5 conv, 4 pool (3 max + the 1x1 average), 3 FC, in network order; fused ReLUs are free.
// CHECK: builtin.module @alexnet
// CHECK: pim.input "x" : tensor<1x3x224x224xi16>
// CHECK: pim.conv {{.*}} kernel [11, 11] stride [4, 4] pads [2, 2, 2, 2] in 3 out 64 {{.*}}-> tensor<1x64x55x55xi16>
// CHECK: pim.pool {{.*}} max kernel [3, 3] stride [2, 2] {{.*}}-> tensor<1x64x27x27xi16>
// CHECK: pim.conv {{.*}} in 64 out 192
// CHECK: pim.pool {{.*}}-> tensor<1x192x13x13xi16>
// CHECK: pim.conv {{.*}} in 192 out 384
// CHECK: pim.conv {{.*}} in 384 out 256
// CHECK: pim.conv {{.*}} in 256 out 256
// CHECK: pim.pool {{.*}}-> tensor<1x256x6x6xi16>
// CHECK: pim.pool {{.*}} avg {{.*}}-> tensor<1x256x6x6xi16>
// CHECK: pim.fc {{.*}} in 9216 out 4096
// CHECK: pim.fc {{.*}} in 4096 out 4096
// CHECK: pim.fc {{.*}} "36" in 4096 out 1000
// CHECK-NOT: pim.conv
