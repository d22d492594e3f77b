// RUN: nnc-opt %s --nnc-register-reductions --canonicalize --split-input-file | FileCheck %s

// Two per-channel sums over [N, C, H, W] in the channel-outermost order the
// lowering emits: the channel loop stays parallel; both accumulators are
// loaded once, carried through the (n, h, w) loops and stored once.
#nchw = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @per_channel
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel (%[[C:.+]]) = (%c0) to (%c3) step (%c1) {
// CHECK: %[[SUM0:.+]] = memref.load %arg2[%[[C]]] : memref<3xf32>
// CHECK: %[[DOT0:.+]] = memref.load %arg3[%[[C]]] : memref<3xf32>
// CHECK: %[[R:.+]]:2 = scf.for %[[N:.+]] = %c0 to %c2 step %c1 iter_args(%{{.+}} = %[[SUM0]], %{{.+}} = %[[DOT0]]) -> (f32, f32) {
// CHECK: scf.for %[[H:.+]] = %c0 to %c4 step %c1 iter_args
// CHECK: scf.for %[[W:.+]] = %c0 to %c5 step %c1 iter_args(%[[S:.+]] = %{{.+}}, %[[D:.+]] = %{{.+}}) -> (f32, f32) {
// CHECK: %[[X:.+]] = memref.load %arg0[%[[N]], %[[C]], %[[H]], %[[W]]]
// CHECK: %[[DY:.+]] = memref.load %arg1[%[[N]], %[[C]], %[[H]], %[[W]]]
// CHECK: %[[S1:.+]] = arith.addf %[[S]], %[[DY]]
// CHECK: %[[P:.+]] = arith.mulf %[[X]], %[[DY]]
// CHECK: %[[D1:.+]] = arith.addf %[[D]], %[[P]]
// CHECK: scf.yield %[[S1]], %[[D1]] : f32, f32
// CHECK: memref.store %[[R]]#0, %arg2[%[[C]]]
// CHECK: memref.store %[[R]]#1, %arg3[%[[C]]]
func.func @per_channel(%x: memref<2x3x4x5xf32>, %dy: memref<2x3x4x5xf32>, %sum: memref<3xf32>, %dot: memref<3xf32>) {
  linalg.generic {indexing_maps = [#nchw, #nchw, #c, #c], iterator_types = ["parallel", "reduction", "reduction", "reduction"]} ins(%x, %dy : memref<2x3x4x5xf32>, memref<2x3x4x5xf32>) outs(%sum, %dot : memref<3xf32>, memref<3xf32>) {
  ^bb0(%a: f32, %b: f32, %s: f32, %d: f32):
    %0 = arith.addf %s, %b : f32
    %1 = arith.mulf %a, %b : f32
    %2 = arith.addf %d, %1 : f32
    linalg.yield %0, %2 : f32, f32
  }
  return
}

// -----

// A full reduction has no parallel loop; linalg.index becomes the induction
// variable.
#all = affine_map<(d0, d1) -> (d0, d1)>
#none = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @indexed_total
// CHECK-NOT: scf.parallel
// CHECK: %[[T0:.+]] = memref.load %arg1[] : memref<f32>
// CHECK: %[[T:.+]] = scf.for %[[I:.+]] = %c0 to %c4 step %c1 iter_args(%{{.+}} = %[[T0]]) -> (f32) {
// CHECK: scf.for %[[J:.+]] = %c0 to %c6 step %c1
// CHECK: arith.index_cast %[[J]]
// CHECK: memref.store %[[T]], %arg1[] : memref<f32>
func.func @indexed_total(%x: memref<4x6xf32>, %total: memref<f32>) {
  linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction", "reduction"]} ins(%x : memref<4x6xf32>) outs(%total : memref<f32>) {
  ^bb0(%a: f32, %t: f32):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i32
    %jf = arith.sitofp %ji : i32 to f32
    %0 = arith.mulf %a, %jf : f32
    %1 = arith.addf %t, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Left to the loop lowering: a reduction loop before a parallel one (the
// sum over the batch of an [N, C] tensor, channels innermost and
// contiguous), an output read as an input, and tensors.
#nc = affine_map<(d0, d1) -> (d0, d1)>
#c = affine_map<(d0, d1) -> (d1)>
#row = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.generic
func.func @left_alone(%x: memref<4x6xf32>, %sum: memref<6xf32>, %rows: memref<4xf32>, %t: tensor<4x6xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  linalg.generic {indexing_maps = [#nc, #c], iterator_types = ["reduction", "parallel"]} ins(%x : memref<4x6xf32>) outs(%sum : memref<6xf32>) {
  ^bb0(%a: f32, %s: f32):
    %0 = arith.addf %s, %a : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [#nc, #row, #row], iterator_types = ["parallel", "reduction"]} ins(%x, %rows : memref<4x6xf32>, memref<4xf32>) outs(%rows : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %0 = arith.addf %s, %a : f32
    %1 = arith.addf %0, %b : f32
    linalg.yield %1 : f32
  }
  %r = linalg.generic {indexing_maps = [#nc, #row], iterator_types = ["parallel", "reduction"]} ins(%t : tensor<4x6xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %s: f32):
    %0 = arith.addf %s, %a : f32
    linalg.yield %0 : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
