//===- NNOps.cpp - verifiers, folders and cost hooks of the nn ops --------===//
//
// Each verifier delegates to the shape rule in ShapeRules.h and then checks
// the declared result type against the inferred one.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/ShapeRules.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace nnc::nn;

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

static std::optional<ArrayRef<int64_t>> optionalShapeOf(Value value) {
  if (!value)
    return std::nullopt;
  return shapeOf(value);
}

/// Compares the op's single result shape with the shape its rule inferred.
static LogicalResult checkResultShape(Operation *op, FailureOr<Shape> inferred) {
  if (failed(inferred))
    return failure();
  ArrayRef<int64_t> declared = shapeOf(op->getResult(0));
  StringRef element =
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType().isF32() ? "f32"
                                                                                   : "i32";
  if (declared != ArrayRef<int64_t>(*inferred))
    return op->emitOpError() << "result " << formatShape(declared, element)
                             << " does not match the inferred "
                             << formatShape(*inferred, element);
  return success();
}

/// Returns an ErrorFn reporting on `op`.
#define OP_ERROR [&]() { return this->emitOpError(); }

//===----------------------------------------------------------------------===//
// Parameters, constants, optimizer
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  StringRef init = getInit();
  size_t expectedArgs = llvm::StringSwitch<size_t>(init)
                            .Case("uniform", 2)
                            .Case("normal", 2)
                            .Case("constant", 1)
                            .Default(0);
  if (expectedArgs == 0)
    return emitOpError() << "unknown initializer '" << init
                         << "' (expected uniform, normal or constant)";
  if (getInitArgs().size() != expectedArgs)
    return emitOpError() << "initializer '" << init << "' takes " << expectedArgs
                         << " arguments, got " << getInitArgs().size();
  if (init == "uniform" && getInitArgs()[0] > getInitArgs()[1])
    return emitOpError() << "uniform initializer needs low <= high";
  if (init == "normal" && getInitArgs()[1] < 0)
    return emitOpError() << "normal initializer needs std >= 0";
  return success();
}

