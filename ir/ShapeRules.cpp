//===- ShapeRules.cpp - result-shape rules of the nn ops ------------------===//
//
// Implements the shape rules declared in ShapeRules.h. Every rule reports the
// concrete mismatch and never asserts: user models reach these functions.
//
//===----------------------------------------------------------------------===//

#include "ir/ShapeRules.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace nnc::nn;
using llvm::StringRef;

std::string nnc::nn::formatShape(ArrayRef<int64_t> shape, StringRef elementType) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << elementType << "[";
  llvm::interleave(shape, os, ",");
  os << "]";
  return text;
}

int64_t nnc::nn::numElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (__builtin_mul_overflow(count, dim, &count))
      return kTooManyElements;
  return count;
}

static std::string formatList(ArrayRef<int64_t> values) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleave(values, os, ",");
  os << "]";
  return text;
}

/// Checks an optional bias operand is [features].
static LogicalResult verifyBias(std::optional<ArrayRef<int64_t>> bias,
                                int64_t features, ErrorFn error) {
  if (!bias)
    return mlir::success();
  if (bias->size() != 1 || (*bias)[0] != features)
    return error() << "bias must be " << formatShape({features}) << ", got "
                   << formatShape(*bias);
  return mlir::success();
}

FailureOr<Shape> nnc::nn::inferDenseShape(ArrayRef<int64_t> input,
                                          ArrayRef<int64_t> weight,
                                          std::optional<ArrayRef<int64_t>> bias,
                                          ErrorFn error) {
  if (input.size() != 2)
    return error() << "dense expects a 2-D input [batch, features], got "
                   << formatShape(input);
  if (weight.size() != 2)
    return error() << "dense weight must be 2-D [out, in], got " << formatShape(weight);
  if (weight[1] != input[1])
    return error() << "dense input has " << input[1] << " features but weight "
                   << formatShape(weight) << " expects " << weight[1];
  if (mlir::failed(verifyBias(bias, weight[0], error)))
    return mlir::failure();
  return Shape{input[0], weight[0]};
}

FailureOr<Shape> nnc::nn::inferMatmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                           ErrorFn error) {
  if (lhs.size() < 2 || lhs.size() != rhs.size())
    return error() << "matmul expects operands of equal rank >= 2, got "
                   << formatShape(lhs) << " and " << formatShape(rhs);
  size_t rank = lhs.size();
  if (lhs.drop_back(2) != rhs.drop_back(2))
    return error() << "matmul batch dims differ: " << formatShape(lhs) << " and "
                   << formatShape(rhs);
  if (lhs[rank - 1] != rhs[rank - 2])
    return error() << "matmul inner dims differ: " << formatShape(lhs) << " x "
                   << formatShape(rhs);
  Shape result(lhs.drop_back(1));
  result.push_back(rhs[rank - 1]);
  return result;
}

LogicalResult nnc::nn::verifyWindow(const WindowParams &window, int64_t spatialRank,
                                    ErrorFn error) {
  auto checkSize = [&](ArrayRef<int64_t> values, int64_t expected,
                       StringRef name) -> LogicalResult {
    if (static_cast<int64_t>(values.size()) != expected)
      return error() << name << " must have " << expected << " values, got "
                     << formatList(values);
    return mlir::success();
  };
  if (mlir::failed(checkSize(window.kernel, spatialRank, "kernel")) ||
      mlir::failed(checkSize(window.strides, spatialRank, "stride")) ||
      mlir::failed(checkSize(window.dilations, spatialRank, "dilation")) ||
      mlir::failed(checkSize(window.padding, 2 * spatialRank, "padding")))
    return mlir::failure();
  // Sizes beyond 2^31 cannot be real and would overflow the arithmetic.
  constexpr int64_t kLimit = int64_t(1) << 31;
  for (ArrayRef<int64_t> values :
       {window.kernel, window.strides, window.dilations, window.padding})
    for (int64_t v : values)
      if (v > kLimit)
        return error() << "window sizes must be at most 2^31, got " << v;
  for (int64_t k : window.kernel)
    if (k < 1)
      return error() << "kernel size must be >= 1, got " << formatList(window.kernel);
  for (int64_t s : window.strides)
    if (s < 1)
      return error() << "stride must be >= 1, got " << formatList(window.strides);
  for (int64_t d : window.dilations)
    if (d < 1)
      return error() << "dilation must be >= 1, got " << formatList(window.dilations);
  for (int64_t p : window.padding)
    if (p < 0)
      return error() << "padding must be >= 0, got " << formatList(window.padding);
  return mlir::success();
}

