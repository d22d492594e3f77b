//===- FoldBatchNorm.cpp - batch norm folded into conv/dense parameters ---===//
//
// Implements nnc-fold-batch-norm (see Passes.td).
//
// With s = scale / sqrt(running_var + eps), batch norm of a layer's output
// is the layer with weights scaled per output channel and a new bias:
//   W' = W * s (along the output channel dim)
//   b' = (b - running_mean) * s + shift      (b = 0 without a bias)
// Both are batch norms of per-channel vectors, so the pass writes them as
// nn.batch_norm on [1, C] operands: s = batch_norm(1; scale, 0, 0, var) and
// b' = batch_norm(b; scale, shift, mean, var). The parameters arrive at run
// time, so the fold is computed by the entry point, once per call, from the
// parameter buffer: C * (C_in * kernel) multiplies, against the layer's
// N * spatial * C * (C_in * kernel) multiply-adds. It is done only when that
// is at most 1/kMinWeightReuse of the layer's work.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "ir/ShapeRules.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
namespace nn = nnc::nn;

namespace {

/// The fewest output elements per channel (uses of each weight) for which
/// scaling the weights costs at most 1/16 of the layer.
constexpr int64_t kMinWeightReuse = 16;

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

struct FoldIntoProducer : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    if (norm.getTraining())
      return rewriter.notifyMatchFailure(norm, "training mode normalizes with batch statistics");
    Operation *producer = norm.getInput().getDefiningOp();
    if (!producer || !isa<nn::ConvOp, nn::DenseOp>(producer))
      return rewriter.notifyMatchFailure(norm, "input is not a conv or dense layer");
    if (!producer->hasOneUse())
      return rewriter.notifyMatchFailure(norm, "the unnormalized output is used elsewhere");
    ArrayRef<int64_t> shape = shapeOf(norm.getResult());
    int64_t channels = shape[1];
    if (nnc::nn::numElements(shape) / channels < kMinWeightReuse)
      return rewriter.notifyMatchFailure(norm, "too few uses of each weight to pay for scaling");

    Location loc = norm.getLoc();
    auto vectorType = RankedTensorType::get({1, channels}, rewriter.getF32Type());
    auto channelType = RankedTensorType::get({channels}, rewriter.getF32Type());
    auto splat = [&](RankedTensorType type, float value) -> Value {
      return rewriter.create<nn::ConstantOp>(
          loc, DenseElementsAttr::get(type, rewriter.getF32FloatAttr(value)));
    };
    auto normalize = [&](Value vector, Value shift, Value mean) -> Value {
      Value normalized = rewriter.create<nn::BatchNormOp>(
          loc, vectorType, vector, norm.getScale(), shift, mean, norm.getRunningVar(),
          norm.getEpsilonAttr(), norm.getMomentumAttr(), rewriter.getBoolAttr(false));
      return rewriter.create<nn::ReshapeOp>(loc, channelType, normalized);
    };

    Value zeros = splat(channelType, 0.0f);
    Value factor = normalize(splat(vectorType, 1.0f), zeros, zeros);
    Value weight = producer->getOperand(1);
    auto weightType = cast<RankedTensorType>(weight.getType());
    Value spread = rewriter.create<nn::BroadcastOp>(loc, weightType, factor,
                                                    rewriter.getDenseI64ArrayAttr({0}));
    Value scaledWeight = rewriter.create<nn::MulOp>(loc, weightType, weight, spread);
    Value bias = producer->getNumOperands() > 2
                     ? rewriter.create<nn::ReshapeOp>(loc, vectorType, producer->getOperand(2))
                     : splat(vectorType, 0.0f);
    Value foldedBias = normalize(bias, norm.getShift(), norm.getRunningMean());

    // The folded layer keeps the layer's location (its name and source line).
    Value input = producer->getOperand(0);
    Type type = norm.getType();
    Value folded;
    if (auto conv = dyn_cast<nn::ConvOp>(producer))
      folded = rewriter.create<nn::ConvOp>(producer->getLoc(), type, input, scaledWeight,
                                           foldedBias, conv.getStridesAttr(),
                                           conv.getPaddingAttr(), conv.getDilationsAttr(),
                                           conv.getGroupsAttr());
    else
      folded = rewriter.create<nn::DenseOp>(producer->getLoc(), type, input, scaledWeight,
                                            foldedBias);
    rewriter.replaceOp(norm, folded);
    rewriter.eraseOp(producer);
    return success();
  }
};

struct FoldBatchNormPass : nnc::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoProducer>(&getContext());
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
