//===- LowerNNToLinalg.h - shared pieces of the nn lowering -----*- C++ -*-===//
//
// Private to passes/LowerNNToLinalg*.cpp: builders for the tensor-level
// linalg/tensor IR the nn ops lower to, and the per-family pattern
// registration. 1-D spatial ops are lowered as 2-D ops of height 1.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_LOWERNNTOLINALG_H
#define NNC_PASSES_LOWERNNTOLINALG_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>

namespace nnc::lowering {

using mlir::ArrayRef;
using mlir::Location;
using mlir::OpBuilder;
using mlir::Value;
using mlir::ValueRange;

inline ArrayRef<int64_t> shapeOf(Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType()).getShape();
}
inline mlir::Type elementTypeOf(Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType()).getElementType();
}

/// An f32 scalar constant.
Value constantF32(OpBuilder &b, Location loc, double value);

/// A tensor of `shape` filled with `value`.
Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, double value);

/// An i32 tensor of `shape` filled with `value`.
Value filledI32(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, int32_t value);

/// Iterator types of `rank` loops, those in `reduced` reductions.
llvm::SmallVector<mlir::utils::IteratorType> iteratorsFor(unsigned rank,
                                                          ArrayRef<int64_t> reduced);

/// Reinterprets `value` with a new static shape of the same element count
/// (row-major), through collapse/expand of the whole tensor.
Value reshape(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> shape);

/// Pads the trailing spatial dims of an [N, C, S..] tensor with `padValue`;
/// `low` and `high` hold one amount per spatial dim.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, double padValue);

/// True when a convolution with `strides` and `dilations` lowers as one
/// stride-1 convolution per phase of the stride: dilation 1, a stride > 1.
bool isPolyphase(ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations);

/// The high zero padding a convolution's input gets before lowering: the
/// op's `padHigh`, raised for a polyphase convolution to what all its phases
/// read. The weight gradient pads its input alike, so CSE shares the padded
/// input between the forward and the backward pass.
llvm::SmallVector<int64_t> convPadHigh(ArrayRef<int64_t> inSize, ArrayRef<int64_t> padLow,
                                       ArrayRef<int64_t> padHigh, ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> outSize);

/// The body of a generic op: block arguments in, the value to yield out.
using BodyFn = std::function<Value(OpBuilder &, Location, ValueRange)>;

/// A parallel linalg.generic producing a tensor of `shape` (f32 unless
/// `elementType` is given); input `i` is read through `inputMaps[i]`, a map
/// from the output's index space.
Value generic(OpBuilder &b, Location loc, ValueRange inputs,
              ArrayRef<mlir::AffineMap> inputMaps, ArrayRef<int64_t> shape, BodyFn body,
              mlir::Type elementType = {});

/// A tensor of `shape` whose element at index i is `value`'s at map(i): a
/// copy, broadcast, strided gather or permutation.
Value gathered(OpBuilder &b, Location loc, Value value, mlir::AffineMap map,
               ArrayRef<int64_t> shape);

/// An elementwise op over same-shaped inputs.
Value elementwise(OpBuilder &b, Location loc, ValueRange inputs, BodyFn body);

/// Reduces `input` over the dims in `reduced` (sorted), combining each
/// element into the accumulator started at `init`. The result drops those
/// dims.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
             double init, BodyFn combine);

/// The map from an output index space of `rank` dims to a per-channel vector
/// indexed by dim `dim`.
mlir::AffineMap dimMap(mlir::MLIRContext *context, unsigned rank, unsigned dim);

/// The map from an index space of `rank` dims to the same dims without
/// `dropped` (a reduced tensor read back at full rank).
mlir::AffineMap dropDimsMap(mlir::MLIRContext *context, unsigned rank,
                            ArrayRef<int64_t> dropped);

/// `vector` ([C]) broadcast along dim `dim` of a tensor of `shape`.
Value broadcastAlong(OpBuilder &b, Location loc, Value vector, ArrayRef<int64_t> shape,
                     unsigned dim);

/// Expands a 1-D spatial [N, C, L] tensor to [N, C, 1, L]; other ranks are
/// returned unchanged.
Value expandTo2D(OpBuilder &b, Location loc, Value value);

/// A 1-D op's per-dim values (strides, padding, ...) padded to 2-D with
/// `fill` for the height; 2-D values are returned as they are.
llvm::SmallVector<int64_t> to2D(ArrayRef<int64_t> values, int64_t fill);

