//===- LowerNNToLinalgPoolGrad.cpp - pooling gradients to linalg ----------===//
//
// The gradients of max and average pooling (NNTrainingOps.td). A max-pool
// gradient first reduces every window to the index of its first maximum,
// then gathers, at every input position, the windows that contain it:
// nothing scatters, and each position sums its windows in PyTorch's order.
// 1-D pooling runs as 2-D pooling of height 1.
//
//===----------------------------------------------------------------------===//

#include "passes/LoopOrder.h"
#include "passes/LowerNNToLinalg.h"
#include "passes/MaxPoolGradForm.h"

#include "ir/NNDialect.h"

#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

SmallVector<AffineMap, 4> nnc::maxPoolArgmaxMaps(MLIRContext *ctx, ArrayRef<int64_t> strides,
                                                 ArrayRef<int64_t> dilations) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 6; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  AffineMap out = AffineMap::get(6, 0, {d[0], d[1], d[2], d[5]}, ctx);
  return {AffineMap::get(6, 0,
                         {d[0], d[1], d[2] * strides[0] + d[3] * dilations[0],
                          d[5] * strides[1] + d[4] * dilations[1]},
                         ctx),
          AffineMap::get(6, 0, {d[3], d[4]}, ctx), out, out};
}

SmallVector<utils::IteratorType> nnc::maxPoolArgmaxIterators() {
  auto parallel = utils::IteratorType::parallel, reduction = utils::IteratorType::reduction;
  return {parallel, parallel, parallel, reduction, reduction, parallel};
}

SmallVector<AffineMap, 3> nnc::maxPoolScatterMaps(MLIRContext *ctx, ArrayRef<int64_t> strides) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 4; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  AffineMap window =
      AffineMap::get(4, 0, {d[0], d[1], d[2].floorDiv(strides[0]), d[3].floorDiv(strides[1])}, ctx);
  return {window, window, AffineMap::getMultiDimIdentityMap(4, ctx)};
}

