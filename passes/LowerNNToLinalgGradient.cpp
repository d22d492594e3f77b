//===- LowerNNToLinalgGradient.cpp - training-step kernels to linalg ------===//
//
// The ops of NNTrainingOps.td that nnc-differentiate emits for the backward
// pass (losses and optimizer updates are in LowerNNToLinalgLoss.cpp): shape
// ops (transpose, reduce_sum, broadcast, slice, scale), the training-mode
// primitives batch_stats and dropout_mask, and the gradient kernels. A
// gradient that routes values to input positions (pooling, maxout) first
// reduces every window to the index it picks, then gathers, at every input
// position, the windows that contain it: nothing scatters. Gathered sums
// visit the windows in PyTorch's order. 1-D spatial ops run as 2-D ops of
// height 1.
//
//===----------------------------------------------------------------------===//

#include "passes/ConvWeightGradForm.h"
#include "passes/MaxPoolGradForm.h"
#include "passes/LowerNNToLinalg.h"
#include "passes/LoopOrder.h"

#include "ir/NNDialect.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {



/// Iterator types of `rank` loops, those in `reduced` reductions.
SmallVector<utils::IteratorType> iteratorsFor(unsigned rank, ArrayRef<int64_t> reduced) {
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  for (int64_t d : reduced)
    iterators[d] = utils::IteratorType::reduction;
  return iterators;
}

/// All dims of a rank-`rank` tensor but the channel dim 1.
SmallVector<int64_t> allButChannel(unsigned rank) {
  SmallVector<int64_t> dims{0};
  for (unsigned d = 2; d < rank; ++d)
    dims.push_back(d);
  return dims;
}

/// The loops of a sum per channel over an [N, C, S..] tensor: the tensor's
/// map, the per-channel map and the iterator types. With spatial dims the
/// channel loop runs outermost, so each sum stays in a register along
/// contiguous rows; an [N, C] tensor keeps its order, channels innermost and
/// contiguous. Each channel's terms are added in the same order either way.
struct PerChannelLoops {
  AffineMap tensor, channel;
  SmallVector<utils::IteratorType> iterators;
};
PerChannelLoops perChannelLoops(MLIRContext *ctx, unsigned rank) {
  if (rank <= 2)
    return {AffineMap::getMultiDimIdentityMap(rank, ctx), dimMap(ctx, rank, 1),
            iteratorsFor(rank, allButChannel(rank))};
  SmallVector<AffineExpr> dims{getAffineDimExpr(1, ctx), getAffineDimExpr(0, ctx)};
  for (unsigned d = 2; d < rank; ++d)
    dims.push_back(getAffineDimExpr(d, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
  iterators[0] = utils::IteratorType::parallel;
  return {AffineMap::get(rank, 0, dims, ctx), dimMap(ctx, rank, 0), iterators};
}

/// An i32 tensor of `shape` filled with `value`.
Value filledI32(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, int32_t value) {
  Value empty = b.create<tensor::EmptyOp>(loc, shape, b.getI32Type());
  Value fill = b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(value));
  return b.create<linalg::FillOp>(loc, fill, empty).getResult(0);
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

Value sum(OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::AddFOp>(loc, args[0], args[1]);
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

/// result[i..] = input[i permuted]: a linalg.transpose.
struct LowerTranspose : OpRewritePattern<nn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TransposeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value init =
        rewriter.create<tensor::EmptyOp>(loc, shapeOf(op.getResult()), rewriter.getF32Type());
    auto transpose =
        rewriter.create<linalg::TransposeOp>(loc, op.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose->getResult(0));
    return success();
  }
};

/// result = sum of input over `axes`, those dims dropped.
struct LowerReduceSum : OpRewritePattern<nn::ReduceSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReduceSumOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reduce(rewriter, op.getLoc(), op.getInput(), op.getAxes(), 0.0,
                   [](OpBuilder &b, Location l, ValueRange args) { return sum(b, l, args); }));
    return success();
  }
};

/// result[r..] = input[r at `dims`..]: a linalg.broadcast adding the other
/// result dims.
struct LowerBroadcast : OpRewritePattern<nn::BroadcastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BroadcastOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> out = shapeOf(op.getResult());
    SmallVector<int64_t> added;
    for (int64_t d = 0; d < int64_t(out.size()); ++d)
      if (!llvm::is_contained(op.getDims(), d))
        added.push_back(d);
    if (added.empty()) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    Value init = rewriter.create<tensor::EmptyOp>(loc, out, rewriter.getF32Type());
    auto broadcast = rewriter.create<linalg::BroadcastOp>(loc, op.getInput(), init, added);
    rewriter.replaceOp(op, broadcast->getResult(0));
    return success();
  }
};

