//===- IRGen.h - .nn syntax tree to nn dialect ------------------*- C++ -*-===//
//
// Evaluates a parsed .nn file at compile time and emits an `nn` module:
// parameters as `nn.param` symbols, `func.func @infer` (inputs -> outputs,
// inference semantics) and, with a train section, `func.func @train`
// (inputs and targets -> scalar loss, training semantics) plus an
// `nn.optimizer`. Blocks, loops and conditionals are fully expanded.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_IRGEN_H
#define NNC_FRONTEND_IRGEN_H

#include "frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace nnc::frontend {

/// Generates the module for the single model in `file`. Every error is
/// reported through the context's diagnostic engine at its source location;
/// returns null if any was.
mlir::OwningOpRef<mlir::ModuleOp> generateIR(const File &file, mlir::MLIRContext *context);

} // namespace nnc::frontend

#endif // NNC_FRONTEND_IRGEN_H
