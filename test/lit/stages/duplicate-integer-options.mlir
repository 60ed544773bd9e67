// Whole numbers are accepted for real-valued options (total-power=2 means 2.0 W).
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2 xbar=128 cell-res=2}' | filecheck %s
// CHECK: pim.budget = #pim.budget<total_power_w = 2.0, rram_ratio = 0.3, crossbars = 2000>
