// A network JSON whose consumers form a cycle: one line naming the nodes, exit 2, the file untouched.
// RUN: echo '[{"name": "x", "operation": "OP_INPUT", "output_dim": [1, 2, 4, 4], "consumer": ["a"]}, {"name": "a", "operation": "OP_POOL", "output_dim": [1, 2, 4, 4], "param": {"kernel_h": 1, "kernel_w": 1}, "provider": ["x", "b"], "consumer": ["b"]}, {"name": "b", "operation": "OP_POOL", "output_dim": [1, 2, 4, 4], "param": {"kernel_h": 1, "kernel_w": 1}, "provider": ["a"], "consumer": ["a"]}]' > %t.json
// RUN: cp %t.json %t.orig
// RUN: not pimsyn layers %t.json 2>&1 | filecheck %s
// RUN: cmp %t.json %t.orig
// CHECK: error: {{.*}}node 'a': field 'consumer' forms a cycle ('a' -> 'b' -> 'a')
// CHECK-NOT: Traceback
