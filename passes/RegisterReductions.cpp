//===- RegisterReductions.cpp - reductions summed in registers -----------===//
//
// Implements nnc-register-reductions (see Passes.td).
//
// linalg's loop lowering reads and writes a reduction's accumulator in
// memory on every iteration. LLVM cannot keep it in a register when the
// accumulator might alias the inputs (two views of one arena), so a
// per-channel sum ran one element per store-to-load round trip. Here the
// accumulators are loop-carried values instead:
//   scf.parallel (parallel dims) {
//     acc = load init[...]
//     acc = scf.for (reduction dims) iter_args(acc) { body }
//     store acc, init[...]
//   }
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/IR/IRMapping.h"

namespace nnc {
#define GEN_PASS_DEF_REGISTERREDUCTIONS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The number of leading parallel loops of `op` when it is a reduction the
/// pass rewrites: buffers with static loop ranges, parallel loops then at
/// least one reduction loop, each init indexed by exactly the parallel
/// loops and read by no input.
std::optional<unsigned> parallelPrefix(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0 ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto firstReduction = llvm::find(iterators, utils::IteratorType::reduction);
  if (firstReduction == iterators.end() ||
      !std::all_of(firstReduction, iterators.end(),
                   [](utils::IteratorType t) { return t == utils::IteratorType::reduction; }))
    return std::nullopt;
  unsigned prefix = std::distance(iterators.begin(), firstReduction);
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (map.getNumResults() != prefix || !map.isProjectedPermutation() ||
        llvm::any_of(map.getResults(), [&](AffineExpr e) {
          return cast<AffineDimExpr>(e).getPosition() >= prefix;
        }))
      return std::nullopt;
    if (llvm::is_contained(op.getDpsInputs(), init.get()))
      return std::nullopt;
  }
  return prefix;
}

/// The indices `map` gives for the loop induction variables `ivs`.
SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map, ValueRange ivs) {
  std::optional<SmallVector<Value, 8>> indices = affine::expandAffineMap(b, loc, map, ivs);
  return SmallVector<Value>(indices->begin(), indices->end());
}

/// Replaces `op` by the loop nest above.
void emitRegisterReduction(RewriterBase &rewriter, linalg::GenericOp op, unsigned prefix) {
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto indexConstants = [&](ArrayRef<int64_t> values) {
    return llvm::map_to_vector(values, [&](int64_t v) -> Value {
      return rewriter.create<arith::ConstantIndexOp>(loc, v);
    });
  };
  SmallVector<Value> zeros = indexConstants(SmallVector<int64_t>(ranges.size(), 0));
  SmallVector<Value> ones = indexConstants(SmallVector<int64_t>(ranges.size(), 1));
  SmallVector<Value> ends = indexConstants(ranges);
  Block *body = op.getBody();
  unsigned numInputs = op.getNumDpsInputs();

  auto reduceAt = [&](OpBuilder &b, ValueRange parallelIvs) {
    SmallVector<Value> accs;
    for (OpOperand &init : op.getDpsInitsMutable())
      accs.push_back(b.create<memref::LoadOp>(
          loc, init.get(), indicesAt(b, loc, op.getMatchingIndexingMap(&init), parallelIvs)));
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, ArrayRef(zeros).drop_front(prefix), ArrayRef(ends).drop_front(prefix),
        ArrayRef(ones).drop_front(prefix), accs,
        [&](OpBuilder &nb, Location l, ValueRange reductionIvs, ValueRange carried) {
          SmallVector<Value> ivs(parallelIvs);
          ivs.append(reductionIvs.begin(), reductionIvs.end());
          IRMapping mapping;
          for (OpOperand *input : op.getDpsInputOperands()) {
            Value element = nb.create<memref::LoadOp>(
                l, input->get(), indicesAt(nb, l, op.getMatchingIndexingMap(input), ivs));
            mapping.map(body->getArgument(input->getOperandNumber()), element);
          }
          for (auto [i, acc] : llvm::enumerate(carried))
            mapping.map(body->getArgument(numInputs + i), acc);
          for (Operation &nested : body->without_terminator()) {
            if (auto index = dyn_cast<linalg::IndexOp>(nested)) {
              mapping.map(index.getResult(), ivs[index.getDim()]);
              continue;
            }
            nb.clone(nested, mapping);
          }
          return llvm::map_to_vector(body->getTerminator()->getOperands(),
                                     [&](Value v) { return mapping.lookupOrDefault(v); });
        });
    for (auto [init, result] : llvm::zip(op.getDpsInitsMutable(), nest.results))
      b.create<memref::StoreOp>(
          loc, result, init.get(),
          indicesAt(b, loc, op.getMatchingIndexingMap(&init), parallelIvs));
  };

  if (prefix == 0) {
    reduceAt(rewriter, {});
  } else {
    rewriter.create<scf::ParallelOp>(
        loc, ArrayRef(zeros).take_front(prefix), ArrayRef(ends).take_front(prefix),
        ArrayRef(ones).take_front(prefix),
        [&](OpBuilder &b, Location, ValueRange ivs) { reduceAt(b, ivs); });
  }
  rewriter.eraseOp(op);
}

struct RegisterReductionsPass : nnc::impl::RegisterReductionsBase<RegisterReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics)
      if (std::optional<unsigned> prefix = parallelPrefix(op)) {
        rewriter.setInsertionPoint(op);
        emitRegisterReduction(rewriter, op, *prefix);
      }
  }
};

} // namespace
