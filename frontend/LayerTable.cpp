//===- LayerTable.cpp - the registry of built-in layers and optimizers ----===//
//
// Assembles the layer table from the family files and defines the optimizer
// signatures with PyTorch's default hyperparameters.
//
//===----------------------------------------------------------------------===//

#include "frontend/Layers.h"

#include "ir/NNDialect.h"

using namespace nnc::frontend;

const llvm::StringMap<LayerDef> &nnc::frontend::layerTable() {
  static const llvm::StringMap<LayerDef> table = [] {
    llvm::StringMap<LayerDef> t;
    registerLinearLayers(t);
    registerSpatialLayers(t);
    registerNormLayers(t);
    registerActivationLayers(t);
    registerLossLayers(t);
    registerConstantLayers(t);
    return t;
  }();
  return table;
}

const llvm::StringMap<OptimizerDef> &nnc::frontend::optimizerTable() {
  static const llvm::StringMap<OptimizerDef> table = [] {
    auto number = [](const char *name, double value) {
      return ArgSpec{name, ArgKind::Number, Value::ofFloat(value)};
    };
    auto flag = [](const char *name, bool value) {
      return ArgSpec{name, ArgKind::Bool, Value::ofBool(value)};
    };
    llvm::StringMap<OptimizerDef> t;
    t["sgd"] = {"sgd",
                {number("lr", 0.01), number("momentum", 0), number("dampening", 0),
                 flag("nesterov", false), number("weight_decay", 0)}};
    t["rmsprop"] = {"rmsprop",
                    {number("lr", 0.01), number("alpha", 0.99), number("eps", 1e-8),
                     number("momentum", 0), number("weight_decay", 0)}};
    t["adam"] = {"adam",
                 {number("lr", 1e-3), number("beta1", 0.9), number("beta2", 0.999),
                  number("eps", 1e-8), number("weight_decay", 0)}};
    t["adamw"] = {"adam",
                  {number("lr", 1e-3), number("beta1", 0.9), number("beta2", 0.999),
                   number("eps", 1e-8), number("weight_decay", 0.01)},
                  /*decoupledWeightDecay=*/true};
    return t;
  }();
  return table;
}

mlir::RankedTensorType LayerContext::f32(llvm::ArrayRef<int64_t> shape) {
  return mlir::RankedTensorType::get(shape, builder().getF32Type());
}

mlir::Value LayerContext::splat(llvm::ArrayRef<int64_t> shape, double value) {
  auto type = f32(shape);
  auto attr = mlir::DenseElementsAttr::get(type, static_cast<float>(value));
  return builder().create<nn::ConstantOp>(loc(), attr);
}
