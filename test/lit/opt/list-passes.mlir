// RUN: pimsyn-opt --list-passes | filecheck %s

// CHECK-DAG: unroll: Expand the compact
// CHECK-DAG: verify: Fail with one line
