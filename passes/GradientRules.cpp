//===- GradientRules.cpp - reverse-mode rules of the nn ops ---------------===//
//
// One rule per differentiable op, each stating the math it implements. The
// rules emit nn ops only, so the backward graph is optimized and lowered
// like the forward one.
//
//===----------------------------------------------------------------------===//

#include "passes/GradientRules.h"

#include "ir/NNDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
namespace nn = nnc::nn;

namespace {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

RankedTensorType f32Tensor(Builder &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

/// Builds the gradients of one op. `dys` holds one gradient per result
/// (zero-filled where the result has none); `needed` says which operand
/// gradients to build.
class RuleBuilder {
public:
  RuleBuilder(OpBuilder &b, Operation *op, ArrayRef<Value> dys, ArrayRef<bool> needed)
      : b(b), loc(op->getLoc()), dys(dys), needed(needed),
        grads(op->getNumOperands(), Value()) {}

  SmallVector<Value> build(Operation *op);

private:
  Value dy() const { return dys[0]; }
  bool wants(unsigned operand) const { return needed[operand]; }
  void set(unsigned operand, llvm::function_ref<Value()> make) {
    if (wants(operand))
      grads[operand] = make();
  }

  /// Sums `value` over every dim but 1 (per-channel bias gradients).
  Value sumToChannels(Value value) {
    SmallVector<int64_t> axes;
    for (int64_t d = 0, rank = shapeOf(value).size(); d < rank; ++d)
      if (d != 1)
        axes.push_back(d);
    return b.create<nn::ReduceSumOp>(loc, f32Tensor(b, {shapeOf(value)[1]}), value,
                                     b.getDenseI64ArrayAttr(axes));
  }
  /// Swaps the last two dims.
  Value transposeLastTwo(Value value) {
    ArrayRef<int64_t> shape = shapeOf(value);
    SmallVector<int64_t> perm, resultShape;
    for (int64_t d = 0, rank = shape.size(); d < rank; ++d)
      perm.push_back(d < rank - 2 ? d : (d == rank - 2 ? rank - 1 : rank - 2));
    for (int64_t d : perm)
      resultShape.push_back(shape[d]);
    return b.create<nn::TransposeOp>(loc, f32Tensor(b, resultShape), value,
                                     b.getDenseI64ArrayAttr(perm));
  }
  Value matmul(Value lhs, Value rhs) {
    SmallVector<int64_t> shape(shapeOf(lhs));
    shape.back() = shapeOf(rhs).back();
    return b.create<nn::MatmulOp>(loc, f32Tensor(b, shape), lhs, rhs);
  }
  Value scaled(Value value, double factor) {
    return b.create<nn::ScaleOp>(loc, value.getType(), value,
                                 nnc::autodiff::scalarConstant(b, loc, factor));
  }

  void dense(nn::DenseOp op);
  void matmulRule(nn::MatmulOp op);
  void conv(nn::ConvOp op);
  void convTranspose(nn::ConvTransposeOp op);
  void upsample(nn::UpsampleNearestOp op);
  void globalAvgPool(nn::GlobalAvgPoolOp op);
  void concat(nn::ConcatOp op);

  OpBuilder &b;
  Location loc;
  ArrayRef<Value> dys;
  ArrayRef<bool> needed;
  SmallVector<Value> grads;
};

} // namespace

Value nnc::autodiff::scalarConstant(OpBuilder &b, Location loc, double value) {
  return splatConstant(b, loc, {}, value);
}

Value nnc::autodiff::splatConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                                   double value) {
  auto type = f32Tensor(b, shape);
  Attribute element = b.getF32FloatAttr(float(value));
  return b.create<nn::ConstantOp>(loc, DenseElementsAttr::get(type, ArrayRef(element)));
}

