//===- LayerHelpers.h - shared helpers of the layer emitters ----*- C++ -*-===//
//
// Private to frontend/Layers*.cpp: small conveniences for reading shapes and
// building ops whose result type comes from a shape rule.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_LAYERHELPERS_H
#define NNC_FRONTEND_LAYERHELPERS_H

#include "frontend/Layers.h"
#include "ir/NNDialect.h"

namespace nnc::frontend::detail {

namespace nn = ::nnc::nn;

inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
}

/// Wraps the single result of `op` as a tensor value.
inline Value result(mlir::Operation *op) { return Value::ofTensor(op->getResult(0)); }

/// Spec constructors that keep the signature tables readable.
inline ArgSpec required(const char *name, ArgKind kind) { return {name, kind, std::nullopt}; }
inline ArgSpec optionalInt(const char *name, int64_t v) {
  return {name, ArgKind::Int, Value::ofInt(v)};
}
inline ArgSpec optionalInts(const char *name, int64_t v) {
  return {name, ArgKind::Ints, Value::ofInt(v)};
}
inline ArgSpec optionalNumber(const char *name, double v) {
  return {name, ArgKind::Number, Value::ofFloat(v)};
}
inline ArgSpec optionalBool(const char *name, bool v) {
  return {name, ArgKind::Bool, Value::ofBool(v)};
}
inline ArgSpec optionalString(const char *name, const char *v) {
  return {name, ArgKind::String, Value::ofString(v)};
}
/// An argument whose default is "not given" (resolved by the emitter).
inline ArgSpec unset(const char *name, ArgKind kind) { return {name, kind, Value::none()}; }

/// Checks the input has `rank` dims; the message names the layer and layout.
inline bool expectRank(LayerContext &ctx, llvm::StringRef layer, mlir::Value x,
                       size_t rank, llvm::StringRef layout) {
  if (shapeOf(x).size() == rank)
    return true;
  ctx.error() << layer << " expects a " << rank << "-D input " << layout << ", got "
              << nn::formatShape(shapeOf(x));
  return false;
}

/// Checks an integer argument is at least `min`.
inline bool expectAtLeast(LayerContext &ctx, llvm::StringRef layer, llvm::StringRef name,
                          int64_t value, int64_t min) {
  if (value >= min)
    return true;
  ctx.error() << layer << ": " << name << " must be >= " << min << ", got " << value;
  return false;
}

} // namespace nnc::frontend::detail

#endif // NNC_FRONTEND_LAYERHELPERS_H
