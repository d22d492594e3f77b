//===- FuseElementwise.cpp - fuse elementwise producers into consumers ----===//
//
// Implements nnc-fuse-elementwise (see Passes.td) with MLIR's elementwise
// fusion patterns and nnc's profitability rule.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// True when `op` carries an `nnc.*` attribute: the form of a kernel (e.g.
/// ConvWeightGradForm.h) that fusion must keep.
bool isTaggedForKernel(Operation *op) {
  return llvm::any_of(op->getDiscardableAttrs(), [](NamedAttribute attr) {
    return attr.getName().strref().starts_with("nnc.");
  });
}

/// Fuse the producer of `operand` into its consumer only when that removes
/// a tensor without recomputing anything: the producer has no other use, and
/// the consumer reads each of its elements exactly once (a permutation map;
/// a broadcast read, e.g. a per-channel factor, would recompute the producer
/// per element). Ops tagged for a kernel, on either side, keep their form.
bool isProfitable(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!producer || !consumer || !producer->hasOneUse())
    return false;
  if (isTaggedForKernel(producer) || isTaggedForKernel(consumer))
    return false;
  return consumer.getMatchingIndexingMap(operand).isPermutation();
}

struct FuseElementwisePass : nnc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The fused op takes the consumer's location: make that name the
    // producer's layer too (linalg fuses whenever this returns true).
    auto fuseAndMergeLocations = [](OpOperand *operand) {
      if (!isProfitable(operand))
        return false;
      Operation *consumer = operand->getOwner();
      consumer->setLoc(FusedLoc::get(consumer->getContext(),
                                     {operand->get().getLoc(), consumer->getLoc()}));
      return true;
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, fuseAndMergeLocations);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
