//===- LayersConstant.cpp - constant tensors ------------------------------===//
//
// tensor([[...], ...]) builds an f32 constant from a rectangular nested list
// of numbers (e.g. memorized training points); fill(shape, value) a splat.
//
//===----------------------------------------------------------------------===//

#include "frontend/LayerHelpers.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;

/// Appends the numbers of `value` in row-major order, checking that every
/// list at one depth has the same length. Returns false after reporting.
static bool flatten(LayerContext &ctx, const Value &value, size_t depth,
                    llvm::SmallVectorImpl<int64_t> &shape, std::vector<float> &data) {
  if (value.isNumber()) {
    if (depth != shape.size()) {
      ctx.error() << "tensor: a number appears where a list of " << shape[depth]
                  << " was expected (the nested lists are not rectangular)";
      return false;
    }
    data.push_back(static_cast<float>(value.asDouble()));
    return true;
  }
  if (value.kind != Value::Kind::List || value.list.empty()) {
    ctx.error() << "tensor: expected numbers in non-empty nested lists, got "
                << value.describe();
    return false;
  }
  if (depth == shape.size()) {
    if (!data.empty()) {
      ctx.error() << "tensor: a list appears where a number was expected (the nested lists "
                     "are not rectangular)";
      return false;
    }
    shape.push_back(value.list.size());
  } else if (shape[depth] != static_cast<int64_t>(value.list.size())) {
    ctx.error() << "tensor: the nested lists are not rectangular: a list at depth " << depth
                << " has " << value.list.size() << " elements, another " << shape[depth];
    return false;
  }
  for (const Value &element : value.list)
    if (!flatten(ctx, element, depth + 1, shape, data))
      return false;
  return true;
}

static Value emitTensor(LayerContext &ctx, const BoundArgs &args) {
  llvm::SmallVector<int64_t> shape;
  std::vector<float> data;
  if (!flatten(ctx, args.get("values"), 0, shape, data))
    return Value::error();
  auto type = ctx.f32(shape);
  auto attr = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(data));
  return result(ctx.builder().create<nn::ConstantOp>(ctx.loc(), attr));
}

static Value emitFill(LayerContext &ctx, const BoundArgs &args) {
  llvm::SmallVector<int64_t> shape;
  const Value &spec = args.get("shape");
  for (const Value &dim : spec.list) {
    if (dim.kind != Value::Kind::Int || dim.intValue < 1 || dim.intValue > (int64_t(1) << 31)) {
      ctx.error() << "fill: shape must be a list of ints between 1 and 2^31, got "
                  << spec.describe();
      return Value::error();
    }
    shape.push_back(dim.intValue);
  }
  if (spec.kind != Value::Kind::List || shape.empty()) {
    ctx.error() << "fill: shape must be a non-empty list of ints, got " << spec.describe();
    return Value::error();
  }
  if (nn::numElements(shape) == nn::kTooManyElements ||
      nn::numElements(shape) > (int64_t(1) << 40)) {
    ctx.error() << "fill: tensor " << nn::formatShape(shape) << " is too large";
    return Value::error();
  }
  return Value::ofTensor(ctx.splat(shape, args.number("value")));
}

void nnc::frontend::registerConstantLayers(llvm::StringMap<LayerDef> &table) {
  table["tensor"] = {{required("values", ArgKind::Any)}, emitTensor};
  table["fill"] = {{required("shape", ArgKind::Any), optionalNumber("value", 0.0)}, emitFill};
}