/// A pooling window with both spatial dims explicit (a 1-D op gets a height
/// dim of size 1): the op's attributes and the spatial sizes of its input and
/// output.
struct PoolWindow {
  llvm::SmallVector<int64_t> kernel, strides, dilations, padLow, padHigh, in, out;
};

/// The window of a pooling op (or its gradient) of `kernel.size()` (1 or 2)
/// spatial dims over an [N, C, spatial...] input of `inShape` producing `outShape`.
PoolWindow poolWindow(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape,
                      ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations);

/// PyTorch's avg-pool divisor along spatial dim `dim` of `w` for each output
/// position: the window clipped to [-padLow, in + padHigh) with
/// count_include_pad, else to [0, in). `w` holds the user's padding (before
/// any ceil-mode widening).
llvm::SmallVector<int64_t> avgPoolDivisors(const PoolWindow &w, int dim, bool countIncludePad);

/// Terse scalar arithmetic for generic bodies and scalar code: f32 values,
/// indices, and elements read from small tensors.
struct Scalar {
  OpBuilder &b;
  Location loc;

  Value f32(double value) const { return constantF32(b, loc, value); }
  Value add(Value x, Value y) const { return b.create<mlir::arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) const { return b.create<mlir::arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) const { return b.create<mlir::arith::MulFOp>(loc, x, y); }
  Value div(Value x, Value y) const { return b.create<mlir::arith::DivFOp>(loc, x, y); }
  Value sqrt(Value x) const { return b.create<mlir::math::SqrtOp>(loc, x); }
  Value cmp(mlir::arith::CmpFPredicate p, Value x, Value y) const {
    return b.create<mlir::arith::CmpFOp>(loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) const { return b.create<mlir::arith::SelectOp>(loc, c, x, y); }
  Value index(int64_t value) const { return b.create<mlir::arith::ConstantIndexOp>(loc, value); }
  Value loop(unsigned dim) const { return b.create<mlir::linalg::IndexOp>(loc, dim); }
  Value addi(Value x, Value y) const { return b.create<mlir::arith::AddIOp>(loc, x, y); }
  Value subi(Value x, Value y) const { return b.create<mlir::arith::SubIOp>(loc, x, y); }
  Value muli(Value x, Value y) const { return b.create<mlir::arith::MulIOp>(loc, x, y); }
  Value cmpi(mlir::arith::CmpIPredicate p, Value x, Value y) const {
    return b.create<mlir::arith::CmpIOp>(loc, p, x, y);
  }
  Value both(Value x, Value y) const { return b.create<mlir::arith::AndIOp>(loc, x, y); }
  Value either(Value x, Value y) const { return b.create<mlir::arith::OrIOp>(loc, x, y); }
  Value toI32(Value index) const {
    return b.create<mlir::arith::IndexCastOp>(loc, b.getI32Type(), index);
  }
  /// Element `i` of a 1-D tensor.
  Value element(Value tensor, int64_t i) const {
    Value index = b.create<mlir::arith::ConstantIndexOp>(loc, i);
    return b.create<mlir::tensor::ExtractOp>(loc, tensor, index);
  }
  /// The value of a 0-d tensor.
  Value scalar(Value tensor) const {
    return b.create<mlir::tensor::ExtractOp>(loc, tensor, ValueRange{});
  }
};

using MultiBodyFn = std::function<llvm::SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic over `iterators` reading `inputs` through `inputMaps` and
/// updating the accumulators `inits` through `initMaps`. The body gets the
/// input elements, then the accumulators, and returns their new values.
llvm::SmallVector<Value> structured(OpBuilder &b, Location loc, ValueRange inputs,
                              ArrayRef<mlir::AffineMap> inputMaps, ValueRange inits,
                              ArrayRef<mlir::AffineMap> initMaps, ArrayRef<mlir::utils::IteratorType> iterators,
                              MultiBodyFn body);

/// Pattern registration, one per family file.
void populateLinearLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateConvLoweringPatterns(mlir::RewritePatternSet &patterns);
void populatePoolLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateNormLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateShapeLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateGradientLoweringPatterns(mlir::RewritePatternSet &patterns);
void populatePoolGradientLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateLossLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace nnc::lowering

#endif // NNC_PASSES_LOWERNNTOLINALG_H
