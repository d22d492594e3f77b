// RUN: nnc-opt %s --nnc-fold-batch-norm --split-input-file | FileCheck %s

// conv + inference batch norm: the weights are scaled per output channel by
// s = batch_norm(1; g, 0, 0, var), the bias is batch_norm(b; g, beta, mean,
// var), and the batch norm is gone.
// CHECK-LABEL: func.func @conv_bias
// CHECK-DAG: %[[ONES:.+]] = nn.constant dense<1.000000e+00> : tensor<1x3xf32>
// CHECK-DAG: %[[ZEROS:.+]] = nn.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: %[[S1:.+]] = nn.batch_norm %[[ONES]], %arg3, %[[ZEROS]], %[[ZEROS]], %arg6 {epsilon = 1.000000e-03 : f64, {{.+}}training = false}
// CHECK: %[[S:.+]] = nn.reshape %[[S1]] {{.+}} -> tensor<3xf32>
// CHECK: %[[ROWS:.+]] = nn.reshape %arg1 : (tensor<3x2x3x3xf32>) -> tensor<3x18xf32>
// CHECK: %[[SW:.+]] = nn.broadcast %[[S]] {dims = array<i64: 0>} : (tensor<3xf32>) -> tensor<3x18xf32>
// CHECK: %[[M:.+]] = nn.mul %[[ROWS]], %[[SW]] : tensor<3x18xf32>
// CHECK: %[[W:.+]] = nn.reshape %[[M]] : (tensor<3x18xf32>) -> tensor<3x2x3x3xf32>
// CHECK: %[[B0:.+]] = nn.reshape %arg2 {{.+}} -> tensor<1x3xf32>
// CHECK: %[[B1:.+]] = nn.batch_norm %[[B0]], %arg3, %arg4, %arg5, %arg6 {epsilon = 1.000000e-03 : f64
// CHECK: %[[B:.+]] = nn.reshape %[[B1]] {{.+}} -> tensor<3xf32>
// CHECK: %[[Y:.+]] = nn.conv %arg0, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NOT: nn.batch_norm
// CHECK: return %[[Y]]
func.func @conv_bias(%x: tensor<2x2x64x64xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>,
                     %g: tensor<3xf32>, %beta: tensor<3xf32>, %m: tensor<3xf32>,
                     %v: tensor<3xf32>) -> tensor<2x3x32x32xf32> {
  %c = nn.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x2x64x64xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<2x3x32x32xf32>
  %y = nn.batch_norm %c, %g, %beta, %m, %v {epsilon = 1.0e-03 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x3x32x32xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x32x32xf32>
  return %y : tensor<2x3x32x32xf32>
}

// -----

// Without a conv bias the folded bias is batch_norm(0; ...); a grouped 1-D
// convolution scales its [F, C/groups, K] weights the same way.
// CHECK-LABEL: func.func @conv1d_grouped_no_bias
// CHECK: %[[B1:.+]] = nn.batch_norm %{{.+}}, %arg2, %arg3, %arg4, %arg5
// CHECK: %[[B:.+]] = nn.reshape %[[B1]]
// CHECK: nn.conv %arg0, %{{.+}}, %[[B]] {{.+}}groups = 2 : i64{{.+}} : (tensor<1x4x2000xf32>, tensor<4x2x3xf32>, tensor<4xf32>) -> tensor<1x4x1998xf32>
// CHECK-NOT: nn.batch_norm
func.func @conv1d_grouped_no_bias(%x: tensor<1x4x2000xf32>, %w: tensor<4x2x3xf32>,
                                  %g: tensor<4xf32>, %beta: tensor<4xf32>, %m: tensor<4xf32>,
                                  %v: tensor<4xf32>) -> tensor<1x4x1998xf32> {
  %c = nn.conv %x, %w {dilations = array<i64: 1>, groups = 2 : i64, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x2000xf32>, tensor<4x2x3xf32>) -> tensor<1x4x1998xf32>
  %y = nn.batch_norm %c, %g, %beta, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<1x4x1998xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x1998xf32>
  return %y : tensor<1x4x1998xf32>
}

// -----

// dense at batch 1024 folds (each weight is used 1024 times).
// CHECK-LABEL: func.func @dense_batch1024
// CHECK: nn.reshape %arg1
// CHECK: nn.mul
// CHECK: nn.dense %arg0, %{{.+}}, %{{.+}} : (tensor<1024x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<1024x3xf32>
// CHECK-NOT: nn.batch_norm {{.+}} : (tensor<1024x3xf32>
func.func @dense_batch1024(%x: tensor<1024x5xf32>, %w: tensor<3x5xf32>, %b: tensor<3xf32>,
                         %g: tensor<3xf32>, %beta: tensor<3xf32>, %m: tensor<3xf32>,
                         %v: tensor<3xf32>) -> tensor<1024x3xf32> {
  %d = nn.dense %x, %w, %b : (tensor<1024x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<1024x3xf32>
  %y = nn.batch_norm %d, %g, %beta, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<1024x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1024x3xf32>
  return %y : tensor<1024x3xf32>
}

// -----

// Must not fire: dense at batch 2 and the convs at batch 2 x 6 x 6 (each
// weight used fewer than 1024 times: scaling the weights costs more than
// the fold saves), a conv whose output is also returned, training mode,
// and a batch norm of something other than a conv or dense layer.
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: nn.mul
// CHECK-NOT: nn.broadcast
// CHECK: nn.dense %arg0, %arg1, %arg2 :
// CHECK: nn.batch_norm {{.+}} -> tensor<2x3xf32>
// CHECK: nn.conv %arg7, %arg8 {
// CHECK: nn.batch_norm {{.+}} -> tensor<2x3x6x6xf32>
// CHECK: nn.conv %arg7, %arg8 {
// CHECK: nn.batch_norm {{.+}}training = true{{.+}} -> tensor<2x3x6x6xf32>
// CHECK: nn.relu
// CHECK: nn.batch_norm {{.+}} -> tensor<2x3x6x6xf32>
func.func @not_folded(%x: tensor<2x5xf32>, %w: tensor<3x5xf32>, %b: tensor<3xf32>,
                      %g: tensor<3xf32>, %beta: tensor<3xf32>, %m: tensor<3xf32>,
                      %v: tensor<3xf32>, %img: tensor<2x2x8x8xf32>, %k: tensor<3x2x3x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>,
        tensor<2x3x6x6xf32>) {
  %d = nn.dense %x, %w, %b : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %y0 = nn.batch_norm %d, %g, %beta, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %c = nn.conv %img, %k {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x6x6xf32>
  %y1 = nn.batch_norm %c, %g, %beta, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x3x6x6xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x6x6xf32>
  %c2 = nn.conv %img, %k {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x6x6xf32>
  %y2 = nn.batch_norm %c2, %g, %beta, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = true} : (tensor<2x3x6x6xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x6x6xf32>
  %r = nn.relu %c : tensor<2x3x6x6xf32>
  %y3 = nn.batch_norm %r, %g, %beta, %m, %v {epsilon = 1.0e-05 : f64, momentum = 0.1 : f64, training = false} : (tensor<2x3x6x6xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x6x6xf32>
  return %y0, %y1, %c, %y2, %y3 : tensor<2x3xf32>, tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>
}
