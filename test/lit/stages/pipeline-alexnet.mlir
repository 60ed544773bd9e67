// The whole stage pipeline on the paper's AlexNet (network JSON import), defaults only.
// RUN: pimsyn import %S/../../data/networks/alexnet.json -o %t.mlir
// RUN: pimsyn-opt %t.mlir -p 'duplicate{effort=0.1},build-deps,partition{generations=1 macro-reuse=false},allocate,evaluate' | filecheck %s
// CHECK: pim.budget = #pim.budget<total_power_w = 49.0, rram_ratio = 0.3, crossbars = 12250>
// CHECK: pim.metrics = {feasible = 1.000000e+00 : f64
// CHECK: pim.dataflow {
// CHECK: pim.transfer "/features/features.3/Conv_output_0"
