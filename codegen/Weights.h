//===- Weights.h - parameters embedded from a safetensors file --*- C++ -*-===//
//
// `nnc --weights file.safetensors`: reads trained parameters at compile time
// (names per the language's naming rule, i.e. PyTorch state_dict names) and
// lays them out as the ABI's parameter buffer, to be embedded read-only.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_WEIGHTS_H
#define NNC_CODEGEN_WEIGHTS_H

#include "codegen/ABI.h"

namespace nnc::codegen {

/// Fills `model.embeddedParams` from the safetensors file at `path`, using
/// libnncrt's loader so compile time and run time accept the same files.
/// On failure returns false with a message naming the file and the tensor.
bool loadWeights(llvm::StringRef path, ModelABI &model, std::string &error);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_WEIGHTS_H
