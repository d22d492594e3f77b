//===- Passes.h - nnc passes and pipelines ----------------------*- C++ -*-===//
//
// Public entry points of passes/: the pass declarations generated from
// Passes.td, their registration for nnc-opt, and the one pipeline builder
// that both nnc and nnc-opt run.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_PASSES_H
#define NNC_PASSES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace nnc {

/// Alignment in bytes of every buffer the ABI exchanges and of every
/// parameter and scratch offset (a cache line; the widest vector).
constexpr int64_t kBufferAlignment = 64;

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Adds nnc's graph-level pipeline on the `nn` dialect (anchored on
/// builtin.module). Legal on any verified nn module; leaves it in nn form.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// The SIMD register file the kernels are blocked for (nnc-conv-microkernel).
struct SimdShape {
  int64_t vectorBits = 512;
  int64_t vectorRegisters = 32;
  /// False leaves convolutions, dense layers and matmuls to the generic loop
  /// lowering (`nnc --debug-generic-kernels`, for bisecting).
  bool microkernels = true;
};

/// Where the lowering pipeline stops: at loop nests on buffers
/// (`--emit=loops`) or in the LLVM dialect.
enum class LoweringStage { Loops, LLVMDialect };

/// What the lowering pipeline builds.
struct LoweringOptions {
  LoweringStage stage = LoweringStage::LLVMDialect;
  /// Overwrite freed scratch buffers (PlanScratch's `poison-freed` check).
  bool poisonScratch = false;
  /// Compile `@train` into `@train_step`; otherwise drop the training graph.
  bool withTraining = true;
  SimdShape simd;
  /// Time each layer at run time (nnc-name-layers, nnc-profile-layers).
  bool profileLayers = false;
  /// Fold inference batch norm into conv/dense weights (nnc-fold-batch-norm).
  bool foldBatchNorm = false;
};

/// Adds the lowering of a graph-optimized nn module: with
/// `withTraining`, `@train` becomes the differentiated `@train_step`
/// (otherwise the training graph is dropped); then nn -> linalg, parameters
/// materialized, one-shot bufferization with caller-owned outputs,
/// convolutions and matrix products register-blocked for `simd`, buffers
/// placed in the scratch arena, loops, then (unless `stage` is Loops) LLVM.
void buildLoweringPipeline(mlir::OpPassManager &pm,
                           const LoweringOptions &options = LoweringOptions());

/// Registers nnc's passes and the `nnc-pipeline` / `nnc-lower-to-llvm`
/// pipelines with MLIR's registry so nnc-opt can run them by flag.
void registerPasses();

/// Registers every dialect the pipelines produce or consume.
void registerDialects(mlir::DialectRegistry &registry);

} // namespace nnc

#endif // NNC_PASSES_PASSES_H
