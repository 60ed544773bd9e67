// x + x (ONNX Add with the same input twice; in network JSON an eltwise naming one
// provider): the eltwise op takes the value twice, the IR verifies, and it reads back as
// one provider.
// RUN: %python %S/../Inputs/make_onnx.py same-operand-add %t.onnx
// RUN: pimsyn import %t.onnx -o %t.mlir
// RUN: pimsyn-opt %t.mlir | filecheck %s
// RUN: pimsyn export %t.mlir --network-json | filecheck %s --check-prefix=JSON
// CHECK: %y = pim.eltwise %c, %c "y" add : tensor<1x4x16x16xi16>, tensor<1x4x16x16xi16> -> tensor<1x4x16x16xi16>
// JSON: "name": "y",
// JSON: "provider": [
// JSON-NEXT: "c"
// JSON-NEXT: ],
