// RUN: nnc-opt %s --nnc-pool-microkernel --canonicalize --split-input-file | FileCheck %s

// 2x2 stride-2 max pool, output rows of 20 at 16 lanes: per (n, c) plane
// (the parallel loop) and output row, a full vector at ow 0 and a 4-lane
// tail at ow 16. Each tap is every other element of a contiguous span; the
// running maximum starts from the output and stays in a register.
// CHECK-LABEL: func.func @max_pool
// CHECK-NOT: linalg.pooling
// CHECK: scf.for %[[PLANE:.+]] = %c0 to %c6 step %c1 {
// CHECK: scf.for %[[OH:.+]] = %c0 to %c4 step %c1 {
// CHECK: %[[BEST:.+]] = vector.load %arg2[{{.+}}, %[[OH]], %c0] : memref<3x2x4x20xf32>, vector<16xf32>
// CHECK: %[[SPAN:.+]] = vector.load %arg0[{{.+}}, %c0] : memref<3x2x8x40xf32>, vector<31xf32>
// CHECK: %[[TAP:.+]] = vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<31xf32>, vector<31xf32>
// CHECK: %[[MAX:.+]] = arith.maximumf %[[BEST]], %[[TAP]] : vector<16xf32>
// CHECK-COUNT-3: arith.maximumf
// CHECK: vector.store %{{.+}}, %arg2[{{.+}}, %[[OH]], %c0] : memref<3x2x4x20xf32>, vector<16xf32>
// CHECK: vector.load %arg2[{{.+}}, %[[OH]], %c16] : memref<3x2x4x20xf32>, vector<4xf32>
// CHECK: vector.load %arg0[{{.+}}, %c32] : memref<3x2x8x40xf32>, vector<7xf32>
// CHECK: vector.store %{{.+}}, %arg2[{{.+}}, %[[OH]], %c16] : memref<3x2x4x20xf32>, vector<4xf32>
// CHECK: } {nnc.parallel}
func.func @max_pool(%x: memref<3x2x8x40xf32>, %window: memref<2x2xf32>, %y: memref<3x2x4x20xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %window : memref<3x2x8x40xf32>, memref<2x2xf32>) outs(%y : memref<3x2x4x20xf32>)
  return
}

// -----

// A max pool over rows that are not contiguous keeps its loops, in the
// lowering's order: the output width innermost.
// CHECK-LABEL: func.func @strided_rows
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]
func.func @strided_rows(%x: memref<1x1x4x4xf32, strided<[32, 32, 8, 2]>>, %window: memref<2x2xf32>, %y: memref<1x1x2x2xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %window : memref<1x1x4x4xf32, strided<[32, 32, 8, 2]>>, memref<2x2xf32>) outs(%y : memref<1x1x2x2xf32>)
  return
}

// -----

