//===- NNTrainingOps.cpp - verifiers of the training-step ops -------------===//
//
// The ops of NNTrainingOps.td are built by nnc-differentiate, not by the
// front end, but textual IR may contain them too, so each checks the shapes
// its lowering relies on.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/ShapeRules.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace nnc::nn;

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// Checks that `value` has exactly `expected` as its shape.
static LogicalResult expectShape(Operation *op, StringRef what, Value value,
                                 ArrayRef<int64_t> expected) {
  if (shapeOf(value) != expected)
    return op->emitOpError() << what << " must be " << formatShape(expected)
                             << ", got " << formatShape(shapeOf(value));
  return success();
}

static LogicalResult expectSameShape(Operation *op, StringRef what, Value value,
                                     Value reference) {
  return expectShape(op, what, value, shapeOf(reference));
}

/// Checks `dims` is a strictly increasing list of dims of a rank-`rank` tensor.
static LogicalResult verifyDimList(Operation *op, StringRef what, ArrayRef<int64_t> dims,
                                   int64_t rank) {
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] < 0 || dims[i] >= rank || (i > 0 && dims[i] <= dims[i - 1]))
      return op->emitOpError() << what << " must be increasing dims in [0, " << rank << ")";
  return success();
}

LogicalResult ParamStoreOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(*this, getParamAttr());
  if (!param)
    return emitOpError() << "'" << getParam() << "' does not name an nn.param";
  if (param.getType() != getValue().getType())
    return emitOpError() << "type " << getValue().getType()
                         << " differs from the parameter's " << param.getType();
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPermutation();
  if (perm.size() != input.size())
    return emitOpError() << "permutation needs " << input.size() << " entries";
  SmallVector<int64_t> expected;
  llvm::SmallBitVector seen(input.size());
  for (int64_t d : perm) {
    if (d < 0 || d >= int64_t(input.size()) || seen.test(d))
      return emitOpError() << "permutation is not a permutation of the dims";
    seen.set(d);
    expected.push_back(input[d]);
  }
  return expectShape(*this, "result", getResult(), expected);
}

LogicalResult ReduceSumOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (failed(verifyDimList(*this, "axes", getAxes(), input.size())))
    return failure();
  SmallVector<int64_t> expected;
  for (auto [i, d] : llvm::enumerate(input))
    if (!llvm::is_contained(getAxes(), int64_t(i)))
      expected.push_back(d);
  return expectShape(*this, "result", getResult(), expected);
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput()), result = shapeOf(getResult());
  if (getDims().size() != input.size())
    return emitOpError() << "dims needs one entry per input dim";
  if (failed(verifyDimList(*this, "dims", getDims(), result.size())))
    return failure();
  for (auto [i, d] : llvm::enumerate(getDims()))
    if (result[d] != input[i])
      return emitOpError() << "input dim " << i << " (" << input[i]
                           << ") differs from result dim " << d << " (" << result[d] << ")";
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput()), result = shapeOf(getResult());
  int64_t axis = getAxis(), start = getStart();
  if (axis < 0 || axis >= int64_t(input.size()) || result.size() != input.size())
    return emitOpError() << "axis out of range or rank mismatch";
  SmallVector<int64_t> expected(input);
  expected[axis] = result[axis];
  if (start < 0 || start + result[axis] > input[axis])
    return emitOpError() << "slice [" << start << ", " << start + result[axis]
                         << ") exceeds dim " << axis << " of size " << input[axis];
  return expectShape(*this, "result", getResult(), expected);
}

LogicalResult ScaleOp::verify() {
  return expectSameShape(*this, "result", getResult(), getInput());
}

LogicalResult BatchStatsOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.size() < 2)
    return emitOpError() << "input needs rank >= 2";
  if (failed(expectShape(*this, "mean", getMean(), {input[1]})))
    return failure();
  return expectShape(*this, "variance", getVariance(), {input[1]});
}

LogicalResult DropoutMaskOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0 && rate < 1))
    return emitOpError() << "rate must be in [0, 1), got " << rate;
  if (failed(expectShape(*this, "step", getStep(), {3})))
    return failure();
  return expectSameShape(*this, "result", getResult(), getInput());
}

LogicalResult ConvWeightGradOp::verify() {
  ArrayRef<int64_t> weight = shapeOf(getResult());
  FailureOr<Shape> output = inferConvShape(
      shapeOf(getInput()), weight, std::nullopt, getStrides(), getPadding(), getDilations(),
      getGroups(), [&]() { return emitOpError(); });
  if (failed(output))
    return failure();
  // A transposed convolution's output padding may leave trailing positions
  // of the window grid without a gradient: grad_output may be smaller there.
  ArrayRef<int64_t> grad = shapeOf(getGradOutput());
  bool fits = grad.size() == output->size() && grad[0] == (*output)[0] &&
              grad[1] == (*output)[1];
  for (size_t d = 2; fits && d < grad.size(); ++d)
    fits = grad[d] <= (*output)[d];
  if (!fits)
    return expectShape(*this, "grad_output", getGradOutput(), *output);
  return success();
}

