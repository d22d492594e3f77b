//===- LowerNNToLinalgLoss.cpp - losses and optimizer updates to linalg ---===//
//
// The forward losses (mean over the batch, 0-d results) and their gradients,
// scaled by the loss's upstream gradient; the optimizer step of one
// parameter (PyTorch 1.13's single-tensor torch.optim rules) as one
// elementwise linalg.generic with one output per updated tensor; and the
// step counters' advance. Runtime scalars (hyperparameters, counters, upstream
// gradients) are read once with tensor.extract, outside the generics.
// Class labels outside [0, K) are read as if clamped into that range.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {



/// Sums `term(elements of inputs)` over all elements of the same-shaped
/// `inputs` into the 0-d accumulator `init`.
Value sumAll(OpBuilder &b, Location loc, ValueRange inputs, Value init,
             std::function<Value(Scalar &, ValueRange)> term) {
  unsigned rank = shapeOf(inputs.front()).size();
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
  return structured(b, loc, inputs, maps, init, AffineMap::get(rank, 0, b.getContext()), iterators,
                    [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
                      Scalar s{nb, l};
                      return {s.add(args.back(), term(s, args.drop_back()))};
                    })
      .front();
}

/// A 0-d tensor holding `f(value of the 0-d x)`.
Value mapScalar(OpBuilder &b, Location loc, Value x, std::function<Value(Scalar &, Value)> f) {
  return elementwise(b, loc, x, [&](OpBuilder &nb, Location l, ValueRange args) {
    Scalar s{nb, l};
    return f(s, args[0]);
  });
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

/// The label of row `row` as an index clamped into [0, classes).
Value clampedLabel(Scalar &s, Value label, int64_t classes) {
  OpBuilder &b = s.b;
  Value index = b.create<arith::IndexCastOp>(s.loc, b.getIndexType(), label);
  Value zero = b.create<arith::ConstantIndexOp>(s.loc, 0);
  Value last = b.create<arith::ConstantIndexOp>(s.loc, classes - 1);
  return b.create<arith::MinSIOp>(s.loc, b.create<arith::MaxSIOp>(s.loc, index, zero), last);
}

/// The score of each row's (clamped) label: picked[n] = scores[n, label[n]].
Value pickLabels(OpBuilder &b, Location loc, Value scores, Value labels) {
  int64_t classes = shapeOf(scores)[1];
  return generic(b, loc, labels, b.getMultiDimIdentityMap(1), shapeOf(labels),
                 [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   Scalar s{nb, l};
                   Value row = nb.create<linalg::IndexOp>(l, 0);
                   return nb.create<tensor::ExtractOp>(
                       l, scores, ValueRange{row, clampedLabel(s, args[0], classes)});
                 });
}

/// Per row of logits [N, K]: the max and log(sum_k exp(x - max)).
std::pair<Value, Value> rowLogSumExp(OpBuilder &b, Location loc, Value logits) {
  ArrayRef<int64_t> shape = shapeOf(logits);
  Value max = reduce(b, loc, logits, {1}, -std::numeric_limits<float>::infinity(),
                     [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       return nb.create<arith::MaximumFOp>(l, args[0], args[1]);
                     });
  AffineMap row = dimMap(b.getContext(), 2, 0);
  Value sumExp = structured(b, loc, ValueRange{logits, max}, {b.getMultiDimIdentityMap(2), row},
                            filled(b, loc, {shape[0]}, 0.0), row,
                            {utils::IteratorType::parallel, utils::IteratorType::reduction},
                            [](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
                              Scalar s{nb, l};
                              Value e = nb.create<math::ExpOp>(l, s.sub(args[0], args[1]));
                              return {s.add(args[2], e)};
                            })
                     .front();
  Value logSum =
      elementwise(b, loc, sumExp, [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return nb.create<math::LogOp>(l, args[0]);
      });
  return {max, logSum};
}

/// Per row n, over the positive hinges z = margin - s[n, y] + s[n, j] > 0
/// with j != y (`picked` holds s[n, y]): their sum, or their number when
/// `countOnly`.
Value hingeRows(OpBuilder &b, Location loc, Value scores, Value labels, Value picked, double margin,
                bool countOnly) {
  ArrayRef<int64_t> shape = shapeOf(scores);
  AffineMap row = dimMap(b.getContext(), 2, 0);
  return structured(b, loc, ValueRange{scores, labels, picked},
                    {b.getMultiDimIdentityMap(2), row, row}, filled(b, loc, {shape[0]}, 0.0), row,
                    {utils::IteratorType::parallel, utils::IteratorType::reduction},
                    [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
                      Scalar s{nb, l};
                      Value z = s.add(s.sub(s.f32(margin), args[2]), args[0]);
                      Value other = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::ne,
                                                             nb.create<linalg::IndexOp>(l, 1),
                                                             clampedLabel(s, args[1], shape[1]));
                      Value positive = nb.create<arith::AndIOp>(
                          l, other, s.cmp(arith::CmpFPredicate::OGT, z, s.f32(0.0)));
                      Value term = s.select(positive, countOnly ? s.f32(1.0) : z, s.f32(0.0));
                      return {s.add(args[3], term)};
                    })
      .front();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// loss = sum((p - t)^2) / numel.
struct LowerMseLoss : OpRewritePattern<nn::MseLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MseLossOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double count = double(numElements(shapeOf(op.getPrediction())));
    Value total = sumAll(rewriter, loc, ValueRange{op.getPrediction(), op.getTarget()},
                         filled(rewriter, loc, {}, 0.0), [](Scalar &s, ValueRange args) {
                           Value d = s.sub(args[0], args[1]);
                           return s.mul(d, d);
                         });
    rewriter.replaceOp(op, mapScalar(rewriter, loc, total,
                                     [&](Scalar &s, Value v) { return s.div(v, s.f32(count)); }));
    return success();
  }
};

