//===- Differentiate.cpp - the training step by reverse-mode autodiff -----===//
//
// Implements nnc-differentiate (see Passes.td). `@train` (forward + loss)
// becomes `@train_step`: the forward in training mode, the backward built
// from GradientRules.h, one optimizer update per trainable parameter, and
// the writes of the new parameters, running statistics and optimizer state.
//
// What the backward keeps from the forward: the rules read forward values
// directly (e.g. a conv's input for its weight gradient, a max pool's input
// to find each window's maximum, sigmoid/tanh results), and nothing else;
// dropout masks are recomputed from (seed, step, index) instead of stored.
// Memory planning then keeps each forward value alive exactly until its last
// backward use.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "passes/GradientRules.h"
#include "passes/LayerLocations.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace nnc {
#define GEN_PASS_DEF_DIFFERENTIATE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
namespace nn = nnc::nn;
using nnc::autodiff::scalarConstant;
using nnc::autodiff::splatConstant;

namespace {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

RankedTensorType f32Tensor(Builder &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// The hyperparameter vector of nnc_hparams, in its field order.
constexpr const char *kHyperparamNames[] = {"lr",    "momentum", "dampening", "alpha",
                                            "beta1", "beta2",    "eps",       "weight_decay"};

/// A parameter write the step performs after everything else.
struct PendingStore {
  Value value;
  StringRef param;
};

class TrainStepBuilder {
public:
  TrainStepBuilder(ModuleOp module, func::FuncOp step, nn::OptimizerOp optimizer)
      : module(module), step(step), optimizer(optimizer), b(module.getContext()) {}

  LogicalResult build();

private:
  nn::ParamOp addStateParam(StringRef name, RankedTensorType type);
  Value load(nn::ParamOp param, Location loc) {
    return b.create<nn::ParamLoadOp>(loc, param.getType(), param.getSymName());
  }
  StringRef paramOf(Value value) {
    auto paramLoad = value.getDefiningOp<nn::ParamLoadOp>();
    return paramLoad ? paramLoad.getParam() : StringRef();
  }

  void decomposeTrainingOps();
  void decomposeBatchNorm(nn::BatchNormOp op);
  /// normalize(x) over the last dim of x reshaped to [1, rows, count] with
  /// batch statistics: the shared core of layer, group and instance norm.
  Value normalizeRows(Location loc, Value x, int64_t rows, double epsilon);
  Value affine(Location loc, Value y, Value scale, Value shift, ArrayRef<int64_t> dims);
  void decomposeNorm(Operation *op);

  LogicalResult differentiate();
  void updateParameters();

  ModuleOp module;
  func::FuncOp step;
  nn::OptimizerOp optimizer;
  OpBuilder b;
  Value counters, hyperparams;
  nn::ParamOp lastParam;
  SmallVector<PendingStore> stores;
  /// Per trainable parameter symbol, its accumulated gradient.
  llvm::MapVector<StringRef, Value> paramGrads;
};

} // namespace

nn::ParamOp TrainStepBuilder::addStateParam(StringRef name, RankedTensorType type) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfter(lastParam);
  auto param = b.create<nn::ParamOp>(step.getLoc(), name, type, "constant",
                                     b.getDenseF64ArrayAttr({0.0}), false);
  param->setAttr("nn.optimizer_state", b.getUnitAttr());
  lastParam = param;
  return param;
}

//===----------------------------------------------------------------------===//
// The training forward, on primitives with gradient rules
//===----------------------------------------------------------------------===//

