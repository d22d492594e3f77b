// RUN: nnc-opt %s --nnc-dense-microkernel --canonicalize --split-input-file | FileCheck %s

// Batch 6 x 20 inputs -> 9 outputs: 4 x 4 blocks (rows 0-3, one trip) carry
// 16 accumulators along k in 16-lane steps, the last 4 inputs are a 4-lane
// step, lane sums are added to C once; rows 4-5 and output 8 are edge blocks.
// CHECK-LABEL: func.func @dense
// CHECK-NOT: linalg.matmul_transpose_b
// CHECK: scf.for %[[N:.+]] = %c0 to %c8 step %c4
// CHECK: vector.load %arg0[%c0, %c0] : memref<6x20xf32>, vector<16xf32>
// CHECK: vector.load %arg0[%c3, %c0] : memref<6x20xf32>, vector<16xf32>
// CHECK: vector.load %arg1[%[[N]], %c0] : memref<9x20xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, %{{.+}} : vector<16xf32> into f32
// CHECK: vector.load %arg0[%c0, %c16] : memref<6x20xf32>, vector<4xf32>
// CHECK: vector.reduction <add>, %{{.+}} : vector<4xf32> into f32
// CHECK: %[[OLD:.+]] = memref.load %arg2[%c0, %[[N]]]
// CHECK: arith.addf %[[OLD]]
// CHECK: memref.store
// CHECK: vector.load %arg1[%c8, %c0] : memref<9x20xf32>, vector<16xf32>
// CHECK: vector.load %arg0[%c4, %c0] : memref<6x20xf32>, vector<16xf32>
func.func @dense(%a: memref<6x20xf32>, %b: memref<9x20xf32>, %c: memref<6x9xf32>) {
  linalg.matmul_transpose_b ins(%a, %b : memref<6x20xf32>, memref<9x20xf32>) outs(%c : memref<6x9xf32>)
  return
}

// -----

// Rows that are not contiguous are left to the loop lowering.
// CHECK-LABEL: func.func @strided
// CHECK: linalg.matmul_transpose_b
// CHECK-NOT: vector.fma
func.func @strided(%wide: memref<2x16xf32>, %b: memref<3x8xf32>, %c: memref<2x3xf32>) {
  %a = memref.subview %wide[0, 0] [2, 8] [1, 2] : memref<2x16xf32> to memref<2x8xf32, strided<[16, 2]>>
  linalg.matmul_transpose_b ins(%a, %b : memref<2x8xf32, strided<[16, 2]>>, memref<3x8xf32>) outs(%c : memref<2x3xf32>)
  return
}
