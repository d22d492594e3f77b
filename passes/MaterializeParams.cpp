//===- MaterializeParams.cpp - parameters as slices of one buffer ---------===//
//
// Implements nnc-materialize-params (see Passes.td): the parameter layout of
// the ABI is decided here, once, and recorded in the IR for the ABI emitter.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "passes/LowerNNToLinalg.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace nnc {
#define GEN_PASS_DEF_MATERIALIZEPARAMS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct MaterializeParamsPass
    : nnc::impl::MaterializeParamsBase<MaterializeParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    int64_t bytes = 0;
    llvm::StringMap<std::pair<int64_t, nnc::nn::ParamOp>> offsets;
    for (auto param : module.getOps<nnc::nn::ParamOp>()) {
      bytes = llvm::alignTo(bytes, nnc::kBufferAlignment);
      param->setAttr("offset", builder.getI64IntegerAttr(bytes));
      offsets[param.getSymName()] = {bytes, param};
      bytes += param.getTensorType().getNumElements() * 4;
    }
    bytes = llvm::alignTo(bytes, nnc::kBufferAlignment);
    module->setAttr("nn.param_bytes", builder.getI64IntegerAttr(bytes));

    for (auto func : module.getOps<func::FuncOp>()) {
      SmallVector<nnc::nn::ParamLoadOp> loads;
      func.walk([&](nnc::nn::ParamLoadOp load) { loads.push_back(load); });
      if (loads.empty())
        continue;
      auto paramsType = RankedTensorType::get({bytes / 4}, builder.getF32Type());
      func.insertArgument(0, paramsType,
                                     builder.getDictionaryAttr(builder.getNamedAttr(
                                         "nn.name", builder.getStringAttr("params"))),
                                     func.getLoc());
      Value params = func.getArgument(0);
      for (nnc::nn::ParamLoadOp load : loads) {
        auto [offset, param] = offsets.lookup(load.getParam());
        builder.setInsertionPoint(load);
        int64_t count = param.getTensorType().getNumElements();
        Value flat = builder.create<tensor::ExtractSliceOp>(
            load.getLoc(), RankedTensorType::get({count}, builder.getF32Type()), params,
            ValueRange{}, ValueRange{}, ValueRange{},
            builder.getDenseI64ArrayAttr({offset / 4}), builder.getDenseI64ArrayAttr({count}),
            builder.getDenseI64ArrayAttr({1}));
        load.replaceAllUsesWith(nnc::lowering::reshape(
            builder, load.getLoc(), flat, param.getTensorType().getShape()));
        load.erase();
      }
    }
  }
};

} // namespace