/// result = input[.., start : start + size, ..] along `axis`: a
/// tensor.extract_slice.
struct LowerSlice : OpRewritePattern<nn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SliceOp op, PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> out = shapeOf(op.getResult());
    SmallVector<int64_t> offsets(out.size(), 0), strides(out.size(), 1);
    offsets[static_cast<int64_t>(op.getAxis())] = static_cast<int64_t>(op.getStart());
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, cast<RankedTensorType>(op.getResult().getType()), op.getInput(), ValueRange{},
        ValueRange{}, ValueRange{}, rewriter.getDenseI64ArrayAttr(offsets),
        rewriter.getDenseI64ArrayAttr(out), rewriter.getDenseI64ArrayAttr(strides));
    return success();
  }
};

/// result = input * factor, the 0-d factor read once.
struct LowerScale : OpRewritePattern<nn::ScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ScaleOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value factor = rewriter.create<tensor::ExtractOp>(loc, op.getFactor(), ValueRange{});
    rewriter.replaceOp(op, elementwise(rewriter, loc, op.getInput(),
                                       [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                         return b.create<arith::MulFOp>(l, args[0], factor);
                                       }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Training-mode primitives
//===----------------------------------------------------------------------===//

/// Per channel c (dim 1), over the M = numel / C elements of the channel:
/// mean = sum(x) / M, variance = sum((x - mean)^2) / M (biased, two passes).
struct LowerBatchStats : OpRewritePattern<nn::BatchStatsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchStatsOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getInput());
    unsigned rank = shape.size();
    SmallVector<int64_t> reduced = allButChannel(rank);
    Value count = constantF32(rewriter, loc, double(numElements(shape) / shape[1]));
    auto divideByCount = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
      return b.create<arith::DivFOp>(l, args[0], count);
    };
    Value total = reduce(rewriter, loc, op.getInput(), reduced, 0.0,
                         [](OpBuilder &b, Location l, ValueRange args) { return sum(b, l, args); });
    Value mean = elementwise(rewriter, loc, total, divideByCount);
    PerChannelLoops loops = perChannelLoops(rewriter.getContext(), rank);
    Value squares =
        structured(rewriter, loc, ValueRange{op.getInput(), mean}, {loops.tensor, loops.channel},
                   filled(rewriter, loc, {shape[1]}, 0.0), loops.channel, loops.iterators,
                   [](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
                     Scalar s{b, l};
                     Value centered = s.sub(args[0], args[1]);
                     return {s.add(args[2], s.mul(centered, centered))};
                   })
            .front();
    rewriter.replaceOp(op, {mean, elementwise(rewriter, loc, squares, divideByCount)});
    return success();
  }
};

