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

/// Fuse the producer of `operand` into its consumer only when that removes
/// a tensor without recomputing anything: the producer has no other use, and
/// the consumer reads each of its elements exactly once (a permutation map;
/// a broadcast read, e.g. a per-channel factor, would recompute the producer
/// per element). Consumers tagged for a kernel (`nnc.*` attributes, e.g.
/// ConvWeightGradForm.h) keep the form their kernel recognizes.
bool isProfitable(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!producer || !consumer || !producer->hasOneUse())
    return false;
  if (llvm::any_of(consumer->getDiscardableAttrs(), [](NamedAttribute attr) {
        return attr.getName().strref().starts_with("nnc.");
      }))
    return false;
  return consumer.getMatchingIndexingMap(operand).isPermutation();
}

struct FuseElementwisePass : nnc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, isProfitable);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
