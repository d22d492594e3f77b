//===- GradientRules.h - reverse-mode rules of the nn ops -------*- C++ -*-===//
//
// The one table of gradient rules nnc-differentiate applies: for an op and
// the gradients of its results, the nn ops computing the gradients of its
// operands. Rules are written on the primitive ops the training forward is
// made of (see Differentiate.cpp for the decomposition of training-mode
// batch/layer/group/instance norm and dropout into primitives).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_GRADIENTRULES_H
#define NNC_PASSES_GRADIENTRULES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace nnc::autodiff {

/// Whether `op` has a gradient rule (ops without one may still appear in
/// the training forward where no gradient flows through them).
bool hasGradientRule(mlir::Operation *op);

/// Builds, at the builder's insertion point, the gradients of `op`'s
/// operands given the gradients of its results (`resultGrads[i]` is null
/// when result i receives none: it counts as zero). Only operands with
/// `needed[i]` set get a gradient; the others get a null value. Legal only
/// when hasGradientRule(op).
llvm::SmallVector<mlir::Value> buildOperandGradients(mlir::OpBuilder &b, mlir::Operation *op,
                                                     llvm::ArrayRef<mlir::Value> resultGrads,
                                                     llvm::ArrayRef<bool> needed);

/// A 0-d f32 constant.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, double value);

/// A constant f32 tensor of `shape` filled with `value`.
mlir::Value splatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          llvm::ArrayRef<int64_t> shape, double value);

} // namespace nnc::autodiff

#endif // NNC_PASSES_GRADIENTRULES_H