/// Output size of one spatial dim of a sliding window (PyTorch's rule), or
/// failure with a "kernel larger than input" message. Operands are bounded
/// by verifyWindow, so nothing here overflows.
static FailureOr<int64_t> windowOutputSize(int64_t size, int64_t kernel, int64_t stride,
                                           int64_t padLow, int64_t padHigh,
                                           int64_t dilation, bool ceilMode,
                                           unsigned dim, ErrorFn error) {
  int64_t padded = size + padLow + padHigh;
  int64_t extent = dilation * (kernel - 1) + 1;
  int64_t span = padded - extent;
  // Floor or ceil division of a span that may be negative in ceil mode.
  int64_t out = (ceilMode ? llvm::divideCeilSigned(span, stride)
                          : llvm::divideFloorSigned(span, stride)) + 1;
  // PyTorch: in ceil mode the last window must start inside the input or the
  // low padding, never entirely in the high padding.
  if (ceilMode && out > 1 && (out - 1) * stride >= size + padLow)
    --out;
  if (out < 1 || (!ceilMode && span < 0))
    return error() << "kernel extent " << extent << " is larger than the padded input ("
                   << padded << ") in spatial dim " << dim;
  return out;
}

/// Checks the [N, C, S..] layout of spatial ops.
static LogicalResult verifySpatialInput(ArrayRef<int64_t> input, StringRef what,
                                        ErrorFn error) {
  if (input.size() < 3)
    return error() << what << " expects an input [batch, channels, spatial...] of rank "
                   << ">= 3, got " << formatShape(input);
  return mlir::success();
}

FailureOr<Shape> nnc::nn::inferConvShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                                         std::optional<ArrayRef<int64_t>> bias,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> padding,
                                         ArrayRef<int64_t> dilations, int64_t groups,
                                         ErrorFn error) {
  if (mlir::failed(verifySpatialInput(input, "convolution", error)))
    return mlir::failure();
  int64_t spatialRank = input.size() - 2;
  if (weight.size() != input.size())
    return error() << "convolution weight must have rank " << input.size()
                   << " [filters, channels/groups, kernel...], got " << formatShape(weight);
  if (groups < 1)
    return error() << "groups must be >= 1, got " << groups;
  if (input[1] % groups != 0 || weight[0] % groups != 0)
    return error() << "groups (" << groups << ") must divide input channels (" << input[1]
                   << ") and filters (" << weight[0] << ")";
  if (weight[1] * groups != input[1])
    return error() << "convolution expects " << weight[1] * groups
                   << " input channels (weight " << formatShape(weight) << ", groups "
                   << groups << "), got input " << formatShape(input);
  WindowParams window{weight.drop_front(2), strides, padding, dilations};
  if (mlir::failed(verifyWindow(window, spatialRank, error)) ||
      mlir::failed(verifyBias(bias, weight[0], error)))
    return mlir::failure();
  Shape result{input[0], weight[0]};
  for (int64_t d = 0; d < spatialRank; ++d) {
    FailureOr<int64_t> size =
        windowOutputSize(input[2 + d], weight[2 + d], strides[d], padding[d],
                         padding[spatialRank + d], dilations[d], false, d, error);
    if (mlir::failed(size))
      return mlir::failure();
    result.push_back(*size);
  }
  return result;
}

FailureOr<Shape> nnc::nn::inferConvTransposeShape(
    ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
    std::optional<ArrayRef<int64_t>> bias, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
    ArrayRef<int64_t> outputPadding, int64_t groups, ErrorFn error) {
  if (mlir::failed(verifySpatialInput(input, "transposed convolution", error)))
    return mlir::failure();
  int64_t spatialRank = input.size() - 2;
  if (weight.size() != input.size())
    return error() << "transposed convolution weight must have rank " << input.size()
                   << " [channels, filters/groups, kernel...], got " << formatShape(weight);
  if (groups < 1 || input[1] % groups != 0)
    return error() << "groups (" << groups << ") must divide input channels ("
                   << input[1] << ")";
  if (weight[0] != input[1])
    return error() << "transposed convolution weight " << formatShape(weight)
                   << " expects " << weight[0] << " input channels, got input "
                   << formatShape(input);
  WindowParams window{weight.drop_front(2), strides, padding, dilations};
  if (mlir::failed(verifyWindow(window, spatialRank, error)))
    return mlir::failure();
  if (static_cast<int64_t>(outputPadding.size()) != spatialRank)
    return error() << "output_padding must have " << spatialRank << " values, got "
                   << formatList(outputPadding);
  int64_t filters = weight[1] * groups;
  if (mlir::failed(verifyBias(bias, filters, error)))
    return mlir::failure();
  Shape result{input[0], filters};
  for (int64_t d = 0; d < spatialRank; ++d) {
    if (outputPadding[d] < 0 ||
        (outputPadding[d] >= strides[d] && outputPadding[d] >= dilations[d]))
      return error() << "output_padding must be >= 0 and smaller than stride or "
                        "dilation, got "
                     << formatList(outputPadding);
    int64_t size = (input[2 + d] - 1) * strides[d] - padding[d] -
                   padding[spatialRank + d] + dilations[d] * (weight[2 + d] - 1) +
                   outputPadding[d] + 1;
    if (size < 1)
      return error() << "transposed convolution output would be empty in spatial dim "
                     << d << " (size " << size << ")";
    result.push_back(size);
  }
  return result;
}

