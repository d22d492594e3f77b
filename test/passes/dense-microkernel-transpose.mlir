// RUN: nnc-opt %s --nnc-dense-microkernel="transpose-min-rows=8" --split-input-file | FileCheck %s
// RUN: nnc-opt %s --nnc-dense-microkernel --split-input-file | FileCheck %s --check-prefix=DEFAULT

// From `transpose-min-rows` rows of A on, B [N, K] is transposed into a new
// [K, N] buffer and the product is a linalg.matmul (for the outer-product
// kernel of nnc-matmul-microkernel); C and A are used as they are.
// CHECK-LABEL: func.func @many_rows
// CHECK: %[[BT:.+]] = memref.alloc() : memref<20x9xf32>
// CHECK: linalg.transpose ins(%arg1 : memref<9x20xf32>) outs(%[[BT]] : memref<20x9xf32>) permutation = [1, 0]
// CHECK: linalg.matmul ins(%arg0, %[[BT]] : memref<8x20xf32>, memref<20x9xf32>) outs(%arg2 : memref<8x9xf32>)
// CHECK-NOT: vector.reduction
// The default threshold (256 rows) keeps the dot-product kernel for 8 rows.
// DEFAULT-LABEL: func.func @many_rows
// DEFAULT-NOT: linalg.transpose
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
