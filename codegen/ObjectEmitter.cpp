//===- ObjectEmitter.cpp - LLVM dialect to native code ---------------------===//
//
// MLIR's LLVM IR translation, LLVM's standard optimization pipeline for the
// chosen level, and the target machine's code emission.
//
//===----------------------------------------------------------------------===//

#include "codegen/ObjectEmitter.h"
#include "codegen/OutlineLoopNests.h"
#include "codegen/ParallelCodegen.h"
#include "codegen/ParallelDispatch.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Transforms/IPO/MergeFunctions.h"

using namespace nnc::codegen;

/// Runs LLVM's default module pipeline at `optLevel`, without loop
/// unrolling. Above -O0, identical functions are merged first and again
/// after optimization: the outlined loop nests of same-shaped layers (a
/// ResNet's repeated blocks, forward and backward) are identical, and
/// merging them before optimizing saves their optimization and code
/// generation, and their bytes in the object.
static void optimize(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.MergeFunctions = optLevel > 0;
  // The kernels come register-blocked and unrolled from MLIR; LLVM's loop
  // unrolling on top costs compile time and code size and no speed
  // (measured, alternating runs: ResNet-20 batch 64 inference 53.3-54.4 ms
  // with it, 51.7-52.4 without; training step 203-205 vs 195-200 ms; LeNet-5
  // compile 1.49 vs 0.99 s, ResNet-20 6.69 vs 6.39 s). The vectorizers still
  // interleave.
  tuning.LoopUnrolling = false;
  // LLVM's own debugging flags (--time-passes, --print-after=...) apply.
  llvm::PassInstrumentationCallbacks instrumentation;
  llvm::StandardInstrumentations standard(module.getContext(), /*DebugLogging=*/false);
  standard.registerCallbacks(instrumentation, &modules);
  llvm::PassBuilder builder(&machine, tuning, std::nullopt, &instrumentation);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  static const llvm::OptimizationLevel kLevels[] = {
      llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1, llvm::OptimizationLevel::O2,
      llvm::OptimizationLevel::O3};
  llvm::ModulePassManager pipeline;
  if (optLevel == 0) {
    pipeline = builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
  } else {
    pipeline.addPass(llvm::MergeFunctionsPass());
    pipeline.addPass(builder.buildPerModuleDefaultPipeline(kLevels[std::min(optLevel, 3u)]));
  }
  pipeline.run(module, modules);
}

mlir::LogicalResult nnc::codegen::emitCode(mlir::ModuleOp lowered, const ModelABI &model,
                                           llvm::TargetMachine &machine, OutputKind kind,
                                           unsigned optLevel, unsigned partitions,
                                           llvm::raw_pwrite_stream &os) {
  mlir::registerBuiltinDialectTranslation(*lowered.getContext());
  mlir::registerLLVMDialectTranslation(*lowered.getContext());
  // The outlined parallel loops' records, which LLVM IR has no place for.
  auto parallelLoops = lowered->getAttrOfType<mlir::ArrayAttr>("nnc.parallel_loops");
  lowered->removeAttr("nnc.parallel_loops");
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module =
      mlir::translateModuleToLLVMIR(lowered, context, model.name);
  if (!module)
    return lowered.emitError("cannot translate the lowered model to LLVM IR");
  module->setTargetTriple(machine.getTargetTriple().str());
  module->setDataLayout(machine.createDataLayout());
  llvm::GlobalVariable *parallel = defineParallelDispatch(*module, parallelLoops);
  // Set the target on every function so LLVM's vectorizers see its features.
  for (llvm::Function &function : *module) {
    function.addFnAttr("target-cpu", machine.getTargetCPU());
    if (!machine.getTargetFeatureString().empty())
      function.addFnAttr("target-features", machine.getTargetFeatureString());
  }
  emitABI(*module, model, parallel);
  if (llvm::verifyModule(*module, &llvm::errs()))
    return lowered.emitError("internal error: the generated LLVM IR does not verify");
  if (optLevel > 0)
    outlineLoopNests(*module);
  optimize(*module, machine, optLevel);
  if (kind == OutputKind::LLVMIR) {
    module->print(os, nullptr);
    return mlir::success();
  }
  if (kind == OutputKind::Object && partitions > 1 && worthSplittingCodegen(*module, machine)) {
    if (std::optional<std::string> linker = findRelocatableLinker()) {
      if (llvm::Error error = emitObjectInParallel(*module, machine, *linker, model.name,
                                                   partitions, os))
        return lowered.emitError(llvm::toString(std::move(error)));
      return mlir::success();
    }
  }
  llvm::legacy::PassManager codegen;
  auto fileType = kind == OutputKind::Object ? llvm::CodeGenFileType::ObjectFile
                                             : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(codegen, os, nullptr, fileType))
    return lowered.emitError("the target cannot emit this file type");
  codegen.run(*module);
  return mlir::success();
}
