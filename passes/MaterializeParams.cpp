//===- MaterializeParams.cpp - parameters as slices of caller buffers ----===//
//
// Implements nnc-materialize-params (see Passes.td): the layouts of the
// parameter and optimizer-state buffers of the ABI are decided here, once,
// and recorded in the IR for the ABI emitter.
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
namespace nn = nnc::nn;

namespace {

/// One caller-owned buffer of parameters and where each of them lives.
struct ParamBuffer {
  StringRef argName;
  StringRef bytesAttr;
  int64_t bytes = 0;
  llvm::StringMap<std::pair<int64_t, nn::ParamOp>> offsets;
};

bool isOptimizerState(nn::ParamOp param) {
  return param->hasAttr("nn.optimizer_state");
}

/// Gives `func` a leading argument for `buffer`, turns its loads into slices
/// and its stores into insert_slices materialized in the argument.
void materialize(func::FuncOp func, ParamBuffer &buffer, unsigned argIndex,
                 ArrayRef<nn::ParamLoadOp> loads, ArrayRef<nn::ParamStoreOp> stores) {
  OpBuilder builder(func.getContext());
  auto bufferType = RankedTensorType::get({buffer.bytes / 4}, builder.getF32Type());
  func.insertArgument(argIndex, bufferType,
                      builder.getDictionaryAttr(builder.getNamedAttr(
                          "nn.name", builder.getStringAttr(buffer.argName))),
                      func.getLoc());
  Value argument = func.getArgument(argIndex);
  auto flatType = [&](nn::ParamOp param) {
    return RankedTensorType::get({param.getTensorType().getNumElements()},
                                 builder.getF32Type());
  };
  auto sliceAttrs = [&](int64_t offset, int64_t count) {
    return std::make_tuple(builder.getDenseI64ArrayAttr({offset / 4}),
                           builder.getDenseI64ArrayAttr({count}),
                           builder.getDenseI64ArrayAttr({1}));
  };
  for (nn::ParamLoadOp load : loads) {
    auto [offset, param] = buffer.offsets.lookup(load.getParam());
    builder.setInsertionPoint(load);
    auto [offsets, sizes, strides] = sliceAttrs(offset, flatType(param).getNumElements());
    Value flat = builder.create<tensor::ExtractSliceOp>(
        load.getLoc(), flatType(param), argument, ValueRange{}, ValueRange{}, ValueRange{},
        offsets, sizes, strides);
    load.replaceAllUsesWith(nnc::lowering::reshape(builder, load.getLoc(), flat,
                                                   param.getTensorType().getShape()));
    load.erase();
  }
  // Each store copies its value into its slice of the argument. The
  // stores follow every read of the old contents, so bufferization writes
  // the caller's buffer in place.
  for (nn::ParamStoreOp store : stores) {
    auto [offset, param] = buffer.offsets.lookup(store.getParam());
    builder.setInsertionPoint(store);
    int64_t count = flatType(param).getNumElements();
    auto [offsets, sizes, strides] = sliceAttrs(offset, count);
    Value slot = builder.create<tensor::ExtractSliceOp>(store.getLoc(), flatType(param),
                                                        argument, ValueRange{}, ValueRange{},
                                                        ValueRange{}, offsets, sizes, strides);
    Value flat = nnc::lowering::reshape(builder, store.getLoc(), store.getValue(), {count});
    builder.create<bufferization::MaterializeInDestinationOp>(store.getLoc(), flat, slot);
  }
  for (nn::ParamStoreOp store : stores)
    store.erase();
}

struct MaterializeParamsPass
    : nnc::impl::MaterializeParamsBase<MaterializeParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    ParamBuffer buffers[2];
    buffers[0].argName = "params";
    buffers[0].bytesAttr = "nn.param_bytes";
    buffers[1].argName = "opt_state";
    buffers[1].bytesAttr = "nn.opt_state_bytes";
    for (auto param : module.getOps<nn::ParamOp>()) {
      ParamBuffer &buffer = buffers[isOptimizerState(param)];
      buffer.bytes = llvm::alignTo(buffer.bytes, nnc::kBufferAlignment);
      param->setAttr("offset", builder.getI64IntegerAttr(buffer.bytes));
      buffer.offsets[param.getSymName()] = {buffer.bytes, param};
      buffer.bytes += param.getTensorType().getNumElements() * 4;
    }
    for (ParamBuffer &buffer : buffers) {
      buffer.bytes = llvm::alignTo(buffer.bytes, nnc::kBufferAlignment);
      module->setAttr(buffer.bytesAttr, builder.getI64IntegerAttr(buffer.bytes));
    }

    for (auto func : module.getOps<func::FuncOp>()) {
      SmallVector<nn::ParamLoadOp> loads[2];
      SmallVector<nn::ParamStoreOp> stores[2];
      auto bufferOf = [&](StringRef name) {
        return buffers[1].offsets.contains(name) ? 1 : 0;
      };
      func.walk([&](nn::ParamLoadOp load) { loads[bufferOf(load.getParam())].push_back(load); });
      func.walk(
          [&](nn::ParamStoreOp store) { stores[bufferOf(store.getParam())].push_back(store); });
      // The training step always takes both buffers, inference only params.
      bool isTrainStep = func.getName() == "train_step";
      unsigned argIndex = 0;
      for (int i = 0; i < 2; ++i) {
        if (loads[i].empty() && stores[i].empty() && !isTrainStep)
          continue;
        materialize(func, buffers[i], argIndex++, loads[i], stores[i]);
      }
    }
  }
};

} // namespace
