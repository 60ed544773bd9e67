// RUN: pimsyn-opt %s --split-input-file --verify-diagnostics | filecheck %s

%a = pim.input "a" : tensor<1x4x8x8xi16>
%b = pim.input "b" : tensor<1x4x4x4xi16>
%e = pim.eltwise %a, %b "res" add : tensor<1x4x8x8xi16>, tensor<1x4x4x4xi16> -> tensor<1x4x8x8xi16>
// CHECK: pim.eltwise "res": operand #1 has shape [1, 4, 4, 4], the result has [1, 4, 8, 8]; eltwise shapes must be equal

// -----

%a = pim.input "a" : tensor<1x4x8x8xi16>
%e = pim.eltwise %a "res" add : tensor<1x4x8x8xi16> -> tensor<1x4x8x8xi16>
// CHECK: pim.eltwise "res": takes at least 2 operand(s), got 1

// -----

%a = pim.input "a" : tensor<1x4x8x8xi16>
%e = pim.eltwise %a, %a "res" div : tensor<1x4x8x8xi16>, tensor<1x4x8x8xi16> -> tensor<1x4x8x8xi16>
// CHECK: pim.eltwise "res": eltwise op must be one of add, mul, sub, got 'div'

// -----

%a = pim.input "a" : tensor<1x4x8x8xi16>
%b = pim.input "b" : tensor<1x6x8x8xi16>
%c = pim.concat %a, %b "cat" : tensor<1x4x8x8xi16>, tensor<1x6x8x8xi16> -> tensor<1x12x8x8xi16>
// CHECK: pim.concat "cat": operand sizes along axis 1 sum to 10, the result has 12

// -----

%a = pim.input "a" : tensor<1x4x8x8xi16>
%b = pim.input "b" : tensor<1x4x4x4xi16>
%c = pim.concat %a, %b "cat" : tensor<1x4x8x8xi16>, tensor<1x4x4x4xi16> -> tensor<1x8x8x8xi16>
// CHECK: pim.concat "cat": operand #1 shape [1, 4, 4, 4] differs from the result [1, 8, 8, 8] outside axis 1
