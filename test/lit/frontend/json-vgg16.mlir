// Tengine-style JSON: ReLU nodes are separate, so they become (costed) post-ops of the convs.
// RUN: pimsyn import %networks/vgg16.json | filecheck %s
// CHECK-COUNT-13: pim.conv {{.*}}post_ops [relu]
// CHECK: pim.fc
// CHECK: pim.fc
// CHECK: pim.fc {{.*}}out 1000