/// result[i] = hash(seed, t, i) >= rate * 2^32 ? x[i] / (1 - rate) : 0, i the
/// row-major linear index and t = uint64(step[0]), with the SplitMix64
/// finalizer over z = seed * 0x9E3779B97F4A7C15 + (t << 32) + i (mod 2^64):
/// z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
/// z *= 0x94D049BB133111EB; z ^= z >> 31; hash = z >> 32.
struct LowerDropoutMask : OpRewritePattern<nn::DropoutMaskOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DropoutMaskOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getInput());
    double rate = op.getRate().convertToDouble();
    // hash is an integer, so hash >= rate * 2^32 iff hash >= ceil(rate * 2^32).
    auto threshold = static_cast<uint64_t>(std::ceil(std::ldexp(rate, 32)));
    uint64_t seedMix = uint64_t(op.getSeed()) * 0x9E3779B97F4A7C15ull;
    auto i64 = [&](OpBuilder &b, Location l, uint64_t value) -> Value {
      return b.create<arith::ConstantIntOp>(l, static_cast<int64_t>(value), 64);
    };
    Value zeroIndex = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value step = rewriter.create<tensor::ExtractOp>(loc, op.getStep(), zeroIndex);
    Value stepBits = rewriter.create<arith::FPToUIOp>(loc, rewriter.getI64Type(), step);
    Value base = rewriter.create<arith::AddIOp>(
        loc, rewriter.create<arith::ShLIOp>(loc, stepBits, i64(rewriter, loc, 32)),
        i64(rewriter, loc, seedMix));
    Value keepScale = constantF32(rewriter, loc, 1.0 - rate);
    Value result = elementwise(
        rewriter, loc, op.getInput(), [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Scalar s{b, l};
          Value linear = s.index(0);
          int64_t stride = 1;
          for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
            linear = s.addi(linear, s.muli(s.loop(d), s.index(stride)));
            stride *= shape[d];
          }
          Value z = b.create<arith::AddIOp>(
              l, base, b.create<arith::IndexCastUIOp>(l, b.getI64Type(), linear));
          auto mix = [&](Value v, int64_t shift, uint64_t factor) -> Value {
            Value shifted = b.create<arith::ShRUIOp>(l, v, i64(b, l, shift));
            Value mixed = b.create<arith::XOrIOp>(l, v, shifted);
            return factor ? b.create<arith::MulIOp>(l, mixed, i64(b, l, factor)) : mixed;
          };
          z = mix(mix(mix(z, 30, 0xBF58476D1CE4E5B9ull), 27, 0x94D049BB133111EBull), 31, 0);
          Value hash = b.create<arith::ShRUIOp>(l, z, i64(b, l, 32));
          Value keep =
              b.create<arith::CmpIOp>(l, arith::CmpIPredicate::uge, hash, i64(b, l, threshold));
          return s.select(keep, s.div(args[0], keepScale), s.f32(0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution and pooling gradients
//===----------------------------------------------------------------------===//

/// dW[f, c, kh, kw] = sum over n, oh, ow of dy[n, f, oh, ow] *
/// xpad[n, g*Cg + c, oh*sh + kh*dh, ow*sw + kw*dw] with g = f / (F/groups),
/// Cg = C/groups and xpad the zero-padded input.
struct LowerConvWeightGrad : OpRewritePattern<nn::ConvWeightGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConvWeightGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    size_t rank = shapeOf(op.getInput()).size();
    if (rank != 3 && rank != 4)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D convolutions lower");
    size_t spatial = rank - 2;
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value gradOutput = expandTo2D(rewriter, loc, op.getGradOutput());
    SmallVector<int64_t> strides = to2D(op.getStrides(), 1);
    SmallVector<int64_t> dilations = to2D(op.getDilations(), 1);
    ArrayRef<int64_t> weight = shapeOf(op.getResult());
    SmallVector<int64_t> weight2D{weight[0], weight[1]};
    weight2D.append(to2D(weight.drop_front(2), 1));
    // Padded as the forward convolution pads it (rows past the windows are
    // never read), so both share one padded input.
    SmallVector<int64_t> low = to2D(op.getPadding().take_front(spatial), 0);
    SmallVector<int64_t> high = convPadHigh(
        shapeOf(input).drop_front(2), low, to2D(op.getPadding().take_back(spatial), 0),
        ArrayRef<int64_t>(weight2D).drop_front(2), strides, dilations,
        shapeOf(gradOutput).drop_front(2));
    Value padded = padSpatial(rewriter, loc, input, low, high, 0.0);
    int64_t filtersPerGroup = weight[0] / static_cast<int64_t>(op.getGroups());

    SmallVector<AffineMap, 3> maps = nnc::convWeightGradMaps(
        rewriter.getContext(), filtersPerGroup, weight[1], strides, dilations);
    Value result =
        structured(rewriter, loc, ValueRange{padded, gradOutput}, {maps[0], maps[1]},
                   filled(rewriter, loc, weight2D, 0.0), maps[2], iteratorsFor(7, {4, 5, 6}),
                   [](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
                     Scalar s{b, l};
                     return {s.add(args[2], s.mul(args[1], args[0]))};
                   })
            .front();
    // Tells nnc-conv-weight-grad-microkernel the strides and dilations.
    result.getDefiningOp()->setAttr(
        nnc::kConvWeightGradAttr,
        rewriter.getDenseI64ArrayAttr({strides[0], strides[1], dilations[0], dilations[1]}));
    rewriter.replaceOp(op, reshape(rewriter, loc, result, weight));
    return success();
  }
};

} // namespace

SmallVector<AffineMap, 4> nnc::maxPoolArgmaxMaps(MLIRContext *ctx, ArrayRef<int64_t> strides,
                                                 ArrayRef<int64_t> dilations) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 6; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  AffineMap out = AffineMap::get(6, 0, {d[0], d[1], d[2], d[5]}, ctx);
  return {AffineMap::get(6, 0,
                         {d[0], d[1], d[2] * strides[0] + d[3] * dilations[0],
                          d[5] * strides[1] + d[4] * dilations[1]},
                         ctx),
          AffineMap::get(6, 0, {d[3], d[4]}, ctx), out, out};
}

SmallVector<utils::IteratorType> nnc::maxPoolArgmaxIterators() {
  auto parallel = utils::IteratorType::parallel, reduction = utils::IteratorType::reduction;
  return {parallel, parallel, parallel, reduction, reduction, parallel};
}

SmallVector<AffineMap, 3> nnc::maxPoolScatterMaps(MLIRContext *ctx, ArrayRef<int64_t> strides) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 4; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  AffineMap window =
      AffineMap::get(4, 0, {d[0], d[1], d[2].floorDiv(strides[0]), d[3].floorDiv(strides[1])}, ctx);
  return {window, window, AffineMap::getMultiDimIdentityMap(4, ctx)};
}

SmallVector<AffineMap, 3> nnc::convWeightGradMaps(MLIRContext *ctx, int64_t filtersPerGroup,
                                                  int64_t channelsPerGroup,
                                                  ArrayRef<int64_t> strides,
                                                  ArrayRef<int64_t> dilations) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 7; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  return {AffineMap::get(7, 0,
                         {d[4], d[0].floorDiv(filtersPerGroup) * channelsPerGroup + d[1],
                          d[5] * strides[0] + d[2] * dilations[0],
                          d[6] * strides[1] + d[3] * dilations[1]},
                         ctx),
          AffineMap::get(7, 0, {d[4], d[0], d[5], d[6]}, ctx),
          AffineMap::get(7, 0, {d[0], d[1], d[2], d[3]}, ctx)};
}

