// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},partition{seed=1 generations=3},allocate' | filecheck %s

// DACs: one per used crossbar row (spec 5.6, B4): conv1 27 rows x 8 crossbars = 216,
// conv2 72 x 8 = 576; FC workloads are clamped to min(ceil(wl/100), 100) (B2): 256*8 -> 21.
// ADCs (Eq. 6 as spec 5.8): P_a = 1.4 W - 3 macros x 13.6025 mW - 0.104 W - 813 DACs x 3.9 uW
// = 1.2520 W; K_s = sum wl*peak/freq = 4.1661; kappa = 3.3275 ns; conv ADC workload
// 1 x 128 x 8 = 1024 column conversions at 1 GHz -> ceil(1024 / 3.3275) = 308.
// CHECK: "conv1" {{.*}}alloc = #pim.alloc<DAC = 216, ADC = 308, SHIFTADD = 39, ADDITION = 1>
// CHECK: "pool1" {{.*}}alloc = #pim.alloc<POOL = 2>
// CHECK: "conv2" {{.*}}alloc = #pim.alloc<DAC = 576, ADC = 308, SHIFTADD = 39, ADDITION = 1>
// CHECK: "fc1" {{.*}}alloc = #pim.alloc<DAC = 21, ADC = 7, SHIFTADD = 2, ADDITION = 4>
