// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Verifier errors of nn.softmax, nn.log_softmax (axis range) and nn.maxout.

func.func @softmax_axis_high(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nn.softmax %x {axis = 2 : i64} : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @softmax_axis_low(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = nn.softmax %x {axis = -3 : i64} : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// Boundary: axis -rank and rank - 1 are in range.
func.func @softmax_axis_bounds(%x: tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xf32>) {
  %0 = nn.softmax %x {axis = -2 : i64} : tensor<4x10xf32>
  %1 = nn.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<4x10xf32>
}

// -----

func.func @log_softmax_axis_high(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = nn.log_softmax %x {axis = 3 : i64} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @log_softmax_axis_low(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{axis -4 is out of range for rank 3}}
  %0 = nn.log_softmax %x {axis = -4 : i64} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @maxout_input_rank(%x: tensor<6xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{maxout expects an input [batch, channels, ...], got f32[6]}}
  %0 = nn.maxout %x {pieces = 3 : i64} : (tensor<6xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @maxout_pieces_divide(%x: tensor<2x6x4xf32>) -> tensor<2x1x4xf32> {
  // expected-error @+1 {{maxout pieces (4) must divide the 6 channels of f32[2,6,4]}}
  %0 = nn.maxout %x {pieces = 4 : i64} : (tensor<2x6x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

func.func @maxout_pieces_zero(%x: tensor<2x6x4xf32>) -> tensor<2x6x4xf32> {
  // expected-error @+1 {{maxout pieces (0) must divide the 6 channels of f32[2,6,4]}}
  %0 = nn.maxout %x {pieces = 0 : i64} : (tensor<2x6x4xf32>) -> tensor<2x6x4xf32>
  return %0 : tensor<2x6x4xf32>
}

// -----

func.func @maxout_pieces_negative(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{maxout pieces (-2) must divide the 6 channels of f32[2,6]}}
  %0 = nn.maxout %x {pieces = -2 : i64} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// maxout shrinks the channel dim (dim 1), not the last dim.
func.func @maxout_result(%x: tensor<2x6x4xf32>) -> tensor<2x6x2xf32> {
  // expected-error @+1 {{result f32[2,6,2] does not match the inferred f32[2,3,4]}}
  %0 = nn.maxout %x {pieces = 2 : i64} : (tensor<2x6x4xf32>) -> tensor<2x6x2xf32>
  return %0 : tensor<2x6x2xf32>
}
