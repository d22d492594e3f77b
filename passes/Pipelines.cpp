//===- Pipelines.cpp - the nnc pass pipeline ------------------------------===//
//
// The single, straight-line pipeline builder. `nnc` and
// `nnc-opt --nnc-pipeline` both run exactly what this file adds.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

void nnc::buildGraphPipeline(mlir::OpPassManager &pm) {
  // Canonicalize first so later passes see folded constants and no dead ops.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
}

void nnc::registerPasses() {
  mlir::PassPipelineRegistration<>(
      "nnc-pipeline", "Run the pipeline the nnc driver runs on nn IR",
      [](mlir::OpPassManager &pm) { buildGraphPipeline(pm); });
}
