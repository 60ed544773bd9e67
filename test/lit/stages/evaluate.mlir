// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=1 generations=3},allocate,evaluate' | filecheck %s

// ops = 2 x MACs (spec 5.17): conv1 27*64*8 + conv2 72*16*16 + fc 256*10 = 34816 MACs.
// The clock stays at the 100 ns floor (B1) and the scratchpad at 64 KB.
// CHECK: pim.metrics = {feasible = 1.000000e+00 : f64
// CHECK-SAME: power_efficiency_gops_per_w = 1.43999601120046
// CHECK-SAME: cycles = 1.156000e+03 : f64, clock_ns = 1.000000e+02 : f64, latency_ns = 1.156000e+05 : f64
// CHECK-SAME: spm_kb = 6.400000e+01 : f64, ops = 6.963200e+04 : f64
// NoC energy = 0.104 W x 115600 ns (spec 5.16).
// CHECK-SAME: energy_noc_nj = 1.202240e+04 : f64
