//===- Passes.h - nnc passes and pipelines ----------------------*- C++ -*-===//
//
// Public entry points of passes/: pass registration for nnc-opt and the one
// pipeline builder that both nnc and `nnc-opt --nnc-pipeline` run.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_PASSES_H
#define NNC_PASSES_PASSES_H

#include "mlir/Pass/PassManager.h"

namespace nnc {

/// Adds nnc's graph-level pipeline on the `nn` dialect to `pm` (anchored on
/// builtin.module). Legal on any verified nn module; leaves it in nn form.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// Registers nnc's passes and the `nnc-pipeline` pipeline with MLIR's
/// registry so nnc-opt can run them by flag.
void registerPasses();

} // namespace nnc

#endif // NNC_PASSES_PASSES_H