namespace {

/// A pooling window with both spatial dims explicit; a 1-D op gets a height
/// dim of size 1.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padLow, padHigh, in, out;
};

Window makeWindow(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                  ArrayRef<int64_t> dilations) {
  size_t rank = kernel.size();
  return {to2D(kernel, 1),
          to2D(strides, 1),
          to2D(dilations, 1),
          to2D(padding.take_front(rank), 0),
          to2D(padding.take_back(rank), 0),
          to2D(inShape.drop_front(2), 1),
          to2D(outShape.drop_front(2), 1)};
}

/// True when no input position lies in two windows along any dim: the
/// window's extent is at most the stride (2x2 pooling with stride 2).
bool windowsAreDisjoint(const Window &w) {
  for (int d = 0; d < 2; ++d)
    if ((w.kernel[d] - 1) * w.dilations[d] + 1 > w.strides[d])
      return false;
  return true;
}

/// The gradient [N, C, H, W] of a pooling op: every input position i sums
/// `contribution(n, c, oh, ow)` over the windows o containing it, i.e. over
/// the kernel offsets k with o = (i + pad_low - k*dilation) / stride integral
/// and in [0, out) in both dims. Offsets run backwards so each position sees
/// its windows in increasing (oh, ow), the order PyTorch accumulates in.
/// Disjoint windows skip the search over offsets: the one window that may
/// hold i is o = (i + pad_low) / stride, and it does when the offset
/// i + pad_low - o*stride is a multiple of the dilation below kernel *
/// dilation. The loops run along the input width innermost.
using ContributionFn =
    std::function<Value(Scalar &, Value n, Value c, Value oh, Value ow, Value ih, Value iw)>;
Value gatherWindows(RewriterBase &b, Location loc, const Window &w, ArrayRef<int64_t> inShape,
                    ContributionFn contribution) {
  MLIRContext *ctx = b.getContext();
  bool disjoint = windowsAreDisjoint(w);
  // The window tensor only gives the kernel loops their bounds, as in
  // linalg's named pooling ops.
  SmallVector<int64_t> searched = disjoint ? SmallVector<int64_t>{1, 1} : w.kernel;
  Value window = b.create<tensor::EmptyOp>(loc, searched, b.getF32Type());
  AffineMap windowMap =
      AffineMap::get(6, 0, {getAffineDimExpr(4, ctx), getAffineDimExpr(5, ctx)}, ctx);
  AffineMap outMap = dropDimsMap(ctx, 6, {4, 5});
  Value result =
      structured(
          b, loc, window, windowMap, filled(b, loc, inShape, 0.0), outMap,
          iteratorsFor(6, {4, 5}),
          [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
            Scalar s{nb, l};
            Value valid;
            SmallVector<Value> o;
            for (int d = 0; d < 2; ++d) {
              auto predicate = [&](arith::CmpIPredicate p, Value a, int64_t c) {
                return s.cmpi(p, a, s.index(c));
              };
              Value shifted = s.addi(s.loop(2 + d), s.index(w.padLow[d]));
              Value inWindow;
              if (!disjoint) {
                Value offset = s.subi(s.index(w.kernel[d] - 1), s.loop(4 + d));
                shifted = s.subi(shifted, s.muli(offset, s.index(w.dilations[d])));
              }
              Value stride = s.index(w.strides[d]);
              Value quotient = nb.create<arith::DivSIOp>(l, shifted, stride);
              Value remainder = nb.create<arith::RemSIOp>(l, shifted, stride);
              Value inRange = predicate(arith::CmpIPredicate::slt, quotient, w.out[d]);
              if (disjoint) {
                // shifted >= 0 always; the offset must be a kernel tap.
                Value dilation = s.index(w.dilations[d]);
                Value tap = nb.create<arith::DivSIOp>(l, remainder, dilation);
                Value onTap = predicate(arith::CmpIPredicate::eq,
                                        nb.create<arith::RemSIOp>(l, remainder, dilation), 0);
                inWindow = s.both(inRange,
                                  s.both(onTap, predicate(arith::CmpIPredicate::slt, tap,
                                                          w.kernel[d])));
              } else {
                inWindow = s.both(predicate(arith::CmpIPredicate::sge, shifted, 0),
                                  s.both(predicate(arith::CmpIPredicate::eq, remainder, 0),
                                         inRange));
              }
              valid = valid ? s.both(valid, inWindow) : inWindow;
              o.push_back(quotient);
            }
            // Clamped so the reads stay in bounds; masked below.
            for (Value &v : o)
              v = s.select(valid, v, s.index(0));
            Value value =
                contribution(s, s.loop(0), s.loop(1), o[0], o[1], s.loop(2), s.loop(3));
            return {s.add(args[1], s.select(valid, value, s.f32(0.0)))};
          })
          .front();
  nnc::putOutputWidthInnermost(b, cast<linalg::LinalgOp>(result.getDefiningOp()));
  return result;
}