// y = x W^T + b:  dx = dy W,  dW = dy^T x,  db = sum_n dy.
void RuleBuilder::dense(nn::DenseOp op) {
  set(0, [&] { return matmul(dy(), op.getWeight()); });
  set(1, [&] { return matmul(transposeLastTwo(dy()), op.getInput()); });
  if (op.getBias())
    set(2, [&] {
      return b.create<nn::ReduceSumOp>(loc, op.getBias().getType(), dy(),
                                       b.getDenseI64ArrayAttr({0}));
    });
}

// C = A B:  dA = dC B^T,  dB = A^T dC.
void RuleBuilder::matmulRule(nn::MatmulOp op) {
  set(0, [&] { return matmul(dy(), transposeLastTwo(op.getRhs())); });
  set(1, [&] { return matmul(transposeLastTwo(op.getLhs()), dy()); });
}

// The input gradient of a convolution is the transposed convolution of dy
// with the same weight; output_padding restores the input size the forward
// rounded away.
void RuleBuilder::conv(nn::ConvOp op) {
  ArrayRef<int64_t> input = shapeOf(op.getInput()), weight = shapeOf(op.getWeight()),
                    output = shapeOf(dy());
  size_t spatial = input.size() - 2;
  set(0, [&] {
    SmallVector<int64_t> outputPadding;
    for (size_t i = 0; i < spatial; ++i) {
      int64_t covered = (output[i + 2] - 1) * op.getStrides()[i] - op.getPadding()[i] -
                        op.getPadding()[i + spatial] +
                        op.getDilations()[i] * (weight[i + 2] - 1) + 1;
      outputPadding.push_back(input[i + 2] - covered);
    }
    return b.create<nn::ConvTransposeOp>(
        loc, op.getInput().getType(), dy(), op.getWeight(), Value(), op.getStrides(),
        op.getPadding(), op.getDilations(), outputPadding, op.getGroups());
  });
  set(1, [&] {
    return b.create<nn::ConvWeightGradOp>(loc, op.getWeight().getType(), op.getInput(), dy(),
                                          op.getStrides(), op.getPadding(),
                                          op.getDilations(), op.getGroups());
  });
  if (op.getBias())
    set(2, [&] { return sumToChannels(dy()); });
}

// A transposed convolution's input gradient is the convolution of dy with
// the same weight; its weight gradient is conv_weight_grad with the roles
// of input and output exchanged.
void RuleBuilder::convTranspose(nn::ConvTransposeOp op) {
  set(0, [&] {
    // With output_padding >= stride (possible when dilation > stride) the
    // convolution covers rows past the input; they are cropped.
    ArrayRef<int64_t> input = shapeOf(op.getInput()), weight = shapeOf(op.getWeight());
    size_t spatial = input.size() - 2;
    SmallVector<int64_t> covered(input);
    for (size_t i = 0; i < spatial; ++i)
      covered[i + 2] = (shapeOf(dy())[i + 2] + op.getPadding()[i] +
                        op.getPadding()[i + spatial] -
                        op.getDilations()[i] * (weight[i + 2] - 1) - 1) /
                           op.getStrides()[i] +
                       1;
    Value grad = b.create<nn::ConvOp>(loc, f32Tensor(b, covered), dy(), op.getWeight(),
                                      Value(), op.getStrides(), op.getPadding(),
                                      op.getDilations(), op.getGroups());
    for (size_t i = 0; i < spatial; ++i) {
      if (covered[i + 2] == input[i + 2])
        continue;
      covered[i + 2] = input[i + 2];
      grad = b.create<nn::SliceOp>(loc, f32Tensor(b, covered), grad, i + 2, 0);
    }
    return grad;
  });
  set(1, [&] {
    return b.create<nn::ConvWeightGradOp>(loc, op.getWeight().getType(), dy(), op.getInput(),
                                          op.getStrides(), op.getPadding(),
                                          op.getDilations(), op.getGroups());
  });
  if (op.getBias())
    set(2, [&] { return sumToChannels(dy()); });
}