// The argmax of a 2x2 stride-2 pool over 6x10 inputs (MaxPoolGradForm.h):
// the first tap starts the running best and its flat index h*10 + w; each
// later tap wins if greater or NaN.
#input = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
#window = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @argmax
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[STEPS:.+]] = arith.constant dense<[0, 2, 4, 6, 8]> : vector<5xi32>
// CHECK: scf.for %[[PLANE:.+]] = %c0 to %c2 step %c1 {
// CHECK: scf.for %[[OH:.+]] = %c0 to %c3 step %c1 {
// CHECK: %[[FIRST:.+]] = vector.shuffle %{{.+}} [0, 2, 4, 6, 8] : vector<9xf32>, vector<9xf32>
// CHECK: %[[BASE:.+]] = arith.muli %[[OH]], %c20
// CHECK: %[[BASE32:.+]] = arith.index_cast %[[BASE]] : index to i32
// CHECK: %[[SPLAT:.+]] = vector.splat %[[BASE32]] : vector<5xi32>
// CHECK: %[[FLAT:.+]] = arith.addi %[[SPLAT]], %[[STEPS]] : vector<5xi32>
// CHECK: %[[TAP:.+]] = vector.shuffle
// CHECK: %[[TAPINDEX:.+]] = arith.addi {{.+}} : vector<5xi32>
// CHECK: %[[GREATER:.+]] = arith.cmpf ogt, %[[TAP]], %[[FIRST]] : vector<5xf32>
// CHECK: %[[NAN:.+]] = arith.cmpf uno, %[[TAP]], %[[TAP]] : vector<5xf32>
// CHECK: %[[BETTER:.+]] = arith.ori %[[GREATER]], %[[NAN]] : vector<5xi1>
// CHECK: arith.select %[[BETTER]], %[[TAP]], %[[FIRST]] : vector<5xi1>, vector<5xf32>
// CHECK: arith.select %[[BETTER]], %[[TAPINDEX]], %[[FLAT]] : vector<5xi1>, vector<5xi32>
// CHECK-COUNT-2: arith.cmpf ogt
// CHECK: vector.store %{{.+}}, %arg2[{{.+}}, %[[OH]], %c0] : memref<1x2x3x5xf32>, vector<5xf32>
// CHECK: vector.store %{{.+}}, %arg3[{{.+}}, %[[OH]], %c0] : memref<1x2x3x5xi32>, vector<5xi32>
func.func @argmax(%x: memref<1x2x6x10xf32>, %window: memref<2x2xf32>, %best: memref<1x2x3x5xf32>, %index: memref<1x2x3x5xi32>) {
  linalg.generic {indexing_maps = [#input, #window, #out, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%x, %window : memref<1x2x6x10xf32>, memref<2x2xf32>) outs(%best, %index : memref<1x2x3x5xf32>, memref<1x2x3x5xi32>) attrs = {nnc.max_pool_argmax = array<i64: 2, 2, 1, 1>} {
  ^bb0(%in: f32, %w: f32, %b: f32, %i: i32):
    linalg.yield %b, %i : f32, i32
  }
  return
}

// -----

// A generic tagged as an argmax whose maps are not the form's (here the
// strides disagree with the tag) keeps its loops.
#input = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
#window = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @argmax_other_maps
// CHECK: linalg.generic
func.func @argmax_other_maps(%x: memref<1x2x6x10xf32>, %window: memref<2x2xf32>, %best: memref<1x2x3x5xf32>, %index: memref<1x2x3x5xi32>) {
  linalg.generic {indexing_maps = [#input, #window, #out, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%x, %window : memref<1x2x6x10xf32>, memref<2x2xf32>) outs(%best, %index : memref<1x2x3x5xf32>, memref<1x2x3x5xi32>) attrs = {nnc.max_pool_argmax = array<i64: 1, 2, 1, 1>} {
  ^bb0(%in: f32, %w: f32, %b: f32, %i: i32):
    linalg.yield %b, %i : f32, i32
  }
  return
}

// -----

// The scatter of a 2x2 stride-2 pool over 4x36 inputs: 8 windows (16
// columns) per vector and a 2-window tail. Each window's argmax and
// gradient are duplicated across its two columns; both input rows of a
// window row compare with their own flat indices.
#window = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3 floordiv 2)>
#identity = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @scatter
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[PLANE:.+]] = %c0 to %c3 step %c1 {
// CHECK: scf.for %[[OH:.+]] = %c0 to %c2 step %c1 {
// CHECK: scf.for %[[OW:.+]] = %c0 to %c16 step %c8 {
// CHECK: %[[PICKED:.+]] = vector.load %arg0[{{.+}}, %[[OH]], %[[OW]]] : memref<1x3x2x18xi32>, vector<8xi32>
// CHECK: %[[WIDE:.+]] = vector.shuffle %[[PICKED]], %[[PICKED]] [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7] : vector<8xi32>, vector<8xi32>
// CHECK: %[[GRAD:.+]] = vector.load %arg1[{{.+}}, %[[OH]], %[[OW]]] : memref<1x3x2x18xf32>, vector<8xf32>
// CHECK: %[[WIDEGRAD:.+]] = vector.shuffle %[[GRAD]], %[[GRAD]] [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7] : vector<8xf32>, vector<8xf32>
// CHECK: %[[W0:.+]] = arith.muli %[[OW]], %c2
// CHECK: %[[H0:.+]] = arith.muli %[[OH]], %c2
// CHECK: %[[ROW0:.+]] = arith.muli %[[OH]], %c72
// CHECK: %[[FLAT0:.+]] = arith.addi %[[ROW0]], %[[W0]]
// CHECK: %[[MINE:.+]] = arith.cmpi eq, %[[WIDE]], %{{.+}} : vector<16xi32>
// CHECK: %[[DX:.+]] = arith.select %[[MINE]], %[[WIDEGRAD]], %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.store %[[DX]], %arg2[{{.+}}, %[[H0]], %[[W0]]] : memref<1x3x4x36xf32>, vector<16xf32>
// CHECK: %[[H1:.+]] = arith.addi %{{.+}}, %c1
// CHECK: arith.cmpi eq, %[[WIDE]], %{{.+}} : vector<16xi32>
// CHECK: vector.store %{{.+}}, %arg2[{{.+}}, %[[H1]], %[[W0]]] : memref<1x3x4x36xf32>, vector<16xf32>
// CHECK: vector.load %arg0[{{.+}}, %[[OH]], %c16] : memref<1x3x2x18xi32>, vector<2xi32>
// CHECK: vector.store %{{.+}}, %arg2[{{.+}}, %c32] : memref<1x3x4x36xf32>, vector<4xf32>
func.func @scatter(%argmax: memref<1x3x2x18xi32>, %dy: memref<1x3x2x18xf32>, %dx: memref<1x3x4x36xf32>) {
  linalg.generic {indexing_maps = [#window, #window, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%argmax, %dy : memref<1x3x2x18xi32>, memref<1x3x2x18xf32>) outs(%dx : memref<1x3x4x36xf32>) attrs = {nnc.max_pool_scatter = array<i64: 2, 2>} {
  ^bb0(%a: i32, %g: f32, %out: f32):
    linalg.yield %g : f32
  }
  return
}

// -----

// A generic tagged as a scatter whose maps are not the form's (windows of 3
// columns under a tag of stride 2) keeps its loops.
#window = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3 floordiv 3)>
#identity = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @scatter_other_maps
// CHECK: linalg.generic
func.func @scatter_other_maps(%argmax: memref<1x3x2x18xi32>, %dy: memref<1x3x2x18xf32>, %dx: memref<1x3x4x36xf32>) {
  linalg.generic {indexing_maps = [#window, #window, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%argmax, %dy : memref<1x3x2x18xi32>, memref<1x3x2x18xf32>) outs(%dx : memref<1x3x4x36xf32>) attrs = {nnc.max_pool_scatter = array<i64: 2, 2>} {
  ^bb0(%a: i32, %g: f32, %out: f32):
    linalg.yield %g : f32
  }
  return
}
