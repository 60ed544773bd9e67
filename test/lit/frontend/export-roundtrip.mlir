// IR -> PIMCOMP network JSON -> IR is the identity.
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: pimsyn import %networks/resnet18.json -o %t.dir/first.mlir
// RUN: pimsyn export %t.dir/first.mlir --network-json -o %t.dir/resnet18.json
// RUN: pimsyn import %t.dir/resnet18.json -o %t.dir/again.mlir
// RUN: diff %t.dir/first.mlir %t.dir/again.mlir
// RUN: filecheck %s < %t.dir/resnet18.json
// CHECK: "node_list": [
// CHECK: "operation": "OP_INPUT"