LogicalResult ParamLoadOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(*this, getParamAttr());
  if (!param)
    return emitOpError() << "'" << getParam() << "' does not name an nn.param";
  if (param.getType() != getResult().getType())
    return emitOpError() << "type " << getResult().getType()
                         << " differs from the parameter's " << param.getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult OptimizerOp::verify() {
  StringRef kind = getKind();
  static const llvm::StringMap<llvm::StringSet<>> allowedKeys = {
      {"sgd", {"lr", "momentum", "dampening", "nesterov", "weight_decay",
               "decoupled_weight_decay"}},
      {"rmsprop", {"lr", "alpha", "eps", "momentum", "weight_decay",
                   "decoupled_weight_decay"}},
      {"adam", {"lr", "beta1", "beta2", "eps", "weight_decay",
                "decoupled_weight_decay"}},
  };
  auto keys = allowedKeys.find(kind);
  if (keys == allowedKeys.end())
    return emitError() << "unknown optimizer '" << kind
                         << "' (expected sgd, rmsprop or adam)";
  for (NamedAttribute entry : getHyperparams()) {
    StringRef name = entry.getName().strref();
    if (!keys->second.contains(name))
      return emitError() << "optimizer '" << kind << "' has no hyperparameter '"
                           << name << "'";
    if (name == "nesterov" || name == "decoupled_weight_decay") {
      if (!isa<BoolAttr>(entry.getValue()))
        return emitError() << "'" << name << "' must be a bool";
      continue;
    }
    auto value = dyn_cast<FloatAttr>(entry.getValue());
    if (!value)
      return emitError() << "'" << name << "' must be a float";
    double v = value.getValueAsDouble();
    bool isRate = name == "momentum" || name == "dampening" || name == "alpha" ||
                  name == "beta1" || name == "beta2";
    if (name == "lr" && !(v > 0))
      return emitError() << "learning rate must be > 0, got " << v;
    if (isRate && !(v >= 0 && v < 1))
      return emitError() << "'" << name << "' must be in [0, 1), got " << v;
    if ((name == "eps" && !(v > 0)) || (name == "weight_decay" && !(v >= 0)))
      return emitError() << "'" << name << "' must be "
                           << (name == "eps" ? "> 0" : ">= 0") << ", got " << v;
  }
  auto nesterov = getHyperparams().getAs<BoolAttr>("nesterov");
  auto momentum = getHyperparams().getAs<FloatAttr>("momentum");
  auto dampening = getHyperparams().getAs<FloatAttr>("dampening");
  if (nesterov && nesterov.getValue() &&
      (!momentum || momentum.getValueAsDouble() == 0))
    return emitError() << "nesterov momentum requires momentum > 0";
  if (nesterov && nesterov.getValue() && dampening && dampening.getValueAsDouble() != 0)
    return emitError() << "nesterov momentum requires dampening = 0";
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::verify() {
  return checkResultShape(*this, inferDenseShape(shapeOf(getInput()), shapeOf(getWeight()),
                                                 optionalShapeOf(getBias()), OP_ERROR));
}

int64_t DenseOp::getFlopCount() {
  ArrayRef<int64_t> weight = shapeOf(getWeight());
  return 2 * shapeOf(getInput())[0] * weight[0] * weight[1];
}

LogicalResult MatmulOp::verify() {
  return checkResultShape(*this,
                          inferMatmulShape(shapeOf(getLhs()), shapeOf(getRhs()), OP_ERROR));
}

int64_t MatmulOp::getFlopCount() {
  return 2 * numElements(shapeOf(getResult())) * shapeOf(getLhs()).back();
}

LogicalResult ConvOp::verify() {
  return checkResultShape(
      *this, inferConvShape(shapeOf(getInput()), shapeOf(getWeight()),
                            optionalShapeOf(getBias()), getStrides(), getPadding(),
                            getDilations(), getGroups(), OP_ERROR));
}

int64_t ConvOp::getFlopCount() {
  // Every output element is a dot product over C/groups * kernel inputs.
  ArrayRef<int64_t> weight = shapeOf(getWeight());
  return 2 * numElements(shapeOf(getResult())) * numElements(weight.drop_front(1));
}

LogicalResult ConvTransposeOp::verify() {
  return checkResultShape(
      *this, inferConvTransposeShape(shapeOf(getInput()), shapeOf(getWeight()),
                                     optionalShapeOf(getBias()), getStrides(),
                                     getPadding(), getDilations(), getOutputPadding(),
                                     getGroups(), OP_ERROR));
}

int64_t ConvTransposeOp::getFlopCount() {
  // Every input element is scattered through F/groups * kernel weights.
  ArrayRef<int64_t> weight = shapeOf(getWeight());
  return 2 * numElements(shapeOf(getInput())) * numElements(weight.drop_front(1));
}

//===----------------------------------------------------------------------===//
// Pooling and resampling
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::verify() {
  WindowParams window{getKernel(), getStrides(), getPadding(), getDilations()};
  return checkResultShape(
      *this, inferPoolShape(shapeOf(getInput()), window, getCeilMode(), OP_ERROR));
}

int64_t MaxPoolOp::getFlopCount() {
  return numElements(shapeOf(getResult())) * numElements(getKernel());
}

LogicalResult AvgPoolOp::verify() {
  SmallVector<int64_t> ones(getKernel().size(), 1);
  WindowParams window{getKernel(), getStrides(), getPadding(), ones};
  return checkResultShape(
      *this, inferPoolShape(shapeOf(getInput()), window, getCeilMode(), OP_ERROR));
}

int64_t AvgPoolOp::getFlopCount() {
  return numElements(shapeOf(getResult())) * numElements(getKernel());
}

LogicalResult GlobalAvgPoolOp::verify() {
  return checkResultShape(*this, inferGlobalAvgPoolShape(shapeOf(getInput()), OP_ERROR));
}

LogicalResult UpsampleNearestOp::verify() {
  return checkResultShape(*this,
                          inferUpsampleShape(shapeOf(getInput()), getScales(), OP_ERROR));
}

//===----------------------------------------------------------------------===//
// Normalization and regularization
//===----------------------------------------------------------------------===//

/// Verifies an optional epsilon/momentum-style attribute is in range.
static LogicalResult verifyPositive(Operation *op, StringRef name, double value) {
  if (!(value > 0))
    return op->emitOpError() << name << " must be > 0, got " << value;
  return success();
}

/// Checks a normalization op's result type equals its input type.
static LogicalResult verifySameShape(Operation *op) {
  if (op->getOperand(0).getType() != op->getResult(0).getType())
    return op->emitOpError() << "result type must equal the input type";
  return success();
}

LogicalResult BatchNormOp::verify() {
  if (failed(verifyPositive(*this, "epsilon", getEpsilon().convertToDouble())))
    return failure();
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0 && momentum <= 1))
    return emitOpError() << "momentum must be in [0, 1], got " << momentum;
  if (failed(verifyPerChannelOperands(shapeOf(getInput()),
                                      {{"scale", shapeOf(getScale())},
                                       {"shift", shapeOf(getShift())},
                                       {"running_mean", shapeOf(getRunningMean())},
                                       {"running_var", shapeOf(getRunningVar())}},
                                      OP_ERROR)))
    return failure();
  return verifySameShape(*this);
}

