// RUN: nnc-opt %s --nnc-conv-weight-grad-microkernel --canonicalize --split-input-file | FileCheck %s

// dW[3, 2, 3, 3] from dy rows of 20 at 16 lanes: one block of 3 filters x 3
// kernel columns per (c, kh) (the parallel loop, filters being fewer than a
// full block) keeps 9 accumulators through (n, oh, ow); a row is a full
// vector at ow 0 and a 4-lane tail at ow 16, zero-extended.
// Lanes are summed once and added to dW.
#input = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 3) * 2 + d1, d5 + d2, d6 + d3)>
#grad = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
#weight = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @weight_grad
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[PAIR:.+]] = %c0 to %c6 step %c1
// CHECK: %[[C:.+]] = arith.divui %[[PAIR]], %c3
// CHECK: %[[KH:.+]] = arith.remui %[[PAIR]], %c3
// CHECK: scf.for %[[N:.+]] = %c0 to %c2 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for %[[OH:.+]] = %c0 to %c4 step %c1
// CHECK: %[[ROW:.+]] = arith.addi %[[OH]], %[[KH]]
// CHECK: vector.load %arg0[%[[N]], %[[C]], %[[ROW]], %c0] : memref<2x2x6x22xf32>, vector<16xf32>
// CHECK: vector.load %arg0[%[[N]], %[[C]], %[[ROW]], %c2] : memref<2x2x6x22xf32>, vector<16xf32>
// CHECK: %[[DY:.+]] = vector.load %arg1[%[[N]], %c0, %[[OH]], %c0] : memref<2x3x4x20xf32>, vector<16xf32>
// CHECK-COUNT-3: vector.fma %[[DY]]
// CHECK: %[[TAIL:.+]] = vector.load %arg0[%[[N]], %[[C]], %{{.+}}, %c16] : memref<2x2x6x22xf32>, vector<4xf32>
// CHECK: vector.shuffle %[[TAIL]], %{{.+}} [0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4] : vector<4xf32>, vector<4xf32>
// CHECK: scf.yield
// CHECK: %[[SUM:.+]] = vector.reduction <add>, %{{.+}} : vector<16xf32> into f32
// CHECK: %[[OLD:.+]] = memref.load %arg2[%c0, %[[C]], %[[KH]], %c0]
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]], %[[SUM]]
// CHECK: memref.store %[[NEW]], %arg2[%c0, %[[C]], %[[KH]], %c0]
func.func @weight_grad(%x: memref<2x2x6x22xf32>, %dy: memref<2x3x4x20xf32>, %dw: memref<3x2x3x3xf32>) {
  linalg.generic {indexing_maps = [#input, #grad, #weight], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<2x2x6x22xf32>, memref<2x3x4x20xf32>) outs(%dw : memref<3x2x3x3xf32>) attrs = {nnc.conv_weight_grad = array<i64: 1, 1, 1, 1>} {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %0 = arith.mulf %d, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Stride 2: each input vector keeps every other element of a 7-long span
// (4 output columns).
#input = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 2) * 1 + d1, d5 * 2 + d2, d6 * 2 + d3)>
#grad = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
#weight = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @strided
// CHECK: %[[SPAN:.+]] = vector.load %arg0[{{.+}}] : memref<1x1x9x9xf32>, vector<7xf32>
// CHECK: vector.shuffle %[[SPAN]], %{{.+}} [0, 2, 4, 6] : vector<7xf32>, vector<7xf32>
// CHECK: vector.load %arg1[{{.+}}] : memref<1x2x4x4xf32>, vector<4xf32>
func.func @strided(%x: memref<1x1x9x9xf32>, %dy: memref<1x2x4x4xf32>, %dw: memref<2x1x3x3xf32>) {
  linalg.generic {indexing_maps = [#input, #grad, #weight], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<1x1x9x9xf32>, memref<1x2x4x4xf32>) outs(%dw : memref<2x1x3x3xf32>) attrs = {nnc.conv_weight_grad = array<i64: 2, 2, 1, 1>} {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %0 = arith.mulf %d, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Grouped (2 groups of 1 filter): the maps are not the ungrouped form, so
// the generic stays.
#input = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 1) * 1 + d1, d5 + d2, d6 + d3)>
#grad = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
#weight = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @grouped(%x: memref<1x2x5x5xf32>, %dy: memref<1x2x3x3xf32>, %dw: memref<2x1x3x3xf32>) {
  linalg.generic {indexing_maps = [#input, #grad, #weight], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<1x2x5x5xf32>, memref<1x2x3x3xf32>) outs(%dw : memref<2x1x3x3xf32>) attrs = {nnc.conv_weight_grad = array<i64: 1, 1, 1, 1>} {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %0 = arith.mulf %d, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Without the tag the generic is not known to be a weight gradient.
#input = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 2) * 1 + d1, d5 + d2, d6 + d3)>
#grad = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
#weight = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @untagged
// CHECK: linalg.generic
func.func @untagged(%x: memref<1x1x5x5xf32>, %dy: memref<1x2x3x3xf32>, %dw: memref<2x1x3x3xf32>) {
  linalg.generic {indexing_maps = [#input, #grad, #weight], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<1x1x5x5xf32>, memref<1x2x3x3xf32>) outs(%dw : memref<2x1x3x3xf32>) {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %0 = arith.mulf %d, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// 10 filters: one full block of 8 and a last block of 2. Each is a parallel
// loop over its (filter block, c, kh) triples, here the 3 kernel rows.
#input = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 10) * 1 + d1, d5 + d2, d6 + d3)>
#grad = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
#weight = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @two_filter_blocks
// CHECK: scf.for %[[ROW:.+]] = %c0 to %c3 step %c1 {
// CHECK-COUNT-24: vector.fma
// CHECK: } {nnc.parallel}
// CHECK: scf.for %[[ROW2:.+]] = %c0 to %c3 step %c1 {
// CHECK-COUNT-6: vector.fma
// CHECK: } {nnc.parallel}
func.func @two_filter_blocks(%x: memref<1x1x6x6xf32>, %dy: memref<1x10x4x4xf32>, %dw: memref<10x1x3x3xf32>) {
  linalg.generic {indexing_maps = [#input, #grad, #weight], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<1x1x6x6xf32>, memref<1x10x4x4xf32>) outs(%dw : memref<10x1x3x3xf32>) attrs = {nnc.conv_weight_grad = array<i64: 1, 1, 1, 1>} {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %0 = arith.mulf %d, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Chunks of images: 8 filters of 32 x 64 dy are 64 KiB per image, so the
// reduction runs over chunks of 2 images (128 KiB of dy reused by every
// (c, kh) row of the task) and the last image alone, each chunk's sums
// added to dW. The 3 (c, kh) rows are 3 parallel tasks of one row each.
#input = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0 floordiv 8 + d1, d5 + d2, d6 + d3)>
#grad = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
#weight = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @chunked
// CHECK: scf.for %[[TASK:.+]] = %c0 to %c3 step %c1 {
// CHECK: scf.for %[[N:.+]] = %c0 to %c2 step %c1 iter_args
// CHECK: vector.load %arg1[%[[N]], %{{.+}}, %{{.+}}, %{{.+}}] : memref<3x8x32x64xf32>, vector<16xf32>
// CHECK-COUNT-24: vector.reduction <add>
// CHECK: memref.store %{{.+}}, %arg2[
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c1 iter_args
// CHECK: vector.load %arg1[%c2, %{{.+}}, %{{.+}}, %{{.+}}] : memref<3x8x32x64xf32>, vector<16xf32>
// CHECK-COUNT-24: vector.reduction <add>
func.func @chunked(%x: memref<3x1x34x66xf32>, %dy: memref<3x8x32x64xf32>, %dw: memref<8x1x3x3xf32>) {
  linalg.generic {indexing_maps = [#input, #grad, #weight], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<3x1x34x66xf32>, memref<3x8x32x64xf32>) outs(%dw : memref<8x1x3x3xf32>) attrs = {nnc.conv_weight_grad = array<i64: 1, 1, 1, 1>} {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %0 = arith.mulf %d, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
