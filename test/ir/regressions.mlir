// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Regression tests for verifier bugs found by review: dynamic dims, ceil-mode
// windows larger than the input, nesterov with dampening, i32 shapes in
// messages, integer overflow of window/upsample/reshape sizes, and
// instance_norm without spatial dims.

// Regression 1 (fixed): the dialect is documented as static-shaped ("Neural-network graph
// operations with static shapes") but NN_F32Tensor is RankedTensorOf, so `?`
// dims reach the shape rules, which treat ShapedType::kDynamic (INT64_MIN) as
// a size. nn.dense with a dynamic batch was accepted.
func.func @dynamic_dense(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{static}}
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Regression 1 (cont.) (fixed): was rejected, but with "kernel extent 3 is larger than
// the padded input (-9223372036854775808) in spatial dim 0".
func.func @dynamic_conv(%x: tensor<1x2x?xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x?xf32> {
  // expected-error @+1 {{static}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<1x2x?xf32>, tensor<3x2x3xf32>) -> tensor<1x3x?xf32>
  return %0 : tensor<1x3x?xf32>
}

// -----

// Regression 1 (cont.) (fixed): was "result f32[-9223372036854775808,4] does not match
// the inferred f32[0,4]" (INT64_MIN + INT64_MIN overflows to 0).
func.func @dynamic_concat(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{static}}
  %0 = nn.concat %x, %y {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Regression 1 (cont.) (fixed): was "cannot reshape f32[-9223372036854775808,4]
// (0 elements) to f32[-9223372036854775808] (-9223372036854775808 elements)".
func.func @dynamic_reshape(%x: tensor<?x4xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{static}}
  %0 = nn.reshape %x : (tensor<?x4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Regression 2 (fixed): ceil-mode pooling whose window is larger than the (padded) input.
// PyTorch's output-size rule (which ShapeRules.h says it implements) gives
// ceil((2 - 3) / 2) + 1 = 1 here: torch.nn.functional.max_pool1d(
// torch.zeros(1,1,2), 3, 2, ceil_mode=True).shape == [1,1,1]. The verifier
// rejects it with "kernel extent 3 is larger than the padded input (2) in
// spatial dim 0", checking extent <= padded input before applying ceil mode.
func.func @ceil_max_pool_window_past_input(%x: tensor<1x1x2xf32>) -> tensor<1x1x1xf32> {
  %0 = nn.max_pool %x {kernel = array<i64: 3>, strides = array<i64: 2>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, ceil_mode = true} : (tensor<1x1x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

// Regression 2 (cont.) (fixed): avg_pool2d(torch.zeros(1,3,4,4), 5, 2, ceil_mode=True) has
// shape [1,3,1,1] in PyTorch (span 4 - 5 = -1, ceil(-1/2) + 1 = 1).
func.func @ceil_avg_pool_window_past_input(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32> {
  %0 = nn.avg_pool %x {kernel = array<i64: 5, 5>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true, count_include_pad = false} : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

// Regression 3 (fixed): PyTorch's SGD rejects nesterov with a nonzero dampening ("Nesterov
// momentum requires a momentum and zero dampening"); the verifier only checks
// the momentum and accepts this op.
// expected-error @+1 {{nesterov}}
nn.optimizer "sgd" {lr = 0.1 : f64, momentum = 0.9 : f64, dampening = 0.5 : f64, nesterov = true}

// -----

// Regression 4 (fixed): the shape rules format every shape as f32[...]; the argmax result
// here is i32, so the message reads "result f32[4,1] does not match the
// inferred f32[4]".
func.func @argmax_result_element_type(%x: tensor<4x10xf32>) -> tensor<4x1xi32> {
  // expected-error @+1 {{result i32[4,1] does not match the inferred i32[4]}}
  %0 = nn.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

// Regression 4 (cont.) (fixed): was "cannot reshape f32[2,6] (12 elements) to f32[5]
// (5 elements)" for an i32 tensor.
func.func @reshape_i32_element_type(%x: tensor<2x6xi32>) -> tensor<5xi32> {
  // expected-error @+1 {{cannot reshape i32[2,6] (12 elements) to i32[5] (5 elements)}}
  %0 = nn.reshape %x : (tensor<2x6xi32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// Regression 5 (fixed): signed overflow in windowOutputSize. The extent
// dilation * (kernel - 1) + 1 = 2^62 * 4 + 1 wraps to 1, so a 5-tap kernel
// dilated by 2^62 "fits" an 8-element input and the op is accepted with
// output size 8.
func.func @conv_dilation_overflow(%x: tensor<1x4x8xf32>, %w: tensor<4x1x5xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{'nn.conv' op}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 4611686018427387904>, groups = 4 : i64} : (tensor<1x4x8xf32>, tensor<4x1x5xf32>) -> tensor<1x4x8xf32>
  return %0 : tensor<1x4x8xf32>
}

// -----

// Regression 5 (cont.) (fixed): size * scale = 4 * 2^62 wraps to 0 in inferUpsampleShape,
// so this is accepted with an empty result.
func.func @upsample_scale_overflow(%x: tensor<1x1x4xf32>) -> tensor<1x1x0xf32> {
  // expected-error @+1 {{'nn.upsample_nearest' op}}
  %0 = nn.upsample_nearest %x {scales = array<i64: 4611686018427387904>} : (tensor<1x1x4xf32>) -> tensor<1x1x0xf32>
  return %0 : tensor<1x1x0xf32>
}

// -----

// Regression 5 (cont.) (fixed): numElements(2^32 x 2^32) wraps to 0, so this reshape to an
// empty tensor is accepted.
func.func @reshape_count_overflow(%x: tensor<4294967296x4294967296xf32>) -> tensor<0xf32> {
  // expected-error @+1 {{'nn.reshape' op}}
  %0 = nn.reshape %x : (tensor<4294967296x4294967296xf32>) -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// Regression 6 (fixed): instance norm of an input without spatial dims
// normalizes 1-element planes (the result is just `shift`). PyTorch rejects
// it: F.instance_norm(torch.zeros(2,3)) raises "Expected more than 1 spatial
// element when training". The verifier only requires rank >= 2 and accepts it.
func.func @instance_norm_no_spatial(%x: tensor<2x3xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.instance_norm' op}}
  %0 = nn.instance_norm %x scale %c shift %c {epsilon = 1.0e-05 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
