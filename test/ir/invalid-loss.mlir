// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Verifier errors of the losses: nn.mse_loss, nn.softmax_cross_entropy,
// nn.hinge_loss and nn.l2_penalty.

func.func @mse_shape(%p: tensor<4x3xf32>, %t: tensor<3x4xf32>) -> tensor<f32> {
  // expected-error @+1 {{mse needs prediction and target of equal shape, got f32[4,3] and f32[3,4]}}
  %0 = nn.mse_loss %p, %t : (tensor<4x3xf32>, tensor<3x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// No broadcasting of the target.
func.func @mse_broadcast(%p: tensor<4x3xf32>, %t: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{mse needs prediction and target of equal shape, got f32[4,3] and f32[3]}}
  %0 = nn.mse_loss %p, %t : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @sce_scores_rank(%s: tensor<4x3x2xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected scores [batch, classes], got f32[4,3,2]}}
  %0 = nn.softmax_cross_entropy %s, %y : (tensor<4x3x2xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @sce_scores_rank1(%s: tensor<10xf32>, %y: tensor<1xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected scores [batch, classes], got f32[10]}}
  %0 = nn.softmax_cross_entropy %s, %y : (tensor<10xf32>, tensor<1xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @sce_labels_batch(%s: tensor<4x10xf32>, %y: tensor<5xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected labels i32[4] (one class index per row of f32[4,10]), got i32[5]}}
  %0 = nn.softmax_cross_entropy %s, %y : (tensor<4x10xf32>, tensor<5xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// One-hot labels are not accepted: labels are class indices.
func.func @sce_labels_one_hot(%s: tensor<4x10xf32>, %y: tensor<4x10xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected labels i32[4] (one class index per row of f32[4,10]), got i32[4,10]}}
  %0 = nn.softmax_cross_entropy %s, %y : (tensor<4x10xf32>, tensor<4x10xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @hinge_margin_zero(%s: tensor<4x10xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{margin must be > 0, got 0.000000e+00}}
  %0 = nn.hinge_loss %s, %y {margin = 0.0 : f64} : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @hinge_margin_negative(%s: tensor<4x10xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{margin must be > 0, got -1.000000e+00}}
  %0 = nn.hinge_loss %s, %y {margin = -1.0 : f64} : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @hinge_scores_rank(%s: tensor<4x10x1xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected scores [batch, classes], got f32[4,10,1]}}
  %0 = nn.hinge_loss %s, %y {margin = 1.0 : f64} : (tensor<4x10x1xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @hinge_labels(%s: tensor<32x10xf32>, %y: tensor<10xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected labels i32[32] (one class index per row of f32[32,10]), got i32[10]}}
  %0 = nn.hinge_loss %s, %y {margin = 1.0 : f64} : (tensor<32x10xf32>, tensor<10xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @l2_penalty_empty() -> tensor<f32> {
  // expected-error @+1 {{needs at least one tensor}}
  %0 = nn.l2_penalty : () -> tensor<f32>
  return %0 : tensor<f32>
}
