// build-deps then unroll: one op per (layer, cnt, bit), as spec 5.12 counts DAG nodes.
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,unroll' | filecheck %s

// woho gives conv1 and conv2 one block each (see duplicate-woho.mlir), the pool one block
// and the FC one block: per conv/FC block LD + 3x16 bit ops + ADD + ST = 51 nodes, per
// pool block LD + POOL + ST = 3 nodes: 3 x 51 + 3 = 156 ops.
// CHECK: pim.dataflow unrolled {
// CHECK-COUNT-156: = pim.
// CHECK-NOT: = pim.
