//===- CompileTimeFunctions.h - range, len, shape, ... ----------*- C++ -*-===//
//
// Functions the evaluator runs at compile time on ordinary values: range,
// len, shape, channels, min, max, int, float. They never build IR.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_COMPILETIMEFUNCTIONS_H
#define NNC_FRONTEND_COMPILETIMEFUNCTIONS_H

#include "frontend/Layers.h"

namespace nnc::frontend {

/// True when `name` is a compile-time function.
bool isCompileTimeFunction(llvm::StringRef name);

/// Calls compile-time function `name` on `args` (all already evaluated and
/// free of errors). Reports misuse at `loc` and returns Error.
Value callCompileTimeFunction(llvm::StringRef name, const std::vector<CallArg> &args,
                              mlir::Location loc);

/// The largest list `range` may produce: graphs are expanded in full.
constexpr int64_t kMaxRangeLength = 100000;

} // namespace nnc::frontend

#endif // NNC_FRONTEND_COMPILETIMEFUNCTIONS_H
