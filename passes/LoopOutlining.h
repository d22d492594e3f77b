//===- LoopOutlining.h - the inputs of a loop moved into a function -*- C++ -*-===//
//
// What top-level ops of a function (a loop, a layer's run of ops) need from
// outside themselves when they are copied into a function of their own (a
// dispatched task, an outlined nest).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_LOOPOUTLINING_H
#define NNC_PASSES_LOOPOUTLINING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace nnc {

/// The values the ops `ops` use from outside them (their operands included),
/// split into those a copy elsewhere recomputes — constants and pure,
/// region-free ops over them, such as subviews and index arithmetic — and
/// the leaves it takes as arguments. A `memref.view` is an argument, as the pointer it
/// is: its byte shift stays outside, so the copies of same-shaped layers'
/// loops are identical (see nnc-rebase-slices).
class LoopInputs {
public:
  explicit LoopInputs(llvm::ArrayRef<mlir::Operation *> ops);

  /// The values the copy takes as arguments, in first-use order.
  llvm::ArrayRef<mlir::Value> arguments() const { return arguments_; }

  /// Recomputes, at `b`'s insertion point, every captured value that is not
  /// an argument; `mapping` must map the arguments and receives the rest.
  void rematerialize(mlir::OpBuilder &b, mlir::IRMapping &mapping) const;

private:
  void collectArguments(mlir::Value value);

  llvm::SetVector<mlir::Value> captured;
  llvm::SmallVector<mlir::Value> arguments_;
};

} // namespace nnc

#endif // NNC_PASSES_LOOPOUTLINING_H
