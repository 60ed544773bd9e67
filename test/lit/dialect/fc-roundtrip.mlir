// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// FC results are 2-D (NxC); the operand may be a 4-D map (a dissolved Flatten).
%pool5 = pim.input "pool5" : tensor<1x256x6x6xi16>
%fc6 = pim.fc %pool5 "fc6" in 9216 out 4096 activation relu : tensor<1x256x6x6xi16> -> tensor<1x4096xi16>
%fc7 = pim.fc %fc6 "fc7" in 4096 out 1000 bias post_ops [sigmoid] : tensor<1x4096xi16> -> tensor<1x1000xi16>

// CHECK:      %fc6 = pim.fc %pool5 "fc6" in 9216 out 4096 activation relu : tensor<1x256x6x6xi16> -> tensor<1x4096xi16>
// CHECK-NEXT: %fc7 = pim.fc %fc6 "fc7" in 4096 out 1000 bias post_ops [sigmoid] : tensor<1x4096xi16> -> tensor<1x1000xi16>
