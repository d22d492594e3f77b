//===- LoopOrder.h - loop order of window ops for the vectorizer -*- C++ -*-===//
//
// Shared by the nn lowering (window ops and pooling gradients) and
// nnc-conv-microkernel (its fallback).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_LOOPORDER_H
#define NNC_PASSES_LOOPORDER_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {

/// Rewrites the convolution or pooling op `op` (a named op or a generic over
/// parallel dims (..., ow) then the window) as a linalg.generic whose
/// innermost loop runs along the output width: input and output rows are
/// then contiguous and the weight a broadcast, so LLVM vectorizes the loop
/// (named ops iterate the window innermost, a 3- or 5-long loop, and carry
/// the sum through memory). Each output's window is still visited in the same
/// order. Legal on tensors and buffers; leaves ops without a parallel dim
/// before the window.
void putOutputWidthInnermost(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op);

} // namespace nnc

#endif // NNC_PASSES_LOOPORDER_H
