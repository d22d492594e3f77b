//===- ModelSummary.h - the Keras-style model table -------------*- C++ -*-===//
//
// `nnc --summary`: one row per op of the inference graph with its output
// shape, parameter count, FLOPs and receptive field, then the totals.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_MODELSUMMARY_H
#define NNC_PASSES_MODELSUMMARY_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace nnc {

/// Prints the summary of the verified nn module `module` (its `@infer`).
/// Parameter counts follow PyTorch: trainable parameters, buffers separate.
void printModelSummary(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Bytes of every intermediate tensor of `function` (`@infer`, or the
/// differentiated `@train_step`, whose new parameter and optimizer-state
/// values count too): op results other than parameter loads and constants,
/// excluding the outputs, as if each had its own buffer: the baseline the
/// scratch arena is compared with. Buffers the lowering adds (padded
/// copies, transposes, window indices) are not in it.
int64_t intermediateTensorBytes(mlir::func::FuncOp function);

} // namespace nnc

#endif // NNC_PASSES_MODELSUMMARY_H
