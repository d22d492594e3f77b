// RUN: nnc-opt %s --nnc-differentiate --split-input-file --verify-diagnostics | FileCheck %s

// Dense + relu + mse with SGD momentum: the backward follows the forward in
// reverse, skips the gradient of the input (nothing trainable before it),
// then one optimizer update per parameter and the stores come last. relu's
// gradient reads relu's result, which has its input's sign.
// CHECK-LABEL: module
// CHECK-SAME: nn.default_hparams = array<f32: 5.000000e-02, 0.899999976, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>
// CHECK: nn.param @optimizer.counters : tensor<3xf32> {{{.*}}nn.optimizer_state
// CHECK: nn.param @b.momentum_buffer : tensor<3xf32> {{{.*}}nn.optimizer_state
// CHECK: nn.param @w.momentum_buffer : tensor<3x5xf32> {{{.*}}nn.optimizer_state
// CHECK: func.func @infer
// CHECK: func.func @train_step(%[[X:.+]]: tensor<2x5xf32> {nn.name = "x"}, %[[T:.+]]: tensor<2x3xf32> {nn.name = "t"}, %[[H:.+]]: tensor<8xf32> {nn.name = "hparams"}) -> (tensor<f32> {nn.name = "loss"})
// CHECK: %[[C:.+]] = nn.param_load @optimizer.counters
// CHECK: %[[Z:.+]] = nn.dense
// CHECK: %[[Y:.+]] = nn.relu %[[Z]]
// CHECK: %[[L:.+]] = nn.mse_loss %[[Y]], %[[T]]
// CHECK: %[[ONE:.+]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DY:.+]] = nn.mse_loss_grad %[[Y]], %[[T]], %[[ONE]]
// CHECK: %[[DZ:.+]] = nn.activation_grad %[[Y]], %[[DY]] {{{.*}}kind = "relu"
// CHECK: %[[DZT:.+]] = nn.transpose %[[DZ]] {permutation = array<i64: 1, 0>}
// CHECK: %[[DW:.+]] = nn.matmul %[[DZT]], %[[X]]
// CHECK: %[[DB:.+]] = nn.reduce_sum %[[DZ]] {axes = array<i64: 0>}
// CHECK-NOT: nn.matmul %[[DZ]]
// CHECK: nn.optimizer_update %{{.+}}, %[[DB]], %[[H]], %[[C]] state %{{.+}} {{{.*}}has_momentum = true, kind = "sgd"
// CHECK: nn.optimizer_update %{{.+}}, %[[DW]], %[[H]], %[[C]] state
// CHECK: %[[NEXT:.+]] = nn.advance_counters %[[C]], %[[H]]
// CHECK: nn.param_store %{{.+}}, @b :
// CHECK: nn.param_store %{{.+}}, @b.momentum_buffer :
// CHECK: nn.param_store %{{.+}}, @w :
// CHECK: nn.param_store %{{.+}}, @w.momentum_buffer :
// CHECK: nn.param_store %[[NEXT]], @optimizer.counters
// CHECK-NEXT: return %[[L]]
// CHECK-NOT: nn.optimizer "
module {
  nn.param @w : tensor<3x5xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  nn.param @b : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  func.func @infer(%x: tensor<2x5xf32> {nn.name = "x"}) -> (tensor<2x3xf32> {nn.name = "y"}) {
    %w = nn.param_load @w : tensor<3x5xf32>
    %b = nn.param_load @b : tensor<3xf32>
    %z = nn.dense %x, %w, %b : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %y = nn.relu %z : tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
  func.func @train(%x: tensor<2x5xf32> {nn.name = "x"}, %t: tensor<2x3xf32> {nn.name = "t"}) -> (tensor<f32> {nn.name = "loss"}) {
    %w = nn.param_load @w : tensor<3x5xf32>
    %b = nn.param_load @b : tensor<3xf32>
    %z = nn.dense %x, %w, %b : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %y = nn.relu %z : tensor<2x3xf32>
    %l = nn.mse_loss %y, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  nn.optimizer "sgd" {lr = 5.000000e-02 : f64, momentum = 9.000000e-01 : f64}
}

// -----

// Training-mode batch norm: batch statistics feed an inference-form
// batch_norm; the running statistics move toward them (momentum 0.1,
// unbiased variance: 8 values per channel, 8/7) and are stored at the end.
// Adam has two state buffers per parameter.
// CHECK-LABEL: module
// CHECK: func.func @train_step
// CHECK: %[[MEAN:.+]], %[[VAR:.+]] = nn.batch_stats %[[IN:.+]] :
// CHECK: nn.batch_norm %[[IN]], %{{.+}}, %{{.+}}, %[[MEAN]], %[[VAR]] {{{.*}}training = false}
// CHECK: %[[K:.+]] = nn.constant dense<0.899999976> : tensor<f32>
// CHECK: nn.scale %{{.+}}, %[[K]]
// CHECK: %[[M:.+]] = nn.constant dense<0.114285715> : tensor<f32>
// CHECK: nn.scale %[[VAR]], %[[M]]
// CHECK: nn.batch_norm_grad
// CHECK: nn.batch_stats_grad
// CHECK: nn.optimizer_update {{.+}} {{{.*}}kind = "adam"{{.*}}} : ({{.+}}) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: nn.param_store %{{.+}}, @bn.running_mean
// CHECK: nn.param_store %{{.+}}, @bn.running_var
module {
  nn.param @conv.weight : tensor<2x1x1x1xf32> {init = "constant", init_args = array<f64: 1.0>, trainable = true}
  nn.param @bn.weight : tensor<2xf32> {init = "constant", init_args = array<f64: 1.0>, trainable = true}
  nn.param @bn.bias : tensor<2xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  nn.param @bn.running_mean : tensor<2xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = false}
  nn.param @bn.running_var : tensor<2xf32> {init = "constant", init_args = array<f64: 1.0>, trainable = false}
  func.func @train(%x: tensor<2x1x2x2xf32> {nn.name = "x"}, %t: tensor<2x2x2x2xf32> {nn.name = "t"}) -> (tensor<f32> {nn.name = "loss"}) {
    %w = nn.param_load @conv.weight : tensor<2x1x1x1xf32>
    %c = nn.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<2x2x2x2xf32>
    %g = nn.param_load @bn.weight : tensor<2xf32>
    %s = nn.param_load @bn.bias : tensor<2xf32>
    %m = nn.param_load @bn.running_mean : tensor<2xf32>
    %v = nn.param_load @bn.running_var : tensor<2xf32>
    %y = nn.batch_norm %c, %g, %s, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = true} : (tensor<2x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2x2x2xf32>
    %l = nn.mse_loss %y, %t : (tensor<2x2x2x2xf32>, tensor<2x2x2x2xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  nn.optimizer "adam" {lr = 1.000000e-03 : f64}
}

// -----

// A loss no trainable parameter reaches cannot be trained.
module {
  nn.param @w : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = false}
  // expected-error @+1 {{the loss does not depend on any trainable parameter}}
  func.func @train(%x: tensor<3xf32>, %t: tensor<3xf32>) -> tensor<f32> {
    %w = nn.param_load @w : tensor<3xf32>
    %y = nn.add %x, %w : tensor<3xf32>
    %l = nn.mse_loss %y, %t : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  nn.optimizer "sgd" {lr = 1.000000e-02 : f64}
}

// -----

// An op on the gradient path without a rule is reported where it is.
module {
  nn.param @w : tensor<1x1x4xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  func.func @train(%t: tensor<1x1x4xf32>) -> tensor<f32> {
    %w = nn.param_load @w : tensor<1x1x4xf32>
    // expected-error @+1 {{cannot differentiate 'nn.max_pool_grad': it has no gradient rule}}
    %g = nn.max_pool_grad %w, %w {kernel = array<i64: 1>, strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x1x4xf32>, tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
    %l = nn.mse_loss %g, %t : (tensor<1x1x4xf32>, tensor<1x1x4xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  nn.optimizer "sgd" {lr = 1.000000e-02 : f64}
}

// -----

// Leaky relu reads the sign of its result when alpha >= 0 and of its input
// otherwise (a negative slope flips the sign); elu always reads its input.
// CHECK-LABEL: module
// CHECK: %[[Z:.+]] = nn.dense
// CHECK: %[[A:.+]] = nn.leaky_relu %[[Z]] {alpha = 1.000000e-01 : f64}
// CHECK: %[[B:.+]] = nn.leaky_relu %[[A]] {alpha = -5.000000e-01 : f64}
// CHECK: %[[C:.+]] = nn.elu %[[B]]
// CHECK: nn.activation_grad %[[B]], %{{.+}} {alpha = 1.000000e+00 : f64, kind = "elu"}
// CHECK: nn.activation_grad %[[A]], %{{.+}} {alpha = -5.000000e-01 : f64, kind = "leaky_relu"}
// CHECK: nn.activation_grad %[[A]], %{{.+}} {alpha = 1.000000e-01 : f64, kind = "leaky_relu"}
module {
  nn.param @w : tensor<3x5xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  nn.param @b : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  func.func @train(%x: tensor<2x5xf32> {nn.name = "x"}, %t: tensor<2x3xf32> {nn.name = "t"}) -> (tensor<f32> {nn.name = "loss"}) {
    %w = nn.param_load @w : tensor<3x5xf32>
    %b = nn.param_load @b : tensor<3xf32>
    %z = nn.dense %x, %w, %b : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %a = nn.leaky_relu %z {alpha = 0.1 : f64} : tensor<2x3xf32>
    %n = nn.leaky_relu %a {alpha = -0.5 : f64} : tensor<2x3xf32>
    %e = nn.elu %n {alpha = 1.0 : f64} : tensor<2x3xf32>
    %l = nn.mse_loss %e, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  nn.optimizer "sgd" {lr = 5.000000e-02 : f64}
}