/// dp = (2 / numel) * (p - t) * dl.
struct LowerMseLossGrad : OpRewritePattern<nn::MseLossGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MseLossGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double count = double(numElements(shapeOf(op.getPrediction())));
    Value gradLoss = Scalar{rewriter, loc}.scalar(op.getGradLoss());
    Value result = elementwise(rewriter, loc, ValueRange{op.getPrediction(), op.getTarget()},
                               [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                 Scalar s{b, l};
                                 Value d = s.mul(s.f32(2.0 / count), s.sub(args[0], args[1]));
                                 return s.mul(d, gradLoss);
                               });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// loss = -sum_n ((x[n, y_n] - max_n) - log(sum_k exp(x[n, k] - max_n))) / N,
/// i.e. the mean over rows of logsumexp(x_n) - x[n, y_n], computed stably.
struct LowerSoftmaxCrossEntropy : OpRewritePattern<nn::SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [max, logSum] = rowLogSumExp(rewriter, loc, op.getLogits());
    Value picked = pickLabels(rewriter, loc, op.getLogits(), op.getLabels());
    Value total =
        sumAll(rewriter, loc, ValueRange{picked, max, logSum}, filled(rewriter, loc, {}, 0.0),
               [](Scalar &s, ValueRange args) { return s.sub(s.sub(args[0], args[1]), args[2]); });
    double rows = double(shapeOf(op.getLogits())[0]);
    rewriter.replaceOp(op, mapScalar(rewriter, loc, total, [&](Scalar &s, Value v) {
                         return s.div(s.b.create<arith::NegFOp>(s.loc, v), s.f32(rows));
                       }));
    return success();
  }
};

/// dx[n, k] = (softmax(x_n)[k] - [k == y_n]) / N * dl, computed as PyTorch's
/// log_softmax backward: g[k] - exp(log_softmax(x_n)[k]) * sum(g) with
/// g = onehot(y_n) * c, c = -dl / N.
struct LowerSoftmaxCrossEntropyGrad : OpRewritePattern<nn::SoftmaxCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SoftmaxCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getLogits());
    auto [max, logSum] = rowLogSumExp(rewriter, loc, op.getLogits());
    Scalar outer{rewriter, loc};
    Value c = outer.div(rewriter.create<arith::NegFOp>(loc, outer.scalar(op.getGradLoss())),
                        outer.f32(double(shape[0])));
    AffineMap row = dimMap(rewriter.getContext(), 2, 0);
    Value result = generic(rewriter, loc, ValueRange{op.getLogits(), op.getLabels(), max, logSum},
                           {rewriter.getMultiDimIdentityMap(2), row, row, row}, shape,
                           [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                             Scalar s{b, l};
                             Value logProb = s.sub(s.sub(args[0], args[2]), args[3]);
                             Value hit = b.create<arith::CmpIOp>(
                                 l, arith::CmpIPredicate::eq, b.create<linalg::IndexOp>(l, 1),
                                 clampedLabel(s, args[1], shape[1]));
                             Value onehot = s.select(hit, c, s.f32(0.0));
                             return s.sub(onehot, s.mul(b.create<math::ExpOp>(l, logProb), c));
                           });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// loss = sum_n (sum_{j != y_n} max(0, margin - s[n, y_n] + s[n, j]) / K) / N
