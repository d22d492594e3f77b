//===- LayerLocations.cpp - which layer an op's location names ------------===//

#include "passes/LayerLocations.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

static constexpr llvm::StringLiteral kBackward = "backward";

Location nnc::backwardLoc(Location loc) {
  return FusedLoc::get(loc.getContext(), {loc}, StringAttr::get(loc.getContext(), kBackward));
}

/// Whether `loc` itself is a backward-tagged FusedLoc.
static bool isBackwardTag(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  auto tag = fused ? dyn_cast_or_null<StringAttr>(fused.getMetadata()) : nullptr;
  return tag && tag.getValue() == kBackward;
}

bool nnc::isBackwardLoc(Location loc) {
  return loc->walk([](Location nested) {
           return isBackwardTag(nested) ? WalkResult::interrupt() : WalkResult::advance();
         }).wasInterrupted();
}

std::string nnc::layerNameOf(Location loc) {
  llvm::SmallVector<StringRef> names;
  bool backward = false;
  loc->walk([&](Location nested) {
    if (auto name = dyn_cast<NameLoc>(nested)) {
      if (!llvm::is_contained(names, name.getName().getValue()))
        names.push_back(name.getName().getValue());
    } else {
      backward |= isBackwardTag(nested);
    }
    return WalkResult::advance();
  });
  if (names.empty())
    return "";
  std::string layer = llvm::join(names, "+");
  return backward ? layer + " (backward)" : layer;
}