/// True when the windows tile the input exactly: kernel = stride, no
/// dilation or padding, input = output * stride in both dims.
bool tilesExactly(const Window &w) {
  for (int d = 0; d < 2; ++d)
    if (w.kernel[d] != w.strides[d] || w.dilations[d] != 1 || w.padLow[d] != 0 ||
        w.in[d] != w.out[d] * w.strides[d])
      return false;
  return true;
}

/// The max-pool gradient [N, C, H, W] when the windows tile the input
/// exactly: each position lies in one window and gets that window's
/// gradient if it holds the window's first maximum (MaxPoolGradForm.h).
Value scatterToMaxima(RewriterBase &b, Location loc, const Window &w, Value argmax,
                      Value gradOutput) {
  SmallVector<AffineMap, 3> maps = nnc::maxPoolScatterMaps(b.getContext(), w.strides);
  ArrayRef<int64_t> out = shapeOf(argmax);
  Value result = generic(b, loc, ValueRange{argmax, gradOutput}, {maps[0], maps[1]},
                         {out[0], out[1], w.in[0], w.in[1]},
                         [&](OpBuilder &nb, Location l, ValueRange args) {
                           Scalar s{nb, l};
                           Value self =
                               s.toI32(s.addi(s.muli(s.loop(2), s.index(w.in[1])), s.loop(3)));
                           return s.select(s.cmpi(arith::CmpIPredicate::eq, args[0], self),
                                           args[1], s.f32(0.0));
                         });
  result.getDefiningOp()->setAttr(nnc::kMaxPoolScatterAttr,
                                  b.getDenseI64ArrayAttr({w.strides[0], w.strides[1]}));
  return result;
}

/// dx[i] = sum of dy[o] over the windows o whose first maximum (in row-major
/// window order; padding never wins; NaN wins as in PyTorch) is at input
/// position i. A first generic reduces each window to the flat index
/// ih*W + iw of its maximum, a second gathers.
struct LowerMaxPoolGrad : OpRewritePattern<nn::MaxPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxPoolGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (op.getKernel().size() > 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling lowers");
    Window w = makeWindow(shapeOf(op.getInput()), shapeOf(op.getGradOutput()), op.getKernel(),
                          op.getStrides(), op.getPadding(), op.getDilations());
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value gradOutput = expandTo2D(rewriter, loc, op.getGradOutput());
    ArrayRef<int64_t> in = shapeOf(input);
    SmallVector<int64_t> out{in[0], in[1], w.out[0], w.out[1]};

    // Padding just wide enough for every window: its value never wins.
    SmallVector<int64_t> padHigh;
    for (int d = 0; d < 2; ++d) {
      int64_t needed = (w.out[d] - 1) * w.strides[d] + w.dilations[d] * (w.kernel[d] - 1) + 1;
      padHigh.push_back(std::max<int64_t>(0, needed - w.in[d] - w.padLow[d]));
    }
    double lowest = -std::numeric_limits<float>::infinity();
    Value padded = padSpatial(rewriter, loc, input, w.padLow, padHigh, lowest);
    // The window tensor gives the kernel loops their bounds (see gatherWindows).
    Value window = rewriter.create<tensor::EmptyOp>(loc, w.kernel, rewriter.getF32Type());
    SmallVector<AffineMap, 4> maps =
        nnc::maxPoolArgmaxMaps(rewriter.getContext(), w.strides, w.dilations);
    Value argmax = structured(
        rewriter, loc, ValueRange{padded, window}, {maps[0], maps[1]},
        ValueRange{filled(rewriter, loc, out, lowest), filledI32(rewriter, loc, out, -1)},
        {maps[2], maps[3]}, nnc::maxPoolArgmaxIterators(),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Scalar s{b, l};
          Value value = args[0], best = args[2], bestIndex = args[3];
          Value inside;
          SmallVector<Value> position;
          for (int i = 0; i < 2; ++i) {
            // Loops (n, c, oh, kh, kw, ow): output dim i is loop 2 + 3i, its tap 3 + i.
            Value p = s.subi(s.addi(s.muli(s.loop(2 + 3 * i), s.index(w.strides[i])),
                                    s.muli(s.loop(3 + i), s.index(w.dilations[i]))),
                             s.index(w.padLow[i]));
            Value ok = s.both(s.cmpi(arith::CmpIPredicate::sge, p, s.index(0)),
                              s.cmpi(arith::CmpIPredicate::slt, p, s.index(w.in[i])));
            inside = inside ? s.both(inside, ok) : ok;
            position.push_back(p);
          }
          Value flat = s.toI32(s.addi(s.muli(position[0], s.index(w.in[1])), position[1]));
          // PyTorch's rule: the first real element, then any greater one or a NaN.
          Value first = s.cmpi(arith::CmpIPredicate::eq, bestIndex,
                               b.create<arith::ConstantOp>(l, b.getI32IntegerAttr(-1)));
          Value greater = s.either(s.cmp(arith::CmpFPredicate::OGT, value, best),
                                   s.cmp(arith::CmpFPredicate::UNO, value, value));
          Value better = s.both(inside, s.either(first, greater));
          return {s.select(better, value, best), s.select(better, flat, bestIndex)};
        })[1];
    // Without padding every tap is real: nnc-pool-microkernel's case.
    if (llvm::all_of(w.padLow, [](int64_t p) { return p == 0; }) &&
        llvm::all_of(padHigh, [](int64_t p) { return p == 0; }))
      argmax.getDefiningOp()->setAttr(nnc::kMaxPoolArgmaxAttr,
                        rewriter.getDenseI64ArrayAttr(
                            {w.strides[0], w.strides[1], w.dilations[0], w.dilations[1]}));
    Value result = tilesExactly(w) ? scatterToMaxima(rewriter, loc, w, argmax, gradOutput)
                                   : gatherWindows(rewriter, loc, w, in,
        [&](Scalar &s, Value n, Value c, Value oh, Value ow, Value ih, Value iw) -> Value {
          ValueRange at{n, c, oh, ow};
          Value picked = s.b.create<tensor::ExtractOp>(s.loc, argmax, at);
          Value grad = s.b.create<tensor::ExtractOp>(s.loc, gradOutput, at);
          Value self = s.toI32(s.addi(s.muli(ih, s.index(w.in[1])), iw));
          return s.select(s.cmpi(arith::CmpIPredicate::eq, picked, self), grad, s.f32(0.0));
        });
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shapeOf(op.getResult())));
    return success();
  }
};

