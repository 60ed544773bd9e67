// RUN: pimsyn import %networks/resnet18.json | filecheck %s
// Residual adds take the block input and the second conv; their ReLU is a post-op.
// CHECK: pim.pool {{.*}}-> tensor<1x64x56x56xi16>
// CHECK: pim.eltwise {{.*}} add post_ops [relu] : tensor<1x64x56x56xi16>, tensor<1x64x56x56xi16> -> tensor<1x64x56x56xi16>
// CHECK-COUNT-7: pim.eltwise
// CHECK: pim.fc {{.*}} in 512 out 1000
