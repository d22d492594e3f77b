// RUN: nnc-opt %s --nnc-lower-nn-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Elementwise ops become linalg.generic with a scalar body.
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK-NOT: nn.relu
func.func @relu(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = nn.relu %x : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// An ungrouped convolution stays a named op for nnc-conv-microkernel,
// accumulating into its zero-filled init.
// CHECK-LABEL: func.func @conv
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} outs(%[[INIT]] :
// CHECK-NOT: nn.conv
func.func @conv(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %y = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// A grouped convolution is generalized with the output-width loop innermost:
// the last loop of the iteration space is parallel (ow), the window loops
// (c, kh, kw) come before it.
// CHECK-LABEL: func.func @grouped_conv
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]
// CHECK-NOT: nn.conv
func.func @grouped_conv(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %y = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

// An output that is the input itself gets its own copy.
// CHECK-LABEL: func.func @identity
// CHECK: %[[COPY:.+]] = bufferization.alloc_tensor() copy(%{{.+}})
// CHECK: return %[[COPY]]
func.func @identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// 3-D convolutions have no lowering yet: an error at the op, not a crash.
func.func @conv3d(%x: tensor<1x1x4x4x4xf32>, %w: tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32> {
  // expected-error @+1 {{'nn.conv' cannot be compiled to code yet in this context}}
  %y = nn.conv %x, %w {strides = array<i64: 1, 1, 1>, padding = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  return %y : tensor<1x1x3x3x3xf32>
}
