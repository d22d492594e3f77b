//===- NameLayers.cpp - every nn op's layer named in its location ---------===//
//
// Implements nnc-name-layers (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "passes/LayerLocations.h"

#include "llvm/ADT/Twine.h"

namespace nnc {
#define GEN_PASS_DEF_NAMELAYERS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The first source position in `loc`, as "line:col" (empty if none).
std::string sourcePosition(Location loc) {
  std::string position;
  loc->walk([&](Location nested) {
    if (auto file = dyn_cast<FileLineColLoc>(nested)) {
      position = (Twine(file.getLine()) + ":" + Twine(file.getColumn())).str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return position;
}

struct NameLayersPass : nnc::impl::NameLayersBase<NameLayersPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto *nnDialect = ctx->getLoadedDialect<nnc::nn::NNDialect>();
    getOperation().walk([&](Operation *op) {
      if (op->getDialect() != nnDialect || !nnc::layerNameOf(op->getLoc()).empty())
        return;
      std::string name = op->getName().stripDialect().str();
      std::string position = sourcePosition(op->getLoc());
      if (!position.empty())
        name += "@" + position;
      op->setLoc(NameLoc::get(StringAttr::get(ctx, name), op->getLoc()));
    });
  }
};

} // namespace
