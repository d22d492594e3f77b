//===- LowerNNToLinalgGradient.cpp - training-step kernels to linalg ------===//
//
// The ops of NNTrainingOps.td that nnc-differentiate emits for the backward
// pass (losses and optimizer updates are in LowerNNToLinalgLoss.cpp, pooling
// gradients in LowerNNToLinalgPoolGrad.cpp): shape ops (transpose,
// reduce_sum, broadcast, slice, scale), the training-mode primitives
// batch_stats and dropout_mask, and the gradient kernels of convolution
// weights, activations, softmax, maxout and the norms. 1-D spatial ops run
// as 2-D ops of height 1.
//
//===----------------------------------------------------------------------===//

#include "passes/ConvWeightGradForm.h"
#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {

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
               LowerBatchStats, LowerDropoutMask, LowerConvWeightGrad, LowerActivationGrad,
               LowerSoftmaxGrad, LowerMaxoutGrad, LowerBatchNormGrad, LowerBatchStatsGrad>(patterns.getContext());
}