// Training-mode batch norm normalizes with the batch statistics and moves the
// running statistics toward them (PyTorch's convention, unbiased variance).
void TrainStepBuilder::decomposeBatchNorm(nn::BatchNormOp op) {
  Location loc = op.getLoc();
  b.setInsertionPoint(op);
  Value x = op.getInput();
  Type channelType = op.getScale().getType();
  auto stats = b.create<nn::BatchStatsOp>(loc, TypeRange{channelType, channelType}, x);
  Value y = b.create<nn::BatchNormOp>(loc, op.getType(), x, op.getScale(), op.getShift(),
                                      stats.getMean(), stats.getVariance(),
                                      op.getEpsilonAttr(), op.getMomentumAttr(),
                                      b.getBoolAttr(false));
  double momentum = op.getMomentum().convertToDouble();
  int64_t count = product(shapeOf(x)) / shapeOf(x)[1];
  double unbias = count > 1 ? double(count) / double(count - 1) : 1.0;
  auto blend = [&](Value running, Value batch, double batchFactor) {
    Value kept = b.create<nn::ScaleOp>(loc, channelType, running,
                                       scalarConstant(b, loc, 1.0 - momentum));
    Value moved = b.create<nn::ScaleOp>(loc, channelType, batch,
                                        scalarConstant(b, loc, momentum * batchFactor));
    return b.create<nn::AddOp>(loc, channelType, kept, moved).getResult();
  };
  if (StringRef mean = paramOf(op.getRunningMean()); !mean.empty())
    stores.push_back({blend(op.getRunningMean(), stats.getMean(), 1.0), mean});
  if (StringRef var = paramOf(op.getRunningVar()); !var.empty())
    stores.push_back({blend(op.getRunningVar(), stats.getVariance(), unbias), var});
  op.replaceAllUsesWith(y);
  op.erase();
}

Value TrainStepBuilder::normalizeRows(Location loc, Value x, int64_t rows, double epsilon) {
  int64_t count = product(shapeOf(x)) / rows;
  Value flat = b.create<nn::ReshapeOp>(loc, f32Tensor(b, {1, rows, count}), x);
  Type rowType = f32Tensor(b, {rows});
  auto stats = b.create<nn::BatchStatsOp>(loc, TypeRange{rowType, rowType}, flat);
  Value normalized = b.create<nn::BatchNormOp>(
      loc, flat.getType(), flat, splatConstant(b, loc, {rows}, 1.0),
      splatConstant(b, loc, {rows}, 0.0), stats.getMean(), stats.getVariance(),
      b.getF64FloatAttr(epsilon), b.getF64FloatAttr(0.0), b.getBoolAttr(false));
  return b.create<nn::ReshapeOp>(loc, x.getType(), normalized);
}

/// y * scale + shift with the affine operands broadcast along `dims` of y.
Value TrainStepBuilder::affine(Location loc, Value y, Value scale, Value shift,
                               ArrayRef<int64_t> dims) {
  if (scale)
    y = b.create<nn::MulOp>(loc, y.getType(), y,
                            b.create<nn::BroadcastOp>(loc, y.getType(), scale,
                                                      b.getDenseI64ArrayAttr(dims)));
  if (shift)
    y = b.create<nn::AddOp>(loc, y.getType(), y,
                            b.create<nn::BroadcastOp>(loc, y.getType(), shift,
                                                      b.getDenseI64ArrayAttr(dims)));
  return y;
}

// Layer, group and instance norm are batch-statistics normalization of rows
// of a reshaped input, followed by their affine transform.
void TrainStepBuilder::decomposeNorm(Operation *op) {
  Location loc = op->getLoc();
  b.setInsertionPoint(op);
  Value x = op->getOperand(0);
  ArrayRef<int64_t> shape = shapeOf(x);
  Value y;
  if (auto layer = dyn_cast<nn::LayerNormOp>(op)) {
    int64_t rank = shape.size(), normalized = layer.getNormalizedRank();
    SmallVector<int64_t> trailing;
    for (int64_t d = rank - normalized; d < rank; ++d)
      trailing.push_back(d);
    y = normalizeRows(loc, x, product(shape.take_front(rank - normalized)),
                      layer.getEpsilon().convertToDouble());
    y = affine(loc, y, layer.getScale(), layer.getShift(), trailing);
  } else if (auto group = dyn_cast<nn::GroupNormOp>(op)) {
    y = normalizeRows(loc, x, shape[0] * int64_t(group.getGroups()),
                      group.getEpsilon().convertToDouble());
    y = affine(loc, y, group.getScale(), group.getShift(), {1});
  } else {
    auto instance = cast<nn::InstanceNormOp>(op);
    y = normalizeRows(loc, x, shape[0] * shape[1], instance.getEpsilon().convertToDouble());
    y = affine(loc, y, instance.getScale(), instance.getShift(), {1});
  }
  op->getResult(0).replaceAllUsesWith(y);
  op->erase();
}

