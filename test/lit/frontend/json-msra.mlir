// RUN: pimsyn import %networks/msra_A.json | filecheck %s
// MSRA-A has the one non-square map of the benchmarks (a 2x3 pool) and a concat.
// CHECK: pim.pool {{.*}}-> tensor<1x512x2x3xi16>
// CHECK: pim.concat