/// The forward avg_pool's divisor along one dim for each output position
/// (LowerNNToLinalgPool.cpp): the window clipped to [-pad_low, in +
/// pad_high) with count_include_pad, else to [0, in).
SmallVector<int64_t> divisors(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                              int64_t padLow, int64_t padHigh, bool countIncludePad) {
  SmallVector<int64_t> result;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * stride - padLow;
    int64_t end = std::min(start + kernel, in + padHigh);
    int64_t withPad = end - start;
    start = std::max<int64_t>(start, 0);
    end = std::min(end, in);
    result.push_back(countIncludePad ? withPad : end - start);
  }
  return result;
}

/// dx[i] = sum over the windows o containing i of dy[o] / divisor(o), the
/// divisor of the forward avg_pool (any window, ceil-mode ones too).
struct LowerAvgPoolGrad : OpRewritePattern<nn::AvgPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AvgPoolGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    size_t spatial = op.getKernel().size();
    if (spatial > 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling lowers");
    SmallVector<int64_t> ones(spatial, 1);
    Window w = makeWindow(shapeOf(op.getResult()), shapeOf(op.getGradOutput()), op.getKernel(),
                          op.getStrides(), op.getPadding(), ones);
    Value gradOutput = expandTo2D(rewriter, loc, op.getGradOutput());
    ArrayRef<int64_t> out = shapeOf(gradOutput);
    SmallVector<int64_t> in{out[0], out[1], w.in[0], w.in[1]};

    SmallVector<SmallVector<int64_t>> perDim;
    for (int d = 0; d < 2; ++d)
      perDim.push_back(divisors(w.in[d], w.out[d], w.kernel[d], w.strides[d], w.padLow[d],
                                w.padHigh[d], op.getCountIncludePad()));
    SmallVector<float> table;
    for (int64_t a : perDim[0])
      for (int64_t b : perDim[1])
        table.push_back(float(a * b));
    auto tableType = RankedTensorType::get({w.out[0], w.out[1]}, rewriter.getF32Type());
    Value divisor = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(tableType, ArrayRef<float>(table)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap spatialMap =
        AffineMap::get(4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx);
    // PyTorch divides each output gradient once, then adds it to its window.
    Value share = generic(rewriter, loc, ValueRange{gradOutput, divisor},
                          {rewriter.getMultiDimIdentityMap(4), spatialMap}, out,
                          [](OpBuilder &b, Location l, ValueRange args) -> Value {
                            return b.create<arith::DivFOp>(l, args[0], args[1]);
                          });
    Value result = gatherWindows(
        rewriter, loc, w, in,
        [&](Scalar &s, Value n, Value c, Value oh, Value ow, Value, Value) -> Value {
          return s.b.create<tensor::ExtractOp>(s.loc, share, ValueRange{n, c, oh, ow});
        });
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shapeOf(op.getResult())));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Activation and normalization gradients
//===----------------------------------------------------------------------===//

