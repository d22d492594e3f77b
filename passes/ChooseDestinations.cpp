//===- ChooseDestinations.cpp - the tensor each op writes into ------------===//
//
// Implements nnc-choose-destinations (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace nnc {
#define GEN_PASS_DEF_CHOOSEDESTINATIONS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// True for a fill of an empty tensor: an init that only starts a buffer's
/// life (a zero accumulator).
bool isFilledInit(Operation *op) {
  auto fill = dyn_cast<linalg::FillOp>(op);
  return fill && fill.hasPureTensorSemantics() &&
         fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
}

/// For an elementwise generic writing a fresh (empty) tensor, an input it can
/// overwrite instead: read element for element (the output's map), of the
/// same type, computed by another linalg op into a buffer of its own, and
/// used by nothing else. Null when there is none.
OpOperand *dyingInput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumParallelLoops() != op.getNumLoops())
    return nullptr;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() || op.payloadUsesValueFromOperand(init))
    return nullptr;
  AffineMap outputMap = op.getMatchingIndexingMap(init);
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value value = input->get();
    auto producer = value.getDefiningOp<linalg::LinalgOp>();
    if (producer && value.hasOneUse() && value.getType() == init->get().getType() &&
        op.getMatchingIndexingMap(input) == outputMap)
      return input;
  }
  return nullptr;
}

/// The init operand of the generic computing a convolution's initial
/// accumulator (a bias broadcast) when that generic writes, without reading
/// it, an empty tensor other ops write too (CSE merges the empty tensors of
/// same-shaped layers). Null otherwise.
OpOperand *sharedEmptyOfConvInit(linalg::LinalgOp conv) {
  if (!isa<linalg::ConvolutionOpInterface>(conv.getOperation()) || conv.getNumDpsInits() != 1)
    return nullptr;
  auto init = conv.getDpsInitOperand(0)->get().getDefiningOp<linalg::GenericOp>();
  if (!init || init.getNumDpsInits() != 1)
    return nullptr;
  OpOperand *out = init.getDpsInitOperand(0);
  if (!out->get().getDefiningOp<tensor::EmptyOp>() || out->get().hasOneUse() ||
      init.payloadUsesValueFromOperand(out))
    return nullptr;
  return out;
}

struct ChooseDestinationsPass : nnc::impl::ChooseDestinationsBase<ChooseDestinationsPass> {
  void runOnOperation() override {
    // Elementwise ops overwrite an input that dies with them.
    getOperation().walk([](linalg::GenericOp op) {
      if (OpOperand *input = dyingInput(op))
        op.getDpsInitOperand(0)->set(input->get());
    });

    // Every other consumer of a shared fill gets its own copy right before
    // it, with its own empty tensor and the consumer's location (the layer
    // it belongs to).
    SmallVector<Operation *> shared;
    getOperation().walk([&](Operation *op) {
      if (isFilledInit(op) && !op->getResult(0).use_empty() && !op->getResult(0).hasOneUse())
        shared.push_back(op);
    });
    OpBuilder b(&getContext());
    for (Operation *op : shared) {
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : op->getResult(0).getUses())
        uses.push_back(&use);
      // The earliest consumer keeps the original (use lists run backwards).
      for (OpOperand *&use : uses) {
        Operation *owner = use->getOwner(), *first = uses.front()->getOwner();
        if (owner->getBlock() == first->getBlock() && owner->isBeforeInBlock(first))
          std::swap(use, uses.front());
      }
      for (OpOperand *use : llvm::drop_begin(uses)) {
        b.setInsertionPoint(use->getOwner());
        Value empty = cast<linalg::FillOp>(op).getOutputs()[0];
        IRMapping mapping;
        mapping.map(empty, b.clone(*empty.getDefiningOp())->getResult(0));
        Operation *copy = b.clone(*op, mapping);
        copy->setLoc(use->getOwner()->getLoc());
        use->set(copy->getResult(0));
      }
    }

    // A convolution's computed initial accumulator writes an empty tensor
    // of its own, made right before it: nnc-conv-microkernel then fuses the
    // broadcast into the convolution's stores instead of bufferization
    // giving all such broadcasts one shared buffer.
    getOperation().walk([&](linalg::LinalgOp conv) {
      if (OpOperand *out = sharedEmptyOfConvInit(conv)) {
        b.setInsertionPoint(out->getOwner());
        out->set(b.clone(*out->get().getDefiningOp())->getResult(0));
      }
    });
  }
};

} // namespace