/// Checks a pooling gradient's grad_output against the forward rule applied
/// to the result (the forward input), in floor or ceil mode.
static LogicalResult verifyPoolGrad(Operation *op, Value gradOutput, Value gradInput,
                                    const WindowParams &window) {
  auto error = [&]() { return op->emitOpError(); };
  FailureOr<Shape> floor = inferPoolShape(shapeOf(gradInput), window, false, error);
  if (failed(floor))
    return failure();
  FailureOr<Shape> ceil = inferPoolShape(shapeOf(gradInput), window, true, error);
  if (shapeOf(gradOutput) == ArrayRef<int64_t>(*floor) ||
      (succeeded(ceil) && shapeOf(gradOutput) == ArrayRef<int64_t>(*ceil)))
    return success();
  return expectShape(op, "grad_output", gradOutput, *floor);
}

LogicalResult MaxPoolGradOp::verify() {
  if (failed(expectSameShape(*this, "result", getResult(), getInput())))
    return failure();
  return verifyPoolGrad(*this, getGradOutput(), getResult(),
                        {getKernel(), getStrides(), getPadding(), getDilations()});
}

LogicalResult AvgPoolGradOp::verify() {
  SmallVector<int64_t> ones(getKernel().size(), 1);
  return verifyPoolGrad(*this, getGradOutput(), getResult(),
                        {getKernel(), getStrides(), getPadding(), ones});
}

LogicalResult ActivationGradOp::verify() {
  if (!llvm::is_contained({"relu", "leaky_relu", "elu", "sigmoid", "tanh"}, getKind()))
    return emitOpError() << "unknown activation '" << getKind() << "'";
  return expectSameShape(*this, "grad_output", getGradOutput(), getValue());
}

LogicalResult SoftmaxGradOp::verify() {
  int64_t rank = shapeOf(getResultValue()).size();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis must be in [0, " << rank << ")";
  return expectSameShape(*this, "grad_output", getGradOutput(), getResultValue());
}

LogicalResult MaxoutGradOp::verify() {
  FailureOr<Shape> output = inferMaxoutShape(shapeOf(getInput()), getPieces(),
                                                       [&]() { return emitOpError(); });
  if (failed(output))
    return failure();
  if (failed(expectShape(*this, "grad_output", getGradOutput(), *output)))
    return failure();
  return expectSameShape(*this, "result", getResult(), getInput());
}

LogicalResult BatchNormGradOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.size() < 2)
    return emitOpError() << "input needs rank >= 2";
  for (Value channelValue : {getScale(), getMean(), getVariance(), getGradScale(),
                             getGradShift(), getGradMean(), getGradVariance()})
    if (failed(expectShape(*this, "per-channel operand", channelValue, {input[1]})))
      return failure();
  if (failed(expectSameShape(*this, "grad_output", getGradOutput(), getInput())))
    return failure();
  return expectSameShape(*this, "grad_input", getGradInput(), getInput());
}

LogicalResult BatchStatsGradOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.size() < 2)
    return emitOpError() << "input needs rank >= 2";
  for (Value channelValue : {getMean(), getGradMean(), getGradVariance()})
    if (failed(expectShape(*this, "per-channel operand", channelValue, {input[1]})))
      return failure();
  return expectSameShape(*this, "result", getResult(), getInput());
}

LogicalResult MseLossGradOp::verify() {
  if (failed(expectSameShape(*this, "target", getTarget(), getPrediction())))
    return failure();
  return expectSameShape(*this, "result", getResult(), getPrediction());
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  if (failed(verifyClassificationLoss(shapeOf(getLogits()), shapeOf(getLabels()),
                                           [&]() { return emitOpError(); })))
    return failure();
  return expectSameShape(*this, "result", getResult(), getLogits());
}

LogicalResult HingeLossGradOp::verify() {
  if (failed(verifyClassificationLoss(shapeOf(getScores()), shapeOf(getLabels()),
                                           [&]() { return emitOpError(); })))
    return failure();
  return expectSameShape(*this, "result", getResult(), getScores());
}

/// The number of per-parameter state buffers of an optimizer.
static size_t stateCount(StringRef kind, bool hasMomentum) {
  if (kind == "adam")
    return 2;
  if (kind == "rmsprop")
    return hasMomentum ? 2 : 1;
  return hasMomentum ? 1 : 0;
}

LogicalResult OptimizerUpdateOp::verify() {
  if (!llvm::is_contained({"sgd", "rmsprop", "adam"}, getKind()))
    return emitOpError() << "unknown optimizer '" << getKind() << "'";
  size_t states = stateCount(getKind(), getHasMomentum());
  if (getState().size() != states || getResults().size() != states + 1)
    return emitOpError() << "optimizer '" << getKind() << "' takes " << states
                         << " state buffers and returns " << states + 1 << " tensors";
  if (failed(expectShape(*this, "hyperparams", getHyperparams(), {8})) ||
      failed(expectShape(*this, "counters", getCounters(), {3})) ||
      failed(expectSameShape(*this, "grad", getGrad(), getParam())))
    return failure();
  for (Value v : getState())
    if (failed(expectSameShape(*this, "state", v, getParam())))
      return failure();
  for (Value v : getResults())
    if (failed(expectSameShape(*this, "result", v, getParam())))
      return failure();
  return success();
}

LogicalResult AdvanceCountersOp::verify() {
  if (failed(expectShape(*this, "counters", getCounters(), {3})) ||
      failed(expectShape(*this, "hyperparams", getHyperparams(), {8})))
    return failure();
  return expectShape(*this, "result", getResult(), {3});
}
