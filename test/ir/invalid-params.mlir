// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Verifier errors of nn.param (initializer kinds, argument counts, ranges)
// and nn.param_load (symbol resolution, type agreement).

// expected-error @+1 {{unknown initializer 'xavier' (expected uniform, normal or constant)}}
nn.param @w : tensor<4x4xf32> {init = "xavier", init_args = array<f64: 1.0>, trainable = true}

// -----

// expected-error @+1 {{unknown initializer '' (expected uniform, normal or constant)}}
nn.param @w : tensor<4xf32> {init = "", init_args = array<f64>, trainable = true}

// -----

// expected-error @+1 {{initializer 'uniform' takes 2 arguments, got 1}}
nn.param @w : tensor<4x4xf32> {init = "uniform", init_args = array<f64: 0.5>, trainable = true}

// -----

// expected-error @+1 {{initializer 'uniform' takes 2 arguments, got 3}}
nn.param @w : tensor<4x4xf32> {init = "uniform", init_args = array<f64: -0.5, 0.5, 1.0>, trainable = true}

// -----

// expected-error @+1 {{initializer 'normal' takes 2 arguments, got 0}}
nn.param @w : tensor<4x4xf32> {init = "normal", init_args = array<f64>, trainable = true}

// -----

// expected-error @+1 {{initializer 'constant' takes 1 arguments, got 2}}
nn.param @b : tensor<4xf32> {init = "constant", init_args = array<f64: 0.0, 1.0>, trainable = false}

// -----

// expected-error @+1 {{initializer 'constant' takes 1 arguments, got 0}}
nn.param @b : tensor<4xf32> {init = "constant", init_args = array<f64>, trainable = false}

// -----

// expected-error @+1 {{uniform initializer needs low <= high}}
nn.param @w : tensor<4x4xf32> {init = "uniform", init_args = array<f64: 0.5, -0.5>, trainable = true}

// -----

// low == high is a degenerate but valid uniform distribution.
nn.param @w : tensor<4x4xf32> {init = "uniform", init_args = array<f64: 0.25, 0.25>, trainable = true}

// -----

// expected-error @+1 {{normal initializer needs std >= 0}}
nn.param @w : tensor<4x4xf32> {init = "normal", init_args = array<f64: 0.0, -0.01>, trainable = true}

// -----

// A zero standard deviation and a negative mean are fine.
nn.param @w : tensor<4x4xf32> {init = "normal", init_args = array<f64: -1.0, 0.0>, trainable = true}

// -----

func.func @missing() -> tensor<4xf32> {
  // expected-error @+1 {{'missing' does not name an nn.param}}
  %0 = nn.param_load @missing : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @not_a_param() -> tensor<4xf32> {
  // expected-error @+1 {{'not_a_param' does not name an nn.param}}
  %0 = nn.param_load @not_a_param : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

nn.param @"fc.bias" : tensor<10xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
func.func @wrong_shape() -> tensor<12xf32> {
  // expected-error @+1 {{type 'tensor<12xf32>' differs from the parameter's 'tensor<10xf32>'}}
  %0 = nn.param_load @"fc.bias" : tensor<12xf32>
  return %0 : tensor<12xf32>
}

// -----

nn.param @w : tensor<2x3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
func.func @wrong_rank() -> tensor<6xf32> {
  // expected-error @+1 {{type 'tensor<6xf32>' differs from the parameter's 'tensor<2x3xf32>'}}
  %0 = nn.param_load @w : tensor<6xf32>
  return %0 : tensor<6xf32>
}
