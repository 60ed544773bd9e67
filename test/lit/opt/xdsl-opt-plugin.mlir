// RUN: xdsl-opt %s | filecheck %s
// RUN: xdsl-opt %s -p unroll | filecheck %s --check-prefix=UNROLL

// xdsl-opt finds the pim dialect and pimsyn passes through the xdsl.universe entry point.
%d = pim.input "data" : tensor<1x3x8x8xi16>
pim.dataflow {
  %0 = pim.load "data" cnt 0 to 2 vec_width 4
}

// CHECK:  %d = pim.input "data" : tensor<1x3x8x8xi16>
// CHECK:  %0 = pim.load "data" cnt 0 to 2 vec_width 4
// UNROLL: %1 = pim.load "data" cnt 1 vec_width 4 after %0