namespace {

/// True when no input position lies in two windows along any dim: the
/// window's extent is at most the stride (2x2 pooling with stride 2).
bool windowsAreDisjoint(const PoolWindow &w) {
  for (int d = 0; d < 2; ++d)
    if ((w.kernel[d] - 1) * w.dilations[d] + 1 > w.strides[d])
      return false;
  return true;
}

/// The gradient [N, C, H, W] of a pooling op: every input position i sums
/// `contribution(n, c, oh, ow)` over the windows o containing it, i.e. over
/// the kernel offsets k with o = (i + pad_low - k*dilation) / stride integral
/// and in [0, out) in both dims. Offsets run backwards so each position sees
/// its windows in increasing (oh, ow), the order PyTorch accumulates in.
/// Disjoint windows skip the search over offsets: the one window that may
/// hold i is o = (i + pad_low) / stride, and it does when the offset
/// i + pad_low - o*stride is a multiple of the dilation below kernel *
/// dilation. The loops run along the input width innermost.
using ContributionFn =
    std::function<Value(Scalar &, Value n, Value c, Value oh, Value ow, Value ih, Value iw)>;
Value gatherWindows(RewriterBase &b, Location loc, const PoolWindow &w, ArrayRef<int64_t> inShape,
                    ContributionFn contribution) {
  MLIRContext *ctx = b.getContext();
  bool disjoint = windowsAreDisjoint(w);
  // The window tensor only gives the kernel loops their bounds, as in
  // linalg's named pooling ops.
  SmallVector<int64_t> searched = disjoint ? SmallVector<int64_t>{1, 1} : w.kernel;
  Value window = b.create<tensor::EmptyOp>(loc, searched, b.getF32Type());
  AffineMap windowMap =
      AffineMap::get(6, 0, {getAffineDimExpr(4, ctx), getAffineDimExpr(5, ctx)}, ctx);
  AffineMap outMap = dropDimsMap(ctx, 6, {4, 5});
  Value result =
      structured(
          b, loc, window, windowMap, filled(b, loc, inShape, 0.0), outMap,
          iteratorsFor(6, {4, 5}),
          [&](OpBuilder &nb, Location l, ValueRange args) -> SmallVector<Value> {
            Scalar s{nb, l};
            Value valid;
            SmallVector<Value> o;
            for (int d = 0; d < 2; ++d) {
              auto predicate = [&](arith::CmpIPredicate p, Value a, int64_t c) {
                return s.cmpi(p, a, s.index(c));
              };
              Value shifted = s.addi(s.loop(2 + d), s.index(w.padLow[d]));
              Value inWindow;
              if (!disjoint) {
                Value offset = s.subi(s.index(w.kernel[d] - 1), s.loop(4 + d));
                shifted = s.subi(shifted, s.muli(offset, s.index(w.dilations[d])));
              }
              Value stride = s.index(w.strides[d]);
              Value quotient = nb.create<arith::DivSIOp>(l, shifted, stride);
              Value remainder = nb.create<arith::RemSIOp>(l, shifted, stride);
              Value inRange = predicate(arith::CmpIPredicate::slt, quotient, w.out[d]);
              if (disjoint) {
                // shifted >= 0 always; the offset must be a kernel tap.
                Value dilation = s.index(w.dilations[d]);
                Value tap = nb.create<arith::DivSIOp>(l, remainder, dilation);
                Value onTap = predicate(arith::CmpIPredicate::eq,
                                        nb.create<arith::RemSIOp>(l, remainder, dilation), 0);
                inWindow = s.both(inRange,
                                  s.both(onTap, predicate(arith::CmpIPredicate::slt, tap,
                                                          w.kernel[d])));
              } else {
                inWindow = s.both(predicate(arith::CmpIPredicate::sge, shifted, 0),
                                  s.both(predicate(arith::CmpIPredicate::eq, remainder, 0),
                                         inRange));
              }
              valid = valid ? s.both(valid, inWindow) : inWindow;
              o.push_back(quotient);
            }
            // Clamped so the reads stay in bounds; masked below.
            for (Value &v : o)
              v = s.select(valid, v, s.index(0));
            Value value =
                contribution(s, s.loop(0), s.loop(1), o[0], o[1], s.loop(2), s.loop(3));
            return {s.add(args[1], s.select(valid, value, s.f32(0.0)))};
          })
          .front();
  nnc::putOutputWidthInnermost(b, cast<linalg::LinalgOp>(result.getDefiningOp()));
  return result;
}

/// True when the windows tile the input exactly: kernel = stride, no
/// dilation or padding, input = output * stride in both dims.
bool tilesExactly(const PoolWindow &w) {
  for (int d = 0; d < 2; ++d)
    if (w.kernel[d] != w.strides[d] || w.dilations[d] != 1 || w.padLow[d] != 0 ||
        w.in[d] != w.out[d] * w.strides[d])
      return false;
  return true;
}

/// The max-pool gradient [N, C, H, W] when the windows tile the input
/// exactly: each position lies in one window and gets that window's
/// gradient if it holds the window's first maximum (MaxPoolGradForm.h).
Value scatterToMaxima(RewriterBase &b, Location loc, const PoolWindow &w, Value argmax,
                      Value gradOutput) {
  SmallVector<AffineMap, 3> maps = nnc::maxPoolScatterMaps(b.getContext(), w.strides);
  ArrayRef<int64_t> out = shapeOf(argmax);
  Value result = generic(b, loc, ValueRange{argmax, gradOutput}, {maps[0], maps[1]},
                         {out[0], out[1], w.in[0], w.in[1]},
                         [&](OpBuilder &nb, Location l, ValueRange args) {
                           Scalar s{nb, l};
                           Value self =
                               s.toI32(s.addi(s.muli(s.loop(2), s.index(w.in[1])), s.loop(3)));
                           return s.select(s.cmpi(arith::CmpIPredicate::eq, args[0], self),
                                           args[1], s.f32(0.0));
                         });
  result.getDefiningOp()->setAttr(nnc::kMaxPoolScatterAttr,
                                  b.getDenseI64ArrayAttr({w.strides[0], w.strides[1]}));
  return result;
}

/// dx[i] = sum of dy[o] over the windows o whose first maximum (in row-major
/// window order; padding never wins; NaN wins as in PyTorch) is at input
/// position i. A first generic reduces each window to the flat index
/// ih*W + iw of its maximum, a second gathers.
struct LowerMaxPoolGrad : OpRewritePattern<nn::MaxPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxPoolGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (op.getKernel().size() > 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling lowers");
    PoolWindow w = poolWindow(shapeOf(op.getInput()), shapeOf(op.getGradOutput()),
                              op.getKernel(), op.getStrides(), op.getPadding(), op.getDilations());
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value gradOutput = expandTo2D(rewriter, loc, op.getGradOutput());
    ArrayRef<int64_t> in = shapeOf(input);
    SmallVector<int64_t> out{in[0], in[1], w.out[0], w.out[1]};

    // Padding just wide enough for every window: its value never wins.
    SmallVector<int64_t> padHigh;
    for (int d = 0; d < 2; ++d) {
      int64_t needed = (w.out[d] - 1) * w.strides[d] + w.dilations[d] * (w.kernel[d] - 1) + 1;
      padHigh.push_back(std::max<int64_t>(0, needed - w.in[d] - w.padLow[d]));
    }
    double lowest = -std::numeric_limits<float>::infinity();
    Value padded = padSpatial(rewriter, loc, input, w.padLow, padHigh, lowest);
    // The window tensor gives the kernel loops their bounds (see gatherWindows).
    Value window = rewriter.create<tensor::EmptyOp>(loc, w.kernel, rewriter.getF32Type());
    SmallVector<AffineMap, 4> maps =
        nnc::maxPoolArgmaxMaps(rewriter.getContext(), w.strides, w.dilations);
    Value argmax = structured(
        rewriter, loc, ValueRange{padded, window}, {maps[0], maps[1]},
        ValueRange{filled(rewriter, loc, out, lowest), filledI32(rewriter, loc, out, -1)},
        {maps[2], maps[3]}, nnc::maxPoolArgmaxIterators(),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Scalar s{b, l};
          Value value = args[0], best = args[2], bestIndex = args[3];
          Value inside;
          SmallVector<Value> position;
          for (int i = 0; i < 2; ++i) {
            // Loops (n, c, oh, kh, kw, ow): output dim i is loop 2 + 3i, its tap 3 + i.
            Value p = s.subi(s.addi(s.muli(s.loop(2 + 3 * i), s.index(w.strides[i])),
                                    s.muli(s.loop(3 + i), s.index(w.dilations[i]))),
                             s.index(w.padLow[i]));
            Value ok = s.both(s.cmpi(arith::CmpIPredicate::sge, p, s.index(0)),
                              s.cmpi(arith::CmpIPredicate::slt, p, s.index(w.in[i])));
            inside = inside ? s.both(inside, ok) : ok;
            position.push_back(p);
          }
          Value flat = s.toI32(s.addi(s.muli(position[0], s.index(w.in[1])), position[1]));
          // PyTorch's rule: the first real element, then any greater one or a NaN.
          Value first = s.cmpi(arith::CmpIPredicate::eq, bestIndex,
                               b.create<arith::ConstantOp>(l, b.getI32IntegerAttr(-1)));
          Value greater = s.either(s.cmp(arith::CmpFPredicate::OGT, value, best),
                                   s.cmp(arith::CmpFPredicate::UNO, value, value));
          Value better = s.both(inside, s.either(first, greater));
          return {s.select(better, value, best), s.select(better, flat, bestIndex)};
        })[1];
    // Without padding every tap is real: nnc-pool-microkernel's case.
    if (llvm::all_of(w.padLow, [](int64_t p) { return p == 0; }) &&
        llvm::all_of(padHigh, [](int64_t p) { return p == 0; }))
      argmax.getDefiningOp()->setAttr(nnc::kMaxPoolArgmaxAttr,
                        rewriter.getDenseI64ArrayAttr(
                            {w.strides[0], w.strides[1], w.dilations[0], w.dilations[1]}));
    Value result = tilesExactly(w) ? scatterToMaxima(rewriter, loc, w, argmax, gradOutput)
                                   : gatherWindows(rewriter, loc, w, in,
        [&](Scalar &s, Value n, Value c, Value oh, Value ow, Value ih, Value iw) -> Value {
          ValueRange at{n, c, oh, ow};
          Value picked = s.b.create<tensor::ExtractOp>(s.loc, argmax, at);
          Value grad = s.b.create<tensor::ExtractOp>(s.loc, gradOutput, at);
          Value self = s.toI32(s.addi(s.muli(ih, s.index(w.in[1])), iw));
          return s.select(s.cmpi(arith::CmpIPredicate::eq, picked, self), grad, s.f32(0.0));
        });
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shapeOf(op.getResult())));
    return success();
  }
};

