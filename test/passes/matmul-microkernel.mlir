// RUN: nnc-opt %s --nnc-matmul-microkernel --canonicalize --split-input-file | FileCheck %s
// RUN: nnc-opt %s --nnc-matmul-microkernel="vector-bits=256 vector-registers=16" --canonicalize --split-input-file | FileCheck %s --check-prefix=AVX2

// 13 x 5 times 5 x 134 at 16 lanes: panels of 4 vectors (64 columns) over
// rows in blocks of 6 keep 24 accumulators through the k loop, loaded from C
// and stored once; each k loads the panel's 4 vectors of B's row k and
// broadcasts one element of A per row. Row 12 is a 1-row block; columns
// 128..133 are a last panel of one 6-lane vector.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %[[N:.+]] = %c0 to %c128 step %c64
// CHECK: scf.for %[[M:.+]] = %c0 to %c12 step %c6
// CHECK: vector.load %arg2[%[[M]], %[[N]]] : memref<13x134xf32>, vector<16xf32>
// CHECK: scf.for %[[K:.+]] = %c0 to %c5 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>,
// CHECK-COUNT-4: vector.load %arg1[%[[K]], %{{.+}}] : memref<5x134xf32>, vector<16xf32>
// CHECK: %[[A:.+]] = memref.load %arg0[%[[M]], %[[K]]] : memref<13x5xf32>
// CHECK: %[[BA:.+]] = vector.broadcast %[[A]] : f32 to vector<16xf32>
// CHECK-COUNT-4: vector.fma %[[BA]]
// CHECK: scf.yield
// CHECK-COUNT-24: vector.store {{.*}} vector<16xf32>
// CHECK: memref.load %arg0[%c12, %{{.+}}] : memref<13x5xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c12 step %c6
// CHECK: vector.load %arg1[%{{.+}}, %c128] : memref<5x134xf32>, vector<6xf32>
// CHECK-COUNT-6: vector.store {{.*}} vector<6xf32>
// CHECK: vector.store %{{.+}}, %arg2[%c12, %c128] : memref<13x134xf32>, vector<6xf32>

// AVX2-LABEL: func.func @matmul
// AVX2: scf.for %{{.+}} = %c0 to %c128 step %c16
// AVX2: scf.for %{{.+}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
func.func @matmul(%a: memref<13x5xf32>, %b: memref<5x134xf32>, %c: memref<13x134xf32>) {
  linalg.matmul ins(%a, %b : memref<13x5xf32>, memref<5x134xf32>) outs(%c : memref<13x134xf32>)
  return
}

// -----

// Rows that are not contiguous are left to the loop lowering.
// CHECK-LABEL: func.func @strided
// CHECK: linalg.matmul
// CHECK-NOT: vector.fma
// AVX2-LABEL: func.func @strided
// AVX2: linalg.matmul
func.func @strided(%wide: memref<8x6xf32>, %a: memref<2x4xf32>, %c: memref<2x3xf32>) {
  %b = memref.subview %wide[0, 0] [4, 3] [1, 2] : memref<8x6xf32> to memref<4x3xf32, strided<[6, 2]>>
  linalg.matmul ins(%a, %b : memref<2x4xf32>, memref<4x3xf32, strided<[6, 2]>>) outs(%c : memref<2x3xf32>)
  return
}

// -----

// Integer products are not this kernel's.
// CHECK-LABEL: func.func @integers
// CHECK: linalg.matmul
func.func @integers(%a: memref<2x4xi32>, %b: memref<4x3xi32>, %c: memref<2x3xi32>) {
  linalg.matmul ins(%a, %b : memref<2x4xi32>, memref<4x3xi32>) outs(%c : memref<2x3xi32>)
  return
}