// Nearest upsampling copies each input element to a scales-sized block: its
// gradient sums each block (an average pool times the block size).
void RuleBuilder::upsample(nn::UpsampleNearestOp op) {
  set(0, [&] {
    SmallVector<int64_t> zeros(2 * op.getScales().size(), 0);
    int64_t block = 1;
    for (int64_t s : op.getScales())
      block *= s;
    Value mean = b.create<nn::AvgPoolOp>(loc, op.getInput().getType(), dy(), op.getScales(),
                                         op.getScales(), zeros, false, true);
    return scaled(mean, double(block));
  });
}

// The mean over the spatial dims spreads dy evenly over them.
void RuleBuilder::globalAvgPool(nn::GlobalAvgPoolOp op) {
  set(0, [&] {
    ArrayRef<int64_t> input = shapeOf(op.getInput());
    Value perChannel = b.create<nn::ReshapeOp>(loc, f32Tensor(b, input.take_front(2)), dy());
    Value spread = b.create<nn::BroadcastOp>(loc, op.getInput().getType(), perChannel,
                                             b.getDenseI64ArrayAttr({0, 1}));
    int64_t count = 1;
    for (int64_t d : input.drop_front(2))
      count *= d;
    return scaled(spread, 1.0 / double(count));
  });
}

// Each input receives its slice of dy.
void RuleBuilder::concat(nn::ConcatOp op) {
  int64_t axis = op.getAxis(), start = 0;
  if (axis < 0)
    axis += shapeOf(dy()).size();
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    Type type = input.getType();
    set(i, [&] { return b.create<nn::SliceOp>(loc, type, dy(), axis, start); });
    start += shapeOf(input)[axis];
  }
}

