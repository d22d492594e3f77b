// RUN: nnc-opt %s --nnc-plan-scratch --split-input-file --verify-diagnostics | FileCheck %s

// %a is read by the copy that writes %b, so they are live together and get
// different offsets; %c is born after %a's last use and reuses %a's bytes.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %[[S:[^:]+]]: memref<256xi8> {nn.name = "scratch"}
// CHECK-SAME: nn.scratch_bytes = 256 : i64
// CHECK: %[[A:.+]] = arith.constant 0 : index
// CHECK: memref.view %[[S]][%[[A]]][] : memref<256xi8> to memref<32xf32>
// CHECK: %[[B:.+]] = arith.constant 128 : index
// CHECK: memref.view %[[S]][%[[B]]][] : memref<256xi8> to memref<32xf32>
// CHECK: %[[C:.+]] = arith.constant 0 : index
// CHECK: memref.view %[[S]][%[[C]]][] : memref<256xi8> to memref<32xf32>
// CHECK-NOT: memref.alloc
func.func @chain(%in: memref<32xf32>, %out: memref<32xf32>) {
  %a = memref.alloc() : memref<32xf32>
  memref.copy %in, %a : memref<32xf32> to memref<32xf32>
  %b = memref.alloc() : memref<32xf32>
  memref.copy %a, %b : memref<32xf32> to memref<32xf32>
  %c = memref.alloc() : memref<32xf32>
  memref.copy %b, %c : memref<32xf32> to memref<32xf32>
  memref.copy %c, %out : memref<32xf32> to memref<32xf32>
  return
}

// -----

// No allocation: an empty arena.
// CHECK-LABEL: func.func @none
// CHECK-SAME: memref<0xi8> {nn.name = "scratch"}
// CHECK-SAME: nn.scratch_bytes = 0 : i64
func.func @none(%in: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

func.func @dynamic(%n: index) {
  // expected-error @+1 {{cannot place buffer 'memref<?xf32>' in the scratch arena: it needs a static shape}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}
