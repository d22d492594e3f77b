//===- LowerNNToLinalgLinear.cpp - dense and matmul to linalg -------------===//
//
// dense -> linalg.matmul_transpose_b accumulating into the broadcast bias;
// matmul -> linalg.matmul / batch_matmul (extra batch dims collapsed).
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {

/// x [N, K] * weight [O, K]^T + bias [O].
struct LowerDense : OpRewritePattern<nn::DenseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DenseOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getResult());
    Value init = op.getBias() ? broadcastAlong(rewriter, loc, op.getBias(), shape, 1)
                              : filled(rewriter, loc, shape, 0.0);
    auto matmul = rewriter.create<linalg::MatmulTransposeBOp>(
        loc, TypeRange{init.getType()}, ValueRange{op.getInput(), op.getWeight()},
        ValueRange{init});
    rewriter.replaceOp(op, matmul.getResult(0));
    return success();
  }
};

/// [B.., M, K] x [B.., K, N]: rank 2 is a matmul, more is a batch matmul
/// over the collapsed batch dims.
struct LowerMatmul : OpRewritePattern<nn::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MatmulOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> lhs = shapeOf(op.getLhs()), rhs = shapeOf(op.getRhs()),
                      out = shapeOf(op.getResult());
    if (lhs.size() == 2) {
      Value init = filled(rewriter, loc, out, 0.0);
      rewriter.replaceOp(op, rewriter
                                 .create<linalg::MatmulOp>(
                                     loc, TypeRange{init.getType()},
                                     ValueRange{op.getLhs(), op.getRhs()}, ValueRange{init})
                                 .getResult(0));
      return success();
    }
    int64_t batch = 1;
    for (int64_t dim : lhs.drop_back(2))
      batch *= dim;
    size_t rank = lhs.size();
    Value a = reshape(rewriter, loc, op.getLhs(), {batch, lhs[rank - 2], lhs[rank - 1]});
    Value b = reshape(rewriter, loc, op.getRhs(), {batch, rhs[rank - 2], rhs[rank - 1]});
    Value init = filled(rewriter, loc, {batch, out[rank - 2], out[rank - 1]}, 0.0);
    Value product = rewriter
                        .create<linalg::BatchMatmulOp>(loc, TypeRange{init.getType()},
                                                       ValueRange{a, b}, ValueRange{init})
                        .getResult(0);
    rewriter.replaceOp(op, reshape(rewriter, loc, product, out));
    return success();
  }
};

} // namespace

void nnc::lowering::populateLinearLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerDense, LowerMatmul>(patterns.getContext());
}
