// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Shape-rule errors of nn.conv and nn.conv_transpose: ranks, channels and
// groups, the window attributes, bias, output size, declared result.

func.func @conv_input_rank(%x: tensor<4x8xf32>, %w: tensor<16x8x3xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{convolution expects an input [batch, channels, spatial...] of rank >= 3, got f32[4,8]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<4x8xf32>, tensor<16x8x3xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{convolution weight must have rank 4 [filters, channels/groups, kernel...], got f32[16,3,3]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_groups_zero(%x: tensor<1x4x8xf32>, %w: tensor<4x4x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{groups must be >= 1, got 0}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 0 : i64} : (tensor<1x4x8xf32>, tensor<4x4x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @conv_groups_negative(%x: tensor<1x4x8xf32>, %w: tensor<4x4x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{groups must be >= 1, got -2}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = -2 : i64} : (tensor<1x4x8xf32>, tensor<4x4x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @conv_groups_input_channels(%x: tensor<1x6x8xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{groups (4) must divide input channels (6) and filters (4)}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 4 : i64} : (tensor<1x6x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @conv_groups_filters(%x: tensor<1x4x8xf32>, %w: tensor<6x1x3xf32>) -> tensor<1x6x6xf32> {
  // expected-error @+1 {{groups (4) must divide input channels (4) and filters (6)}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 4 : i64} : (tensor<1x4x8xf32>, tensor<6x1x3xf32>) -> tensor<1x6x6xf32>
  return %0 : tensor<1x6x6xf32>
}

// -----

// With groups = 2 the weight's channel dim must be C / groups = 2, not C.
func.func @conv_grouped_channels(%x: tensor<1x4x8xf32>, %w: tensor<8x4x3xf32>) -> tensor<1x8x6xf32> {
  // expected-error @+1 {{convolution expects 8 input channels (weight f32[8,4,3], groups 2), got input f32[1,4,8]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 2 : i64} : (tensor<1x4x8xf32>, tensor<8x4x3xf32>) -> tensor<1x8x6xf32>
  return %0 : tensor<1x8x6xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{convolution expects 4 input channels (weight f32[16,4,3,3], groups 1), got input f32[1,3,8,8]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_stride_count(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{stride must have 2 values, got [1]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_dilation_count(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{dilation must have 2 values, got [1,1,1]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

// padding lists the low pads, then the high pads: 2 * spatial rank values.
func.func @conv_padding_count(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{padding must have 4 values, got [1,1]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @conv_kernel_zero(%x: tensor<1x3x8xf32>, %w: tensor<4x3x0xf32>) -> tensor<1x4x9xf32> {
  // expected-error @+1 {{kernel size must be >= 1, got [0]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<1x3x8xf32>, tensor<4x3x0xf32>) -> tensor<1x4x9xf32>
  return %0 : tensor<1x4x9xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{stride must be >= 1, got [1,0]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 0>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_stride_negative(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{stride must be >= 1, got [-1]}}
  %0 = nn.conv %x, %w {strides = array<i64: -1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @conv_dilation_zero(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{dilation must be >= 1, got [0]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 0>, groups = 1 : i64} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @conv_padding_negative(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x5xf32> {
  // expected-error @+1 {{padding must be >= 0, got [0,-1]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, -1>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x5xf32>
  return %0 : tensor<1x4x5xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{bias must be f32[16], got f32[3]}}
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16x1x1xf32>) -> tensor<1x16x6x6xf32> {
  // expected-error @+1 {{bias must be f32[16], got f32[16,1,1]}}
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16x1x1xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

func.func @conv_kernel_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x5x5xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{kernel extent 5 is larger than the padded input (4) in spatial dim 0}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<8x3x5x5xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @conv_kernel_too_large_dim1(%x: tensor<1x1x8x3xf32>, %w: tensor<1x1x3x5xf32>) -> tensor<1x1x6x1xf32> {
  // expected-error @+1 {{kernel extent 5 is larger than the padded input (4) in spatial dim 1}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 1, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x8x3xf32>, tensor<1x1x3x5xf32>) -> tensor<1x1x6x1xf32>
  return %0 : tensor<1x1x6x1xf32>
}

// -----

// The extent of a dilated kernel is dilation * (kernel - 1) + 1 = 10 > 7 + 2.
func.func @conv_dilated_kernel_too_large(%x: tensor<1x2x7xf32>, %w: tensor<4x2x4xf32>) -> tensor<1x4x1xf32> {
  // expected-error @+1 {{kernel extent 10 is larger than the padded input (9) in spatial dim 0}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 1, 1>, dilations = array<i64: 3>, groups = 1 : i64} : (tensor<1x2x7xf32>, tensor<4x2x4xf32>) -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

// Boundary: an extent equal to the padded input gives one output position.
func.func @conv_dilated_kernel_fits(%x: tensor<1x2x8xf32>, %w: tensor<4x2x4xf32>) -> tensor<1x4x1xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 1, 1>, dilations = array<i64: 3>, groups = 1 : i64} : (tensor<1x2x8xf32>, tensor<4x2x4xf32>) -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

func.func @conv_result(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32> {
  // expected-error @+1 {{result f32[1,16,32,32] does not match the inferred f32[1,16,16,16]}}
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32>
  return %0 : tensor<1x16x32x32xf32>
}

// -----

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

func.func @convt_input_rank(%x: tensor<4x8xf32>, %w: tensor<8x2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{transposed convolution expects an input [batch, channels, spatial...] of rank >= 3, got f32[4,8]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<4x8xf32>, tensor<8x2x3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @convt_weight_rank(%x: tensor<1x4x5xf32>, %w: tensor<4x2xf32>) -> tensor<1x2x5xf32> {
  // expected-error @+1 {{transposed convolution weight must have rank 3 [channels, filters/groups, kernel...], got f32[4,2]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2xf32>) -> tensor<1x2x5xf32>
  return %0 : tensor<1x2x5xf32>
}

// -----

func.func @convt_groups_zero(%x: tensor<1x4x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x7xf32> {
  // expected-error @+1 {{groups (0) must divide input channels (4)}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 0 : i64} : (tensor<1x4x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7xf32>
  return %0 : tensor<1x2x7xf32>
}

// -----

func.func @convt_groups_divide(%x: tensor<1x6x5xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x8x7xf32> {
  // expected-error @+1 {{groups (4) must divide input channels (6)}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 4 : i64} : (tensor<1x6x5xf32>, tensor<6x2x3xf32>) -> tensor<1x8x7xf32>
  return %0 : tensor<1x8x7xf32>
}

// -----

// The transposed weight is [in_channels, out_channels/groups, kernel...].
func.func @convt_channels(%x: tensor<1x4x5xf32>, %w: tensor<8x4x3xf32>) -> tensor<1x4x7xf32> {
  // expected-error @+1 {{transposed convolution weight f32[8,4,3] expects 8 input channels, got input f32[1,4,5]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<8x4x3xf32>) -> tensor<1x4x7xf32>
  return %0 : tensor<1x4x7xf32>
}

// -----

func.func @convt_stride_count(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  // expected-error @+1 {{stride must have 2 values, got [1,1,1]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1, 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

func.func @convt_stride_zero(%x: tensor<1x4x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x7xf32> {
  // expected-error @+1 {{stride must be >= 1, got [0]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 0>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7xf32>
  return %0 : tensor<1x2x7xf32>
}

// -----

func.func @convt_dilation_zero(%x: tensor<1x4x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x7xf32> {
  // expected-error @+1 {{dilation must be >= 1, got [0]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 0>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7xf32>
  return %0 : tensor<1x2x7xf32>
}

// -----

func.func @convt_padding_negative(%x: tensor<1x4x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x9xf32> {
  // expected-error @+1 {{padding must be >= 0, got [-1,-1]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: -1, -1>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x9xf32>
  return %0 : tensor<1x2x9xf32>
}

// -----

func.func @convt_kernel_zero(%x: tensor<1x4x5xf32>, %w: tensor<4x2x0xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{kernel size must be >= 1, got [0]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2x0xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

func.func @convt_output_padding_count(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x11x11xf32> {
  // expected-error @+1 {{output_padding must have 2 values, got [1]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x11x11xf32>
  return %0 : tensor<1x2x11x11xf32>
}

// -----

// With groups = 2 the output has weight[1] * groups = 6 channels.
func.func @convt_bias(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x6x7x7xf32> {
  // expected-error @+1 {{bias must be f32[6], got f32[3]}}
  %0 = nn.conv_transpose %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x6x7x7xf32>
  return %0 : tensor<1x6x7x7xf32>
}

// -----

func.func @convt_output_padding_negative(%x: tensor<1x4x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x10xf32> {
  // expected-error @+1 {{output_padding must be >= 0 and smaller than stride or dilation, got [-1]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: -1>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x10xf32>
  return %0 : tensor<1x2x10xf32>
}

// -----

func.func @convt_output_padding_stride(%x: tensor<1x4x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x13xf32> {
  // expected-error @+1 {{output_padding must be >= 0 and smaller than stride or dilation, got [2]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 2>, groups = 1 : i64} : (tensor<1x4x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x13xf32>
  return %0 : tensor<1x2x13xf32>
}

// -----

// Spatial dim 1 has stride 1 and dilation 1, so output_padding 1 is too large there.
func.func @convt_output_padding_dim1(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x11x8xf32> {
  // expected-error @+1 {{output_padding must be >= 0 and smaller than stride or dilation, got [0,1]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 1>, groups = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x11x8xf32>
  return %0 : tensor<1x2x11x8xf32>
}

// -----

// Valid: output_padding may reach the stride when it is below the dilation
// (PyTorch: "smaller than either stride or dilation"). (5-1)*1 + 2*2 + 1 + 1 = 10.
func.func @convt_output_padding_dilation(%x: tensor<1x2x5xf32>, %w: tensor<2x3x3xf32>) -> tensor<1x3x10xf32> {
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 2>, output_padding = array<i64: 1>, groups = 1 : i64} : (tensor<1x2x5xf32>, tensor<2x3x3xf32>) -> tensor<1x3x10xf32>
  return %0 : tensor<1x3x10xf32>
}

// -----

func.func @convt_empty(%x: tensor<1x2x1xf32>, %w: tensor<2x3x1xf32>) -> tensor<1x3x1xf32> {
  // expected-error @+1 {{transposed convolution output would be empty in spatial dim 0 (size -1)}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1>, padding = array<i64: 1, 1>, dilations = array<i64: 1>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x2x1xf32>, tensor<2x3x1xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

func.func @convt_empty_dim1(%x: tensor<1x2x3x1xf32>, %w: tensor<2x3x1x1xf32>) -> tensor<1x3x3x1xf32> {
  // expected-error @+1 {{transposed convolution output would be empty in spatial dim 1 (size 0)}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 1, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, groups = 1 : i64} : (tensor<1x2x3x1xf32>, tensor<2x3x1x1xf32>) -> tensor<1x3x3x1xf32>
  return %0 : tensor<1x3x3x1xf32>
}

// -----

// (4-1)*2 - 1 - 1 + (4-1) + 1 = 8, the U-Net style 2x upsampling.
func.func @convt_result(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x4x4xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+1 {{result f32[1,4,9,9] does not match the inferred f32[1,4,8,8]}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, groups = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<8x4x4x4xf32>) -> tensor<1x4x9x9xf32>
  return %0 : tensor<1x4x9x9xf32>
}
