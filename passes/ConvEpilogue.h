//===- ConvEpilogue.h - elementwise work fused into conv stores -*- C++ -*-===//
//
// Finds, on buffers, the work nnc-conv-microkernel folds into a
// convolution's register tiles: how the output buffer was initialized (zero
// or the broadcast bias), and the chain of elementwise ops that only read
// the convolution's result (inference batch norm, residual add, activation)
// before anything else does.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_CONVEPILOGUE_H
#define NNC_PASSES_CONVEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace nnc {

/// What a fused convolution does besides its reduction.
struct ConvEpilogue {
  /// The accumulators start at this constant, or at this per-channel [F]
  /// vector, or (both null) at the output buffer's contents.
  mlir::Value initConstant;
  mlir::Value initPerChannel;
  /// Elementwise stages applied in order to the accumulated value; each
  /// reads the previous result through one identity-mapped operand, other
  /// operands are identity-mapped [N, F, H, W] buffers or per-channel [F]
  /// vectors.
  llvm::SmallVector<mlir::linalg::GenericOp> stages;
  /// For each stage, the number of its input operand carrying the previous
  /// result.
  llvm::SmallVector<unsigned> carried;
  /// The buffer the final values are stored to.
  mlir::Value result;
  /// The initializing op, when `initConstant` or `initPerChannel` replaces it.
  mlir::Operation *init = nullptr;
};

/// Matches the epilogue of `conv`. Folding it is legal because each absorbed
/// buffer is a fresh allocation used only by its producer, its consumer and
/// its initializer, and no op with memory effects lies between the
/// convolution and the stages. With nothing to fuse, `result` is the
/// convolution's output and `stages` is empty.
ConvEpilogue matchConvEpilogue(mlir::linalg::Conv2DNchwFchwOp conv);

/// True when `map` reads operand elements at the channel (dim 1) of an
/// [N, F, H, W] iteration space only.
bool isPerChannelMap(mlir::AffineMap map);

} // namespace nnc

#endif // NNC_PASSES_CONVEPILOGUE_H
