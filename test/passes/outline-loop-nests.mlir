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

// Register-blocked tiles: the accumulator loads that feed a loop, the loop
// and the stores of its results are one nest; the two tiles, on other
// bytes, call the same one.
// CHECK-LABEL: func.func @tiles(
// CHECK-NOT: scf.for
// CHECK: call @tiles.nest0(%[[A:.+]]) : (memref<8xf32>) -> ()
// CHECK-NEXT: call @tiles.nest0(%[[B:.+]]) : (memref<8xf32>) -> ()
// CHECK-NEXT: return
// CHECK: func.func private @tiles.nest0(%[[X:.+]]: memref<8xf32>) attributes {no_inline}
// CHECK: memref.load %[[X]]
// CHECK: scf.for
// CHECK: memref.store %{{.+}}, %[[X]]
// CHECK-NOT: tiles.nest1
func.func @tiles(%arena: memref<4096xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c512 = arith.constant 512 : index
  %a = memref.view %arena[%c0][] : memref<4096xi8> to memref<8xf32>
  %b = memref.view %arena[%c512][] : memref<4096xi8> to memref<8xf32>
  %acc = memref.load %a[%c0] : memref<8xf32>
  %sum = scf.for %i = %c1 to %c8 step %c1 iter_args(%s = %acc) -> f32 {
    %v = memref.load %a[%i] : memref<8xf32>
    %next = arith.addf %s, %v : f32
    scf.yield %next : f32
  }
  memref.store %sum, %a[%c0] : memref<8xf32>
  %acc2 = memref.load %b[%c0] : memref<8xf32>
  %sum2 = scf.for %i = %c1 to %c8 step %c1 iter_args(%s = %acc2) -> f32 {
    %v = memref.load %b[%i] : memref<8xf32>
    %next = arith.addf %s, %v : f32
    scf.yield %next : f32
  }
  memref.store %sum2, %b[%c0] : memref<8xf32>
  return
}

// -----

// A value used after its nest (a sum stored once another loop has run)
// becomes the nest's result; the store, holding no loop, stays in place.
// CHECK-LABEL: func.func @sum_then_scale(
// CHECK-SAME: %[[X:[^:]+]]: memref<8xf32>, %[[OUT:[^:]+]]: memref<f32>
// CHECK: %[[SUM:.+]] = call @sum_then_scale.nest0(%[[X]]) : (memref<8xf32>) -> f32
// CHECK-NEXT: call @sum_then_scale.nest1(%[[X]]) : (memref<8xf32>) -> ()
// CHECK-NEXT: memref.store %[[SUM]], %[[OUT]][]
// CHECK: func.func private @sum_then_scale.nest0(%{{.+}}: memref<8xf32>) -> f32
// CHECK: %[[R:.+]] = scf.for
// CHECK: return %[[R]] : f32
func.func @sum_then_scale(%x: memref<8xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %x[%i] : memref<8xf32>
    %next = arith.addf %acc, %v : f32
    scf.yield %next : f32
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    %y = arith.mulf %v, %two : f32
    memref.store %y, %x[%i] : memref<8xf32>
  }
  memref.store %sum, %out[] : memref<f32>
  return
}

// -----

// Ops of two layers are two nests even where one feeds the other.
// CHECK-LABEL: func.func @two_layers(
// CHECK: %[[S:.+]] = call @two_layers.nest0(
// CHECK-NEXT: call @two_layers.nest1(%[[S]], %{{.+}})
func.func @two_layers(%x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %x[%i] : memref<8xf32>
    %next = arith.addf %acc, %v : f32
    scf.yield %next : f32
  } loc("norm")
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %sum, %x[%i] : memref<8xf32>
  } loc("fill")
  return
}