/// dy * f'(x) as PyTorch computes it: relu x <= 0 ? 0 : dy; leaky_relu
/// x > 0 ? dy : dy*alpha; elu x <= 0 ? dy*alpha*exp(x) : dy; and from the
/// forward result y: sigmoid dy*(1-y)*y; tanh dy*(1-y*y).
struct LowerActivationGrad : OpRewritePattern<nn::ActivationGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ActivationGradOp op, PatternRewriter &rewriter) const override {
    StringRef kind = op.getKind();
    double alpha = op.getAlpha().convertToDouble();
    Value result = elementwise(
        rewriter, op.getLoc(), ValueRange{op.getValue(), op.getGradOutput()},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Scalar s{b, l};
          Value v = args[0], dy = args[1];
          if (kind == "relu")
            return s.select(s.cmp(arith::CmpFPredicate::OLE, v, s.f32(0.0)), s.f32(0.0), dy);
          if (kind == "leaky_relu")
            return s.select(s.cmp(arith::CmpFPredicate::OGT, v, s.f32(0.0)), dy,
                            s.mul(dy, s.f32(alpha)));
          if (kind == "elu")
            return s.select(s.cmp(arith::CmpFPredicate::OLE, v, s.f32(0.0)),
                            s.mul(s.mul(dy, s.f32(alpha)), b.create<math::ExpOp>(l, v)), dy);
          if (kind == "sigmoid")
            return s.mul(s.mul(dy, s.sub(s.f32(1.0), v)), v);
          return s.mul(dy, s.sub(s.f32(1.0), s.mul(v, v)));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// From y = softmax(x): dx = y * (dy - sum_axis(dy * y)); from y =
/// log_softmax(x): dx = dy - exp(y) * sum_axis(dy).
struct LowerSoftmaxGrad : OpRewritePattern<nn::SoftmaxGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SoftmaxGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getResultValue());
    unsigned rank = shape.size();
    auto axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    bool log = op.getLog();
    SmallVector<int64_t> reducedShape(shape);
    reducedShape.erase(reducedShape.begin() + axis);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = dropDimsMap(rewriter.getContext(), rank, {axis});
    Value total =
        structured(rewriter, loc, ValueRange{op.getResultValue(), op.getGradOutput()},
                   {identity, identity}, filled(rewriter, loc, reducedShape, 0.0), reduced,
                   iteratorsFor(rank, {axis}),
                   [log](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
                     Scalar s{b, l};
                     return {s.add(args[2], log ? args[1] : s.mul(args[1], args[0]))};
                   })
            .front();
    Value result =
        generic(rewriter, loc, ValueRange{op.getResultValue(), op.getGradOutput(), total},
                {identity, identity, reduced}, shape,
                [log](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Scalar s{b, l};
                  if (log)
                    return s.sub(args[1], s.mul(b.create<math::ExpOp>(l, args[0]), args[2]));
                  return s.mul(args[0], s.sub(args[1], args[2]));
                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// dx[n, c*pieces + p, ..] = p is the first maximum of x[n, c*pieces + 0..
/// pieces-1, ..] (NaN wins, as torch.max) ? dy[n, c, ..] : 0.
struct LowerMaxoutGrad : OpRewritePattern<nn::MaxoutGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxoutGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> in = shapeOf(op.getInput());
    auto pieces = static_cast<int64_t>(op.getPieces());
    SmallVector<int64_t> split{in[0], in[1] / pieces, pieces};
    split.append(in.begin() + 2, in.end());
    unsigned rank = split.size();
    Value grouped = reshape(rewriter, loc, op.getInput(), split);
    ArrayRef<int64_t> out = shapeOf(op.getGradOutput());
    AffineMap reduced = dropDimsMap(rewriter.getContext(), rank, {2});
    Value argmax = structured(
        rewriter, loc, grouped, rewriter.getMultiDimIdentityMap(rank),
        ValueRange{filled(rewriter, loc, out, -std::numeric_limits<float>::infinity()),
                   filledI32(rewriter, loc, out, -1)},
        {reduced, reduced}, iteratorsFor(rank, {2}),
        [](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Scalar s{b, l};
          Value value = args[0], best = args[1], bestIndex = args[2];
          Value first = s.cmpi(arith::CmpIPredicate::eq, bestIndex,
                               b.create<arith::ConstantOp>(l, b.getI32IntegerAttr(-1)));
          Value isNaN = s.cmp(arith::CmpFPredicate::UNO, value, value);
          Value bestIsNaN = s.cmp(arith::CmpFPredicate::UNO, best, best);
          Value better = s.either(
              first,
              s.either(s.cmp(arith::CmpFPredicate::OGT, value, best),
                       s.both(isNaN, b.create<arith::XOrIOp>(
                                         l, bestIsNaN, b.create<arith::ConstantIntOp>(l, 1, 1)))));
          return {s.select(better, value, best), s.select(better, s.toI32(s.loop(2)), bestIndex)};
        })[1];
    Value result =
        generic(rewriter, loc, ValueRange{argmax, op.getGradOutput()}, {reduced, reduced}, split,
                [](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Scalar s{b, l};
                  Value hit = s.cmpi(arith::CmpIPredicate::eq, args[0], s.toI32(s.loop(2)));
                  return s.select(hit, args[1], s.f32(0.0));
                });
    rewriter.replaceOp(op, reshape(rewriter, loc, result, in));
    return success();
  }
};

/// Per channel c, with rstd = 1/sqrt(var + eps) and sums over all dims but
/// 1: dx = dy * scale * rstd; dscale = sum(dy * (x - mean)) * rstd;
/// dshift = sum(dy); dmean = -scale * rstd * sum(dy);
/// dvar = -0.5 * scale * rstd^3 * sum(dy * (x - mean)).
struct LowerBatchNormGrad : OpRewritePattern<nn::BatchNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getInput());
    unsigned rank = shape.size();
    PerChannelLoops loops = perChannelLoops(rewriter.getContext(), rank);
    SmallVector<int64_t> perChannel{shape[1]};
    SmallVector<Value> sums = structured(
        rewriter, loc, ValueRange{op.getInput(), op.getMean(), op.getGradOutput()},
        {loops.tensor, loops.channel, loops.tensor},
        ValueRange{filled(rewriter, loc, perChannel, 0.0), filled(rewriter, loc, perChannel, 0.0)},
        {loops.channel, loops.channel}, loops.iterators,
        [](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Scalar s{b, l};
          Value dy = args[2];
          return {s.add(args[3], dy), s.add(args[4], s.mul(dy, s.sub(args[0], args[1])))};
        });
    Value eps = constantF32(rewriter, loc, op.getEpsilon().convertToDouble());
    AffineMap vector = rewriter.getMultiDimIdentityMap(1);
    auto empty = [&]() -> Value {
      return rewriter.create<tensor::EmptyOp>(loc, perChannel, rewriter.getF32Type());
    };
    // (scale * rstd, dscale, dmean, dvar) per channel.
    SmallVector<Value> channels = structured(
        rewriter, loc, ValueRange{op.getScale(), op.getVariance(), sums[0], sums[1]},
        {vector, vector, vector, vector}, ValueRange{empty(), empty(), empty(), empty()},
        {vector, vector, vector, vector}, iteratorsFor(1, {}),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Scalar s{b, l};
          Value scale = args[0], sumDy = args[2], sumDyCentered = args[3];
          Value rstd = b.create<math::RsqrtOp>(l, s.add(args[1], eps));
          Value gain = s.mul(scale, rstd);
          return {gain, s.mul(sumDyCentered, rstd), b.create<arith::NegFOp>(l, s.mul(gain, sumDy)),
                  s.mul(s.mul(s.mul(gain, s.f32(-0.5)), s.mul(rstd, rstd)), sumDyCentered)};
        });
    Value gradInput =
        generic(rewriter, loc, ValueRange{op.getGradOutput(), channels[0]},
                {rewriter.getMultiDimIdentityMap(rank), dimMap(rewriter.getContext(), rank, 1)},
                shape, [](OpBuilder &b, Location l, ValueRange args) -> Value {
                  return b.create<arith::MulFOp>(l, args[0], args[1]);
                });
    rewriter.replaceOp(op, {gradInput, channels[1], sums[0], channels[2], channels[3]});
    return success();
  }
};

