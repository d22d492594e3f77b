//===- LayersSpatial.cpp - pooling, resampling and shape layers -----------===//
//
// Parameter-free layers that move data: max/avg pooling (1-D, 2-D), global
// average pooling, nearest upsampling, flatten/reshape, concat and argmax.
//
//===----------------------------------------------------------------------===//

#include "frontend/LayerHelpers.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;
using nnc::nn::formatShape;
using llvm::SmallVector;

static Value emitPool(LayerContext &ctx, const BoundArgs &args, llvm::StringRef layer,
                      size_t rank, bool isMax) {
  mlir::Value x = args.tensor("x");
  if (!expectRank(ctx, layer, x, rank + 2,
                  rank == 1 ? "[batch, channels, length]"
                            : "[batch, channels, height, width]"))
    return Value::error();
  auto prefix = [&] { return ctx.error() << layer << ": "; };
  auto kernel = args.ints("kernel", rank, prefix);
  // PyTorch: the stride defaults to the kernel size.
  auto strides = args.given("stride") ? args.ints("stride", rank, prefix) : kernel;
  auto pads = args.ints("pad", rank, prefix);
  auto dilations = isMax ? args.ints("dilation", rank, prefix)
                         : std::optional(SmallVector<int64_t>(rank, 1));
  if (!kernel || !strides || !pads || !dilations)
    return Value::error();
  SmallVector<int64_t> padding(*pads);
  padding.append(*pads);
  bool ceilMode = args.flag("ceil_mode");
  auto shape = nn::inferPoolShape(shapeOf(x), {*kernel, *strides, padding, *dilations},
                                  ceilMode, prefix);
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  if (isMax)
    return result(b.create<nn::MaxPoolOp>(
        ctx.loc(), ctx.f32(*shape), x, b.getDenseI64ArrayAttr(*kernel),
        b.getDenseI64ArrayAttr(*strides), b.getDenseI64ArrayAttr(padding),
        b.getBoolAttr(ceilMode), b.getDenseI64ArrayAttr(*dilations)));
  return result(b.create<nn::AvgPoolOp>(
      ctx.loc(), ctx.f32(*shape), x, b.getDenseI64ArrayAttr(*kernel),
      b.getDenseI64ArrayAttr(*strides), b.getDenseI64ArrayAttr(padding),
      b.getBoolAttr(ceilMode), b.getBoolAttr(args.flag("count_include_pad"))));
}