FailureOr<Shape> nnc::nn::inferPoolShape(ArrayRef<int64_t> input,
                                         const WindowParams &window, bool ceilMode,
                                         ErrorFn error) {
  if (mlir::failed(verifySpatialInput(input, "pooling", error)))
    return mlir::failure();
  int64_t spatialRank = input.size() - 2;
  if (mlir::failed(verifyWindow(window, spatialRank, error)))
    return mlir::failure();
  Shape result{input[0], input[1]};
  for (int64_t d = 0; d < spatialRank; ++d) {
    int64_t padLow = window.padding[d], padHigh = window.padding[spatialRank + d];
    // PyTorch's limit: a window must always see at least one real element.
    if (2 * std::max(padLow, padHigh) > window.kernel[d])
      return error() << "pooling padding must be at most half the kernel, got padding "
                     << std::max(padLow, padHigh) << " for kernel " << window.kernel[d];
    FailureOr<int64_t> size =
        windowOutputSize(input[2 + d], window.kernel[d], window.strides[d], padLow,
                         padHigh, window.dilations[d], ceilMode, d, error);
    if (mlir::failed(size))
      return mlir::failure();
    result.push_back(*size);
  }
  return result;
}

FailureOr<Shape> nnc::nn::inferGlobalAvgPoolShape(ArrayRef<int64_t> input,
                                                  ErrorFn error) {
  if (mlir::failed(verifySpatialInput(input, "global pooling", error)))
    return mlir::failure();
  Shape result(input.begin(), input.end());
  std::fill(result.begin() + 2, result.end(), 1);
  return result;
}

FailureOr<Shape> nnc::nn::inferUpsampleShape(ArrayRef<int64_t> input,
                                             ArrayRef<int64_t> scales, ErrorFn error) {
  if (mlir::failed(verifySpatialInput(input, "upsampling", error)))
    return mlir::failure();
  if (scales.size() != input.size() - 2)
    return error() << "scale must have " << input.size() - 2 << " values, got "
                   << formatList(scales);
  Shape result{input[0], input[1]};
  for (auto [size, scale] : llvm::zip(input.drop_front(2), scales)) {
    if (scale < 1)
      return error() << "scale must be >= 1, got " << formatList(scales);
    if (scale > (int64_t(1) << 31) / std::max<int64_t>(size, 1))
      return error() << "upsampled size would exceed 2^31 (size " << size << ", scale "
                     << scale << ")";
    result.push_back(size * scale);
  }
  return result;
}

LogicalResult nnc::nn::verifyPerChannelOperands(
    ArrayRef<int64_t> input,
    ArrayRef<std::pair<StringRef, ArrayRef<int64_t>>> operands, ErrorFn error) {
  if (input.size() < 2)
    return error() << "expected an input [batch, channels, ...] of rank >= 2, got "
                   << formatShape(input);
  for (auto [name, shape] : operands)
    if (shape.size() != 1 || shape[0] != input[1])
      return error() << name << " must be " << formatShape({input[1]})
                     << " (one per channel of " << formatShape(input) << "), got "
                     << formatShape(shape);
  return mlir::success();
}

LogicalResult nnc::nn::verifyLayerNorm(ArrayRef<int64_t> input, int64_t normalizedRank,
                                       std::optional<ArrayRef<int64_t>> scale,
                                       std::optional<ArrayRef<int64_t>> shift,
                                       ErrorFn error) {
  if (normalizedRank < 1 || normalizedRank > static_cast<int64_t>(input.size()))
    return error() << "layer norm over " << normalizedRank
                   << " trailing dims is impossible for input " << formatShape(input);
  ArrayRef<int64_t> normalized = input.take_back(normalizedRank);
  for (auto [name, shape] : {std::make_pair("scale", scale), std::make_pair("shift", shift)})
    if (shape && *shape != normalized)
      return error() << name << " must be " << formatShape(normalized) << ", got "
                     << formatShape(*shape);
  return mlir::success();
}

