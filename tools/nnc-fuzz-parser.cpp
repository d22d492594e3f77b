//===- nnc-fuzz-parser.cpp - libFuzzer target for the .nn front end -------===//
//
// Feeds arbitrary bytes through the lexer, parser and IR generation, and
// every model that is valid through the graph and lowering pipelines down to
// the LLVM dialect. Any crash, sanitizer report or hang is a bug: user input
// must only ever produce diagnostics. Built with -DNNC_FUZZ=ON (clang,
// -fsanitize=fuzzer).
//
//===----------------------------------------------------------------------===//

#include "frontend/IRGen.h"
#include "frontend/Parser.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    nnc::registerDialects(registry);
    auto *ctx = new mlir::MLIRContext(registry, mlir::MLIRContext::Threading::DISABLED);
    ctx->loadDialect<nnc::nn::NNDialect, mlir::func::FuncDialect>();
    // Diagnostics are the expected outcome; drop them.
    ctx->getDiagEngine().registerHandler([](mlir::Diagnostic &) { return mlir::success(); });
    return ctx;
  }();
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
  std::unique_ptr<nnc::frontend::File> file =
      nnc::frontend::parseFile(source, "fuzz.nn", context);
  if (!file)
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module = nnc::frontend::generateIR(*file, context);
  if (!module)
    return 0;
  mlir::PassManager pm(context);
  nnc::buildGraphPipeline(pm);
  // The microkernels unroll register tiles: ResNet-20 from the corpus then
  // takes over libFuzzer's 10 s per input in the sanitizer build. The fuzzer
  // targets the front end and the graph-to-loops lowering; the kernels have
  // their own lit and oracle tests.
  nnc::LoweringOptions plainLoops;
  plainLoops.simd.microkernels = false;
  nnc::buildLoweringPipeline(pm, plainLoops);
  (void)pm.run(*module);
  return 0;
}
