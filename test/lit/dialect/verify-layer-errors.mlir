// RUN: pimsyn-opt %s --split-input-file --verify-diagnostics | filecheck %s

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 out 5 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": out 5 does not match the result's channel dimension 4

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [0, 3] in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": kernel must be positive, got [0, 3]

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] stride [1, -2] in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": stride must be positive, got [1, -2]

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] groups 2 in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": groups 2 must divide in 3 and out 4

// -----

%d = pim.input "" : tensor<1x3x8x8xi16>
// CHECK: pim.input: layer name must not be empty

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 out 4 activation swish : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": unknown activation 'swish'

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%c = pim.conv %d "conv1" kernel [3, 3] in 3 out 4 post_ops [softsign] : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>
// CHECK: pim.conv "conv1": unknown post-op 'softsign'

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%f = pim.fc %d "fc" in 192 out 10 : tensor<1x3x8x8xi16> -> tensor<1x10x1x1xi16>
// CHECK: pim.fc "fc": result must be a 2-D tensor NxC

// -----

%d = pim.input "data" : tensor<1x3x8x8xi16>
%p = pim.pool %d "pool" median kernel [2, 2] stride [2, 2] : tensor<1x3x8x8xi16> -> tensor<1x3x4x4xi16>
// CHECK: pim.pool "pool": pool method must be max or avg, got 'median'
