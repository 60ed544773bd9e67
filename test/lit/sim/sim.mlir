// `pimsyn sim` on the tiny network's design (the design of backend/accelerator-json.mlir:
// conv1 and conv2 share a run of 2 + 2 macros, and so one ADC bank; fc1 has 1 macro).
// Every op takes 1 cycle per block (per bit for mvm/adc/shiftadd), B = 16 bits, one block
// per layer.
// RUN: pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=woho total-power=2.0 ratio=0.3 xbar=128 cell-res=2},build-deps,partition{seed=1 generations=2},allocate,place,schedule,evaluate' -o %t.mlir
// RUN: pimsyn sim %t.mlir | filecheck %s
// RUN: pimsyn sim %t.mlir --batch 3 | filecheck %s --check-prefix=BATCH
// RUN: pimsyn sim %t.mlir --no-contention | filecheck %s --check-prefix=FREE

// Events: conv1 LD + 3 x 16 bits + ADD + ST + MRG = 52, pool1 LD + POOL + ST = 3,
// conv2 TRAN + LD + 48 + ADD + ST + MRG = 53, fc1 TRAN + LD + 48 + ADD + ST = 52.
// CHECK-LABEL: tiny: 1 inference, 160 events
// One inference: the two sharing layers run one after the other, so their ADC bits never
// meet, and the cycles are the cost model's (the `start`s of schedule.mlir's walk-through).
// CHECK:       cycles 70 for one inference (cost model 70, +0.000 %)
// CHECK:       contention stalls adc 0 cycles, noc 0 cycles
// conv1: LD at 0, MVM bits 1-16, ADC 2-17, shift-add 3-18, ADD 19, ST 20, MRG 21, ends 22.
// CHECK-LABEL: layers
// CHECK:       conv1 0 22 22
// CHECK-NEXT:  pool1 22 25 3
// CHECK-NEXT:  conv2 25 48 23
// CHECK-NEXT:  fc1 48 70 22

// Three inferences back to back: in steady state the shared ADC bank converts conv1's 16
// bits and conv2's 16 bits per inference, one per cycle: a period of 32 cycles, so the
// batch takes 70 + 2 x 32 = 134 cycles.
// BATCH-LABEL: tiny: 3 inferences, 480 events
// BATCH:       cycles 70 for one inference
// BATCH:       batch 134 cycles for 3 inferences; steady-state period 32.0 cycles

// FREE: cycles 70 for one inference (cost model 70, +0.000 %)
// FREE: contention stalls adc 0 cycles, noc 0 cycles, spm 0 cycles
