//===- LayersActivation.cpp - activation layers ---------------------------===//
//
// relu, leaky_relu, elu, sigmoid, tanh, softmax, log_softmax and maxout.
//
//===----------------------------------------------------------------------===//

#include "frontend/LayerHelpers.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;

/// Registers a parameter-free unary activation with no attributes.
template <typename OpTy>
static void registerSimple(llvm::StringMap<LayerDef> &table, llvm::StringRef name) {
  table[name] = {{required("x", ArgKind::Tensor)},
                 [](LayerContext &ctx, const BoundArgs &args) {
                   mlir::Value x = args.tensor("x");
                   return result(ctx.builder().create<OpTy>(ctx.loc(), x.getType(), x));
                 }};
}

/// Registers an activation with one float attribute (slope or alpha).
template <typename OpTy>
static void registerWithAlpha(llvm::StringMap<LayerDef> &table, llvm::StringRef name,
                              const char *argName, double defaultValue) {
  std::string arg = argName;
  table[name] = {{required("x", ArgKind::Tensor), optionalNumber(argName, defaultValue)},
                 [arg](LayerContext &ctx, const BoundArgs &args) {
                   mlir::Value x = args.tensor("x");
                   auto &b = ctx.builder();
                   return result(b.create<OpTy>(ctx.loc(), x.getType(), x,
                                                b.getF64FloatAttr(args.number(arg))));
                 }};
}

/// Registers softmax-like ops that normalize along an axis.
template <typename OpTy>
static void registerAxisOp(llvm::StringMap<LayerDef> &table, llvm::StringRef name) {
  std::string layer = name.str();
  table[name] = {{required("x", ArgKind::Tensor), optionalInt("axis", -1)},
                 [layer](LayerContext &ctx, const BoundArgs &args) {
                   mlir::Value x = args.tensor("x");
                   int64_t axis = args.integer("axis");
                   if (mlir::failed(nn::normalizeAxis(axis, shapeOf(x).size(), [&] {
                         return ctx.error() << layer << ": ";
                       })))
                     return Value::error();
                   auto &b = ctx.builder();
                   return result(
                       b.create<OpTy>(ctx.loc(), x.getType(), x, b.getI64IntegerAttr(axis)));
                 }};
}

static Value emitMaxout(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  int64_t pieces = args.integer("pieces");
  auto shape = nn::inferMaxoutShape(shapeOf(x), pieces, ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  return result(
      b.create<nn::MaxoutOp>(ctx.loc(), ctx.f32(*shape), x, b.getI64IntegerAttr(pieces)));
}

void nnc::frontend::registerActivationLayers(llvm::StringMap<LayerDef> &table) {
  registerSimple<nn::ReluOp>(table, "relu");
  registerSimple<nn::SigmoidOp>(table, "sigmoid");
  registerSimple<nn::TanhOp>(table, "tanh");
  registerWithAlpha<nn::LeakyReluOp>(table, "leaky_relu", "slope", 0.01);
  registerWithAlpha<nn::EluOp>(table, "elu", "alpha", 1.0);
  registerAxisOp<nn::SoftmaxOp>(table, "softmax");
  registerAxisOp<nn::LogSoftmaxOp>(table, "log_softmax");
  table["maxout"] = {{required("x", ArgKind::Tensor), required("pieces", ArgKind::Int)},
                     emitMaxout};
}
