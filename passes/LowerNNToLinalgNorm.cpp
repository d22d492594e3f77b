//===- LowerNNToLinalgNorm.cpp - normalizations to linalg -----------------===//
//
// batch_norm (inference) is one elementwise op with per-channel operands.
// layer/group/instance norm view the input as rows [R, K], normalize each row
// with its biased mean and variance (two passes, for stability), then apply
// the optional affine transform. dropout outside training is the identity.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

static Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<arith::AddFOp>(loc, x, y);
}

/// Normalizes every row of `rows` ([R, K]) to zero mean and unit variance.
static Value normalizeRows(OpBuilder &b, Location loc, Value rows, double epsilon) {
  ArrayRef<int64_t> shape = shapeOf(rows);
  MLIRContext *ctx = b.getContext();
  AffineMap identity = b.getMultiDimIdentityMap(2);
  AffineMap perRow = dimMap(ctx, 2, 0);
  Value inverseCount = constantF32(b, loc, 1.0 / double(shape[1]));
  auto sum = [](OpBuilder &nb, Location l, ValueRange args) { return add(nb, l, args[0], args[1]); };
  Value mean = elementwise(b, loc, reduce(b, loc, rows, {1}, 0.0, sum),
                           [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                             return nb.create<arith::MulFOp>(l, args[0], inverseCount);
                           });
  Value centered = generic(b, loc, ValueRange{rows, mean}, {identity, perRow}, shape,
                           [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                             return nb.create<arith::SubFOp>(l, args[0], args[1]);
                           });
  Value squares = reduce(b, loc, centered, {1}, 0.0,
                         [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                           Value square = nb.create<arith::MulFOp>(l, args[0], args[0]);
                           return add(nb, l, square, args[1]);
                         });
  Value eps = constantF32(b, loc, epsilon);
  Value inverseStd = elementwise(b, loc, squares, [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
    Value variance = nb.create<arith::MulFOp>(l, args[0], inverseCount);
    return nb.create<math::RsqrtOp>(l, add(nb, l, variance, eps));
  });
  return generic(b, loc, ValueRange{centered, inverseStd}, {identity, perRow}, shape,
                 [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   return nb.create<arith::MulFOp>(l, args[0], args[1]);
                 });
}

/// y = x * scale + shift with scale/shift read through `map` (either may be
/// null: then it is 1 or 0).
static Value affine(OpBuilder &b, Location loc, Value x, Value scale, Value shift,
                    AffineMap map) {
  if (!scale && !shift)
    return x;
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(shapeOf(x).size())};
  for (Value v : {scale, shift})
    if (v) {
      inputs.push_back(v);
      maps.push_back(map);
    }
  bool hasScale = bool(scale);
  return generic(b, loc, inputs, maps, shapeOf(x),
                 [hasScale](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   Value y = args[0];
                   size_t next = 1;
                   if (hasScale)
                     y = nb.create<arith::MulFOp>(l, y, args[next++]);
                   if (next < args.size())
                     y = add(nb, l, y, args[next]);
                   return y;
                 });
}

/// Normalizes [N, C, S..] over groups of C/groups channels and the spatial
/// dims, then applies the per-channel affine transform.
static Value groupNormalize(OpBuilder &b, Location loc, Value input, int64_t groups,
                            double epsilon, Value scale, Value shift) {
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rows = shape[0] * groups;
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  Value normalized =
      normalizeRows(b, loc, reshape(b, loc, input, {rows, total / rows}), epsilon);
  return affine(b, loc, reshape(b, loc, normalized, shape), scale, shift,
                dimMap(b.getContext(), shape.size(), 1));
}

namespace {

struct LowerBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp op, PatternRewriter &rewriter) const override {
    if (op.getTraining())
      return rewriter.notifyMatchFailure(op, "training-mode batch norm lowers with autodiff");
    Location loc = op.getLoc();
    unsigned rank = shapeOf(op.getInput()).size();
    AffineMap channel = dimMap(rewriter.getContext(), rank, 1);
    Value eps = constantF32(rewriter, loc, op.getEpsilon().convertToDouble());
    Value result = generic(
        rewriter, loc,
        ValueRange{op.getInput(), op.getScale(), op.getShift(), op.getRunningMean(),
                   op.getRunningVar()},
        {rewriter.getMultiDimIdentityMap(rank), channel, channel, channel, channel},
        shapeOf(op.getInput()), [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value inverseStd = b.create<math::RsqrtOp>(l, add(b, l, args[4], eps));
          Value centered = b.create<arith::SubFOp>(l, args[0], args[3]);
          Value scaled = b.create<arith::MulFOp>(l, centered,
                                                 b.create<arith::MulFOp>(l, inverseStd, args[1]));
          return add(b, l, scaled, args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerLayerNorm : OpRewritePattern<nn::LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LayerNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getInput());
    int64_t inner = 1, total = 1;
    for (int64_t d : shape.take_back(op.getNormalizedRank()))
      inner *= d;
    for (int64_t d : shape)
      total *= d;
    Value rows = normalizeRows(rewriter, loc, reshape(rewriter, loc, op.getInput(), {total / inner, inner}),
                               op.getEpsilon().convertToDouble());
    auto flat = [&](Value v) { return v ? reshape(rewriter, loc, v, {inner}) : Value(); };
    Value result = affine(rewriter, loc, rows, flat(op.getScale()), flat(op.getShift()),
                          dimMap(rewriter.getContext(), 2, 1));
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shape));
    return success();
  }
};

struct LowerGroupNorm : OpRewritePattern<nn::GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GroupNormOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, groupNormalize(rewriter, op.getLoc(), op.getInput(), op.getGroups(),
                                          op.getEpsilon().convertToDouble(), op.getScale(),
                                          op.getShift()));
    return success();
  }
};

struct LowerInstanceNorm : OpRewritePattern<nn::InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::InstanceNormOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, groupNormalize(rewriter, op.getLoc(), op.getInput(),
                                          shapeOf(op.getInput())[1],
                                          op.getEpsilon().convertToDouble(), op.getScale(),
                                          op.getShift()));
    return success();
  }
};

struct LowerDropout : OpRewritePattern<nn::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DropoutOp op, PatternRewriter &rewriter) const override {
    if (op.getTraining())
      return rewriter.notifyMatchFailure(op, "training-mode dropout lowers with autodiff");
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

} // namespace

void nnc::lowering::populateNormLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerBatchNorm, LowerLayerNorm, LowerGroupNorm, LowerInstanceNorm,
               LowerDropout>(patterns.getContext());
}
