// RUN: nnc-opt %s --nnc-name-layers --nnc-differentiate --mlir-print-debuginfo | FileCheck %s

// Unlabeled ops get `<mnemonic>@<line>:<col>`; a labeled op keeps its
// label; the backward inherits its forward op's name, tagged "backward".
module @m {
  nn.param @fc.weight : tensor<3x4xf32> {init = "uniform", init_args = array<f64: -0.5, 0.5>, trainable = true}
  nn.param @fc.bias : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  func.func @infer(%x: tensor<2x4xf32> {nn.name = "x"}) -> (tensor<2x3xf32> {nn.name = "y"}) {
    %w = nn.param_load @fc.weight : tensor<3x4xf32> loc(#fc)
    %b = nn.param_load @fc.bias : tensor<3xf32> loc(#fc)
    %y = nn.dense %x, %w, %b : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc(#fc)
    %r = nn.relu %y : tensor<2x3xf32> loc(#relu)
    return %r : tensor<2x3xf32>
  }
  func.func @train(%x: tensor<2x4xf32> {nn.name = "x"}, %t: tensor<2x3xf32> {nn.name = "t"}) -> (tensor<f32> {nn.name = "loss"}) {
    %w = nn.param_load @fc.weight : tensor<3x4xf32> loc(#fc)
    %b = nn.param_load @fc.bias : tensor<3xf32> loc(#fc)
    %y = nn.dense %x, %w, %b : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc(#fc)
    %r = nn.relu %y : tensor<2x3xf32> loc(#relu)
    %l = nn.mse_loss %r, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32> loc(#mse)
    return %l : tensor<f32>
  }
  nn.optimizer "sgd" {lr = 1.000000e-01 : f64} loc(#sgd)
}
#src_fc = loc("m.nn":3:5)
#fc = loc("fc"(#src_fc))
#relu = loc("m.nn":3:20)
#mse = loc("m.nn":7:12)
#sgd = loc("m.nn":8:5)

// CHECK-LABEL: func.func @infer
// CHECK: nn.dense {{.*}} loc([[FC:#loc[0-9]+]])
// CHECK: nn.relu {{.*}} loc([[RELU:#loc[0-9]+]])
// CHECK-LABEL: func.func @train_step
// CHECK: nn.dense {{.*}} loc([[FC]])
// CHECK: nn.relu {{.*}} loc([[RELU]])
// CHECK: nn.mse_loss {{.*}} loc([[MSE:#loc[0-9]+]])
// CHECK: nn.mse_loss_grad {{.*}} loc([[MSE_GRAD:#loc[0-9]+]])
// CHECK: nn.activation_grad {{.*}} loc([[RELU_GRAD:#loc[0-9]+]])
// CHECK: nn.matmul {{.*}} loc([[FC_GRAD:#loc[0-9]+]])
// CHECK: nn.optimizer_update {{.*}} loc([[SGD:#loc[0-9]+]])
// CHECK-DAG: [[FC]] = loc("fc"(
// CHECK-DAG: [[RELU]] = loc("relu@3:20"(
// CHECK-DAG: [[MSE]] = loc("mse_loss@7:12"(
// CHECK-DAG: [[MSE_GRAD]] = loc(fused<"backward">[[[MSE]]])
// CHECK-DAG: [[RELU_GRAD]] = loc(fused<"backward">[[[RELU]]])
// CHECK-DAG: [[FC_GRAD]] = loc(fused<"backward">[[[FC]]])
// CHECK-DAG: [[SGD]] = loc("optimizer@8:5"(
