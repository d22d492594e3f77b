// RUN: nnc-opt %s --nnc-choose-destinations --split-input-file | FileCheck %s

// relu over a matmul's result writes over it: its destination becomes the
// matmul's result, which nothing else reads.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @in_place
// CHECK: %[[PRODUCT:.+]] = linalg.matmul
// CHECK: linalg.generic {{.+}} ins(%[[PRODUCT]] : tensor<4x8xf32>) outs(%[[PRODUCT]] : tensor<4x8xf32>)
func.func @in_place(%a: tensor<4x3xf32>, %b: tensor<3x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %p = linalg.matmul ins(%a, %b : tensor<4x3xf32>, tensor<3x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %0 = arith.maximumf %x, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Not in place: the input is read again later, or is a function argument
// (the caller's memory).
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @not_in_place
// CHECK: %[[E:.+]] = tensor.empty
// CHECK: linalg.generic {{.+}} ins(%arg0 : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK: %[[E2:.+]] = tensor.empty
// CHECK: linalg.generic {{.+}} outs(%[[E2]] : tensor<4x8xf32>)
func.func @not_in_place(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = math.exp %a : f32
    linalg.yield %0 : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = arith.mulf %a, %a : f32
    linalg.yield %0 : f32
  } -> tensor<4x8xf32>
  return %s, %r : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// One zero fill shared by two convolutions (as CSE leaves it): the second
// gets its own fill of its own empty tensor, right before it.
// CHECK-LABEL: func.func @shared_fill
// CHECK: %[[F1:.+]] = linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} outs(%[[F1]] :
// CHECK: %[[E2:.+]] = tensor.empty() : tensor<1x2x3x3xf32>
// CHECK: %[[F2:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E2]] :
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} outs(%[[F2]] :
func.func @shared_fill(%x: tensor<1x2x5x5xf32>, %w: tensor<2x2x3x3xf32>, %y: tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %c1 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x2x5x5xf32>, tensor<2x2x3x3xf32>) outs(%f : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %c2 = linalg.conv_2d_nchw_fchw ins(%y, %w : tensor<1x2x5x5xf32>, tensor<2x2x3x3xf32>) outs(%f : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %c1, %c2 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// Two convolutions whose bias broadcasts write one shared (CSE-merged)
// empty tensor: each broadcast gets an empty tensor of its own, made right
// before it, so each becomes its convolution's own buffer. A generic that
// reads its init keeps it.
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_inits
// CHECK: %[[SHARED:.+]] = tensor.empty() : tensor<1x2x3x3xf32>
// CHECK: %[[E1:.+]] = tensor.empty() : tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[B1:.+]] = linalg.generic {{.+}} ins(%arg2 : tensor<2xf32>) outs(%[[E1]] : tensor<1x2x3x3xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} outs(%[[B1]] : tensor<1x2x3x3xf32>)
// CHECK: %[[E2:.+]] = tensor.empty() : tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[B2:.+]] = linalg.generic {{.+}} ins(%arg3 : tensor<2xf32>) outs(%[[E2]] : tensor<1x2x3x3xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} outs(%[[B2]] : tensor<1x2x3x3xf32>)
// CHECK: linalg.generic {{.+}} outs(%[[SHARED]] : tensor<1x2x3x3xf32>)
func.func @conv_inits(%x: tensor<1x2x5x5xf32>, %w: tensor<2x2x3x3xf32>, %b1: tensor<2xf32>,
                      %b2: tensor<2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %i1 = linalg.generic {indexing_maps = [#ch, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b1 : tensor<2xf32>) outs(%e : tensor<1x2x3x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<1x2x3x3xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x5x5xf32>, tensor<2x2x3x3xf32>) outs(%i1 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %i2 = linalg.generic {indexing_maps = [#ch, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b2 : tensor<2xf32>) outs(%e : tensor<1x2x3x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<1x2x3x3xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x5x5xf32>, tensor<2x2x3x3xf32>) outs(%i2 : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %acc = linalg.generic {indexing_maps = [#ch, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b1 : tensor<2xf32>) outs(%e : tensor<1x2x3x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %o : f32
    linalg.yield %s : f32
  } -> tensor<1x2x3x3xf32>
  %c3 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x5x5xf32>, tensor<2x2x3x3xf32>) outs(%acc : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %c1, %c2, %c3 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}
