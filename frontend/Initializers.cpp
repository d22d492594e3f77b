//===- Initializers.cpp - parameter initializers --------------------------===//
//
// Maps the initializer names of the language to the three primitive
// distributions nn.param stores (uniform, normal, constant), with PyTorch's
// formulas: kaiming_* use the ReLU gain sqrt(2) and fan_in, xavier_* use
// gain 1 and fan_in + fan_out.
//
//===----------------------------------------------------------------------===//

#include "frontend/Layers.h"

#include <cmath>

using namespace nnc::frontend;
using llvm::StringRef;

llvm::ArrayRef<StringRef> nnc::frontend::initializerNames() {
  static const StringRef kNames[] = {"default",        "zeros",          "ones",
                                     "uniform",        "normal",         "xavier_uniform",
                                     "xavier_normal",  "kaiming_uniform", "kaiming_normal"};
  return kNames;
}

Init nnc::frontend::defaultFanInUniform(int64_t fanIn) {
  double bound = fanIn > 0 ? 1.0 / std::sqrt(double(fanIn)) : 0.0;
  return Init{"uniform", {-bound, bound}};
}

std::optional<Init> nnc::frontend::resolveInit(StringRef name, int64_t fanIn,
                                               int64_t fanOut, const Init &defaultInit,
                                               LayerContext &ctx) {
  double in = std::max<int64_t>(fanIn, 1), out = std::max<int64_t>(fanOut, 1);
  if (name == "default")
    return defaultInit;
  if (name == "zeros")
    return Init{"constant", {0.0}};
  if (name == "ones")
    return Init{"constant", {1.0}};
  if (name == "uniform")
    return Init{"uniform", {0.0, 1.0}};
  if (name == "normal")
    return Init{"normal", {0.0, 1.0}};
  if (name == "xavier_uniform") {
    double bound = std::sqrt(6.0 / (in + out));
    return Init{"uniform", {-bound, bound}};
  }
  if (name == "xavier_normal")
    return Init{"normal", {0.0, std::sqrt(2.0 / (in + out))}};
  if (name == "kaiming_uniform") {
    double bound = std::sqrt(6.0 / in);
    return Init{"uniform", {-bound, bound}};
  }
  if (name == "kaiming_normal")
    return Init{"normal", {0.0, std::sqrt(2.0 / in)}};
  auto diag = ctx.error() << "unknown initializer '" << name << "' (expected one of ";
  llvm::interleaveComma(initializerNames(), diag);
  diag << ")";
  return std::nullopt;
}
