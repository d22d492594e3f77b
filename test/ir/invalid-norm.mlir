// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Verifier errors of nn.batch_norm, nn.layer_norm, nn.group_norm,
// nn.instance_norm and nn.dropout: attribute ranges, per-channel operand
// shapes, and the result type.

func.func @bn_epsilon_zero(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{epsilon must be > 0, got 0.000000e+00}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 0.0 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_epsilon_negative(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{epsilon must be > 0, got -1.000000e-05}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = -1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_momentum_high(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{momentum must be in [0, 1], got 1.500000e+00}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 1.5 : f64, training = true} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_momentum_negative(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{momentum must be in [0, 1], got -1.000000e-01}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = -0.1 : f64, training = true} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

// Boundary: momentum 0 and 1 are both allowed; a [N, C] input (BatchNorm1d) too.
func.func @bn_momentum_bounds(%x: tensor<8x4xf32>, %c: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 0.0 : f64, training = true} : (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  %1 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 1.0 : f64, training = true} : (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  return %0, %1 : tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

func.func @bn_input_rank(%x: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected an input [batch, channels, ...] of rank >= 2, got f32[4]}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bn_scale(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>, %bad: tensor<5xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{scale must be f32[4] (one per channel of f32[2,4,5,5]), got f32[5]}}
  %0 = nn.batch_norm %x, %bad, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_shift(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>, %bad: tensor<1x4xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{shift must be f32[4] (one per channel of f32[2,4,5,5]), got f32[1,4]}}
  %0 = nn.batch_norm %x, %c, %bad, %c, %c {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_running_mean(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>, %bad: tensor<5xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{running_mean must be f32[4] (one per channel of f32[2,4,5,5]), got f32[5]}}
  %0 = nn.batch_norm %x, %c, %c, %bad, %c {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_running_var(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>, %bad: tensor<f32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{running_var must be f32[4] (one per channel of f32[2,4,5,5]), got f32[]}}
  %0 = nn.batch_norm %x, %c, %c, %c, %bad {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @bn_result(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>) -> tensor<2x4x25xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x25xf32>
  return %0 : tensor<2x4x25xf32>
}

// -----

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

func.func @ln_epsilon(%x: tensor<2x5x6xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{epsilon must be > 0, got 0.000000e+00}}
  %0 = nn.layer_norm %x {normalized_rank = 1 : i64, epsilon = 0.0 : f64} : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

func.func @ln_rank_zero(%x: tensor<2x5x6xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{layer norm over 0 trailing dims is impossible for input f32[2,5,6]}}
  %0 = nn.layer_norm %x {normalized_rank = 0 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

func.func @ln_rank_too_large(%x: tensor<2x5x6xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{layer norm over 4 trailing dims is impossible for input f32[2,5,6]}}
  %0 = nn.layer_norm %x {normalized_rank = 4 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

func.func @ln_rank_negative(%x: tensor<2x5x6xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{layer norm over -1 trailing dims is impossible for input f32[2,5,6]}}
  %0 = nn.layer_norm %x {normalized_rank = -1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

// Boundary: normalizing over every dim is allowed.
func.func @ln_all_dims(%x: tensor<2x5x6xf32>, %s: tensor<2x5x6xf32>) -> tensor<2x5x6xf32> {
  %0 = nn.layer_norm %x scale %s shift %s {normalized_rank = 3 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

func.func @ln_scale(%x: tensor<2x5x6xf32>, %s: tensor<6xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{scale must be f32[5,6], got f32[6]}}
  %0 = nn.layer_norm %x scale %s {normalized_rank = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>, tensor<6xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

func.func @ln_shift(%x: tensor<2x5x6xf32>, %s: tensor<6xf32>, %t: tensor<5xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{shift must be f32[6], got f32[5]}}
  %0 = nn.layer_norm %x scale %s shift %t {normalized_rank = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>, tensor<6xf32>, tensor<5xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

// A shift without a scale is checked as well.
func.func @ln_shift_only(%x: tensor<2x5x6xf32>, %t: tensor<6x5xf32>) -> tensor<2x5x6xf32> {
  // expected-error @+1 {{shift must be f32[5,6], got f32[6,5]}}
  %0 = nn.layer_norm %x shift %t {normalized_rank = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>, tensor<6x5xf32>) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

func.func @ln_result(%x: tensor<2x5x6xf32>) -> tensor<10x6xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = nn.layer_norm %x {normalized_rank = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>) -> tensor<10x6xf32>
  return %0 : tensor<10x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// group_norm
//===----------------------------------------------------------------------===//

func.func @gn_epsilon(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{epsilon must be > 0, got -1.000000e+00}}
  %0 = nn.group_norm %x {groups = 3 : i64, epsilon = -1.0 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @gn_input_rank(%x: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{expected an input [batch, channels, ...] of rank >= 2, got f32[6]}}
  %0 = nn.group_norm %x {groups = 3 : i64, epsilon = 1.0e-05 : f64} : (tensor<6xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @gn_groups_divide(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{groups (4) must divide the 6 channels of f32[2,6,4,4]}}
  %0 = nn.group_norm %x {groups = 4 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @gn_groups_zero(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{groups (0) must divide the 6 channels of f32[2,6,4,4]}}
  %0 = nn.group_norm %x {groups = 0 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

// The affine parameters of group norm are per channel, not per group.
func.func @gn_scale_per_group(%x: tensor<2x6x4x4xf32>, %s: tensor<3xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{scale must be f32[6] (one per channel of f32[2,6,4,4]), got f32[3]}}
  %0 = nn.group_norm %x scale %s {groups = 3 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<3xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @gn_shift(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %t: tensor<6x1x1xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{shift must be f32[6] (one per channel of f32[2,6,4,4]), got f32[6,1,1]}}
  %0 = nn.group_norm %x scale %s shift %t {groups = 3 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6x1x1xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @gn_result(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x16xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = nn.group_norm %x {groups = 3 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x16xf32>
  return %0 : tensor<2x6x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// instance_norm
//===----------------------------------------------------------------------===//

func.func @in_epsilon(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{epsilon must be > 0, got 0.000000e+00}}
  %0 = nn.instance_norm %x {epsilon = 0.0 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @in_input_rank(%x: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{instance norm needs spatial dims [batch, channels, spatial...], got f32[6]}}
  %0 = nn.instance_norm %x {epsilon = 1.0e-05 : f64} : (tensor<6xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @in_scale(%x: tensor<2x6x4x4xf32>, %s: tensor<4xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{scale must be f32[6] (one per channel of f32[2,6,4,4]), got f32[4]}}
  %0 = nn.instance_norm %x scale %s {epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<4xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @in_shift_only(%x: tensor<2x6x4x4xf32>, %t: tensor<2x6xf32>) -> tensor<2x6x4x4xf32> {
  // expected-error @+1 {{shift must be f32[6] (one per channel of f32[2,6,4,4]), got f32[2,6]}}
  %0 = nn.instance_norm %x shift %t {epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<2x6xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

func.func @in_result(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x4x5xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = nn.instance_norm %x {epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x5xf32>
  return %0 : tensor<2x6x4x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// dropout
//===----------------------------------------------------------------------===//

func.func @dropout_rate_one(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{rate must be in [0, 1), got 1.000000e+00}}
  %0 = nn.dropout %x {rate = 1.0 : f64, training = true, seed = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dropout_rate_negative(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{rate must be in [0, 1), got -5.000000e-01}}
  %0 = nn.dropout %x {rate = -0.5 : f64, training = false, seed = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Boundary: rate 0 is the identity and is allowed.
func.func @dropout_rate_zero(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.dropout %x {rate = 0.0 : f64, training = true, seed = 0 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dropout_result(%x: tensor<2x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = nn.dropout %x {rate = 0.5 : f64, training = true, seed = 1 : i64} : (tensor<2x4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
