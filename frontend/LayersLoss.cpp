//===- LayersLoss.cpp - loss functions ------------------------------------===//
//
// mse, softmax_cross_entropy (alias cross_entropy), hinge (multiclass SVM)
// and l2_penalty(). Each yields a scalar f32 tensor, the mean over the batch.
//
//===----------------------------------------------------------------------===//

#include "frontend/LayerHelpers.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;

static mlir::RankedTensorType scalarType(LayerContext &ctx) { return ctx.f32({}); }

static Value emitMse(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value prediction = args.tensor("prediction"), target = args.tensor("target");
  if (mlir::failed(nn::verifyMseLoss(shapeOf(prediction), shapeOf(target), ctx.errorFn())))
    return Value::error();
  return result(
      ctx.builder().create<nn::MseLossOp>(ctx.loc(), scalarType(ctx), prediction, target));
}

static Value emitCrossEntropy(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value logits = args.tensor("logits"), labels = args.tensor("labels");
  if (mlir::failed(
          nn::verifyClassificationLoss(shapeOf(logits), shapeOf(labels), ctx.errorFn())))
    return Value::error();
  return result(ctx.builder().create<nn::SoftmaxCrossEntropyOp>(ctx.loc(), scalarType(ctx),
                                                                logits, labels));
}

static Value emitHinge(LayerContext &ctx, const BoundArgs &args) {
  mlir::Value scores = args.tensor("scores"), labels = args.tensor("labels");
  double margin = args.number("margin");
  if (!(margin > 0)) {
    ctx.error() << "hinge: margin must be > 0, got " << margin;
    return Value::error();
  }
  if (mlir::failed(
          nn::verifyClassificationLoss(shapeOf(scores), shapeOf(labels), ctx.errorFn())))
    return Value::error();
  auto &b = ctx.builder();
  return result(b.create<nn::HingeLossOp>(ctx.loc(), scalarType(ctx), scores, labels,
                                          b.getF64FloatAttr(margin)));
}

static Value emitL2Penalty(LayerContext &ctx, const BoundArgs &) {
  std::vector<mlir::Value> params = ctx.trainableParams();
  if (params.empty()) {
    ctx.error() << "l2_penalty: the model has no trainable parameters";
    return Value::error();
  }
  return result(ctx.builder().create<nn::L2PenaltyOp>(ctx.loc(), scalarType(ctx), params));
}

void nnc::frontend::registerLossLayers(llvm::StringMap<LayerDef> &table) {
  table["mse"] = {{required("prediction", ArgKind::Tensor), required("target", ArgKind::Tensor)},
                  emitMse};
  Signature crossEntropy{required("logits", ArgKind::Tensor),
                         required("labels", ArgKind::Labels)};
  table["softmax_cross_entropy"] = {crossEntropy, emitCrossEntropy};
  table["cross_entropy"] = {crossEntropy, emitCrossEntropy};
  table["hinge"] = {{required("scores", ArgKind::Tensor), required("labels", ArgKind::Labels),
                     optionalNumber("margin", 1.0)},
                    emitHinge};
  table["l2_penalty"] = {{}, emitL2Penalty};
}
