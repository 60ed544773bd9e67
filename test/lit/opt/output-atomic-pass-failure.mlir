// A failing pass never touches the -o file (written through a temporary file renamed into
// place only on success): an existing output and an in-place edit keep their bytes, and
// no temporary file is left behind.
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: cp %inputs/tiny-net.mlir %t.dir/in.mlir
// RUN: echo precious > %t.dir/existing.mlir
// RUN: not pimsyn-opt %t.dir/in.mlir -p 'duplicate{total-power=-5}' -o %t.dir/existing.mlir 2>&1 | filecheck %s --check-prefix=POWER
// RUN: filecheck %s --check-prefix=KEPT < %t.dir/existing.mlir
// RUN: not pimsyn-opt %t.dir/in.mlir -p 'duplicate{total-power=-5}' -o %t.dir/in.mlir 2>&1 | filecheck %s --check-prefix=POWER
// RUN: diff %inputs/tiny-net.mlir %t.dir/in.mlir
// RUN: ls -a %t.dir | filecheck %s --check-prefix=LS
// RUN: pimsyn-opt %t.dir/in.mlir -p verify -o %t.dir/in.mlir
// RUN: filecheck %s --check-prefix=DONE < %t.dir/in.mlir

// POWER: pimsyn-opt: error: duplicate: total-power must be a finite number in (0, 1000000] W, got -5
// KEPT: precious
// LS: {{^\.\.$}}
// LS-NEXT: {{^existing\.mlir$}}
// LS-NEXT: {{^in\.mlir$}}
// LS-NOT: tmp
// DONE: pim.input
