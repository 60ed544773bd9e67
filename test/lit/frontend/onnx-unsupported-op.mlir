// An operator pimsyn cannot map stops the import: one line naming it and its node, exit 2.
// RUN: %python %inputs/make_onnx.py unsupported %t.onnx
// RUN: not pimsyn import %t.onnx 2>&1 | filecheck %s
// CHECK: error: {{.*}}unsupported operator 'Einsum' (node 'mix')
// CHECK-NOT: Traceback