void TrainStepBuilder::decomposeTrainingOps() {
  SmallVector<Operation *> ops;
  step.walk([&](Operation *op) {
    if (isa<nn::BatchNormOp, nn::DropoutOp, nn::LayerNormOp, nn::GroupNormOp,
            nn::InstanceNormOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto bn = dyn_cast<nn::BatchNormOp>(op)) {
      if (bn.getTraining())
        decomposeBatchNorm(bn);
    } else if (auto dropout = dyn_cast<nn::DropoutOp>(op)) {
      if (!dropout.getTraining())
        continue;
      b.setInsertionPoint(dropout);
      Value masked = b.create<nn::DropoutMaskOp>(dropout.getLoc(), dropout.getType(),
                                                 dropout.getInput(), counters,
                                                 dropout.getRateAttr(), dropout.getSeedAttr());
      dropout.replaceAllUsesWith(masked);
      dropout.erase();
    } else {
      decomposeNorm(op);
    }
  }
}

//===----------------------------------------------------------------------===//
// The backward
//===----------------------------------------------------------------------===//

LogicalResult TrainStepBuilder::differentiate() {
  Block &body = step.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value loss = ret.getOperand(0);

  // Values that depend on a trainable parameter: only they need gradients.
  DenseSet<Value> active;
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator()) {
    forward.push_back(&op);
    bool isActive = false;
    if (auto paramLoad = dyn_cast<nn::ParamLoadOp>(op)) {
      auto param = module.lookupSymbol<nn::ParamOp>(paramLoad.getParam());
      isActive = param && param.getTrainable();
    } else {
      isActive = llvm::any_of(op.getOperands(), [&](Value v) { return active.contains(v); });
    }
    if (isActive)
      for (Value result : op.getResults())
        if (cast<RankedTensorType>(result.getType()).getElementType().isF32())
          active.insert(result);
  }
  if (!active.contains(loss))
    return step.emitError() << "the loss does not depend on any trainable parameter";

  b.setInsertionPoint(ret);
  DenseMap<Value, Value> grads;
  Value seed = scalarConstant(b, loss.getLoc(), 1.0);
  grads[loss] = seed;
  auto accumulate = [&](Value value, Value grad, Location loc) {
    Value &slot = grads[value];
    slot = slot ? b.create<nn::AddOp>(loc, grad.getType(), slot, grad).getResult() : grad;
  };
  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value result : op->getResults()) {
      resultGrads.push_back(grads.lookup(result));
      any |= bool(resultGrads.back());
    }
    if (!any)
      continue;
    if (auto paramLoad = dyn_cast<nn::ParamLoadOp>(op)) {
      Value &total = paramGrads[paramLoad.getParam()];
      total = total ? b.create<nn::AddOp>(op->getLoc(), resultGrads[0].getType(), total,
                                          resultGrads[0])
                          .getResult()
                    : resultGrads[0];
      continue;
    }
    SmallVector<bool> needed;
    for (Value operand : op->getOperands())
      needed.push_back(active.contains(operand));
    if (!llvm::is_contained(needed, true))
      continue;
    if (!nnc::autodiff::hasGradientRule(op))
      return op->emitError() << "cannot differentiate '" << op->getName()
                             << "': it has no gradient rule";
    b.setInsertionPoint(ret);
    SmallVector<Value> operandGrads =
        nnc::autodiff::buildOperandGradients(b, op, resultGrads, needed);
    for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads))
      if (grad)
        accumulate(operand, grad, op->getLoc());
  }
  // Each backward op keeps its forward op's location, tagged as backward.
  for (Operation *op = seed.getDefiningOp(); op != ret; op = op->getNextNode())
    op->setLoc(nnc::backwardLoc(op->getLoc()));
  return success();
}

//===----------------------------------------------------------------------===//
// The optimizer
//===----------------------------------------------------------------------===//

