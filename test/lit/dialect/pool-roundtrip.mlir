// RUN: pimsyn-opt %s | pimsyn-opt | filecheck %s
// RUN: pimsyn-opt %s --print-op-generic | pimsyn-opt | filecheck %s

// The pool method is a bare word after the name; `global` is a flag.
%x = pim.input "x" : tensor<1x64x56x56xi16>
%p1 = pim.pool %x "pool1" max kernel [3, 3] stride [2, 2] pads [0, 0, 1, 1] : tensor<1x64x56x56xi16> -> tensor<1x64x28x28xi16>
%p2 = pim.pool %p1 "gap" avg global kernel [28, 28] post_ops [relu] : tensor<1x64x28x28xi16> -> tensor<1x64x1x1xi16>

// CHECK:      %p1 = pim.pool %x "pool1" max kernel [3, 3] stride [2, 2] pads [0, 0, 1, 1] : tensor<1x64x56x56xi16> -> tensor<1x64x28x28xi16>
// CHECK-NEXT: %p2 = pim.pool %p1 "gap" avg global kernel [28, 28] post_ops [relu] : tensor<1x64x28x28xi16> -> tensor<1x64x1x1xi16>