int64_t BatchNormOp::getFlopCount() {
  return 2 * numElements(shapeOf(getResult())); // one multiply-add per element
}

LogicalResult LayerNormOp::verify() {
  if (failed(verifyPositive(*this, "epsilon", getEpsilon().convertToDouble())) ||
      failed(verifyLayerNorm(shapeOf(getInput()), getNormalizedRank(),
                             optionalShapeOf(getScale()), optionalShapeOf(getShift()),
                             OP_ERROR)))
    return failure();
  return verifySameShape(*this);
}

/// Collects the present scale/shift operands of group/instance norm.
static SmallVector<std::pair<StringRef, ArrayRef<int64_t>>>
presentAffineOperands(Value scale, Value shift) {
  SmallVector<std::pair<StringRef, ArrayRef<int64_t>>> operands;
  if (scale)
    operands.push_back({"scale", shapeOf(scale)});
  if (shift)
    operands.push_back({"shift", shapeOf(shift)});
  return operands;
}

LogicalResult GroupNormOp::verify() {
  if (failed(verifyPositive(*this, "epsilon", getEpsilon().convertToDouble())) ||
      failed(verifyGroupCount(shapeOf(getInput()), getGroups(), OP_ERROR)) ||
      failed(verifyPerChannelOperands(shapeOf(getInput()),
                                      presentAffineOperands(getScale(), getShift()),
                                      OP_ERROR)))
    return failure();
  return verifySameShape(*this);
}

LogicalResult InstanceNormOp::verify() {
  if (shapeOf(getInput()).size() < 3)
    return emitOpError() << "instance norm needs spatial dims [batch, channels, spatial...], got "
                         << formatShape(shapeOf(getInput()));
  if (failed(verifyPositive(*this, "epsilon", getEpsilon().convertToDouble())) ||
      failed(verifyPerChannelOperands(shapeOf(getInput()),
                                      presentAffineOperands(getScale(), getShift()),
                                      OP_ERROR)))
    return failure();
  return verifySameShape(*this);
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0 && rate < 1))
    return emitOpError() << "rate must be in [0, 1), got " << rate;
  return verifySameShape(*this);
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//


LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(getAxis(), shapeOf(getInput()).size(), OP_ERROR);
}

LogicalResult LogSoftmaxOp::verify() {
  return normalizeAxis(getAxis(), shapeOf(getInput()).size(), OP_ERROR);
}

LogicalResult MaxoutOp::verify() {
  return checkResultShape(*this,
                          inferMaxoutShape(shapeOf(getInput()), getPieces(), OP_ERROR));
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic and shape manipulation
//===----------------------------------------------------------------------===//


LogicalResult ConcatOp::verify() {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value input : getInputs())
    shapes.push_back(shapeOf(input));
  return checkResultShape(*this, inferConcatShape(shapes, getAxis(), OP_ERROR));
}

LogicalResult ReshapeOp::verify() {
  if (getInput().getType().getElementType() != getResult().getType().getElementType())
    return emitOpError() << "reshape cannot change the element type";
  return verifyReshape(shapeOf(getInput()), shapeOf(getResult()), OP_ERROR,
                       getInput().getType().getElementType().isF32() ? "f32" : "i32");
}

LogicalResult ArgmaxOp::verify() {
  return checkResultShape(*this,
                          inferArgmaxShape(shapeOf(getInput()), getAxis(), OP_ERROR));
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult MseLossOp::verify() {
  return verifyMseLoss(shapeOf(getPrediction()), shapeOf(getTarget()), OP_ERROR);
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  return verifyClassificationLoss(shapeOf(getLogits()), shapeOf(getLabels()), OP_ERROR);
}

LogicalResult HingeLossOp::verify() {
  if (failed(verifyPositive(*this, "margin", getMargin().convertToDouble())))
    return failure();
  return verifyClassificationLoss(shapeOf(getScores()), shapeOf(getLabels()), OP_ERROR);
}

LogicalResult L2PenaltyOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one tensor";
  return success();
}

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