/// (PyTorch's MultiMarginLoss, p = 1).
struct LowerHingeLoss : OpRewritePattern<nn::HingeLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::HingeLossOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getScores());
    Value picked = pickLabels(rewriter, loc, op.getScores(), op.getLabels());
    Value rows = hingeRows(rewriter, loc, op.getScores(), op.getLabels(), picked,
                           op.getMargin().convertToDouble(), /*countOnly=*/false);
    double classes = double(shape[1]), samples = double(shape[0]);
    Value total =
        sumAll(rewriter, loc, rows, filled(rewriter, loc, {}, 0.0),
               [&](Scalar &s, ValueRange args) { return s.div(args[0], s.f32(classes)); });
    rewriter.replaceOp(op, mapScalar(rewriter, loc, total,
                                     [&](Scalar &s, Value v) { return s.div(v, s.f32(samples)); }));
    return success();
  }
};

/// With g = 1 / (K N) and a positive hinge margin - s[n, y] + s[n, j] > 0:
/// ds[n, j] = g * dl for j != y with a positive hinge (else 0), and
/// ds[n, y] = -(number of positive hinges of row n) * g * dl.
struct LowerHingeLossGrad : OpRewritePattern<nn::HingeLossGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::HingeLossGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = shapeOf(op.getScores());
    double margin = op.getMargin().convertToDouble();
    Value picked = pickLabels(rewriter, loc, op.getScores(), op.getLabels());
    Value counts = hingeRows(rewriter, loc, op.getScores(), op.getLabels(), picked, margin,
                             /*countOnly=*/true);
    Scalar outer{rewriter, loc};
    Value share =
        outer.mul(outer.f32(1.0 / double(shape[0] * shape[1])), outer.scalar(op.getGradLoss()));
    AffineMap row = dimMap(rewriter.getContext(), 2, 0);
    Value result =
        generic(rewriter, loc, ValueRange{op.getScores(), op.getLabels(), picked, counts},
                {rewriter.getMultiDimIdentityMap(2), row, row, row}, shape,
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Scalar s{b, l};
                  Value isLabel = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq,
                                                          b.create<linalg::IndexOp>(l, 1),
                                                          clampedLabel(s, args[1], shape[1]));
                  Value z = s.add(s.sub(s.f32(margin), args[2]), args[0]);
                  Value other =
                      s.select(s.cmp(arith::CmpFPredicate::OGT, z, s.f32(0.0)), share, s.f32(0.0));
                  Value label = s.mul(b.create<arith::NegFOp>(l, args[3]), share);
                  return s.select(isLabel, label, other);
                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// loss = 0.5 * sum over all operands of the sum of their squares.
