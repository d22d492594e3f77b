// RUN: nnc-opt %s --nnc-rebase-slices --split-input-file | FileCheck %s

// A parameter's slice of the public function's buffer: the argument
// becomes its bytes, the slice a view at 4 * 16 bytes with an identity
// layout, and the expand_shape of the slice follows.
// CHECK-LABEL: func.func @params(
// CHECK-SAME: %[[P:.+]]: memref<256xi8>
// CHECK-NOT: memref.view %[[P]][%{{.+}}][] : memref<256xi8> to memref<64xf32>
// CHECK: %[[SHIFT:.+]] = arith.constant 64 : index
// CHECK: %[[W:.+]] = memref.view %[[P]][%[[SHIFT]]][] : memref<256xi8> to memref<16xf32>
// CHECK: %[[W2:.+]] = memref.expand_shape %[[W]] {{\[\[}}0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
// CHECK: memref.load %[[W2]]
func.func @params(%params: memref<64xf32>, %out: memref<f32>) {
  %c1 = arith.constant 1 : index
  %flat = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  %w = memref.expand_shape %flat [[0, 1]] output_shape [4, 4] : memref<16xf32, strided<[1], offset: 16>> into memref<4x4xf32, strided<[4, 1], offset: 16>>
  %x = memref.load %w[%c1, %c1] : memref<4x4xf32, strided<[4, 1], offset: 16>>
  memref.store %x, %out[] : memref<f32>
  return
}

// -----

// A slice inside a scratch view: the shifts add up. A non-contiguous slice
// (every other row) keeps its subview, now of the rebased parent view.
// CHECK-LABEL: func.func @arena(
// CHECK: %[[S:.+]] = arith.constant 1056 : index
// CHECK: %[[ROWS:.+]] = memref.view %arg0[%[[S]]][] : memref<4096xi8> to memref<4x8xf32>
// CHECK: memref.subview %[[ROWS]][0, 0] [2, 8] [2, 1] : memref<4x8xf32> to memref<2x8xf32, strided<[16, 1]>>
func.func @arena(%scratch: memref<4096xi8>, %v: vector<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1024 = arith.constant 1024 : index
  %t = memref.view %scratch[%c1024][] : memref<4096xi8> to memref<8x8xf32>
  %rows = memref.subview %t[1, 0] [4, 8] [1, 1] : memref<8x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 8>>
  %odd = memref.subview %rows[0, 0] [2, 8] [2, 1] : memref<4x8xf32, strided<[8, 1], offset: 8>> to memref<2x8xf32, strided<[16, 1], offset: 8>>
  vector.store %v, %odd[%c0, %c0] : memref<2x8xf32, strided<[16, 1], offset: 8>>, vector<8xf32>
  return
}

// A view at a run-time shift: the slice's bytes are added to it.
// CHECK-LABEL: func.func @dynamic_shift(
// CHECK: %[[C:.+]] = arith.constant 64 : index
// CHECK: %[[S:.+]] = arith.addi %arg1, %[[C]] : index
// CHECK: %[[ROW:.+]] = memref.view %arg0[%[[S]]][] : memref<4096xi8> to memref<1x8xf32>
// CHECK: vector.store %arg2, %[[ROW]]
func.func @dynamic_shift(%scratch: memref<4096xi8>, %at: index, %v: vector<8xf32>) {
  %c0 = arith.constant 0 : index
  %t = memref.view %scratch[%at][] : memref<4096xi8> to memref<8x8xf32>
  %row = memref.subview %t[2, 0] [1, 8] [1, 1] : memref<8x8xf32> to memref<1x8xf32, strided<[8, 1], offset: 16>>
  vector.store %v, %row[%c0, %c0] : memref<1x8xf32, strided<[8, 1], offset: 16>>, vector<8xf32>
  return
}

// -----

// Where the pass must not fire: a slice passed to a call (the callee's
// signature fixes its layout), and a private function's argument (callers
// would see a new type).
// CHECK-LABEL: func.func private @consume
// CHECK-LABEL: func.func @called(
// CHECK-SAME: %{{.+}}: memref<64xf32>
// CHECK: memref.subview %{{.+}}[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
// CHECK-NOT: memref.view
// CHECK-LABEL: func.func private @internal(
// CHECK-SAME: %{{.+}}: memref<64xf32>
// CHECK: memref.subview
// CHECK-NOT: memref.view
func.func private @consume(memref<16xf32, strided<[1], offset: 16>>)
func.func @called(%params: memref<64xf32>) {
  %flat = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  func.call @consume(%flat) : (memref<16xf32, strided<[1], offset: 16>>) -> ()
  return
}
func.func private @internal(%params: memref<64xf32>, %out: memref<f32>) {
  %c1 = arith.constant 1 : index
  %flat = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  %x = memref.load %flat[%c1] : memref<16xf32, strided<[1], offset: 16>>
  memref.store %x, %out[] : memref<f32>
  return
}

// -----

// Index elements have no byte size: the argument and its slice stay.
// CHECK-LABEL: func.func @indices(
// CHECK-SAME: %{{.+}}: memref<8xindex>
// CHECK: memref.subview
// CHECK-NOT: memref.view
func.func @indices(%table: memref<8xindex>, %out: memref<index>) {
  %c1 = arith.constant 1 : index
  %half = memref.subview %table[4] [4] [1] : memref<8xindex> to memref<4xindex, strided<[1], offset: 4>>
  %x = memref.load %half[%c1] : memref<4xindex, strided<[1], offset: 4>>
  memref.store %x, %out[] : memref<index>
  return
}
