//===- LowerNNToLinalgElementwise.cpp - activations and arithmetic --------===//
//
// Elementwise nn ops become linalg.generic ops with scalar arith/math bodies;
// softmax and log_softmax subtract the row max before exponentiating; maxout
// is a max reduction over a reshaped channel dim.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {

/// Lowers a unary op through `body(builder, loc, x, op)`.
template <typename OpTy>
struct LowerUnary : OpRewritePattern<OpTy> {
  using Body = Value (*)(OpBuilder &, Location, Value, OpTy);
  LowerUnary(MLIRContext *context, Body body) : OpRewritePattern<OpTy>(context), body(body) {}
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(), op.getInput(),
                                       [&](OpBuilder &b, Location l, ValueRange args) {
                                         return body(b, l, args[0], op);
                                       }));
    return success();
  }
  Body body;
};

/// Lowers a binary op to the arith op `ArithOp`.
template <typename OpTy, typename ArithOp>
struct LowerBinary : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(),
                                       ValueRange{op.getLhs(), op.getRhs()},
                                       [](OpBuilder &b, Location l, ValueRange args) -> Value {
                                         return b.create<ArithOp>(l, args[0], args[1]);
                                       }));
    return success();
  }
};

Value greaterThanZero(OpBuilder &b, Location l, Value x) {
  return b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, x, constantF32(b, l, 0.0));
}

Value relu(OpBuilder &b, Location l, Value x, nn::ReluOp) {
  return b.create<arith::MaximumFOp>(l, x, constantF32(b, l, 0.0));
}
Value leakyRelu(OpBuilder &b, Location l, Value x, nn::LeakyReluOp op) {
  Value scaled = b.create<arith::MulFOp>(l, x, constantF32(b, l, op.getAlpha().convertToDouble()));
  return b.create<arith::SelectOp>(l, greaterThanZero(b, l, x), x, scaled);
}
Value elu(OpBuilder &b, Location l, Value x, nn::EluOp op) {
  Value expm1 = b.create<arith::SubFOp>(l, b.create<math::ExpOp>(l, x), constantF32(b, l, 1.0));
  Value scaled = b.create<arith::MulFOp>(l, expm1, constantF32(b, l, op.getAlpha().convertToDouble()));
  return b.create<arith::SelectOp>(l, greaterThanZero(b, l, x), x, scaled);
}
Value sigmoid(OpBuilder &b, Location l, Value x, nn::SigmoidOp) {
  Value one = constantF32(b, l, 1.0);
  Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, x));
  return b.create<arith::DivFOp>(l, one, b.create<arith::AddFOp>(l, one, e));
}
Value tanhBody(OpBuilder &b, Location l, Value x, nn::TanhOp) {
  return b.create<math::TanhOp>(l, x);
}

/// softmax (log = false) or log_softmax (log = true) along `axis`.
Value softmax(OpBuilder &b, Location loc, Value x, int64_t axis, bool log) {
  ArrayRef<int64_t> shape = shapeOf(x);
  unsigned rank = shape.size();
  if (axis < 0)
    axis += rank;
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap reduced = dropDimsMap(b.getContext(), rank, {axis});
  Value max = reduce(b, loc, x, {axis}, -std::numeric_limits<float>::infinity(),
                     [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       return nb.create<arith::MaximumFOp>(l, args[0], args[1]);
                     });
  Value shifted = generic(b, loc, ValueRange{x, max}, {identity, reduced}, shape,
                          [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                            return nb.create<arith::SubFOp>(l, args[0], args[1]);
                          });
  Value sum = reduce(b, loc, shifted, {axis}, 0.0,
                     [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       Value e = nb.create<math::ExpOp>(l, args[0]);
                       return nb.create<arith::AddFOp>(l, e, args[1]);
                     });
  return generic(b, loc, ValueRange{shifted, sum}, {identity, reduced}, shape,
                 [log](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   if (log)
                     return nb.create<arith::SubFOp>(l, args[0],
                                                     nb.create<math::LogOp>(l, args[1]));
                   Value e = nb.create<math::ExpOp>(l, args[0]);
                   return nb.create<arith::DivFOp>(l, e, args[1]);
                 });
}

struct LowerSoftmax : OpRewritePattern<nn::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SoftmaxOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, softmax(rewriter, op.getLoc(), op.getInput(), op.getAxis(), false));
    return success();
  }
};

struct LowerLogSoftmax : OpRewritePattern<nn::LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LogSoftmaxOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, softmax(rewriter, op.getLoc(), op.getInput(), op.getAxis(), true));
    return success();
  }
};

struct LowerMaxout : OpRewritePattern<nn::MaxoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxoutOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> in = shapeOf(op.getInput());
    int64_t pieces = op.getPieces();
    SmallVector<int64_t> split{in[0], in[1] / pieces, pieces};
    split.append(in.begin() + 2, in.end());
    Value grouped = reshape(rewriter, loc, op.getInput(), split);
    rewriter.replaceOp(op, reduce(rewriter, loc, grouped, {2},
                                  -std::numeric_limits<float>::infinity(),
                                  [](OpBuilder &b, Location l, ValueRange args) -> Value {
                                    return b.create<arith::MaximumFOp>(l, args[0], args[1]);
                                  }));
    return success();
  }
};

} // namespace

void nnc::lowering::populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerUnary<nn::ReluOp>>(ctx, relu);
  patterns.add<LowerUnary<nn::LeakyReluOp>>(ctx, leakyRelu);
  patterns.add<LowerUnary<nn::EluOp>>(ctx, elu);
  patterns.add<LowerUnary<nn::SigmoidOp>>(ctx, sigmoid);
  patterns.add<LowerUnary<nn::TanhOp>>(ctx, tanhBody);
  patterns.add<LowerBinary<nn::AddOp, arith::AddFOp>, LowerBinary<nn::SubOp, arith::SubFOp>,
               LowerBinary<nn::MulOp, arith::MulFOp>, LowerSoftmax, LowerLogSoftmax,
               LowerMaxout>(ctx);
}