struct LowerL2Penalty : OpRewritePattern<nn::L2PenaltyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::L2PenaltyOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value total = filled(rewriter, loc, {}, 0.0);
    for (Value input : op.getInputs())
      total = sumAll(rewriter, loc, input, total,
                     [](Scalar &s, ValueRange args) { return s.mul(args[0], args[0]); });
    rewriter.replaceOp(op, mapScalar(rewriter, loc, total,
                                     [](Scalar &s, Value v) { return s.mul(s.f32(0.5), v); }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

/// The runtime scalars of an optimizer step: hyperparams = [lr, momentum,
/// dampening, alpha, beta1, beta2, eps, weight_decay], counters = [t,
/// beta1^t, beta2^t] with the powers stored as 0 while t = 0.
struct StepScalars {
  Value lr, momentum, dampening, alpha, beta1, beta2, eps, weightDecay;
  Value steps;                // t
  Value first;                // t == 0
  Value beta1Next, beta2Next; // beta^(t+1)

  StepScalars(Scalar &s, Value hyperparams, Value counters) {
    Value *fields[] = {&lr, &momentum, &dampening, &alpha, &beta1, &beta2, &eps, &weightDecay};
    for (auto [i, field] : llvm::enumerate(fields))
      *field = s.element(hyperparams, i);
    steps = s.element(counters, 0);
    first = s.cmp(arith::CmpFPredicate::OEQ, steps, s.f32(0.0));
    beta1Next = s.mul(s.select(first, s.f32(1.0), s.element(counters, 1)), beta1);
    beta2Next = s.mul(s.select(first, s.f32(1.0), s.element(counters, 2)), beta2);
  }
};

/// One step of torch.optim's single-tensor rules, p the parameter and g the
/// gradient. Weight decay: p *= 1 - lr*wd when decoupled (AdamW), else
/// g += wd*p. Then
///   sgd:     buf = t == 0 ? g : momentum*buf + (1 - dampening)*g;
///            g = nesterov ? g + momentum*buf : buf (with momentum);
///            p -= lr*g.
///   rmsprop: sq = alpha*sq + (1 - alpha)*g*g; avg = sqrt(sq) + eps;
///            buf = momentum*buf + g/avg, p -= lr*buf (with momentum),
///            else p -= lr*g/avg.
///   adam:    m = beta1*m + (1 - beta1)*g; v = beta2*v + (1 - beta2)*g*g;
///            p -= lr / (1 - beta1^(t+1)) * m /
///                 (sqrt(v) / sqrt(1 - beta2^(t+1)) + eps).
/// All results come from one elementwise generic.
struct LowerOptimizerUpdate : OpRewritePattern<nn::OptimizerUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::OptimizerUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Scalar outer{rewriter, loc};
    StepScalars k(outer, op.getHyperparams(), op.getCounters());
    StringRef kind = op.getKind();
    bool decoupled = op.getDecoupledWeightDecay(), nesterov = op.getNesterov(),
         momentum = op.getHasMomentum();
    Value one = outer.f32(1.0);
    Value decay = outer.sub(one, outer.mul(k.lr, k.weightDecay));
    Value keepGrad = outer.sub(one, k.dampening);
    Value keepSquare = outer.sub(one, k.alpha);
    Value keepMean = outer.sub(one, k.beta1), keepVariance = outer.sub(one, k.beta2);
    Value stepSize = outer.div(k.lr, outer.sub(one, k.beta1Next));
    Value correction2 = outer.sqrt(outer.sub(one, k.beta2Next));

    ArrayRef<int64_t> shape = shapeOf(op.getParam());
    SmallVector<Value> inputs{op.getParam(), op.getGrad()};
    inputs.append(op.getState().begin(), op.getState().end());
    SmallVector<Value> inits;
    for (size_t i = 0; i < op.getResults().size(); ++i)
      inits.push_back(rewriter.create<tensor::EmptyOp>(loc, shape, rewriter.getF32Type()));
    AffineMap identity = rewriter.getMultiDimIdentityMap(shape.size());
    SmallVector<AffineMap> inputMaps(inputs.size(), identity), initMaps(inits.size(), identity);
    SmallVector<utils::IteratorType> iterators(shape.size(), utils::IteratorType::parallel);
    size_t stateCount = op.getState().size();
    SmallVector<Value> results = structured(
        rewriter, loc, inputs, inputMaps, inits, initMaps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Scalar s{b, l};
          Value p = args[0], g = args[1];
          ValueRange state = args.slice(2, stateCount);
          if (decoupled)
            p = s.mul(p, decay);
          else
            g = s.add(g, s.mul(k.weightDecay, p));
          if (kind == "sgd") {
            if (!momentum)
              return {s.sub(p, s.mul(k.lr, g))};
            Value buf =
                s.select(k.first, g, s.add(s.mul(state[0], k.momentum), s.mul(keepGrad, g)));
            Value direction = nesterov ? s.add(g, s.mul(k.momentum, buf)) : buf;
            return {s.sub(p, s.mul(k.lr, direction)), buf};
          }
          if (kind == "rmsprop") {
            Value square = s.add(s.mul(state[0], k.alpha), s.mul(s.mul(keepSquare, g), g));
            Value avg = s.add(s.sqrt(square), k.eps);
            if (!momentum)
              return {s.sub(p, s.mul(k.lr, s.div(g, avg))), square};
            Value buf = s.add(s.mul(state[1], k.momentum), s.div(g, avg));
            return {s.sub(p, s.mul(k.lr, buf)), square, buf};
          }
          Value mean = s.add(s.mul(state[0], k.beta1), s.mul(keepMean, g));
          Value variance = s.add(s.mul(state[1], k.beta2), s.mul(s.mul(keepVariance, g), g));
          Value denom = s.add(s.div(s.sqrt(variance), correction2), k.eps);
          return {s.sub(p, s.mul(stepSize, s.div(mean, denom))), mean, variance};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// [t, b1, b2] -> [t + 1, (t == 0 ? 1 : b1) * beta1, (t == 0 ? 1 : b2) * beta2].
struct LowerAdvanceCounters : OpRewritePattern<nn::AdvanceCountersOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AdvanceCountersOp op,
                                PatternRewriter &rewriter) const override {
    Scalar s{rewriter, op.getLoc()};
    StepScalars k(s, op.getHyperparams(), op.getCounters());
    Value next = s.add(k.steps, s.f32(1.0));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getResult().getType(),
                                                        ValueRange{next, k.beta1Next, k.beta2Next});
    return success();
  }
};

} // namespace

void nnc::lowering::populateLossLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMseLoss, LowerMseLossGrad, LowerSoftmaxCrossEntropy,
               LowerSoftmaxCrossEntropyGrad, LowerHingeLoss, LowerHingeLossGrad, LowerL2Penalty,
               LowerOptimizerUpdate, LowerAdvanceCounters>(patterns.getContext());
}