LogicalResult nnc::nn::verifyGroupCount(ArrayRef<int64_t> input, int64_t groups,
                                        ErrorFn error) {
  if (input.size() < 2)
    return error() << "expected an input [batch, channels, ...] of rank >= 2, got "
                   << formatShape(input);
  if (groups < 1 || input[1] % groups != 0)
    return error() << "groups (" << groups << ") must divide the " << input[1]
                   << " channels of " << formatShape(input);
  return mlir::success();
}

FailureOr<Shape> nnc::nn::inferMaxoutShape(ArrayRef<int64_t> input, int64_t pieces,
                                           ErrorFn error) {
  if (input.size() < 2)
    return error() << "maxout expects an input [batch, channels, ...], got "
                   << formatShape(input);
  if (pieces < 1 || input[1] % pieces != 0)
    return error() << "maxout pieces (" << pieces << ") must divide the " << input[1]
                   << " channels of " << formatShape(input);
  Shape result(input.begin(), input.end());
  result[1] /= pieces;
  return result;
}

FailureOr<int64_t> nnc::nn::normalizeAxis(int64_t axis, int64_t rank, ErrorFn error) {
  if (axis < -rank || axis >= rank)
    return error() << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<Shape> nnc::nn::inferConcatShape(ArrayRef<ArrayRef<int64_t>> inputs,
                                           int64_t axis, ErrorFn error) {
  if (inputs.empty())
    return error() << "concat needs at least one input";
  ArrayRef<int64_t> first = inputs.front();
  FailureOr<int64_t> dim = normalizeAxis(axis, first.size(), error);
  if (mlir::failed(dim))
    return mlir::failure();
  Shape result(first.begin(), first.end());
  for (auto [index, shape] : llvm::enumerate(inputs.drop_front())) {
    bool compatible = shape.size() == first.size();
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      compatible = static_cast<int64_t>(d) == *dim || shape[d] == first[d];
    if (!compatible)
      return error() << "concat along axis " << *dim << " needs equal other dims: input 0 is "
                     << formatShape(first) << ", input " << index + 1 << " is "
                     << formatShape(shape);
    result[*dim] += shape[*dim];
  }
  return result;
}

FailureOr<Shape> nnc::nn::inferArgmaxShape(ArrayRef<int64_t> input, int64_t axis,
                                           ErrorFn error) {
  FailureOr<int64_t> dim = normalizeAxis(axis, input.size(), error);
  if (mlir::failed(dim))
    return mlir::failure();
  Shape result(input.begin(), input.end());
  result.erase(result.begin() + *dim);
  return result;
}

LogicalResult nnc::nn::verifyReshape(ArrayRef<int64_t> input, ArrayRef<int64_t> result,
                                     ErrorFn error, StringRef elementType) {
  std::string from = formatShape(input, elementType), to = formatShape(result, elementType);
  if (numElements(input) == kTooManyElements || numElements(result) == kTooManyElements)
    return error() << "cannot reshape " << from << " to " << to
                   << ": the element count overflows";
  if (numElements(input) != numElements(result))
    return error() << "cannot reshape " << from << " (" << numElements(input)
                   << " elements) to " << to << " (" << numElements(result) << " elements)";
  return mlir::success();
}

LogicalResult nnc::nn::verifyMseLoss(ArrayRef<int64_t> prediction,
                                     ArrayRef<int64_t> target, ErrorFn error) {
  if (prediction != target)
    return error() << "mse needs prediction and target of equal shape, got "
                   << formatShape(prediction) << " and " << formatShape(target);
  return mlir::success();
}

LogicalResult nnc::nn::verifyClassificationLoss(ArrayRef<int64_t> scores,
                                                ArrayRef<int64_t> labels,
                                                ErrorFn error) {
  if (scores.size() != 2)
    return error() << "expected scores [batch, classes], got " << formatShape(scores);
  if (labels.size() != 1 || labels[0] != scores[0])
    return error() << "expected labels " << formatShape({scores[0]}, "i32")
                   << " (one class index per row of " << formatShape(scores)
                   << "), got " << formatShape(labels, "i32");
  return mlir::success();
}