SmallVector<Value> RuleBuilder::build(Operation *op) {
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](nn::DenseOp op) { dense(op); })
      .Case([&](nn::MatmulOp op) { matmulRule(op); })
      .Case([&](nn::ConvOp op) { conv(op); })
      .Case([&](nn::ConvTransposeOp op) { convTranspose(op); })
      // Max pooling routes dy to the first maximum of each window.
      .Case([&](nn::MaxPoolOp op) {
        set(0, [&] {
          return b.create<nn::MaxPoolGradOp>(loc, op.getInput().getType(), op.getInput(), dy(),
                                             op.getKernel(), op.getStrides(),
                                             op.getPadding(), op.getDilations());
        });
      })
      // Average pooling spreads dy / divisor over each window.
      .Case([&](nn::AvgPoolOp op) {
        set(0, [&] {
          return b.create<nn::AvgPoolGradOp>(loc, op.getInput().getType(), dy(),
                                             op.getKernel(), op.getStrides(),
                                             op.getPadding(), op.getCountIncludePad());
        });
      })
      .Case([&](nn::GlobalAvgPoolOp op) { globalAvgPool(op); })
      .Case([&](nn::UpsampleNearestOp op) { upsample(op); })
      // y = (x - mean) * rsqrt(var + eps) * scale + shift, every operand
      // differentiable (training-mode batch norm feeds batch statistics in).
      .Case([&](nn::BatchNormOp op) {
        Value channel = op.getScale();
        auto grad = b.create<nn::BatchNormGradOp>(
            loc, TypeRange{op.getInput().getType(), channel.getType(), channel.getType(),
                           channel.getType(), channel.getType()},
            op.getInput(), op.getScale(), op.getRunningMean(), op.getRunningVar(), dy(),
            op.getEpsilonAttr());
        for (unsigned i = 0; i < 5; ++i)
          set(i, [&] { return grad.getResult(i); });
      })
      .Case([&](nn::BatchStatsOp op) {
        set(0, [&] {
          return b.create<nn::BatchStatsGradOp>(loc, op.getInput().getType(), op.getInput(),
                                                op.getMean(), dys[0], dys[1]);
        });
      })
      // Inverted dropout is linear with the same mask in both directions.
      .Case([&](nn::DropoutMaskOp op) {
        set(0, [&] {
          return b.create<nn::DropoutMaskOp>(loc, dy().getType(), dy(), op.getStep(),
                                             op.getRateAttr(), op.getSeedAttr());
        });
      })
      .Case([&](nn::DropoutOp op) { set(0, [&] { return dy(); }); })
      .Case<nn::ReluOp, nn::LeakyReluOp, nn::EluOp>([&](Operation *op) {
        double alpha = 0;
        if (auto leaky = dyn_cast<nn::LeakyReluOp>(op))
          alpha = leaky.getAlpha().convertToDouble();
        if (auto elu = dyn_cast<nn::EluOp>(op))
          alpha = elu.getAlpha().convertToDouble();
        // relu and leaky relu (alpha >= 0) read only the sign, which the
        // result shares with the input. The result is kept anyway (the next
        // layer's gradient reads it), so reading it lets the input die in
        // the forward, where it fuses into the activation (as PyTorch's
        // threshold_backward reads relu's result).
        bool signFromResult = !isa<nn::EluOp>(op) && alpha >= 0;
        Value value = signFromResult ? op->getResult(0) : op->getOperand(0);
        set(0, [&] {
          return b.create<nn::ActivationGradOp>(loc, dy().getType(), value, dy(),
                                                b.getStringAttr(op->getName().stripDialect()),
                                                b.getF64FloatAttr(alpha));
        });
      })
      // sigmoid' = y (1 - y) and tanh' = 1 - y^2 are cheapest from y.
      .Case<nn::SigmoidOp, nn::TanhOp>([&](Operation *op) {
        set(0, [&] {
          return b.create<nn::ActivationGradOp>(loc, dy().getType(), op->getResult(0), dy(),
                                                b.getStringAttr(op->getName().stripDialect()),
                                                b.getF64FloatAttr(0));
        });
      })
      .Case<nn::SoftmaxOp, nn::LogSoftmaxOp>([&](Operation *op) {
        int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
        if (axis < 0)
          axis += shapeOf(op->getResult(0)).size();
        set(0, [&] {
          return b.create<nn::SoftmaxGradOp>(loc, dy().getType(), op->getResult(0), dy(), axis,
                                             isa<nn::LogSoftmaxOp>(op));
        });
      })
      .Case([&](nn::MaxoutOp op) {
        set(0, [&] {
          return b.create<nn::MaxoutGradOp>(loc, op.getInput().getType(), op.getInput(), dy(),
                                            op.getPieces());
        });
      })
      .Case([&](nn::AddOp op) {
        set(0, [&] { return dy(); });
        set(1, [&] { return dy(); });
      })
      .Case([&](nn::SubOp op) {
        set(0, [&] { return dy(); });
        set(1, [&] { return scaled(dy(), -1.0); });
      })
      .Case([&](nn::MulOp op) {
        set(0, [&] { return b.create<nn::MulOp>(loc, dy().getType(), dy(), op.getRhs()); });
        set(1, [&] { return b.create<nn::MulOp>(loc, dy().getType(), dy(), op.getLhs()); });
      })
      // y = x * s:  dx = dy * s,  ds = sum(dy * x).
      .Case([&](nn::ScaleOp op) {
        set(0, [&] { return b.create<nn::ScaleOp>(loc, dy().getType(), dy(), op.getFactor()); });
        set(1, [&] {
          Value product = b.create<nn::MulOp>(loc, dy().getType(), dy(), op.getInput());
          SmallVector<int64_t> all;
          for (int64_t d = 0, rank = shapeOf(product).size(); d < rank; ++d)
            all.push_back(d);
          return b.create<nn::ReduceSumOp>(loc, op.getFactor().getType(), product,
                                           b.getDenseI64ArrayAttr(all));
        });
      })
      .Case([&](nn::ConcatOp op) { concat(op); })
      .Case([&](nn::ReshapeOp op) {
        set(0, [&] { return b.create<nn::ReshapeOp>(loc, op.getInput().getType(), dy()); });
      })
      .Case([&](nn::TransposeOp op) {
        set(0, [&] {
          SmallVector<int64_t> inverse(op.getPermutation().size());
          for (auto [i, d] : llvm::enumerate(op.getPermutation()))
            inverse[d] = i;
          return b.create<nn::TransposeOp>(loc, op.getInput().getType(), dy(),
                                           b.getDenseI64ArrayAttr(inverse));
        });
      })
      // A broadcast's gradient sums over the dims it created.
      .Case([&](nn::BroadcastOp op) {
        set(0, [&] {
          SmallVector<int64_t> created;
          for (int64_t d = 0, rank = shapeOf(dy()).size(); d < rank; ++d)
            if (!llvm::is_contained(op.getDims(), d))
              created.push_back(d);
          return b.create<nn::ReduceSumOp>(loc, op.getInput().getType(), dy(),
                                           b.getDenseI64ArrayAttr(created));
        });
      })
      .Case([&](nn::MseLossOp op) {
        set(0, [&] {
          return b.create<nn::MseLossGradOp>(loc, op.getPrediction().getType(),
                                             op.getPrediction(), op.getTarget(), dy());
        });
        set(1, [&] {
          return b.create<nn::MseLossGradOp>(loc, op.getTarget().getType(), op.getTarget(),
                                             op.getPrediction(), dy());
        });
      })
      .Case([&](nn::SoftmaxCrossEntropyOp op) {
        set(0, [&] {
          return b.create<nn::SoftmaxCrossEntropyGradOp>(loc, op.getLogits().getType(),
                                                         op.getLogits(), op.getLabels(), dy());
        });
      })
      .Case([&](nn::HingeLossOp op) {
        set(0, [&] {
          return b.create<nn::HingeLossGradOp>(loc, op.getScores().getType(), op.getScores(),
                                               op.getLabels(), dy(), op.getMarginAttr());
        });
      })
      // d/dw of 0.5 * sum w^2 is w.
      .Case([&](nn::L2PenaltyOp op) {
        for (unsigned i = 0; i < op.getInputs().size(); ++i) {
          Value input = op.getInputs()[i];
          set(i, [&] { return b.create<nn::ScaleOp>(loc, input.getType(), input, dy()); });
        }
      });
  return grads;
}

