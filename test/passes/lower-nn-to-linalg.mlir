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

// -----

// A stride-2 convolution (dilation 1) is one stride-1 convolution per input
// phase, accumulating in turn into the zero-filled init. One generic copies
// all four equally sized phases from the unpadded input (phase (1, 1) of the
// padded input is its even rows and columns); each phase is padded at the
// low end only as far as pad 1 reaches it, and convolved with its taps of
// the kernel: 2x2, 2x1, 1x2, then 1x1 (no padding).
// CHECK-DAG: #[[P00:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2 + 1, d3 * 2 + 1)>
// CHECK-DAG: #[[P11:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2, d3 * 2)>
// CHECK-LABEL: func.func @conv_phases
// CHECK: %[[ZERO:.+]] = linalg.fill
// CHECK: %[[PHASES:.+]]:4 = linalg.generic {indexing_maps = [#[[P00]], #{{.+}}, #{{.+}}, #[[P11]],
// CHECK: tensor.pad %[[PHASES]]#0 low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: %[[C00:.+]] = linalg.conv_2d_nchw_fchw {{.+}} strides = dense<1> {{.+}} : tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) outs(%[[ZERO]] :
// CHECK: tensor.pad %[[PHASES]]#1 low[0, 0, 1, 0] high[0, 0, 0, 0]
// CHECK: %[[C01:.+]] = linalg.conv_2d_nchw_fchw {{.+}} : tensor<1x2x4x3xf32>, tensor<3x2x2x1xf32>) outs(%[[C00]] :
// CHECK: tensor.pad %[[PHASES]]#2 low[0, 0, 0, 1] high[0, 0, 0, 0]
// CHECK: %[[C10:.+]] = linalg.conv_2d_nchw_fchw {{.+}} : tensor<1x2x3x4xf32>, tensor<3x2x1x2xf32>) outs(%[[C01]] :
// CHECK: %[[C11:.+]] = linalg.conv_2d_nchw_fchw {{.+}} ins(%[[PHASES]]#3, %{{.+}} : tensor<1x2x3x3xf32>, tensor<3x2x1x1xf32>) outs(%[[C10]] :
// CHECK: return %[[C11]]
func.func @conv_phases(%x: tensor<1x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %y = nn.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// In a training step the weight gradient pads the same input: the phases
// are then copied from that padded input, padded at the high end as far as
// phase 0's extent (4 = 3 outputs + 2 taps - 1, times stride 2: 8 rows, here
// no more than declared), so both pads are equal and CSE keeps one for the
// forward and the backward pass.
// CHECK-LABEL: func.func @conv_and_weight_grad
// CHECK: %[[P:.+]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {{.+}} ins(%[[P]], %[[P]], %[[P]], %[[P]] : tensor<1x2x8x8xf32>
// CHECK-COUNT-4: linalg.conv_2d_nchw_fchw
// CHECK: %[[Q:.+]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {{.+}} ins(%[[Q]], %arg2 :
func.func @conv_and_weight_grad(%x: tensor<1x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %dy: tensor<1x3x3x3xf32>) -> (tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32>) {
  %y = nn.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  %dw = nn.conv_weight_grad %x, %dy {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<1x3x3x3xf32>) -> tensor<3x2x3x3xf32>
  return %y, %dw : tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32>
}

// -----

// A stride-2 transposed convolution (dilation 1) is one stride-1
// convolution per output phase, inserted at stride 2: for a 3x3 kernel and
// pad 1, outputs at odd rows/columns take kernel taps 0 and 2 (a 2x2
// kernel), at even ones tap 1 (1x1). No input is spread with zeros.
// CHECK-LABEL: func.func @conv_transpose_phases
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x2x5x5xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x2x3x3xf32>, tensor<2x2x2x2xf32>) outs(%{{.+}} : tensor<1x2x2x2xf32>)
// CHECK: %[[P00:.+]] = tensor.insert_slice %{{.+}} into %[[EMPTY]][0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 2, 2]
// CHECK: %[[P01:.+]] = tensor.insert_slice %{{.+}} into %[[P00]][0, 0, 1, 0] [1, 2, 2, 3] [1, 1, 2, 2]
// CHECK: %[[P10:.+]] = tensor.insert_slice %{{.+}} into %[[P01]][0, 0, 0, 1] [1, 2, 3, 2] [1, 1, 2, 2]
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) outs(%{{.+}} : tensor<1x2x3x3xf32>)
// CHECK: %[[P11:.+]] = tensor.insert_slice %{{.+}} into %[[P10]][0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 2, 2]
// CHECK: return %[[P11]]
func.func @conv_transpose_phases(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x5x5xf32> {
  %y = nn.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, output_padding = array<i64: 0, 0>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}
