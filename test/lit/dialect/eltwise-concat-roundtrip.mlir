// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// Multi-operand layers: operands are network edges, listed in provider order.
%a = pim.input "a" : tensor<1x64x8x8xi16>
%b = pim.conv %a "b" kernel [1, 1] in 64 out 64 : tensor<1x64x8x8xi16> -> tensor<1x64x8x8xi16>
%add = pim.eltwise %a, %b "res" add post_ops [relu] : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x64x8x8xi16>
%sub = pim.eltwise %add, %b "diff" sub : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x64x8x8xi16>
%cat = pim.concat %add, %b, %sub "cat" : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x192x8x8xi16>
%flat = pim.concat %a, %b "flat" axis 1 : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x8192xi16>

// CHECK:      %add = pim.eltwise %a, %b "res" add post_ops [relu] : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x64x8x8xi16>
// CHECK-NEXT: %sub = pim.eltwise %add, %b "diff" sub : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x64x8x8xi16>
// CHECK-NEXT: %cat = pim.concat %add, %b, %sub "cat" : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x192x8x8xi16>
// CHECK-NEXT: %flat = pim.concat %a, %b "flat" : tensor<1x64x8x8xi16>, tensor<1x64x8x8xi16> -> tensor<1x8192xi16>
