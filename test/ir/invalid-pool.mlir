// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Shape-rule errors of nn.max_pool, nn.avg_pool, nn.global_avg_pool and
// nn.upsample_nearest, and the ceil-mode output sizes the verifier must accept
// (PyTorch's rule: out = ceil((in + pads - extent) / stride) + 1, minus one if
// the last window would start in the high padding).

func.func @max_pool_input_rank(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{pooling expects an input [batch, channels, spatial...] of rank >= 3, got f32[4,8]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, ceil_mode = false} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @max_pool_kernel_count(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{kernel must have 2 values, got [2]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @max_pool_stride_count(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{stride must have 2 values, got []}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @max_pool_dilation_count(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{dilation must have 1 values, got [1,1]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @max_pool_padding_count(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{padding must have 4 values, got [0,0]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @max_pool_kernel_zero(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{kernel size must be >= 1, got [0,2]}}
  %0 = nn.max_pool %x {kernel = array<i64: 0, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @max_pool_stride_zero(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{stride must be >= 1, got [2,0]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 0>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @max_pool_dilation_zero(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{dilation must be >= 1, got [0]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 0>, ceil_mode = false} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @max_pool_padding_negative(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{padding must be >= 0, got [-1,1]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: -1, 1>, dilations = array<i64: 1>, ceil_mode = false} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @max_pool_padding_half_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error @+1 {{pooling padding must be at most half the kernel, got padding 2 for kernel 3}}
  %0 = nn.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 2, 2, 2, 2>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x5x5xf32>
  return %0 : tensor<1x3x5x5xf32>
}

// -----

// Only the high pad of spatial dim 1 is too large.
func.func @max_pool_padding_half_kernel_high(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x5xf32> {
  // expected-error @+1 {{pooling padding must be at most half the kernel, got padding 2 for kernel 2}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x5xf32>
  return %0 : tensor<1x3x4x5xf32>
}

// -----

// PyTorch compares the padding with the kernel size, not the dilated extent.
func.func @max_pool_padding_half_kernel_dilated(%x: tensor<1x3x8xf32>) -> tensor<1x3x8xf32> {
  // expected-error @+1 {{pooling padding must be at most half the kernel, got padding 2 for kernel 3}}
  %0 = nn.max_pool %x {kernel = array<i64: 3>, strides = array<i64: 1>, padding = array<i64: 2, 2>, dilations = array<i64: 2>, ceil_mode = false} : (tensor<1x3x8xf32>) -> tensor<1x3x8xf32>
  return %0 : tensor<1x3x8xf32>
}

// -----

// Boundary: padding = kernel / 2 is allowed (ResNet's 3x3/2 pool, pad 1).
func.func @max_pool_padding_half_ok(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x16x16xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x32x32xf32>) -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// -----

func.func @max_pool_kernel_too_large(%x: tensor<1x1x4xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+1 {{kernel extent 5 is larger than the padded input (4) in spatial dim 0}}
  %0 = nn.max_pool %x {kernel = array<i64: 3>, strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 2>, ceil_mode = false} : (tensor<1x1x4xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

func.func @max_pool_kernel_too_large_dim1(%x: tensor<1x1x8x2xf32>) -> tensor<1x1x4x1xf32> {
  // expected-error @+1 {{kernel extent 3 is larger than the padded input (2) in spatial dim 1}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x1x8x2xf32>) -> tensor<1x1x4x1xf32>
  return %0 : tensor<1x1x4x1xf32>
}

// -----

func.func @max_pool_result(%x: tensor<1x6x28x28xf32>) -> tensor<1x6x28x28xf32> {
  // expected-error @+1 {{result f32[1,6,28,28] does not match the inferred f32[1,6,14,14]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x6x28x28xf32>) -> tensor<1x6x28x28xf32>
  return %0 : tensor<1x6x28x28xf32>
}

// -----

//===----------------------------------------------------------------------===//
// ceil_mode
//===----------------------------------------------------------------------===//

// ceil mode: 7 -> ceil(5/2) + 1 = 4 (floor mode gives 3).
func.func @ceil_max_pool(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// The floor-mode size is wrong in ceil mode ...
func.func @ceil_max_pool_floor_shape(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+1 {{result f32[1,3,3,3] does not match the inferred f32[1,3,4,4]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// ... and the ceil-mode size is wrong in floor mode.
func.func @floor_max_pool_ceil_shape(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{result f32[1,3,4,4] does not match the inferred f32[1,3,3,3]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Only spatial dim 0 rounds up: 7 -> 4 but 8 -> 4 in both modes.
func.func @ceil_max_pool_one_dim(%x: tensor<1x1x7x8xf32>) -> tensor<1x1x4x4xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x7x8xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// ceil mode with padding: H: 6 + 2 -> ceil(5/2) + 1 = 4 (floor 3); W: 5 + 2 -> 3 in both.
func.func @ceil_max_pool_padded(%x: tensor<1x1x6x5xf32>) -> tensor<1x1x4x3xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x6x5xf32>) -> tensor<1x1x4x3xf32>
  return %0 : tensor<1x1x4x3xf32>
}

// -----

// ceil mode with dilation: extent 3, 10 -> ceil(7/2) + 1 = 5 (floor 4).
func.func @ceil_max_pool_dilated(%x: tensor<1x2x10xf32>) -> tensor<1x2x5xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 2>, ceil_mode = true} : (tensor<1x2x10xf32>) -> tensor<1x2x5xf32>
  return %0 : tensor<1x2x5xf32>
}

// -----

// A window may not start in the high padding: 5 + 2 pads, kernel 2, stride 2
// would round up to 4 windows, but the 4th starts at padded index 6, which is
// all padding, so PyTorch drops it: 3.
func.func @ceil_max_pool_last_window_dropped(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 1, 1>, dilations = array<i64: 1>, ceil_mode = true} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

func.func @ceil_max_pool_last_window_kept(%x: tensor<1x1x5xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{result f32[1,1,4] does not match the inferred f32[1,1,3]}}
  %0 = nn.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 1, 1>, dilations = array<i64: 1>, ceil_mode = true} : (tensor<1x1x5xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

// avg_pool, ceil mode: 10 -> ceil(7/2) + 1 = 5 (floor 4).
func.func @ceil_avg_pool(%x: tensor<1x2x10x10xf32>) -> tensor<1x2x5x5xf32> {
  %0 = nn.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true, count_include_pad = false} : (tensor<1x2x10x10xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

// avg_pool, ceil mode with padding: 6 + 2 -> ceil(5/2) + 1 = 4 (floor 3).
func.func @ceil_avg_pool_padded(%x: tensor<1x1x6xf32>) -> tensor<1x1x4xf32> {
  %0 = nn.avg_pool %x {kernel = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x1x6xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ceil_avg_pool_floor_shape(%x: tensor<1x1x6xf32>) -> tensor<1x1x3xf32> {
  // expected-error @+1 {{result f32[1,1,3] does not match the inferred f32[1,1,4]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 1, 1>, ceil_mode = true, count_include_pad = false} : (tensor<1x1x6xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// avg_pool, ceil mode, last window dropped as for max_pool: 5 + 2 -> 3.
func.func @ceil_avg_pool_last_window_dropped(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  %0 = nn.avg_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// avg_pool (no dilations attribute: the window is dense)
//===----------------------------------------------------------------------===//

func.func @avg_pool_input_rank(%x: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{pooling expects an input [batch, channels, spatial...] of rank >= 3, got f32[8]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, ceil_mode = false, count_include_pad = true} : (tensor<8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @avg_pool_kernel_count(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{kernel must have 1 values, got [2,2]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, ceil_mode = false, count_include_pad = true} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @avg_pool_padding_count(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{padding must have 2 values, got [0]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0>, ceil_mode = false, count_include_pad = true} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @avg_pool_stride_zero(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{stride must be >= 1, got [0]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 2>, strides = array<i64: 0>, padding = array<i64: 0, 0>, ceil_mode = false, count_include_pad = true} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @avg_pool_padding_negative(%x: tensor<1x3x8xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{padding must be >= 0, got [0,-2]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, -2>, ceil_mode = false, count_include_pad = true} : (tensor<1x3x8xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @avg_pool_padding_half_kernel(%x: tensor<1x3x8xf32>) -> tensor<1x3x5xf32> {
  // expected-error @+1 {{pooling padding must be at most half the kernel, got padding 1 for kernel 1}}
  %0 = nn.avg_pool %x {kernel = array<i64: 1>, strides = array<i64: 2>, padding = array<i64: 1, 1>, ceil_mode = false, count_include_pad = true} : (tensor<1x3x8xf32>) -> tensor<1x3x5xf32>
  return %0 : tensor<1x3x5xf32>
}

// -----

func.func @avg_pool_kernel_too_large(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32> {
  // expected-error @+1 {{kernel extent 3 is larger than the padded input (2) in spatial dim 0}}
  %0 = nn.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = true} : (tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

func.func @avg_pool_result(%x: tensor<2x3x8xf32>) -> tensor<2x3x3xf32> {
  // expected-error @+1 {{result f32[2,3,3] does not match the inferred f32[2,3,4]}}
  %0 = nn.avg_pool %x {kernel = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 1, 1>, ceil_mode = false, count_include_pad = true} : (tensor<2x3x8xf32>) -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// global_avg_pool, upsample_nearest
//===----------------------------------------------------------------------===//

func.func @global_avg_pool_input_rank(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{global pooling expects an input [batch, channels, spatial...] of rank >= 3, got f32[1,64]}}
  %0 = nn.global_avg_pool %x : (tensor<1x64xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

// The spatial dims are kept as 1s, not dropped.
func.func @global_avg_pool_result(%x: tensor<1x64x8x8xf32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{result f32[1,64] does not match the inferred f32[1,64,1,1]}}
  %0 = nn.global_avg_pool %x : (tensor<1x64x8x8xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

func.func @global_avg_pool_1d(%x: tensor<2x4x9xf32>) -> tensor<2x4x1xf32> {
  %0 = nn.global_avg_pool %x : (tensor<2x4x9xf32>) -> tensor<2x4x1xf32>
  return %0 : tensor<2x4x1xf32>
}

// -----

func.func @upsample_input_rank(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{upsampling expects an input [batch, channels, spatial...] of rank >= 3, got f32[1,4]}}
  %0 = nn.upsample_nearest %x {scales = array<i64: 2>} : (tensor<1x4xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @upsample_scale_count(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{scale must have 2 values, got [2]}}
  %0 = nn.upsample_nearest %x {scales = array<i64: 2>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @upsample_scale_zero(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x0xf32> {
  // expected-error @+1 {{scale must be >= 1, got [2,0]}}
  %0 = nn.upsample_nearest %x {scales = array<i64: 2, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x0xf32>
  return %0 : tensor<1x3x8x0xf32>
}

// -----

func.func @upsample_scale_negative(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{scale must be >= 1, got [-1]}}
  %0 = nn.upsample_nearest %x {scales = array<i64: -1>} : (tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @upsample_result(%x: tensor<1x3x4x5xf32>) -> tensor<1x3x8x10xf32> {
  // expected-error @+1 {{result f32[1,3,8,10] does not match the inferred f32[1,3,8,15]}}
  %0 = nn.upsample_nearest %x {scales = array<i64: 2, 3>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x8x10xf32>
  return %0 : tensor<1x3x8x10xf32>
}
