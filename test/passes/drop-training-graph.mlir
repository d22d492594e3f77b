// RUN: nnc-opt %s --nnc-drop-training-graph | FileCheck %s

// The training function and the optimizer go; @infer and the parameters stay.
// CHECK: nn.param @w
// CHECK: func.func @infer
// CHECK-NOT: func.func @train
// CHECK-NOT: nn.optimizer
module {
  nn.param @w : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  func.func @infer(%x: tensor<3xf32>) -> tensor<3xf32> {
    %w = nn.param_load @w : tensor<3xf32>
    %y = nn.add %x, %w : tensor<3xf32>
    return %y : tensor<3xf32>
  }
  func.func @train(%x: tensor<3xf32>, %t: tensor<3xf32>) -> tensor<f32> {
    %l = nn.mse_loss %x, %t : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  nn.optimizer "sgd" {lr = 1.000000e-02 : f64}
}