void TrainStepBuilder::updateParameters() {
  DictionaryAttr settings = optimizer.getHyperparams();
  auto number = [&](StringRef name) {
    auto value = settings.getAs<FloatAttr>(name);
    return value ? value.getValueAsDouble() : 0.0;
  };
  auto flag = [&](StringRef name) {
    auto value = settings.getAs<BoolAttr>(name);
    return value && value.getValue();
  };
  StringRef kind = optimizer.getKind();
  bool hasMomentum = kind != "adam" && number("momentum") != 0;
  SmallVector<StringRef> slots;
  if (kind == "adam")
    slots = {"exp_avg", "exp_avg_sq"};
  else if (kind == "rmsprop")
    slots.push_back("square_avg");
  if (hasMomentum)
    slots.push_back("momentum_buffer");

  Location loc = optimizer.getLoc();
  for (auto [name, grad] : paramGrads) {
    auto param = module.lookupSymbol<nn::ParamOp>(name);
    SmallVector<Value> state;
    SmallVector<nn::ParamOp> stateParams;
    for (StringRef slot : slots) {
      stateParams.push_back(addStateParam((name + "." + slot).str(), param.getTensorType()));
      state.push_back(load(stateParams.back(), loc));
    }
    SmallVector<Type> resultTypes(slots.size() + 1, param.getType());
    auto update = b.create<nn::OptimizerUpdateOp>(
        loc, resultTypes, load(param, loc), grad, hyperparams, counters, state, kind,
        flag("nesterov"), flag("decoupled_weight_decay"), hasMomentum);
    stores.push_back({update.getResult(0), param.getSymName()});
    for (auto [stateParam, value] : llvm::zip(stateParams, update.getResults().drop_front()))
      stores.push_back({value, stateParam.getSymName()});
  }
  Value advanced =
      b.create<nn::AdvanceCountersOp>(loc, counters.getType(), counters, hyperparams);
  stores.push_back({advanced, paramOf(counters)});

  SmallVector<float> defaults;
  for (const char *name : kHyperparamNames)
    defaults.push_back(float(number(name)));
  module->setAttr("nn.default_hparams", b.getDenseF32ArrayAttr(defaults));
}

LogicalResult TrainStepBuilder::build() {
  for (auto param : module.getOps<nn::ParamOp>())
    lastParam = param;
  if (!lastParam)
    return step.emitError() << "the model has no parameters to train";
  step.setName("train_step");
  Location loc = step.getLoc();
  auto countersParam = addStateParam("optimizer.counters", f32Tensor(b, {3}));
  unsigned hyperparamsIndex = step.getNumArguments();
  step.insertArgument(hyperparamsIndex, f32Tensor(b, {8}),
                      b.getDictionaryAttr(b.getNamedAttr("nn.name", b.getStringAttr("hparams"))),
                      loc);
  hyperparams = step.getArgument(hyperparamsIndex);
  b.setInsertionPointToStart(&step.getBody().front());
  counters = load(countersParam, loc);

  decomposeTrainingOps();
  if (failed(differentiate()))
    return failure();
  b.setInsertionPoint(step.getBody().front().getTerminator());
  updateParameters();
  // Writes come last, after every read of the values they replace.
  for (const PendingStore &store : stores)
    b.create<nn::ParamStoreOp>(store.value.getLoc(), store.value, store.param);
  return success();
}

namespace {

struct DifferentiatePass : nnc::impl::DifferentiateBase<DifferentiatePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto train = module.lookupSymbol<func::FuncOp>("train");
    SmallVector<nn::OptimizerOp> optimizers(module.getOps<nn::OptimizerOp>());
    if (train && optimizers.size() != 1) {
      train.emitError() << "a training function needs exactly one nn.optimizer, found "
                        << optimizers.size();
      return signalPassFailure();
    }
    if (train && failed(TrainStepBuilder(module, train, optimizers.front()).build()))
      return signalPassFailure();
    for (nn::OptimizerOp optimizer : optimizers)
      optimizer.erase();
  }
};

} // namespace
