//===- LayersLinear.cpp - dense, matmul, convolution layers ---------------===//
//
// Layers that own weight tensors: dense (PyTorch Linear), matmul, conv1d,
// conv2d and the transposed convolutions. Weight layouts and parameter names
// follow PyTorch's modules, so state_dicts load by name.
//
//===----------------------------------------------------------------------===//

#include "frontend/LayerHelpers.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;
using nnc::nn::formatShape;
using llvm::SmallVector;

/// Declares weight and optional bias with their initializers.
static bool declareWeightAndBias(LayerContext &ctx, const BoundArgs &args,
                                 llvm::ArrayRef<int64_t> weightShape, int64_t fanIn,
                                 int64_t fanOut, int64_t biasSize, mlir::Value &weight,
                                 mlir::Value &bias) {
  Init fanInDefault = defaultFanInUniform(fanIn);
  std::optional<Init> weightInit =
      resolveInit(args.string("init"), fanIn, fanOut, fanInDefault, ctx);
  std::optional<Init> biasInit =
      resolveInit(args.string("bias_init"), fanIn, fanOut, fanInDefault, ctx);
  if (!weightInit || !biasInit)
    return false;
  weight = ctx.param("weight", weightShape, *weightInit);
  if (args.flag("bias"))
    bias = ctx.param("bias", {biasSize}, *biasInit);
  return true;
}

