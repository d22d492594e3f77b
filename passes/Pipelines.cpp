//===- Pipelines.cpp - the nnc pass pipelines -----------------------------===//
//
// The single, straight-line pipeline builders. `nnc` runs exactly these;
// `nnc-opt --nnc-pipeline` / `--nnc-lower-to-llvm` run the same steps.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace nnc {
#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"
} // namespace nnc

void nnc::buildGraphPipeline(mlir::OpPassManager &pm) {
  // Canonicalize first so later passes see folded constants and no dead ops.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
}

void nnc::buildLoweringPipeline(mlir::OpPassManager &pm, const LoweringOptions &options) {
  const SimdShape &simd = options.simd;
  // Names first, so that the backward inherits its forward's names.
  if (options.profileLayers)
    pm.addPass(createNameLayers());
  if (options.withTraining)
    pm.addPass(createDifferentiate());
  else
    pm.addPass(createDropTrainingGraph());
  // Inference batch norm becomes the preceding layer's weights and bias
  // (`nnc --fold-batch-norm`). Off by default: the parameters arrive at run
  // time, so the fold is computed on every call, and nnc-conv-microkernel
  // already applies an unfolded batch norm in its stores for about two
  // operations per output vector. Measured: no faster (3x3 64->64 conv at
  // 56x56: 1.50 ms either way; ResNet-20 at batch 1 0.65-0.81 vs 0.65-0.67
  // ms, at batch 64 within the noise), and the arena holds the folded
  // weights (ResNet-20 batch 1: 214 vs 205 KB).
  if (options.foldBatchNorm)
    pm.addPass(createFoldBatchNorm());
  pm.addPass(createLowerNNToLinalg());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  pm.addPass(createRematerialize());
  pm.addPass(createFuseElementwise());
  pm.addPass(createChooseDestinations());
  pm.addPass(createPadInProducers());
  // Parameters become slices of the ABI's buffers right before
  // bufferization, so it sees them as views, never copies, and updates them
  // in place.
  pm.addPass(createMaterializeParams());
  // Function boundaries with identity layouts give the bare-pointer C ABI.
  // Copies become linalg.copy, lowered to loops like everything else, not
  // calls to MLIR's C runtime helper memrefCopy.
  auto copyWithLinalg = [](mlir::OpBuilder &b, mlir::Location loc, mlir::Value from,
                           mlir::Value to) {
    b.create<mlir::linalg::CopyOp>(loc, from, to);
    return mlir::success();
  };
  mlir::bufferization::OneShotBufferizationOptions bufferization;
  bufferization.memCpyFn = copyWithLinalg;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      mlir::bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(mlir::bufferization::createOneShotBufferizePass(bufferization));
  // Results become caller-owned output buffers, written in place.
  mlir::bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  outParams.memCpyFn = copyWithLinalg;
  pm.addPass(mlir::bufferization::createBufferResultsToOutParamsPass(outParams));
  // CSE merges equal subviews, so the canonicalizer erases self-copies.
  pm.addPass(mlir::createCSEPass());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(createUpdateInPlace());
  // Convolutions, matrix products and max pools become SIMD kernels (the
  // convolutions with their elementwise consumers fused in) while buffers
  // are still separate allocations.
  if (simd.microkernels) {
    pm.addPass(createConvMicrokernel({simd.vectorBits, simd.vectorRegisters}));
    pm.addPass(createDenseMicrokernel({simd.vectorBits, simd.vectorRegisters}));
    pm.addPass(createMatmulMicrokernel({simd.vectorBits, simd.vectorRegisters}));
    pm.addPass(createConvWeightGradMicrokernel({simd.vectorBits, simd.vectorRegisters}));
    pm.addPass(createPoolMicrokernel({simd.vectorBits}));
  }
  pm.addPass(createPlanScratch(PlanScratchOptions{options.poisonScratch}));
  // Parallel dims stay scf.parallel so that large loops can run on the
  // caller's threads; the rest become sequential loops. Reductions carry
  // their sums in registers.
  pm.addPass(createRegisterReductions());
  pm.addNestedPass<mlir::func::FuncOp>(mlir::createConvertLinalgToParallelLoopsPass());
  // Slices at static offsets take the offset into their pointer, so the
  // loops of same-shaped layers are identical (and merged by LLVM).
  pm.addPass(createRebaseSlices());
  // Equal views of one buffer become one value, so an outlined loop nest
  // that updates a buffer in place gets one pointer for it: with two, LLVM
  // vectorizes behind a runtime overlap check that fails and runs scalar.
  pm.addPass(mlir::createCSEPass());
  pm.addPass(createOutlineParallelLoops());
  if (options.profileLayers)
    pm.addPass(createProfileLayers());
  if (options.stage == LoweringStage::Loops)
    return;
  // One function per distinct loop nest: what follows handles each once,
  // on the context's threads.
  pm.addPass(createOutlineLoopNests());
  // The lowering to the LLVM dialect: the passes that work inside one
  // function run on all functions at once, on the context's threads (the
  // training step, the inference function and the outlined tasks).
  mlir::OpPassManager &inFunctions = pm.nest<mlir::func::FuncOp>();
  inFunctions.addPass(createExpandMath());
  // Reductions vectorize only when their sums may be reordered.
  inFunctions.addPass(createRelaxFloatOrder());
  inFunctions.addPass(mlir::createLowerAffinePass());
  inFunctions.addPass(mlir::memref::createExpandStridedMetadataPass());
  inFunctions.addPass(mlir::createConvertSCFToCFPass());
  mlir::ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true; // lane sums as a tree
  inFunctions.addPass(mlir::createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(mlir::createFinalizeMemRefToLLVMConversionPass());
  mlir::OpPassManager &scalarsInFunctions = pm.nest<mlir::func::FuncOp>();
  scalarsInFunctions.addPass(mlir::createConvertMathToLLVMPass());
  scalarsInFunctions.addPass(mlir::createArithToLLVMConversionPass());
  scalarsInFunctions.addPass(mlir::createConvertIndexToLLVMPass());
  mlir::ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(mlir::createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(mlir::createConvertControlFlowToLLVMPass());
  pm.addPass(mlir::createReconcileUnrealizedCastsPass());
}

void nnc::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<nn::NNDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::linalg::LinalgDialect,
                  mlir::tensor::TensorDialect, mlir::memref::MemRefDialect,
                  mlir::bufferization::BufferizationDialect, mlir::scf::SCFDialect,
                  mlir::affine::AffineDialect, mlir::cf::ControlFlowDialect,
                  mlir::vector::VectorDialect, mlir::LLVM::LLVMDialect>();
  mlir::arith::registerBufferizableOpInterfaceExternalModels(registry);
  mlir::linalg::registerBufferizableOpInterfaceExternalModels(registry);
  mlir::tensor::registerBufferizableOpInterfaceExternalModels(registry);
  mlir::bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
}

void nnc::registerPasses() {
  registerNNCPasses();
  mlir::PassPipelineRegistration<>(
      "nnc-pipeline", "Run the graph pipeline the nnc driver runs on nn IR",
      [](mlir::OpPassManager &pm) { buildGraphPipeline(pm); });
  mlir::PassPipelineRegistration<>(
      "nnc-lower-to-llvm", "Lower an nn module (inference and training step) to the LLVM dialect",
      [](mlir::OpPassManager &pm) { buildLoweringPipeline(pm); });
}
