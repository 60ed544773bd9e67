// RUN: pimsyn-opt %s --pass=unroll | filecheck %s
// RUN: pimsyn-opt %s --passes unroll | filecheck %s

%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
}

// CHECK:      pim.dataflow unrolled {
// CHECK-NEXT:   %0 = pim.load "data" cnt 0 vec_width 4
// CHECK-NEXT:   %1 = pim.load "data" cnt 1 vec_width 4 after %0
