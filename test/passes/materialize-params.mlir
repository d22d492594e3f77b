// RUN: nnc-opt %s --nnc-materialize-params --split-input-file | FileCheck %s

// Parameters get 64-byte aligned offsets in declaration order; loads become
// slices of a leading params argument.
// CHECK-LABEL: module
// CHECK: nn.param @w : tensor<3x5xf32> {{{.*}}offset = 0 : i64
// CHECK: nn.param @b : tensor<3xf32> {{{.*}}offset = 64 : i64
// CHECK: func.func @infer(%[[P:.+]]: tensor<32xf32> {nn.name = "params"}, %[[X:.+]]: tensor<2x5xf32>)
// CHECK-DAG: tensor.extract_slice %[[P]][0] [15] [1] : tensor<32xf32> to tensor<15xf32>
// CHECK-DAG: tensor.extract_slice %[[P]][16] [3] [1] : tensor<32xf32> to tensor<3xf32>
// CHECK-NOT: nn.param_load
module {
  nn.param @w : tensor<3x5xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  nn.param @b : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  func.func @infer(%x: tensor<2x5xf32>) -> tensor<2x3xf32> {
    %w = nn.param_load @w : tensor<3x5xf32>
    %b = nn.param_load @b : tensor<3xf32>
    %y = nn.dense %x, %w, %b : (tensor<2x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
}

// -----

// A function that loads no parameter keeps its signature.
// CHECK-LABEL: module
// CHECK: func.func @infer(%{{.+}}: tensor<4xf32>) -> tensor<4xf32>
module {
  func.func @infer(%x: tensor<4xf32>) -> tensor<4xf32> {
    %y = nn.relu %x : tensor<4xf32>
    return %y : tensor<4xf32>
  }
}

// -----

// Optimizer state lives in its own buffer; each store copies its value into
// its slice of the argument (materialize_in_destination), which
// bufferization performs in place. The training step takes both buffers,
// first params, then opt_state.
// CHECK-LABEL: module
// CHECK: nn.param @w : tensor<3xf32> {{{.*}}offset = 0 : i64
// CHECK: nn.param @w.momentum_buffer : tensor<3xf32> {{{.*}}offset = 0 : i64
// CHECK: func.func @train_step(%[[P:.+]]: tensor<16xf32> {nn.name = "params"}, %[[S:.+]]: tensor<16xf32> {nn.name = "opt_state"}, %{{.+}}: tensor<3xf32>)
// CHECK: %[[W:.+]] = tensor.extract_slice %[[P]][0] [3] [1]
// CHECK: %[[B:.+]] = tensor.extract_slice %[[S]][0] [3] [1]
// CHECK: %[[NEW:.+]] = nn.add %[[W]], %[[B]]
// CHECK: %[[PSLOT:.+]] = tensor.extract_slice %[[P]][0] [3] [1]
// CHECK: bufferization.materialize_in_destination %[[NEW]] in %[[PSLOT]]
// CHECK: %[[SSLOT:.+]] = tensor.extract_slice %[[S]][0] [3] [1]
// CHECK: bufferization.materialize_in_destination %[[W]] in %[[SSLOT]]
// CHECK-NOT: nn.param_store
module {
  nn.param @w : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, trainable = true}
  nn.param @w.momentum_buffer : tensor<3xf32> {init = "constant", init_args = array<f64: 0.0>, nn.optimizer_state, trainable = false}
  func.func @train_step(%x: tensor<3xf32>) -> tensor<3xf32> {
    %w = nn.param_load @w : tensor<3xf32>
    %b = nn.param_load @w.momentum_buffer : tensor<3xf32>
    %n = nn.add %w, %b : tensor<3xf32>
    nn.param_store %n, @w : tensor<3xf32>
    nn.param_store %w, @w.momentum_buffer : tensor<3xf32>
    return %x : tensor<3xf32>
  }
}