static Value emitGlobalAvgPool(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  auto shape = nn::inferGlobalAvgPoolShape(shapeOf(x), ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  return result(ctx.builder().create<nn::GlobalAvgPoolOp>(ctx.loc(), ctx.f32(*shape), x));
}

static Value emitUpsample(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  if (shapeOf(x).size() < 3) {
    ctx.error() << "upsample expects an input [batch, channels, spatial...], got "
                << formatShape(shapeOf(x));
    return Value::error();
  }
  auto scales = args.ints("scale", shapeOf(x).size() - 2,
                          [&] { return ctx.error() << "upsample: "; });
  if (!scales)
    return Value::error();
  auto shape = nn::inferUpsampleShape(shapeOf(x), *scales, ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  return result(b.create<nn::UpsampleNearestOp>(ctx.loc(), ctx.f32(*shape), x,
                                                b.getDenseI64ArrayAttr(*scales)));
}

static Value emitReshapeTo(LayerContext &ctx, mlir::Value x, llvm::ArrayRef<int64_t> shape) {
  auto type = mlir::RankedTensorType::get(
      shape, llvm::cast<mlir::ShapedType>(x.getType()).getElementType());
  return result(ctx.builder().create<nn::ReshapeOp>(ctx.loc(), type, x));
}

static Value emitFlatten(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  llvm::ArrayRef<int64_t> in = shapeOf(x);
  auto start = nn::normalizeAxis(args.integer("start"), in.size(),
                                 [&] { return ctx.error() << "flatten: "; });
  if (mlir::failed(start))
    return Value::error();
  SmallVector<int64_t> shape(in.take_front(*start));
  shape.push_back(nn::numElements(in.drop_front(*start)));
  return emitReshapeTo(ctx, x, shape);
}

static Value emitReshape(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  const Value &spec = args.get("shape");
  SmallVector<int64_t> shape;
  int inferred = -1;
  for (const auto &[index, dim] : llvm::enumerate(spec.list)) {
    if (dim.kind != Value::Kind::Int || dim.intValue < -1 || dim.intValue == 0 ||
        (dim.intValue == -1 && inferred >= 0)) {
      ctx.error() << "reshape: shape must be positive ints with at most one -1, got "
                  << spec.describe();
      return Value::error();
    }
    if (dim.intValue == -1)
      inferred = index;
    shape.push_back(dim.intValue);
  }
  if (spec.kind != Value::Kind::List || shape.empty()) {
    ctx.error() << "reshape: shape must be a non-empty list of ints, got " << spec.describe();
    return Value::error();
  }
  int64_t total = nn::numElements(shapeOf(x));
  int64_t product = nn::numElements(shape);
  if (product == nn::kTooManyElements || std::abs(product) > (int64_t(1) << 40)) {
    auto diag = ctx.error() << "reshape: the target shape [";
    llvm::interleave(shape, diag, ",");
    diag << "] has too many elements";
    return Value::error();
  }
  if (inferred >= 0) {
    int64_t known = -product;
    if (total % known != 0) {
      ctx.error() << "reshape: cannot infer the -1 dim: " << total
                  << " elements are not a multiple of " << known;
      return Value::error();
    }
    shape[inferred] = total / known;
  }
  if (mlir::failed(nn::verifyReshape(shapeOf(x), shape,
                                     [&] { return ctx.error() << "reshape: "; })))
    return Value::error();
  return emitReshapeTo(ctx, x, shape);
}

static Value emitConcat(LayerContext &ctx, const BoundArgs &args) {
  std::vector<mlir::Value> inputs = args.tensors("x");
  SmallVector<llvm::ArrayRef<int64_t>> shapes;
  for (mlir::Value input : inputs)
    shapes.push_back(shapeOf(input));
  auto shape = nn::inferConcatShape(shapes, args.integer("axis"), ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  return result(b.create<nn::ConcatOp>(ctx.loc(), ctx.f32(*shape), inputs,
                                       b.getI64IntegerAttr(args.integer("axis"))));
}

static Value emitArgmax(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value x = args.tensor("x");
  auto shape = nn::inferArgmaxShape(shapeOf(x), args.integer("axis"), ctx.errorFn());
  if (mlir::failed(shape))
    return Value::error();
  auto &b = ctx.builder();
  auto type = mlir::RankedTensorType::get(*shape, b.getI32Type());
  return result(
      b.create<nn::ArgmaxOp>(ctx.loc(), type, x, b.getI64IntegerAttr(args.integer("axis"))));
}

void nnc::frontend::registerSpatialLayers(llvm::StringMap<LayerDef> &table) {
  for (size_t rank : {1, 2}) {
    std::string suffix = std::to_string(rank) + "d";
    std::string maxName = "max_pool" + suffix, avgName = "avg_pool" + suffix;
    table[maxName] = {{required("x", ArgKind::Tensor), required("kernel", ArgKind::Ints),
                       unset("stride", ArgKind::Ints), optionalInts("pad", 0),
                       optionalInts("dilation", 1), optionalBool("ceil_mode", false)},
                      [maxName, rank](LayerContext &ctx, const BoundArgs &args) {
                        return emitPool(ctx, args, maxName, rank, true);
                      }};
    table[avgName] = {{required("x", ArgKind::Tensor), required("kernel", ArgKind::Ints),
                       unset("stride", ArgKind::Ints), optionalInts("pad", 0),
                       optionalBool("ceil_mode", false),
                       optionalBool("count_include_pad", true)},
                      [avgName, rank](LayerContext &ctx, const BoundArgs &args) {
                        return emitPool(ctx, args, avgName, rank, false);
                      }};
  }
  table["global_avg_pool"] = {{required("x", ArgKind::Tensor)}, emitGlobalAvgPool};
  table["upsample"] = {{required("x", ArgKind::Tensor), optionalInts("scale", 2)},
                       emitUpsample};
  table["flatten"] = {{required("x", ArgKind::Tensor), optionalInt("start", 1)}, emitFlatten};
  table["reshape"] = {{required("x", ArgKind::Tensor), required("shape", ArgKind::Any)},
                      emitReshape};
  table["concat"] = {{required("x", ArgKind::Tensors), optionalInt("axis", 1)}, emitConcat};
  table["argmax"] = {{required("x", ArgKind::Tensor), optionalInt("axis", -1)}, emitArgmax};
}
