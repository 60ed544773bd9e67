// `pimsyn-opt a.mlir -p verify -o a.mlir` on a file that does not parse leaves it as it
// was (it used to be left empty), and so does a parse error with any existing -o file.
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: cp %s %t.dir/a.mlir
// RUN: not pimsyn-opt %t.dir/a.mlir -p verify -o %t.dir/a.mlir 2>&1 | filecheck %s
// RUN: diff %s %t.dir/a.mlir
// RUN: ls -a %t.dir | filecheck %s --check-prefix=LS

%d = pim.input "data" : tensor<1x3x8x8xi16>
%x = pim.no_such_op %d

// CHECK: pimsyn-opt: error: {{.*}}a.mlir:{{[0-9]+}}:{{[0-9]+}}:
// LS: {{^\.\.$}}
// LS-NEXT: {{^a\.mlir$}}
// LS-NOT: tmp
