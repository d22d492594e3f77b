//===- LowerNNToLinalgPool.cpp - pooling and resampling to linalg ---------===//
//
// max_pool: pad with -inf (also the extra high padding ceil mode needs), then
// linalg.pooling_nchw_max. avg_pool: zero padding, linalg.pooling_nchw_sum,
// then a division by PyTorch's per-position divisor, a compile-time constant
// (count_include_pad counts padding but never the ceil-mode overhang).
// global_avg_pool reduces the spatial dims; upsample_nearest reads
// input[h floordiv s]. 1-D ops run as 2-D ops of height 1.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {

/// Widens the high padding so the last window fits: ceil mode lets the last
/// window run past the input and its padding.
void widenForLastWindow(PoolWindow &w) {
  for (int d = 0; d < 2; ++d) {
    int64_t needed = (w.out[d] - 1) * w.strides[d] + w.dilations[d] * (w.kernel[d] - 1) + 1;
    int64_t have = w.in[d] + w.padLow[d] + w.padHigh[d];
    w.padHigh[d] += std::max<int64_t>(0, needed - have);
  }
}

/// Runs the named pooling op `PoolOp` over a padded input into `init`.
template <typename PoolOp>
Value pool2D(OpBuilder &b, Location loc, Value padded, const PoolWindow &w, Value init) {
  Value window = b.create<tensor::EmptyOp>(loc, w.kernel, b.getF32Type());
  return b
      .create<PoolOp>(loc, TypeRange{init.getType()}, ValueRange{padded, window},
                      ValueRange{init}, b.getI64TensorAttr(w.strides),
                      b.getI64TensorAttr(w.dilations))
      .getResult(0);
}

SmallVector<int64_t> outShape2D(ArrayRef<int64_t> in, const PoolWindow &w) {
  return {in[0], in[1], w.out[0], w.out[1]};
}

struct LowerMaxPool : OpRewritePattern<nn::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxPoolOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (op.getKernel().size() > 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling lowers");
    PoolWindow w = poolWindow(shapeOf(op.getInput()), shapeOf(op.getResult()),
                              op.getKernel(), op.getStrides(), op.getPadding(), op.getDilations());
    widenForLastWindow(w);
    double lowest = -std::numeric_limits<float>::infinity();
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value padded = padSpatial(rewriter, loc, input, w.padLow, w.padHigh, lowest);
    Value init = filled(rewriter, loc, outShape2D(shapeOf(input), w), lowest);
    Value result = pool2D<linalg::PoolingNchwMaxOp>(rewriter, loc, padded, w, init);
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shapeOf(op.getResult())));
    return success();
  }
};

struct LowerAvgPool : OpRewritePattern<nn::AvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AvgPoolOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    size_t rank = op.getKernel().size();
    if (rank > 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling lowers");
    SmallVector<int64_t> ones(rank, 1);
    PoolWindow w = poolWindow(shapeOf(op.getInput()), shapeOf(op.getResult()),
                              op.getKernel(), op.getStrides(), op.getPadding(), ones);
    // The user's padding, before the ceil-mode widening, defines the divisor.
    PoolWindow user = w;
    widenForLastWindow(w);
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value padded = padSpatial(rewriter, loc, input, w.padLow, w.padHigh, 0.0);
    SmallVector<int64_t> out = outShape2D(shapeOf(input), w);
    Value sum = pool2D<linalg::PoolingNchwSumOp>(rewriter, loc, padded, w,
                                                 filled(rewriter, loc, out, 0.0));
    SmallVector<int64_t> rows = avgPoolDivisors(user, 0, op.getCountIncludePad());
    SmallVector<int64_t> cols = avgPoolDivisors(user, 1, op.getCountIncludePad());
    SmallVector<float> reciprocal;
    for (int64_t a : rows)
      for (int64_t b : cols)
        reciprocal.push_back(float(1.0 / double(a * b)));
    auto scaleType = RankedTensorType::get({w.out[0], w.out[1]}, rewriter.getF32Type());
    Value scale = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(scaleType, ArrayRef<float>(reciprocal)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    AffineMap spatial = AffineMap::get(4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx);
    Value mean = generic(rewriter, loc, ValueRange{sum, scale}, {identity, spatial}, out,
                         [](OpBuilder &b, Location l, ValueRange args) -> Value {
                           return b.create<arith::MulFOp>(l, args[0], args[1]);
                         });
    rewriter.replaceOp(op, reshape(rewriter, loc, mean, shapeOf(op.getResult())));
    return success();
  }
};

struct LowerGlobalAvgPool : OpRewritePattern<nn::GlobalAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GlobalAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> in = shapeOf(op.getInput());
    SmallVector<int64_t> spatialDims = llvm::to_vector(llvm::seq<int64_t>(2, in.size()));
    int64_t count = 1;
    for (int64_t d : spatialDims)
      count *= in[d];
    Value sum = reduce(rewriter, loc, op.getInput(), spatialDims, 0.0,
                       [](OpBuilder &b, Location l, ValueRange args) -> Value {
                         return b.create<arith::AddFOp>(l, args[0], args[1]);
                       });
    Value scale = constantF32(rewriter, loc, 1.0 / double(count));
    Value mean = elementwise(rewriter, loc, sum, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
      return b.create<arith::MulFOp>(l, args[0], scale);
    });
    rewriter.replaceOp(op, reshape(rewriter, loc, mean, shapeOf(op.getResult())));
    return success();
  }
};

struct LowerUpsampleNearest : OpRewritePattern<nn::UpsampleNearestOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::UpsampleNearestOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> out = shapeOf(op.getResult());
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> source{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
    for (auto [d, scale] : llvm::enumerate(op.getScales()))
      source.push_back(getAffineDimExpr(2 + d, ctx).floorDiv(scale));
    AffineMap map = AffineMap::get(out.size(), 0, source, ctx);
    rewriter.replaceOp(op, generic(rewriter, op.getLoc(), op.getInput(), map, out,
                                   [](OpBuilder &, Location, ValueRange args) {
                                     return args[0];
                                   }));
    return success();
  }
};

} // namespace

PoolWindow nnc::lowering::poolWindow(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape,
                                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations) {
  size_t rank = kernel.size();
  return {to2D(kernel, 1),
          to2D(strides, 1),
          to2D(dilations, 1),
          to2D(padding.take_front(rank), 0),
          to2D(padding.take_back(rank), 0),
          to2D(inShape.drop_front(2), 1),
          to2D(outShape.drop_front(2), 1)};
}

SmallVector<int64_t> nnc::lowering::avgPoolDivisors(const PoolWindow &w, int dim,
                                                    bool countIncludePad) {
  SmallVector<int64_t> result;
  for (int64_t o = 0; o < w.out[dim]; ++o) {
    int64_t start = o * w.strides[dim] - w.padLow[dim];
    int64_t end = std::min(start + w.kernel[dim], w.in[dim] + w.padHigh[dim]);
    int64_t withPad = end - start;
    start = std::max<int64_t>(start, 0);
    end = std::min(end, w.in[dim]);
    result.push_back(countIncludePad ? withPad : end - start);
  }
  return result;
}

void nnc::lowering::populatePoolLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMaxPool, LowerAvgPool, LowerGlobalAvgPool, LowerUpsampleNearest>(
      patterns.getContext());
}
