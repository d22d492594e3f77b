//===- ShapeRules.h - result-shape rules of the nn ops ----------*- C++ -*-===//
//
// The single source of truth for what shapes each nn op accepts and produces.
// Op verifiers call these rules with `op.emitOpError`; the front end calls
// them with a diagnostic at the DSL source location, so a bad model and a bad
// .mlir file get the same concrete message ("... got f32[64,784]").
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_SHAPERULES_H
#define NNC_IR_SHAPERULES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace nnc::nn {

using Shape = llvm::SmallVector<int64_t, 4>;
using llvm::ArrayRef;
using mlir::FailureOr;
using mlir::LogicalResult;
/// Starts an error diagnostic at the place the caller wants it reported.
using ErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// Formats a shape the way the .nn language writes types: `f32[64,784]`.
std::string formatShape(ArrayRef<int64_t> shape, llvm::StringRef elementType = "f32");

/// dense: input [N, in], weight [out, in], bias [out] -> [N, out].
FailureOr<Shape> inferDenseShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                                 std::optional<ArrayRef<int64_t>> bias, ErrorFn error);

/// matmul: [B.., M, K] x [B.., K, N] -> [B.., M, N].
FailureOr<Shape> inferMatmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                  ErrorFn error);

/// Attributes shared by convolution and pooling windows. `padding` holds the
/// low pads of each spatial dim, then the high pads.
struct WindowParams {
  ArrayRef<int64_t> kernel;
  ArrayRef<int64_t> strides;
  ArrayRef<int64_t> padding;
  ArrayRef<int64_t> dilations;
};

/// Checks a window's attribute lists against `spatialRank` (sizes, stride >=
/// 1, dilation >= 1, padding >= 0).
LogicalResult verifyWindow(const WindowParams &window, int64_t spatialRank,
                           ErrorFn error);

/// conv: input [N, C, S..], weight [F, C/groups, K..], bias [F].
FailureOr<Shape> inferConvShape(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                                std::optional<ArrayRef<int64_t>> bias,
                                ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                                ArrayRef<int64_t> dilations, int64_t groups,
                                ErrorFn error);

/// conv_transpose: input [N, C, S..], weight [C, F/groups, K..], bias [F].
FailureOr<Shape> inferConvTransposeShape(
    ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
    std::optional<ArrayRef<int64_t>> bias, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
    ArrayRef<int64_t> outputPadding, int64_t groups, ErrorFn error);

/// max/avg pooling on [N, C, S..] with PyTorch's output-size rule, including
/// ceil mode (a window may not start in the high padding).
FailureOr<Shape> inferPoolShape(ArrayRef<int64_t> input, const WindowParams &window,
                                bool ceilMode, ErrorFn error);

/// global average pooling: [N, C, S..] -> [N, C, 1..].
FailureOr<Shape> inferGlobalAvgPoolShape(ArrayRef<int64_t> input, ErrorFn error);

/// upsample_nearest: [N, C, S..] -> [N, C, S*scale..].
FailureOr<Shape> inferUpsampleShape(ArrayRef<int64_t> input, ArrayRef<int64_t> scales,
                                    ErrorFn error);

/// Checks that `input` has a channel dim (rank >= 2) and that each named
/// per-channel operand is [C].
LogicalResult verifyPerChannelOperands(
    ArrayRef<int64_t> input,
    ArrayRef<std::pair<llvm::StringRef, ArrayRef<int64_t>>> operands,
    ErrorFn error);

/// layer_norm: `normalizedRank` trailing dims; scale/shift equal to them.
LogicalResult verifyLayerNorm(ArrayRef<int64_t> input, int64_t normalizedRank,
                              std::optional<ArrayRef<int64_t>> scale,
                              std::optional<ArrayRef<int64_t>> shift, ErrorFn error);

/// group_norm: `groups` divides the channel count.
LogicalResult verifyGroupCount(ArrayRef<int64_t> input, int64_t groups, ErrorFn error);

/// maxout: [N, C, ..] -> [N, C/pieces, ..].
FailureOr<Shape> inferMaxoutShape(ArrayRef<int64_t> input, int64_t pieces,
                                  ErrorFn error);

/// concat along `axis` (negative counts from the back).
FailureOr<Shape> inferConcatShape(ArrayRef<ArrayRef<int64_t>> inputs, int64_t axis,
                                  ErrorFn error);

/// Checks `axis` in [-rank, rank) and returns it made non-negative.
FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank, ErrorFn error);

/// argmax: the reduced `axis` is removed.
FailureOr<Shape> inferArgmaxShape(ArrayRef<int64_t> input, int64_t axis, ErrorFn error);

/// reshape: element counts agree.
LogicalResult verifyReshape(ArrayRef<int64_t> input, ArrayRef<int64_t> result,
                            ErrorFn error, llvm::StringRef elementType = "f32");

/// Losses. mse: equal shapes. Classification losses: scores [N, K] and
/// labels i32[N].
LogicalResult verifyMseLoss(ArrayRef<int64_t> prediction, ArrayRef<int64_t> target,
                            ErrorFn error);
LogicalResult verifyClassificationLoss(ArrayRef<int64_t> scores,
                                       ArrayRef<int64_t> labels, ErrorFn error);

/// Returned by numElements when the count does not fit in int64_t.
constexpr int64_t kTooManyElements = -1;

/// Element count of a static shape, or kTooManyElements on overflow.
int64_t numElements(ArrayRef<int64_t> shape);

} // namespace nnc::nn

#endif // NNC_IR_SHAPERULES_H
