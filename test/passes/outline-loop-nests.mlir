// RUN: nnc-opt %s --nnc-outline-loop-nests --split-input-file | FileCheck %s

// Two same-shaped layers on other bytes of the arena: one nest, called
// twice with the two views; the constants are recomputed inside it. The
// third loop scales by another constant: a nest of its own.
// CHECK-LABEL: func.func @layers(
// CHECK-SAME: %[[ARENA:.+]]: memref<4096xi8>
// CHECK-DAG: %[[A:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<4096xi8> to memref<64xf32>
// CHECK-DAG: %[[B:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<4096xi8> to memref<64xf32>
// CHECK-NOT: scf.for
// CHECK: call @layers.nest0(%[[A]])
// CHECK-NEXT: call @layers.nest0(%[[B]])
// CHECK-NEXT: call @layers.nest2(%[[A]])
// CHECK-NEXT: return
// CHECK: func.func private @layers.nest0(%[[X:.+]]: memref<64xf32>) attributes {no_inline}
// CHECK-DAG: arith.constant 2.000000e+00 : f32
// CHECK-DAG: arith.constant 64 : index
// CHECK: scf.for
// CHECK: memref.store %{{.+}}, %[[X]]
// CHECK-NOT: layers.nest1
// CHECK: func.func private @layers.nest2(%{{.+}}: memref<64xf32>) attributes {no_inline}
// CHECK: arith.constant 3.000000e+00 : f32
func.func @layers(%arena: memref<4096xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  %a = memref.view %arena[%c0][] : memref<4096xi8> to memref<64xf32>
  %b = memref.view %arena[%c256][] : memref<4096xi8> to memref<64xf32>
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %a[%i] : memref<64xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %a[%i] : memref<64xf32>
  }
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %b[%i] : memref<64xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %b[%i] : memref<64xf32>
  }
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %a[%i] : memref<64xf32>
    %y = arith.mulf %x, %three : f32
    memref.store %y, %a[%i] : memref<64xf32>
  }
  return
}

// -----

// One loop: the function is the nest already, nothing moves.
// CHECK-LABEL: func.func @single(
// CHECK: scf.for
// CHECK-NOT: func.func private
func.func @single(%x: memref<8xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %v, %x[%i] : memref<8xf32>
  }
  return
}

// -----

// A loop with a result (a sum) stays where its result is used; the two
// fills move out, take the sum as an argument and are one nest.
// CHECK-LABEL: func.func @sum_then_fill(
// CHECK-SAME: %[[X:[^:]+]]: memref<8xf32>, %[[Y:[^:]+]]: memref<8xf32>
// CHECK: %[[SUM:.+]] = scf.for
// CHECK: call @sum_then_fill.nest0(%[[SUM]], %[[Y]]) : (f32, memref<8xf32>) -> ()
// CHECK-NEXT: call @sum_then_fill.nest0(%[[SUM]], %[[X]]) : (f32, memref<8xf32>) -> ()
// CHECK: func.func private @sum_then_fill.nest0(%{{.+}}: f32, %{{.+}}: memref<8xf32>)
// CHECK-NOT: scf.yield
func.func @sum_then_fill(%x: memref<8xf32>, %y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %x[%i] : memref<8xf32>
    %next = arith.addf %acc, %v : f32
    scf.yield %next : f32
  }
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %sum, %y[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %sum, %x[%i] : memref<8xf32>
  }
  return
}
