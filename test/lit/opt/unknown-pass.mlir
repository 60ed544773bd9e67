// RUN: not pimsyn-opt %s -p nosuchpass 2>&1 | filecheck %s
// RUN: not pimsyn-opt %s -p 'unroll{limit=' 2>&1 | filecheck %s --check-prefix=SPEC

%d = pim.input "data" : tensor<1x3x8x8xi16>

// CHECK: pimsyn-opt: error: Unrecognized passes: ['nosuchpass']
// SPEC:  pimsyn-opt: error: bad pass pipeline at pass-pipeline:1:14: Unknown argument value
