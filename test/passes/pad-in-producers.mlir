// RUN: nnc-opt %s --nnc-pad-in-producers --split-input-file | FileCheck %s

// A relu computed into an empty tensor, then zero-padded: the relu writes
// the interior of a zero-filled padded tensor, and the pad becomes the
// insertion of its result back into that tensor (one buffer). The relu's
// other reader (a later gradient) reads the result as before.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @relu_then_pad
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3x6x7xf32>
// CHECK: %[[FILL:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<2x3x6x7xf32>)
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[FILL]][0, 0, 1, 2] [2, 3, 4, 4] [1, 1, 1, 1]
// CHECK: %[[RELU:.+]] = linalg.generic {{.+}} ins(%arg0 : tensor<2x3x4x4xf32>) outs(%[[SLICE]] : tensor<2x3x4x4xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[PADDED:.+]] = tensor.insert_slice %[[RELU]] into %[[FILL]][0, 0, 1, 2] [2, 3, 4, 4] [1, 1, 1, 1]
// CHECK: return %[[PADDED]], %[[RELU]]
func.func @relu_then_pad(%x: tensor<2x3x4x4xf32>) -> (tensor<2x3x6x7xf32>, tensor<2x3x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3x4x4xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x4x4xf32>) outs(%empty : tensor<2x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x3x4x4xf32>
  %padded = tensor.pad %relu low[0, 0, 1, 2] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x3x4x4xf32> to tensor<2x3x6x7xf32>
  return %padded, %relu : tensor<2x3x6x7xf32>, tensor<2x3x4x4xf32>
}

// -----

// Not rewritten: a function argument has no producer to write the padded
// buffer.
// CHECK-LABEL: func.func @argument
// CHECK: tensor.pad
func.func @argument(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x1x4x4xf32> to tensor<1x1x6x6xf32>
  return %padded : tensor<1x1x6x6xf32>
}

// -----

// Not rewritten: the chain holds a convolution (its kernel fuses the relu
// into its stores only into a buffer of its own).
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_chain
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: tensor.pad
func.func @conv_chain(%x: tensor<1x1x6x6xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x1x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x1x6x6xf32>, tensor<1x1x3x3xf32>) outs(%init : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x1x4x4xf32>) outs(%conv : tensor<1x1x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x1x4x4xf32>
  %padded = tensor.pad %relu low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x1x4x4xf32> to tensor<1x1x6x6xf32>
  return %padded : tensor<1x1x6x6xf32>
}

// -----

// Not rewritten: the chain writes over a value something else reads (the
// relu runs in place over %sum, which is also returned), so the padded
// buffer cannot be that value's buffer.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @shared_destination
// CHECK: tensor.pad
func.func @shared_destination(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x6x6xf32>, tensor<1x1x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x1x4x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x1x4x4xf32>) outs(%empty : tensor<1x1x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %in : f32
    linalg.yield %s : f32
  } -> tensor<1x1x4x4xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x1x4x4xf32>) outs(%sum : tensor<1x1x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x1x4x4xf32>
  %padded = tensor.pad %relu low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x1x4x4xf32> to tensor<1x1x6x6xf32>
  return %padded, %sum : tensor<1x1x6x6xf32>, tensor<1x1x4x4xf32>
}
