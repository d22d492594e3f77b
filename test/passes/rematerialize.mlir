// RUN: nnc-opt %s --nnc-rematerialize --split-input-file | FileCheck %s

// relu(x - mean) and its pad are read by the backward: both are recomputed
// before the backward's first read (of the pad), from x (read by the
// backward anyway) and the small mean; the second backward read reuses the
// copy. The forward keeps its own ops for its own reader.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @train_step
// CHECK: %[[Y:.+]] = linalg.generic {{.+}} ins(%arg0, %arg1 : {{.+}}) outs(%[[E:.+]] :
// CHECK: %[[P:.+]] = tensor.pad %[[Y]]
// CHECK: %[[FWD:.+]] = linalg.generic {{.+}} ins(%[[P]] :
// CHECK: %[[Y2:.+]] = linalg.generic {{.+}} ins(%arg0, %arg1 : {{.+}}) outs(%[[E]] :
// CHECK: %[[P2:.+]] = tensor.pad %[[Y2]]
// CHECK: %[[G1:.+]] = linalg.generic {{.+}} ins(%[[P2]], %arg2 :
// CHECK-NOT: tensor.pad
// CHECK: %[[G2:.+]] = linalg.generic {{.+}} ins(%[[Y2]], %arg0 :
// CHECK: return %[[FWD]], %[[G1]], %[[G2]]
func.func @train_step(%x: tensor<1x2x4x4xf32>, %mean: tensor<2xf32>, %dy: tensor<1x2x6x6xf32>)
    -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %y = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %mean : tensor<1x2x4x4xf32>, tensor<2xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %c = arith.subf %in, %m : f32
    %r = arith.maximumf %c, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32> loc(#fwd)
  %p = tensor.pad %y low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32> loc(#fwd)
  %e6 = tensor.empty() : tensor<1x2x6x6xf32>
  %forward = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p : tensor<1x2x6x6xf32>) outs(%e6 : tensor<1x2x6x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.mulf %in, %in : f32
    linalg.yield %s : f32
  } -> tensor<1x2x6x6xf32> loc(#fwd)
  %g1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p, %dy : tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) outs(%e6 : tensor<1x2x6x6xf32>) {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %s = arith.mulf %in, %d : f32
    linalg.yield %s : f32
  } -> tensor<1x2x6x6xf32> loc(#bwd)
  %g2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %x : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %d: f32, %out: f32):
    %s = arith.mulf %in, %d : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x4xf32> loc(#bwd)
  return %forward, %g1, %g2 : tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>
}
#src = loc("m.nn":1:1)
#fwd = loc("layer"(#src))
#bwd = loc(fused<"backward">[#fwd])

// -----

// Not recomputed: relu of a matrix product nothing else saves (the product
// is not elementwise, and keeping it would cost as much as the relu).
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @train_step
// CHECK: %[[MM:.+]] = linalg.matmul
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: linalg.generic {{.+}} ins(%[[R]] :
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @train_step(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32> loc(#fwd)
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32> loc(#fwd)
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32> loc(#bwd)
  return %g : tensor<4x4xf32>
}
#src = loc("m.nn":1:1)
#fwd = loc("layer"(#src))
#bwd = loc(fused<"backward">[#fwd])
