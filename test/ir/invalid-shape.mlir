// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Verifier errors of nn.concat, nn.reshape and nn.argmax.

func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error @+1 {{concat needs at least one input}}
  %0 = nn.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_axis_high(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nn.concat %a, %b {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_axis_low(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = nn.concat %a, %b {axis = -3 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_other_dims(%a: tensor<1x32x16x16xf32>, %b: tensor<1x32x32x32xf32>) -> tensor<1x64x16x16xf32> {
  // expected-error @+1 {{concat along axis 1 needs equal other dims: input 0 is f32[1,32,16,16], input 1 is f32[1,32,32,32]}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x32x16x16xf32>, tensor<1x32x32x32xf32>) -> tensor<1x64x16x16xf32>
  return %0 : tensor<1x64x16x16xf32>
}

// -----

// The axis is reported normalized; the failing input is the third one.
func.func @concat_negative_axis(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>, %c: tensor<3x4xf32>) -> tensor<2x11xf32> {
  // expected-error @+1 {{concat along axis 1 needs equal other dims: input 0 is f32[2,3], input 2 is f32[3,4]}}
  %0 = nn.concat %a, %b, %c {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x11xf32>
  return %0 : tensor<2x11xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{concat along axis 0 needs equal other dims: input 0 is f32[2,3], input 1 is f32[2,3,1]}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x15xf32> {
  // expected-error @+1 {{result f32[2,15] does not match the inferred f32[2,8]}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x15xf32>
  return %0 : tensor<2x15xf32>
}

// -----

// A single input is a valid (identity) concat.
func.func @concat_single(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.concat %a {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_count(%x: tensor<1x16x5x5xf32>) -> tensor<1x500xf32> {
  // expected-error @+1 {{cannot reshape f32[1,16,5,5] (400 elements) to f32[1,500] (500 elements)}}
  %0 = nn.reshape %x : (tensor<1x16x5x5xf32>) -> tensor<1x500xf32>
  return %0 : tensor<1x500xf32>
}

// -----

func.func @reshape_to_scalar(%x: tensor<2xf32>) -> tensor<f32> {
  // expected-error @+1 {{cannot reshape f32[2] (2 elements) to f32[] (1 elements)}}
  %0 = nn.reshape %x : (tensor<2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Boundary: a one-element tensor reshapes to a scalar and back.
func.func @reshape_scalar(%x: tensor<1x1xf32>) -> tensor<1xf32> {
  %0 = nn.reshape %x : (tensor<1x1xf32>) -> tensor<f32>
  %1 = nn.reshape %0 : (tensor<f32>) -> tensor<1xf32>
  return %1 : tensor<1xf32>
}

// -----

func.func @reshape_count_i32(%x: tensor<2x6xi32>) -> tensor<5xi32> {
  // expected-error-re @+1 {{cannot reshape {{[fi]}}32[2,6] (12 elements) to {{[fi]}}32[5] (5 elements)}}
  %0 = nn.reshape %x : (tensor<2x6xi32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{reshape cannot change the element type}}
  %0 = nn.reshape %x : (tensor<2x3xf32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

func.func @argmax_axis_high(%x: tensor<4x10xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nn.argmax %x {axis = 2 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @argmax_axis_low(%x: tensor<4x10xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = nn.argmax %x {axis = -3 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// The reduced axis is removed, not kept as 1. (The shapes of this i32 result
// are currently printed as f32[...]; see invalid-known-bugs.mlir.)
func.func @argmax_result_keepdim(%x: tensor<4x10xf32>) -> tensor<4x1xi32> {
  // expected-error-re @+1 {{result {{[fi]}}32[4,1] does not match the inferred {{[fi]}}32[4]}}
  %0 = nn.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

func.func @argmax_result_axis(%x: tensor<4x10xf32>) -> tensor<4xi32> {
  // expected-error-re @+1 {{result {{[fi]}}32[4] does not match the inferred {{[fi]}}32[10]}}
  %0 = nn.argmax %x {axis = 0 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
