//===- PadInProducers.cpp - producers write into their padded buffer ------===//
//
// Implements nnc-pad-in-producers (see Passes.td). For a convolution's
// zero padding of a relu result,
//   %e = tensor.empty
//   %y = linalg.generic ... outs(%e)            // relu
//   %p = tensor.pad %y low[..] high[..] { 0.0 }
// becomes
//   %f = linalg.fill 0.0 outs(tensor.empty [padded shape])
//   %s = tensor.extract_slice %f [interior]
//   %y = linalg.generic ... outs(%s)
//   %p = tensor.insert_slice %y into %f [interior]
// which bufferizes to one buffer: the relu writes the padded buffer's
// interior, and no separate padded copy exists.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace nnc {
#define GEN_PASS_DEF_PADINPRODUCERS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The destination operand of the chain that computes `value`: the init of
/// the linalg op defining it, then that init's own producer's init, and so
/// on, up to the init operand that reads a tensor.empty. Every value on the
/// way is used by its next op only (nothing else reads the buffer the chain
/// writes). Null when the chain does not end at an empty tensor, or holds a
/// convolution: nnc-conv-microkernel fuses a convolution's elementwise
/// consumers into its stores only when it writes a buffer of its own, and
/// that fusion saves more than the padded copy costs.
OpOperand *rootDestination(Value value) {
  while (true) {
    auto result = dyn_cast<OpResult>(value);
    auto producer = value.getDefiningOp<linalg::LinalgOp>();
    if (!result || !producer || !producer.hasPureTensorSemantics() ||
        isa<linalg::ConvolutionOpInterface>(producer.getOperation()))
      return nullptr;
    OpOperand *init = producer.getDpsInitOperand(result.getResultNumber());
    Value next = init->get();
    if (next.getDefiningOp<tensor::EmptyOp>())
      return init;
    if (llvm::any_of(next.getUsers(), [&](Operation *user) { return user != producer; }))
      return nullptr;
    value = next;
  }
}

/// Rewrites `pad` as in the file comment when its padding is static and
/// constant and its source is computed into an empty tensor.
void padInProducer(tensor::PadOp pad) {
  Value padValue = pad.getConstantPaddingValue();
  auto constant = padValue ? padValue.getDefiningOp<arith::ConstantOp>() : nullptr;
  if (!constant || !pad.getResultType().hasStaticShape() ||
      !pad.getSourceType().hasStaticShape() || !pad.getLow().empty() || !pad.getHigh().empty())
    return;
  OpOperand *root = rootDestination(pad.getSource());
  if (!root)
    return;
  OpBuilder b(root->getOwner());
  Location loc = pad.getLoc();
  RankedTensorType paddedType = pad.getResultType();
  Value empty = b.create<tensor::EmptyOp>(loc, paddedType.getShape(),
                                          paddedType.getElementType());
  Value fill = b.create<linalg::FillOp>(loc, b.clone(*constant)->getResult(0), empty)
                   .getResult(0);
  SmallVector<OpFoldResult> offsets = getAsIndexOpFoldResult(b.getContext(), pad.getStaticLow());
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(b.getContext(), pad.getSourceType().getShape());
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  root->set(b.create<tensor::ExtractSliceOp>(loc, pad.getSourceType(), fill, offsets, sizes,
                                             strides));
  b.setInsertionPoint(pad);
  Value padded =
      b.create<tensor::InsertSliceOp>(loc, pad.getSource(), fill, offsets, sizes, strides);
  pad.replaceAllUsesWith(padded);
  pad.erase();
}

struct PadInProducersPass : nnc::impl::PadInProducersBase<PadInProducersPass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads)
      padInProducer(pad);
  }
};

} // namespace