/// dx[i] = sum over the windows o containing i of dy[o] / divisor(o), the
/// divisor of the forward avg_pool (any window, ceil-mode ones too).
struct LowerAvgPoolGrad : OpRewritePattern<nn::AvgPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AvgPoolGradOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    size_t spatial = op.getKernel().size();
    if (spatial > 2)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D pooling lowers");
    SmallVector<int64_t> ones(spatial, 1);
    PoolWindow w = poolWindow(shapeOf(op.getResult()), shapeOf(op.getGradOutput()),
                              op.getKernel(), op.getStrides(), op.getPadding(), ones);
    Value gradOutput = expandTo2D(rewriter, loc, op.getGradOutput());
    ArrayRef<int64_t> out = shapeOf(gradOutput);
    SmallVector<int64_t> in{out[0], out[1], w.in[0], w.in[1]};

    SmallVector<int64_t> rows = avgPoolDivisors(w, 0, op.getCountIncludePad());
    SmallVector<int64_t> cols = avgPoolDivisors(w, 1, op.getCountIncludePad());
    SmallVector<float> table;
    for (int64_t a : rows)
      for (int64_t b : cols)
        table.push_back(float(a * b));
    auto tableType = RankedTensorType::get({w.out[0], w.out[1]}, rewriter.getF32Type());
    Value divisor = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(tableType, ArrayRef<float>(table)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap spatialMap =
        AffineMap::get(4, 0, {getAffineDimExpr(2, ctx), getAffineDimExpr(3, ctx)}, ctx);
    // PyTorch divides each output gradient once, then adds it to its window.
    Value share = generic(rewriter, loc, ValueRange{gradOutput, divisor},
                          {rewriter.getMultiDimIdentityMap(4), spatialMap}, out,
                          [](OpBuilder &b, Location l, ValueRange args) -> Value {
                            return b.create<arith::DivFOp>(l, args[0], args[1]);
                          });
    Value result = gatherWindows(
        rewriter, loc, w, in,
        [&](Scalar &s, Value n, Value c, Value oh, Value ow, Value, Value) -> Value {
          return s.b.create<tensor::ExtractOp>(s.loc, share, ValueRange{n, c, oh, ow});
        });
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shapeOf(op.getResult())));
    return success();
  }
};
} // namespace

void nnc::lowering::populatePoolGradientLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMaxPoolGrad, LowerAvgPoolGrad>(patterns.getContext());
}
