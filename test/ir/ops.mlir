// RUN: nnc-opt %s | nnc-opt | FileCheck %s
//
// Round trip of every op of the nn dialect: parse, print, parse the printed
// form again, print; each op must come back with all its attributes.

// CHECK: nn.param @fc.weight : tensor<16x8xf32> {init = "uniform", init_args = array<f64: -2.500000e-01, 2.500000e-01>, trainable = true}
// CHECK-NEXT: nn.param @fc.bias : tensor<16xf32> {init = "normal", init_args = array<f64: 0.000000e+00, 2.000000e-02>, trainable = true}
// CHECK-NEXT: nn.param @bn.running_var : tensor<4xf32> {init = "constant", init_args = array<f64: 1.000000e+00>, trainable = false}
// CHECK-NEXT: nn.optimizer "adam" {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, decoupled_weight_decay = true, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64}
// CHECK-NEXT: module @sgd {
// CHECK-NEXT: nn.optimizer "sgd" {dampening = 0.000000e+00 : f64, decoupled_weight_decay = false, lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 5.000000e-04 : f64}
// CHECK: module @rmsprop {
// CHECK-NEXT: nn.optimizer "rmsprop" {alpha = 0.98999999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, momentum = 0.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}
nn.param @"fc.weight" : tensor<16x8xf32> {init = "uniform", init_args = array<f64: -0.25, 0.25>, trainable = true}
nn.param @"fc.bias" : tensor<16xf32> {init = "normal", init_args = array<f64: 0.0, 0.02>, trainable = true}
nn.param @"bn.running_var" : tensor<4xf32> {init = "constant", init_args = array<f64: 1.0>, trainable = false}
nn.optimizer "adam" {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.01 : f64, decoupled_weight_decay = true}
module @sgd {
  nn.optimizer "sgd" {lr = 0.1 : f64, momentum = 0.9 : f64, dampening = 0.0 : f64, nesterov = true, weight_decay = 5.0e-04 : f64, decoupled_weight_decay = false}
}
module @rmsprop {
  nn.optimizer "rmsprop" {lr = 0.01 : f64, alpha = 0.99 : f64, eps = 1.0e-08 : f64, momentum = 0.0 : f64, weight_decay = 0.0 : f64}
}

// CHECK-LABEL: func.func @params(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[W:[^ ]+]] = nn.param_load @fc.weight : tensor<16x8xf32>
// CHECK-NEXT: %[[B:[^ ]+]] = nn.param_load @fc.bias : tensor<16xf32>
// CHECK-NEXT: %[[V:[^ ]+]] = nn.param_load @bn.running_var : tensor<4xf32>
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.dense %[[X]], %[[W]], %[[B]] : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: return %[[R0]] :
func.func @params(%x: tensor<4x8xf32>) -> tensor<4x16xf32> {
  %w = nn.param_load @"fc.weight" : tensor<16x8xf32>
  %b = nn.param_load @"fc.bias" : tensor<16xf32>
  %v = nn.param_load @"bn.running_var" : tensor<4xf32>
  %0 = nn.dense %x, %w, %b : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @constants()
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.constant dense<[0, 1, 2]> : tensor<3xi32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]] :
func.func @constants() -> (tensor<2x2xf32>, tensor<3xi32>, tensor<f32>) {
  %0 = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %1 = nn.constant dense<[0, 1, 2]> : tensor<3xi32>
  %2 = nn.constant dense<5.0e-01> : tensor<f32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3xi32>, tensor<f32>
}

// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<16x8xf32>, %[[B:[^:]+]]: tensor<16xf32>, %[[L:[^:]+]]: tensor<2x3x4xf32>, %[[R:[^:]+]]: tensor<2x4x5xf32>, %[[M:[^:]+]]: tensor<3x4xf32>, %[[N:[^:]+]]: tensor<4x6xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.dense %[[X]], %[[W]], %[[B]] : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.dense %[[X]], %[[W]] : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.matmul %[[L]], %[[R]] : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
// CHECK-NEXT: %[[R3:[^ ]+]] = nn.matmul %[[M]], %[[N]] : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<3x6xf32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]] :
func.func @linear(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>, %l: tensor<2x3x4xf32>, %r: tensor<2x4x5xf32>, %m: tensor<3x4xf32>, %n: tensor<4x6xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<2x3x5xf32>, tensor<3x6xf32>) {
  %0 = nn.dense %x, %w, %b : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %1 = nn.dense %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %2 = nn.matmul %l, %r : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %3 = nn.matmul %m, %n : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<3x6xf32>
  return %0, %1, %2, %3 : tensor<4x16xf32>, tensor<4x16xf32>, tensor<2x3x5xf32>, tensor<3x6xf32>
}

