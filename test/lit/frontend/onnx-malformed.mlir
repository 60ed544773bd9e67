// A file that is not ONNX gives one clear line and exit 2, and is left untouched.
// RUN: echo "not a model" > %t.onnx
// RUN: not pimsyn import %t.onnx 2>&1 | filecheck %s
// RUN: grep -q "not a model" %t.onnx
// CHECK: error: {{.*}}not a valid ONNX model
// CHECK-NOT: Traceback
