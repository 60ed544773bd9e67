// A budget that cannot hold the weights stops with one line saying what is needed.
// RUN: not pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{total-power=0.01 ratio=0.3 xbar=128 cell-res=2}' 2>&1 | filecheck %s

// 0.01 W x 0.3 / 3e-4 W = 10 crossbars; the weights need 8 + 8 + 16 = 32 plus a spare.
// CHECK: duplicate: 0.01 W x RatioRram 0.3 buys 10 crossbars of 128x128, the weights need 33
// CHECK-NOT: Traceback
