// RUN: not pimsyn-opt %s -p verify 2>&1 | filecheck %s

// Metrics are floats.
builtin.module attributes {pim.metrics = {cycles = 3 : i64}} {
}
// CHECK: pimsyn-opt: error: verify: metric 'cycles' must be a float, got 3 : i64
