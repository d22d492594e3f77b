//===- DropTrainingGraph.cpp - inference-only modules ---------------------===//
//
// Implements nnc-drop-training-graph (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace nnc {
#define GEN_PASS_DEF_DROPTRAININGGRAPH
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct DropTrainingGraphPass : nnc::impl::DropTrainingGraphBase<DropTrainingGraphPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (auto train = module.lookupSymbol<func::FuncOp>("train"))
      train.erase();
    for (auto optimizer : llvm::make_early_inc_range(module.getOps<nnc::nn::OptimizerOp>()))
      optimizer.erase();
  }
};

} // namespace
