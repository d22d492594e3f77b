// RUN: nnc-opt %s --nnc-dense-microkernel="transpose-min-rows=8 vector-bits=128" --split-input-file | FileCheck %s
// RUN: nnc-opt %s --nnc-dense-microkernel --split-input-file | FileCheck %s --check-prefix=DEFAULT

// From `transpose-min-rows` rows of A on, B [N, K] is transposed into a new
// [K, N] buffer and the product is a linalg.matmul (for the outer-product
// kernel of nnc-matmul-microkernel); C and A are used as they are. The
// transpose goes by 4 x 4 blocks (4 lanes): four row loads, two rounds of
// shuffles (rows 0/2 and 1/3 exchange pairs, then 0/1 and 2/3 single
// lanes), four stores at the block's transposed place; the ninth row of B
// is copied element by element.
// CHECK-LABEL: func.func @many_rows
// CHECK: %[[BT:.+]] = memref.alloc() : memref<20x9xf32>
// CHECK: scf.for %[[N0:.+]] = %c0 to %c8 step %c4 {
// CHECK: scf.for %[[K0:.+]] = %c0 to %c20 step %c4 {
// CHECK: %[[R0:.+]] = vector.load %arg1[%[[N0]], %[[K0]]] : memref<9x20xf32>, vector<4xf32>
// CHECK: %[[R1:.+]] = vector.load %arg1[%{{.+}}, %[[K0]]]
// CHECK: %[[R2:.+]] = vector.load %arg1[%{{.+}}, %[[K0]]]
// CHECK: %[[R3:.+]] = vector.load %arg1[%{{.+}}, %[[K0]]]
// CHECK: %[[U0:.+]] = vector.shuffle %[[R0]], %[[R2]] [0, 1, 4, 5]
// CHECK: %[[U2:.+]] = vector.shuffle %[[R0]], %[[R2]] [2, 3, 6, 7]
// CHECK: %[[U1:.+]] = vector.shuffle %[[R1]], %[[R3]] [0, 1, 4, 5]
// CHECK: %[[U3:.+]] = vector.shuffle %[[R1]], %[[R3]] [2, 3, 6, 7]
// CHECK: %[[C0:.+]] = vector.shuffle %[[U0]], %[[U1]] [0, 4, 2, 6]
// CHECK: vector.shuffle %[[U0]], %[[U1]] [1, 5, 3, 7]
// CHECK: vector.shuffle %[[U2]], %[[U3]] [0, 4, 2, 6]
// CHECK: vector.shuffle %[[U2]], %[[U3]] [1, 5, 3, 7]
// CHECK: vector.store %[[C0]], %[[BT]][%[[K0]], %[[N0]]] : memref<20x9xf32>, vector<4xf32>
// CHECK-COUNT-3: vector.store
// CHECK: } {nnc.parallel}
// CHECK: memref.load %arg1[%c8, %{{.+}}] : memref<9x20xf32>
// CHECK: memref.store %{{.+}}, %[[BT]][%{{.+}}, %c8] : memref<20x9xf32>
// CHECK: linalg.matmul ins(%arg0, %[[BT]] : memref<8x20xf32>, memref<20x9xf32>) outs(%arg2 : memref<8x9xf32>)
// CHECK-NOT: vector.reduction
// The default threshold (256 rows) keeps the dot-product kernel for 8 rows.
// DEFAULT-LABEL: func.func @many_rows
// DEFAULT-NOT: memref.alloc
// DEFAULT: vector.reduction
func.func @many_rows(%a: memref<8x20xf32>, %b: memref<9x20xf32>, %c: memref<8x9xf32>) {
  linalg.matmul_transpose_b ins(%a, %b : memref<8x20xf32>, memref<9x20xf32>) outs(%c : memref<8x9xf32>)
  return
}

// -----

// Fewer rows than the threshold: the dot-product kernel, no copy of B.
// CHECK-LABEL: func.func @few_rows
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.
// CHECK: vector.reduction
func.func @few_rows(%a: memref<7x20xf32>, %b: memref<9x20xf32>, %c: memref<7x9xf32>) {
  linalg.matmul_transpose_b ins(%a, %b : memref<7x20xf32>, memref<9x20xf32>) outs(%c : memref<7x9xf32>)
  return
}
