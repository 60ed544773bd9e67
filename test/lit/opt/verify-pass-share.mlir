// RUN: not pimsyn-opt %s -p verify 2>&1 | filecheck %s

// share_with must name a layer of the module (a check across ops, done by the verify pass).
%d = pim.input "data" {share_with = "ghost"} : tensor<1x3x8x8xi16>
// CHECK: pimsyn-opt: error: verify: layer 'data': share_with names unknown layer 'ghost'
