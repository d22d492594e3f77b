//===- LayerLocations.h - which layer an op's location names ----*- C++ -*-===//
//
// An op's location says which layer of the model it computes: a labeled
// layer is a NameLoc (`conv1`), nnc-name-layers names the others
// (`relu@8:38`), fusion merges locations into a FusedLoc, and
// nnc-differentiate tags the ops of the backward with a FusedLoc whose
// metadata is "backward". These helpers read and write that convention.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_LAYERLOCATIONS_H
#define NNC_PASSES_LAYERLOCATIONS_H

#include "mlir/IR/Location.h"

#include <string>

namespace nnc {

/// `loc`, tagged as the location of a backward op.
mlir::Location backwardLoc(mlir::Location loc);

/// Whether `loc` (or a location fused into it) is tagged as backward.
bool isBackwardLoc(mlir::Location loc);

/// The layers a location names, for reports: the NameLocs it holds, in
/// order and without repeats, joined by '+', then " (backward)" when it is
/// tagged so. Empty when it names no layer.
std::string layerNameOf(mlir::Location loc);

} // namespace nnc

#endif // NNC_PASSES_LAYERLOCATIONS_H