/// dx = dmean / M + (2 / M) * dvar * (x - mean) per channel (dim 1), M =
/// numel / C.
struct LowerBatchStatsGrad : OpRewritePattern<nn::BatchStatsGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchStatsGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getInput());
    unsigned rank = shape.size();
    double count = double(numElements(shape) / shape[1]);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = dimMap(rewriter.getContext(), rank, 1);
    Value result =
        generic(rewriter, loc,
                ValueRange{op.getInput(), op.getMean(), op.getGradMean(), op.getGradVariance()},
                {identity, channel, channel, channel}, shape,
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Scalar s{b, l};
                  Value fromMean = s.div(args[2], s.f32(count));
                  Value fromVariance =
                      s.mul(s.mul(s.f32(2.0 / count), args[3]), s.sub(args[0], args[1]));
                  return s.add(fromMean, fromVariance);
                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void nnc::lowering::populateGradientLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerTranspose, LowerReduceSum, LowerBroadcast, LowerSlice, LowerScale,
               LowerBatchStats, LowerDropoutMask, LowerConvWeightGrad, LowerMaxPoolGrad,
               LowerAvgPoolGrad, LowerActivationGrad, LowerSoftmaxGrad, LowerMaxoutGrad,
               LowerBatchNormGrad, LowerBatchStatsGrad>(patterns.getContext());
}