bool nnc::autodiff::hasGradientRule(Operation *op) {
  return isa<nn::DenseOp, nn::MatmulOp, nn::ConvOp, nn::ConvTransposeOp, nn::MaxPoolOp,
             nn::AvgPoolOp, nn::GlobalAvgPoolOp, nn::UpsampleNearestOp, nn::BatchNormOp,
             nn::BatchStatsOp, nn::DropoutMaskOp, nn::DropoutOp, nn::ReluOp, nn::LeakyReluOp,
             nn::EluOp, nn::SigmoidOp, nn::TanhOp, nn::SoftmaxOp, nn::LogSoftmaxOp,
             nn::MaxoutOp, nn::AddOp, nn::SubOp, nn::MulOp, nn::ScaleOp, nn::ConcatOp,
             nn::ReshapeOp, nn::TransposeOp, nn::BroadcastOp, nn::MseLossOp,
             nn::SoftmaxCrossEntropyOp, nn::HingeLossOp, nn::L2PenaltyOp>(op);
}

SmallVector<Value> nnc::autodiff::buildOperandGradients(OpBuilder &b, Operation *op,
                                                        ArrayRef<Value> resultGrads,
                                                        ArrayRef<bool> needed) {
  SmallVector<Value> dys;
  for (auto [result, grad] : llvm::zip(op->getResults(), resultGrads))
    dys.push_back(grad ? grad
                       : splatConstant(b, op->getLoc(), shapeOf(result), 0.0));
  return RuleBuilder(b, op, dys, needed).build(op);
}
