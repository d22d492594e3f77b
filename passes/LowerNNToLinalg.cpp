//===- LowerNNToLinalg.cpp - the nn to linalg lowering pass ---------------===//
//
// Implements nnc-lower-nn-to-linalg (see Passes.td) by applying the pattern
// families of LowerNNToLinalg<Family>.cpp, then reporting any nn compute op
// that no pattern lowered.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "passes/LowerNNToLinalg.h"
#include "passes/LoopOrder.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseSet.h"

namespace nnc {
#define GEN_PASS_DEF_LOWERNNTOLINALG
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

void nnc::putOutputWidthInnermost(RewriterBase &rewriter, linalg::LinalgOp op) {
  // The iteration space is parallel dims (..., oh, ow) then the window.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto firstReduction = llvm::find(iterators, utils::IteratorType::reduction);
  if (firstReduction == iterators.begin())
    return;
  unsigned width = std::distance(iterators.begin(), firstReduction) - 1;
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < iterators.size(); ++d)
    if (d != width)
      order.push_back(d);
  order.push_back(width);
  if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
    (void)linalg::interchangeGenericOp(rewriter, generic, order);
    return;
  }
  FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, op);
  if (succeeded(generic))
    (void)linalg::interchangeGenericOp(rewriter, *generic, order);
}

namespace {

/// Reorders the loops of every window op for the vectorizer (LoopOrder.h),
/// except the convolutions and max pools that nnc-conv-microkernel and
/// nnc-pool-microkernel replace after bufferization.
static void orderWindowLoops(func::FuncOp func) {
  SmallVector<linalg::LinalgOp> windowOps;
  func.walk([&](linalg::LinalgOp op) {
    if (isa<linalg::ConvolutionOpInterface>(op.getOperation()) &&
        !isa<linalg::Conv2DNchwFchwOp, linalg::PoolingNchwMaxOp>(op.getOperation()))
      windowOps.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::LinalgOp op : windowOps) {
    rewriter.setInsertionPoint(op);
    nnc::putOutputWidthInnermost(rewriter, op);
  }
}

/// Copies each result that is a function argument or repeats another result,
/// so every output gets its own buffer: the ABI writes each output buffer,
/// and buffer-results-to-out-params expects distinct allocations.
static void giveResultsTheirOwnValues(func::FuncOp func) {
  func.walk([](func::ReturnOp ret) {
    OpBuilder builder(ret);
    DenseSet<Value> seen;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value value = operand.get();
      if (!isa<BlockArgument>(value) && seen.insert(value).second)
        continue;
      // An explicit copy into a new tensor, which canonicalization keeps.
      auto type = cast<RankedTensorType>(value.getType());
      operand.set(builder.create<bufferization::AllocTensorOp>(
          ret.getLoc(), type, ValueRange{}, /*copy=*/value));
    }
  });
}

struct LowerNNToLinalgPass : nnc::impl::LowerNNToLinalgBase<LowerNNToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    RewritePatternSet patterns(&getContext());
    nnc::lowering::populateLinearLoweringPatterns(patterns);
    nnc::lowering::populateConvLoweringPatterns(patterns);
    nnc::lowering::populatePoolLoweringPatterns(patterns);
    nnc::lowering::populateNormLoweringPatterns(patterns);
    nnc::lowering::populateElementwiseLoweringPatterns(patterns);
    nnc::lowering::populateShapeLoweringPatterns(patterns);
    nnc::lowering::populateGradientLoweringPatterns(patterns);
    nnc::lowering::populatePoolGradientLoweringPatterns(patterns);
    nnc::lowering::populateLossLoweringPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (auto func : module.getOps<func::FuncOp>()) {
      (void)applyPatternsAndFoldGreedily(func, frozen);
      orderWindowLoops(func);
      giveResultsTheirOwnValues(func);
    }

    bool failed = false;
    module.walk([&](Operation *op) {
      if (op->getDialect() != getContext().getLoadedDialect<nnc::nn::NNDialect>() ||
          isa<nnc::nn::ParamOp, nnc::nn::OptimizerOp, nnc::nn::ParamLoadOp,
              nnc::nn::ParamStoreOp>(op))
        return;
      op->emitError() << "'" << op->getName()
                      << "' cannot be compiled to code yet in this context";
      failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
