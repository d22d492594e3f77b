// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Shape-rule errors of nn.dense and nn.matmul.

func.func @dense_input_rank(%x: tensor<2x3x8xf32>, %w: tensor<16x8xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{dense expects a 2-D input [batch, features], got f32[2,3,8]}}
  %0 = nn.dense %x, %w : (tensor<2x3x8xf32>, tensor<16x8xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

func.func @dense_input_rank1(%x: tensor<8xf32>, %w: tensor<16x8xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{dense expects a 2-D input [batch, features], got f32[8]}}
  %0 = nn.dense %x, %w : (tensor<8xf32>, tensor<16x8xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @dense_weight_rank(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{dense weight must be 2-D [out, in], got f32[8]}}
  %0 = nn.dense %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// The weight is [out, in], not [in, out].
func.func @dense_features(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{dense input has 8 features but weight f32[8,16] expects 16}}
  %0 = nn.dense %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @dense_bias_size(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{bias must be f32[16], got f32[8]}}
  %0 = nn.dense %x, %w, %b : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @dense_bias_rank(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<1x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{bias must be f32[16], got f32[1,16]}}
  %0 = nn.dense %x, %w, %b : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<1x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @dense_result(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{result f32[4,8] does not match the inferred f32[4,16]}}
  %0 = nn.dense %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_rank1(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{matmul expects operands of equal rank >= 2, got f32[4] and f32[4]}}
  %0 = nn.matmul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// No broadcasting of a 2-D operand against a batched one.
func.func @matmul_rank_differs(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{matmul expects operands of equal rank >= 2, got f32[2,3,4] and f32[4,5]}}
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{matmul batch dims differ: f32[2,3,4] and f32[3,4,5]}}
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_inner(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{matmul inner dims differ: f32[3,4] x f32[5,6]}}
  %0 = nn.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x5x3xf32> {
  // expected-error @+1 {{result f32[2,5,3] does not match the inferred f32[2,3,5]}}
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}
