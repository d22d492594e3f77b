//===- LayersNorm.cpp - normalization and dropout layers ------------------===//
//
// batch_norm, layer_norm, group_norm, instance_norm and dropout. Parameter
// names and initial values follow PyTorch (weight = 1, bias = 0,
// running_mean = 0, running_var = 1); training mode comes from the graph
// being built.
//
//===----------------------------------------------------------------------===//

#include "frontend/LayerHelpers.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;
using nnc::nn::formatShape;

static const Init kOnes{"constant", {1.0}};
static const Init kZeros{"constant", {0.0}};

/// Declares the optional per-channel weight (1) and bias (0) of a norm over
/// [N, C, ...] when `affine` is set.
static void declareChannelAffine(LayerContext &ctx, const BoundArgs &args, mlir::Value x,
                                 mlir::Value &scale, mlir::Value &shift) {
  if (!args.flag("affine"))
    return;
  scale = ctx.param("weight", {shapeOf(x)[1]}, kOnes);
  shift = ctx.param("bias", {shapeOf(x)[1]}, kZeros);
}

/// Checks eps > 0 and the input has a channel dim.
static bool checkNormInput(LayerContext &ctx, llvm::StringRef layer, mlir::Value x,
                           double eps) {
  if (!(eps > 0)) {
    ctx.error() << layer << ": eps must be > 0, got " << eps;
    return false;
  }
  if (shapeOf(x).size() < 2) {
    ctx.error() << layer << " expects an input [batch, channels, ...], got "
                << formatShape(shapeOf(x));
    return false;
  }
  return true;
}

static Value emitBatchNorm(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  double eps = args.number("eps"), momentum = args.number("momentum");
  if (!checkNormInput(ctx, "batch_norm", x, eps))
    return Value::error();
  if (!(momentum >= 0 && momentum <= 1)) {
    ctx.error() << "batch_norm: momentum must be in [0, 1], got " << momentum;
    return Value::error();
  }
  int64_t channels = shapeOf(x)[1];
  mlir::Value scale = ctx.param("weight", {channels}, kOnes);
  mlir::Value shift = ctx.param("bias", {channels}, kZeros);
  mlir::Value mean = ctx.param("running_mean", {channels}, kZeros, /*trainable=*/false);
  mlir::Value var = ctx.param("running_var", {channels}, kOnes, /*trainable=*/false);
  auto &b = ctx.builder();
  return result(b.create<nn::BatchNormOp>(ctx.loc(), x.getType(), x, scale, shift, mean, var,
                                          b.getF64FloatAttr(eps), b.getF64FloatAttr(momentum),
                                          b.getBoolAttr(ctx.training())));
}

static Value emitLayerNorm(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  double eps = args.number("eps");
  int64_t dims = args.integer("dims");
  if (!(eps > 0)) {
    ctx.error() << "layer_norm: eps must be > 0, got " << eps;
    return Value::error();
  }
  llvm::ArrayRef<int64_t> in = shapeOf(x);
  if (dims < 1 || dims > static_cast<int64_t>(in.size())) {
    ctx.error() << "layer_norm: dims must be in [1, " << in.size() << "] for input "
                << formatShape(in) << ", got " << dims;
    return Value::error();
  }
  mlir::Value scale, shift;
  if (args.flag("affine")) {
    scale = ctx.param("weight", in.take_back(dims), kOnes);
    shift = ctx.param("bias", in.take_back(dims), kZeros);
  }
  auto &b = ctx.builder();
  return result(b.create<nn::LayerNormOp>(ctx.loc(), x.getType(), x, scale, shift,
                                          b.getI64IntegerAttr(dims), b.getF64FloatAttr(eps)));
}

static Value emitGroupNorm(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  double eps = args.number("eps");
  int64_t groups = args.integer("groups");
  if (!checkNormInput(ctx, "group_norm", x, eps) ||
      mlir::failed(nn::verifyGroupCount(shapeOf(x), groups,
                                        [&] { return ctx.error() << "group_norm: "; })))
    return Value::error();
  mlir::Value scale, shift;
  declareChannelAffine(ctx, args, x, scale, shift);
  auto &b = ctx.builder();
  return result(b.create<nn::GroupNormOp>(ctx.loc(), x.getType(), x, scale, shift,
                                          b.getI64IntegerAttr(groups), b.getF64FloatAttr(eps)));
}

static Value emitInstanceNorm(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  double eps = args.number("eps");
  if (!checkNormInput(ctx, "instance_norm", x, eps))
    return Value::error();
  if (shapeOf(x).size() < 3) {
    ctx.error() << "instance_norm expects an input [batch, channels, spatial...], got "
                << formatShape(shapeOf(x));
    return Value::error();
  }
  mlir::Value scale, shift;
  declareChannelAffine(ctx, args, x, scale, shift);
  auto &b = ctx.builder();
  return result(b.create<nn::InstanceNormOp>(ctx.loc(), x.getType(), x, scale, shift,
                                             b.getF64FloatAttr(eps)));
}

static Value emitDropout(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  double rate = args.number("p");
  if (!(rate >= 0 && rate < 1)) {
    ctx.error() << "dropout: p must be in [0, 1), got " << rate;
    return Value::error();
  }
  auto &b = ctx.builder();
  return result(b.create<nn::DropoutOp>(ctx.loc(), x.getType(), x, b.getF64FloatAttr(rate),
                                        b.getBoolAttr(ctx.training()),
                                        b.getI64IntegerAttr(ctx.nextSeed())));
}

void nnc::frontend::registerNormLayers(llvm::StringMap<LayerDef> &table) {
  table["batch_norm"] = {{required("x", ArgKind::Tensor), optionalNumber("eps", 1e-5),
                          optionalNumber("momentum", 0.1)},
                         emitBatchNorm, true};
  table["layer_norm"] = {{required("x", ArgKind::Tensor), optionalInt("dims", 1),
                          optionalNumber("eps", 1e-5), optionalBool("affine", true)},
                         emitLayerNorm, true};
  table["group_norm"] = {{required("x", ArgKind::Tensor), required("groups", ArgKind::Int),
                          optionalNumber("eps", 1e-5), optionalBool("affine", true)},
                         emitGroupNorm, true};
  table["instance_norm"] = {{required("x", ArgKind::Tensor), optionalNumber("eps", 1e-5),
                             optionalBool("affine", false)},
                            emitInstanceNorm, true};
  table["dropout"] = {{required("x", ArgKind::Tensor), optionalNumber("p", 0.5)}, emitDropout};
}