// CHECK-LABEL: func.func @conv(
// CHECK-SAME: %[[X1:[^:]+]]: tensor<2x4x10xf32>, %[[W1:[^:]+]]: tensor<6x2x3xf32>, %[[X2:[^:]+]]: tensor<1x4x9x11xf32>, %[[W2:[^:]+]]: tensor<8x1x3x3xf32>, %[[B2:[^:]+]]: tensor<8xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.conv %[[X1]], %[[W1]] {dilations = array<i64: 2>, groups = 2 : i64, padding = array<i64: 1, 2>, strides = array<i64: 2>} : (tensor<2x4x10xf32>, tensor<6x2x3xf32>) -> tensor<2x6x5xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.conv %[[X2]], %[[W2]], %[[B2]] {dilations = array<i64: 1, 2>, groups = 4 : i64, padding = array<i64: 1, 0, 1, 2>, strides = array<i64: 2, 1>} : (tensor<1x4x9x11xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x9xf32>
// CHECK-NEXT: return %[[R0]], %[[R1]] :
func.func @conv(%x1: tensor<2x4x10xf32>, %w1: tensor<6x2x3xf32>, %x2: tensor<1x4x9x11xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> (tensor<2x6x5xf32>, tensor<1x8x5x9xf32>) {
  %0 = nn.conv %x1, %w1 {strides = array<i64: 2>, padding = array<i64: 1, 2>, dilations = array<i64: 2>, groups = 2 : i64} : (tensor<2x4x10xf32>, tensor<6x2x3xf32>) -> tensor<2x6x5xf32>
  %1 = nn.conv %x2, %w2, %b2 {strides = array<i64: 2, 1>, padding = array<i64: 1, 0, 1, 2>, dilations = array<i64: 1, 2>, groups = 4 : i64} : (tensor<1x4x9x11xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x9xf32>
  return %0, %1 : tensor<2x6x5xf32>, tensor<1x8x5x9xf32>
}

// CHECK-LABEL: func.func @conv_transpose(
// CHECK-SAME: %[[X2:[^:]+]]: tensor<1x4x5x5xf32>, %[[W2:[^:]+]]: tensor<4x3x3x3xf32>, %[[B2:[^:]+]]: tensor<6xf32>, %[[X1:[^:]+]]: tensor<1x2x7xf32>, %[[W1:[^:]+]]: tensor<2x5x4xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.conv_transpose %[[X2]], %[[W2]], %[[B2]] {dilations = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 1, 0>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10x9xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.conv_transpose %[[X1]], %[[W1]] {dilations = array<i64: 2>, groups = 1 : i64, output_padding = array<i64: 1>, padding = array<i64: 2, 2>, strides = array<i64: 3>} : (tensor<1x2x7xf32>, tensor<2x5x4xf32>) -> tensor<1x5x22xf32>
// CHECK-NEXT: return %[[R0]], %[[R1]] :
func.func @conv_transpose(%x2: tensor<1x4x5x5xf32>, %w2: tensor<4x3x3x3xf32>, %b2: tensor<6xf32>, %x1: tensor<1x2x7xf32>, %w1: tensor<2x5x4xf32>) -> (tensor<1x6x10x9xf32>, tensor<1x5x22xf32>) {
  %0 = nn.conv_transpose %x2, %w2, %b2 {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 0>, groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10x9xf32>
  %1 = nn.conv_transpose %x1, %w1 {strides = array<i64: 3>, padding = array<i64: 2, 2>, dilations = array<i64: 2>, output_padding = array<i64: 1>, groups = 1 : i64} : (tensor<1x2x7xf32>, tensor<2x5x4xf32>) -> tensor<1x5x22xf32>
  return %0, %1 : tensor<1x6x10x9xf32>, tensor<1x5x22xf32>
}

// CHECK-LABEL: func.func @pool(
// CHECK-SAME: %[[A:[^:]+]]: tensor<1x3x10x10xf32>, %[[B:[^:]+]]: tensor<1x2x10xf32>, %[[C:[^:]+]]: tensor<1x3x7x7xf32>, %[[D:[^:]+]]: tensor<2x3x8xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.max_pool %[[A]] {ceil_mode = false, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x10x10xf32>) -> tensor<1x3x5x5xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.max_pool %[[B]] {ceil_mode = true, dilations = array<i64: 2>, kernel = array<i64: 2>, padding = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.avg_pool %[[C]] {ceil_mode = true, count_include_pad = false, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32>
// CHECK-NEXT: %[[R3:[^ ]+]] = nn.avg_pool %[[D]] {ceil_mode = false, count_include_pad = true, kernel = array<i64: 3>, padding = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<2x3x8xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %[[R4:[^ ]+]] = nn.global_avg_pool %[[A]] : (tensor<1x3x10x10xf32>) -> tensor<1x3x1x1xf32>
// CHECK-NEXT: %[[R5:[^ ]+]] = nn.upsample_nearest %[[A]] {scales = array<i64: 2, 3>} : (tensor<1x3x10x10xf32>) -> tensor<1x3x20x30xf32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]], %[[R4]], %[[R5]] :
func.func @pool(%a: tensor<1x3x10x10xf32>, %b: tensor<1x2x10xf32>, %c: tensor<1x3x7x7xf32>, %d: tensor<2x3x8xf32>) -> (tensor<1x3x5x5xf32>, tensor<1x2x5xf32>, tensor<1x3x4x4xf32>, tensor<2x3x4xf32>, tensor<1x3x1x1xf32>, tensor<1x3x20x30xf32>) {
  %0 = nn.max_pool %a {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x10x10xf32>) -> tensor<1x3x5x5xf32>
  %1 = nn.max_pool %b {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 2>, ceil_mode = true} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
  %2 = nn.avg_pool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true, count_include_pad = false} : (tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32>
  %3 = nn.avg_pool %d {kernel = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 1, 1>, ceil_mode = false, count_include_pad = true} : (tensor<2x3x8xf32>) -> tensor<2x3x4xf32>
  %4 = nn.global_avg_pool %a : (tensor<1x3x10x10xf32>) -> tensor<1x3x1x1xf32>
  %5 = nn.upsample_nearest %a {scales = array<i64: 2, 3>} : (tensor<1x3x10x10xf32>) -> tensor<1x3x20x30xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x3x5x5xf32>, tensor<1x2x5xf32>, tensor<1x3x4x4xf32>, tensor<2x3x4xf32>, tensor<1x3x1x1xf32>, tensor<1x3x20x30xf32>
}

// CHECK-LABEL: func.func @norms(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4x5x5xf32>, %[[C:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<2x5x6xf32>, %[[S:[^:]+]]: tensor<5x6xf32>, %[[Z:[^:]+]]: tensor<2x6x4x4xf32>, %[[G:[^:]+]]: tensor<6xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.batch_norm %[[X]], %[[C]], %[[C]], %[[C]], %[[C]] {epsilon = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64, training = true} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.layer_norm %[[Y]] scale %[[S]] shift %[[S]] {epsilon = 1.000000e-05 : f64, normalized_rank = 2 : i64} : (tensor<2x5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<2x5x6xf32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.layer_norm %[[Y]] {epsilon = 1.000000e-03 : f64, normalized_rank = 1 : i64} : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
// CHECK-NEXT: %[[R3:[^ ]+]] = nn.layer_norm %[[Y]] scale %[[S]] {epsilon = 1.000000e-05 : f64, normalized_rank = 2 : i64} : (tensor<2x5x6xf32>, tensor<5x6xf32>) -> tensor<2x5x6xf32>
// CHECK-NEXT: %[[R4:[^ ]+]] = nn.group_norm %[[Z]] scale %[[G]] shift %[[G]] {epsilon = 1.000000e-05 : f64, groups = 3 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
// CHECK-NEXT: %[[R5:[^ ]+]] = nn.group_norm %[[Z]] {epsilon = 1.000000e-05 : f64, groups = 2 : i64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
// CHECK-NEXT: %[[R6:[^ ]+]] = nn.instance_norm %[[Z]] scale %[[G]] shift %[[G]] {epsilon = 1.000000e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
// CHECK-NEXT: %[[R7:[^ ]+]] = nn.instance_norm %[[Z]] {epsilon = 1.000000e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
// CHECK-NEXT: %[[R8:[^ ]+]] = nn.dropout %[[X]] {rate = 5.000000e-01 : f64, seed = 42 : i64, training = true} : (tensor<2x4x5x5xf32>) -> tensor<2x4x5x5xf32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]], %[[R4]], %[[R5]], %[[R6]], %[[R7]], %[[R8]] :
func.func @norms(%x: tensor<2x4x5x5xf32>, %c: tensor<4xf32>, %y: tensor<2x5x6xf32>, %s: tensor<5x6xf32>, %z: tensor<2x6x4x4xf32>, %g: tensor<6xf32>) -> (tensor<2x4x5x5xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<2x6x4x4xf32>, tensor<2x6x4x4xf32>, tensor<2x6x4x4xf32>, tensor<2x6x4x4xf32>, tensor<2x4x5x5xf32>) {
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = true} : (tensor<2x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  %1 = nn.layer_norm %y scale %s shift %s {normalized_rank = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<2x5x6xf32>
  %2 = nn.layer_norm %y {normalized_rank = 1 : i64, epsilon = 1.0e-03 : f64} : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
  %3 = nn.layer_norm %y scale %s {normalized_rank = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x6xf32>, tensor<5x6xf32>) -> tensor<2x5x6xf32>
  %4 = nn.group_norm %z scale %g shift %g {groups = 3 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  %5 = nn.group_norm %z {groups = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  %6 = nn.instance_norm %z scale %g shift %g {epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  %7 = nn.instance_norm %z {epsilon = 1.0e-05 : f64} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  %8 = nn.dropout %x {rate = 0.5 : f64, training = true, seed = 42 : i64} : (tensor<2x4x5x5xf32>) -> tensor<2x4x5x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2x4x5x5xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<2x6x4x4xf32>, tensor<2x6x4x4xf32>, tensor<2x6x4x4xf32>, tensor<2x6x4x4xf32>, tensor<2x4x5x5xf32>
}

// CHECK-LABEL: func.func @activations(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x6x4xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.relu %[[X]] : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.leaky_relu %[[R0]] {alpha = 1.000000e-02 : f64} : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.elu %[[R1]] {alpha = 1.000000e+00 : f64} : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R3:[^ ]+]] = nn.sigmoid %[[R2]] : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R4:[^ ]+]] = nn.tanh %[[R3]] : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R5:[^ ]+]] = nn.softmax %[[R4]] {axis = 1 : i64} : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R6:[^ ]+]] = nn.log_softmax %[[R5]] {axis = -1 : i64} : tensor<2x6x4xf32>
// CHECK-NEXT: %[[R7:[^ ]+]] = nn.maxout %[[R6]] {pieces = 3 : i64} : (tensor<2x6x4xf32>) -> tensor<2x2x4xf32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]], %[[R4]], %[[R5]], %[[R6]], %[[R7]] :
func.func @activations(%x: tensor<2x6x4xf32>) -> (tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x2x4xf32>) {
  %0 = nn.relu %x : tensor<2x6x4xf32>
  %1 = nn.leaky_relu %0 {alpha = 0.01 : f64} : tensor<2x6x4xf32>
  %2 = nn.elu %1 {alpha = 1.0 : f64} : tensor<2x6x4xf32>
  %3 = nn.sigmoid %2 : tensor<2x6x4xf32>
  %4 = nn.tanh %3 : tensor<2x6x4xf32>
  %5 = nn.softmax %4 {axis = 1 : i64} : tensor<2x6x4xf32>
  %6 = nn.log_softmax %5 {axis = -1 : i64} : tensor<2x6x4xf32>
  %7 = nn.maxout %6 {pieces = 3 : i64} : (tensor<2x6x4xf32>) -> tensor<2x2x4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>, tensor<2x2x4xf32>
}

// CHECK-LABEL: func.func @shapes(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3x4xf32>, %[[B:[^:]+]]: tensor<2x5x4xf32>, %[[C:[^:]+]]: tensor<2x3x4xf32>, %[[I:[^:]+]]: tensor<2x6xi32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.add %[[A]], %[[C]] : tensor<2x3x4xf32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.sub %[[R0]], %[[C]] : tensor<2x3x4xf32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.mul %[[R1]], %[[A]] : tensor<2x3x4xf32>
// CHECK-NEXT: %[[R3:[^ ]+]] = nn.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[R4:[^ ]+]] = nn.concat %[[A]], %[[C]] {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
// CHECK-NEXT: %[[R5:[^ ]+]] = nn.reshape %[[A]] : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: %[[R6:[^ ]+]] = nn.reshape %[[I]] : (tensor<2x6xi32>) -> tensor<12xi32>
// CHECK-NEXT: %[[R7:[^ ]+]] = nn.argmax %[[A]] {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi32>
// CHECK-NEXT: %[[R:[^ ]+]] = nn.reshape %[[A]] : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT: %[[R8:[^ ]+]] = nn.argmax %[[R]] {axis = -1 : i64} : (tensor<24xf32>) -> tensor<i32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]], %[[R4]], %[[R5]], %[[R6]], %[[R7]], %[[R8]] :
func.func @shapes(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>, %c: tensor<2x3x4xf32>, %i: tensor<2x6xi32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x8x4xf32>, tensor<2x3x8xf32>, tensor<6x4xf32>, tensor<12xi32>, tensor<2x4xi32>, tensor<i32>) {
  %0 = nn.add %a, %c : tensor<2x3x4xf32>
  %1 = nn.sub %0, %c : tensor<2x3x4xf32>
  %2 = nn.mul %1, %a : tensor<2x3x4xf32>
  %3 = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x8x4xf32>
  %4 = nn.concat %a, %c {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  %5 = nn.reshape %a : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %6 = nn.reshape %i : (tensor<2x6xi32>) -> tensor<12xi32>
  %7 = nn.argmax %a {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi32>
  %r = nn.reshape %a : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %8 = nn.argmax %r {axis = -1 : i64} : (tensor<24xf32>) -> tensor<i32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x8x4xf32>, tensor<2x3x8xf32>, tensor<6x4xf32>, tensor<12xi32>, tensor<2x4xi32>, tensor<i32>
}

// CHECK-LABEL: func.func @losses(
// CHECK-SAME: %[[P:[^:]+]]: tensor<4x3xf32>, %[[T:[^:]+]]: tensor<4x3xf32>, %[[Y:[^:]+]]: tensor<4xi32>, %[[W:[^:]+]]: tensor<5x4xf32>)
// CHECK-NEXT: %[[R0:[^ ]+]] = nn.mse_loss %[[P]], %[[T]] : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
// CHECK-NEXT: %[[R1:[^ ]+]] = nn.softmax_cross_entropy %[[P]], %[[Y]] : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
// CHECK-NEXT: %[[R2:[^ ]+]] = nn.hinge_loss %[[P]], %[[Y]] {margin = 1.000000e+00 : f64} : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
// CHECK-NEXT: %[[R3:[^ ]+]] = nn.l2_penalty %[[P]], %[[W]] : (tensor<4x3xf32>, tensor<5x4xf32>) -> tensor<f32>
// CHECK-NEXT: %[[R4:[^ ]+]] = nn.l2_penalty %[[W]] : (tensor<5x4xf32>) -> tensor<f32>
// CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]], %[[R4]] :
func.func @losses(%p: tensor<4x3xf32>, %t: tensor<4x3xf32>, %y: tensor<4xi32>, %w: tensor<5x4xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = nn.mse_loss %p, %t : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  %1 = nn.softmax_cross_entropy %p, %y : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
  %2 = nn.hinge_loss %p, %y {margin = 1.0 : f64} : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>
  %3 = nn.l2_penalty %p, %w : (tensor<4x3xf32>, tensor<5x4xf32>) -> tensor<f32>
  %4 = nn.l2_penalty %w : (tensor<5x4xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}