static Value emitDense(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  if (shapeOf(x).size() != 2) {
    ctx.error() << "dense expects a 2-D input [batch, features], got "
                << formatShape(shapeOf(x)) << " (use flatten(x) first)";
    return Value::error();
  }
  int64_t units = args.integer("units"), features = shapeOf(x)[1];
  if (!expectAtLeast(ctx, "dense", "units", units, 1))
    return Value::error();
  mlir::Value weight, bias;
  if (!declareWeightAndBias(ctx, args, {units, features}, features, units, units, weight,
                            bias))
    return Value::error();
  auto shape = nn::inferDenseShape(shapeOf(x), shapeOf(weight),
                                   bias ? std::optional(shapeOf(bias)) : std::nullopt,
                                   ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  return result(ctx.builder().create<nn::DenseOp>(ctx.loc(), ctx.f32(*shape), x, weight, bias));
}

static Value emitMatmul(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value lhs = args.tensor("a"), rhs = args.tensor("b");
  auto shape = nn::inferMatmulShape(shapeOf(lhs), shapeOf(rhs), ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  return result(ctx.builder().create<nn::MatmulOp>(ctx.loc(), ctx.f32(*shape), lhs, rhs));
}

/// Resolves `pad`: an int, a list per dim, or "same" (stride 1 only), into
/// low pads then high pads as nn ops store them.
static std::optional<SmallVector<int64_t>>
resolvePadding(LayerContext &ctx, llvm::StringRef layer, const BoundArgs &args,
               llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
               llvm::ArrayRef<int64_t> dilations) {
  size_t rank = kernel.size();
  const Value &pad = args.get("pad");
  SmallVector<int64_t> padding(2 * rank, 0);
  if (pad.kind == Value::Kind::String) {
    if (pad.stringValue == "valid")
      return padding;
    if (pad.stringValue != "same") {
      ctx.error() << layer << ": pad must be an int, a list of ints, \"same\" or \"valid\", got "
                  << pad.describe();
      return std::nullopt;
    }
    if (llvm::any_of(strides, [](int64_t s) { return s != 1; })) {
      ctx.error() << layer << ": pad=\"same\" needs stride 1";
      return std::nullopt;
    }
    for (size_t d = 0; d < rank; ++d) {
      int64_t total = dilations[d] * (kernel[d] - 1);
      padding[d] = total / 2;
      padding[rank + d] = total - total / 2;
    }
    return padding;
  }
  bool isInts = pad.kind == Value::Kind::Int ||
                (pad.kind == Value::Kind::List &&
                 llvm::all_of(pad.list, [](const Value &v) { return v.kind == Value::Kind::Int; }));
  if (!isInts) {
    ctx.error() << layer << ": pad must be an int, a list of ints, \"same\" or \"valid\", got "
                << pad.describe();
    return std::nullopt;
  }
  auto perDim = args.ints("pad", rank, [&] { return ctx.error() << layer << ": "; });
  if (!perDim)
    return std::nullopt;
  for (size_t d = 0; d < rank; ++d)
    padding[d] = padding[rank + d] = (*perDim)[d];
  return padding;
}

/// Reads kernel, stride and dilation of a `rank`-D window layer.
static bool readWindow(LayerContext &ctx, llvm::StringRef layer, const BoundArgs &args,
                       size_t rank, SmallVector<int64_t> &kernel,
                       SmallVector<int64_t> &strides, SmallVector<int64_t> &dilations) {
  auto prefix = [&] { return ctx.error() << layer << ": "; };
  auto k = args.ints("kernel", rank, prefix), s = args.ints("stride", rank, prefix),
       d = args.ints("dilation", rank, prefix);
  if (!k || !s || !d)
    return false;
  kernel = *k;
  strides = *s;
  dilations = *d;
  return true;
}

/// The arguments conv and conv_transpose share, read and checked.
struct ConvArgs {
  mlir::Value x;
  int64_t filters = 0, groups = 0, channels = 0;
  SmallVector<int64_t> kernel, strides, dilations;
};

static std::optional<ConvArgs> readConvArgs(LayerContext &ctx, const BoundArgs &args,
                                            llvm::StringRef layer, size_t rank) {
  ConvArgs conv;
  conv.x = args.tensor("x");
  if (!expectRank(ctx, layer, conv.x, rank + 2,
                  rank == 1 ? "[batch, channels, length]"
                            : "[batch, channels, height, width]"))
    return std::nullopt;
  conv.filters = args.integer("filters");
  conv.groups = args.integer("groups");
  conv.channels = shapeOf(conv.x)[1];
  if (!expectAtLeast(ctx, layer, "filters", conv.filters, 1) ||
      !expectAtLeast(ctx, layer, "groups", conv.groups, 1) ||
      !readWindow(ctx, layer, args, rank, conv.kernel, conv.strides, conv.dilations))
    return std::nullopt;
  if (conv.channels % conv.groups != 0 || conv.filters % conv.groups != 0) {
    ctx.error() << layer << ": groups (" << conv.groups << ") must divide input channels ("
                << conv.channels << ") and filters (" << conv.filters << ")";
    return std::nullopt;
  }
  return conv;
}

static Value emitConv(LayerContext &ctx, const BoundArgs &args, llvm::StringRef layer,
                      size_t rank) {
  auto conv = readConvArgs(ctx, args, layer, rank);
  if (!conv)
    return Value::error();
  auto [x, filters, groups, channels, kernel, strides, dilations] = *conv;
  if (mlir::failed(nn::verifyWindow({kernel, strides, SmallVector<int64_t>(2 * rank, 0),
                                     dilations},
                                    rank, [&] { return ctx.error() << layer << ": "; })))
    return Value::error();
  auto padding = resolvePadding(ctx, layer, args, kernel, strides, dilations);
  if (!padding)
    return Value::error();
  int64_t receptive = nn::numElements(kernel);
  SmallVector<int64_t> weightShape{filters, channels / groups};
  weightShape.append(kernel);
  mlir::Value weight, bias;
  if (!declareWeightAndBias(ctx, args, weightShape, channels / groups * receptive,
                            filters * receptive, filters, weight, bias))
    return Value::error();
  auto shape = nn::inferConvShape(shapeOf(x), weightShape,
                                  bias ? std::optional(shapeOf(bias)) : std::nullopt, strides,
                                  *padding, dilations, groups,
                                  [&] { return ctx.error() << layer << ": "; });
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  return result(b.create<nn::ConvOp>(ctx.loc(), ctx.f32(*shape), x, weight, bias,
                                     b.getDenseI64ArrayAttr(strides),
                                     b.getDenseI64ArrayAttr(*padding),
                                     b.getDenseI64ArrayAttr(dilations),
                                     b.getI64IntegerAttr(groups)));
}

static Value emitConvTranspose(LayerContext &ctx, const BoundArgs &args,
                               llvm::StringRef layer, size_t rank) {
  auto conv = readConvArgs(ctx, args, layer, rank);
  if (!conv)
    return Value::error();
  auto [x, filters, groups, channels, kernel, strides, dilations] = *conv;
  auto prefix = [&] { return ctx.error() << layer << ": "; };
  auto pads = args.ints("pad", rank, prefix);
  auto outputPads = args.ints("output_pad", rank, prefix);
  if (!pads || !outputPads)
    return Value::error();
  SmallVector<int64_t> padding(*pads);
  padding.append(*pads);
  int64_t receptive = nn::numElements(kernel);
  SmallVector<int64_t> weightShape{channels, filters / groups};
  weightShape.append(kernel);
  // PyTorch computes the fan-in of a transposed convolution from weight dim 1.
  mlir::Value weight, bias;
  if (!declareWeightAndBias(ctx, args, weightShape, filters / groups * receptive,
                            channels * receptive, filters, weight, bias))
    return Value::error();
  auto shape = nn::inferConvTransposeShape(
      shapeOf(x), weightShape, bias ? std::optional(shapeOf(bias)) : std::nullopt, strides,
      padding, dilations, *outputPads, groups, prefix);
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  return result(b.create<nn::ConvTransposeOp>(
      ctx.loc(), ctx.f32(*shape), x, weight, bias, b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(padding), b.getDenseI64ArrayAttr(dilations),
      b.getDenseI64ArrayAttr(*outputPads), b.getI64IntegerAttr(groups)));
}

void nnc::frontend::registerLinearLayers(llvm::StringMap<LayerDef> &table) {
  Signature dense{required("x", ArgKind::Tensor), required("units", ArgKind::Int),
                  optionalBool("bias", true), optionalString("init", "default"),
                  optionalString("bias_init", "default")};
  table["dense"] = {dense, emitDense, true};
  table["linear"] = {dense, emitDense, true};
  table["matmul"] = {{required("a", ArgKind::Tensor), required("b", ArgKind::Tensor)},
                     emitMatmul};

  Signature conv{required("x", ArgKind::Tensor),   required("filters", ArgKind::Int),
                 required("kernel", ArgKind::Ints), optionalInts("stride", 1),
                 {"pad", ArgKind::Any, Value::ofInt(0)}, optionalInts("dilation", 1),
                 optionalInt("groups", 1),          optionalBool("bias", true),
                 optionalString("init", "default"), optionalString("bias_init", "default")};
  for (size_t rank : {1, 2}) {
    std::string name = "conv" + std::to_string(rank) + "d";
    table[name] = {conv,
                   [name, rank](LayerContext &ctx, const BoundArgs &args) {
                     return emitConv(ctx, args, name, rank);
                   },
                   true};
  }

  Signature convTranspose{required("x", ArgKind::Tensor),
                          required("filters", ArgKind::Int),
                          required("kernel", ArgKind::Ints),
                          optionalInts("stride", 1),
                          optionalInts("pad", 0),
                          optionalInts("output_pad", 0),
                          optionalInts("dilation", 1),
                          optionalInt("groups", 1),
                          optionalBool("bias", true),
                          optionalString("init", "default"),
                          optionalString("bias_init", "default")};
  for (size_t rank : {1, 2}) {
    std::string name = "conv_transpose" + std::to_string(rank) + "d";
    table[name] = {convTranspose,
                   [name, rank](LayerContext &ctx, const BoundArgs &args) {
                     return emitConvTranspose(ctx, args, name, rank);
                   },
                   true};
  }
}
