//===- LowerNNToLinalgConv.cpp - convolutions to linalg -------------------===//
//
// conv: zero padding (tensor.pad), then linalg.conv_2d_nchw_fchw, or
// conv_2d_ngchw_gfchw for groups > 1, accumulating into the broadcast bias.
// With dilation 1 and a stride > 1, the input is split into its stride
// phases (polyphaseConv), one stride-1 convolution each.
// conv_transpose: with dilation 1 and a stride > 1, one stride-1
// convolution per output phase (polyphaseConvTranspose); otherwise the
// input is spread by the stride and padded in one insert_slice, then
// convolved with the flipped, transposed kernel; a negative effective
// padding crops the result. 1-D ops run as 2-D, height 1.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

/// The [N, C, H, W] slice of `value` at `offsets` with `sizes`, unit strides.
static Value sliceOf(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> offsets,
                     ArrayRef<int64_t> sizes) {
  return b.create<tensor::ExtractSliceOp>(
      loc, RankedTensorType::get(sizes, b.getF32Type()), value, ValueRange{}, ValueRange{},
      ValueRange{}, b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(sizes),
      b.getDenseI64ArrayAttr({1, 1, 1, 1}));
}


/// Convolution of an already padded [N, C, H, W] input with a [F, C/g, KH,
/// KW] weight into `init` [N, F, Ho, Wo].
static Value convolve2D(OpBuilder &b, Location loc, Value input, Value weight, Value init,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                        int64_t groups) {
  auto stridesAttr = b.getI64TensorAttr(strides);
  auto dilationsAttr = b.getI64TensorAttr(dilations);
  if (groups == 1)
    return b
        .create<linalg::Conv2DNchwFchwOp>(loc, TypeRange{init.getType()},
                                          ValueRange{input, weight}, ValueRange{init},
                                          stridesAttr, dilationsAttr)
        .getResult(0);
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight), out = shapeOf(init);
  Value groupedIn = reshape(b, loc, input, {in[0], groups, in[1] / groups, in[2], in[3]});
  Value groupedW = reshape(b, loc, weight, {groups, w[0] / groups, w[1], w[2], w[3]});
  Value groupedInit =
      reshape(b, loc, init, {out[0], groups, out[1] / groups, out[2], out[3]});
  Value result = b.create<linalg::Conv2DNgchwGfchwOp>(loc, TypeRange{groupedInit.getType()},
                                                      ValueRange{groupedIn, groupedW},
                                                      ValueRange{groupedInit}, stridesAttr,
                                                      dilationsAttr)
                     .getResult(0);
  return reshape(b, loc, result, out);
}

/// The initial accumulator: the bias broadcast over [N, F, H, W], or zeros.
static Value biasInit(OpBuilder &b, Location loc, Value bias, ArrayRef<int64_t> shape) {
  return bias ? broadcastAlong(b, loc, bias, shape, 1) : filled(b, loc, shape, 0.0);
}

/// The convolution kernel [F, C/g, TY, TX] of a transposed convolution's
/// [C, F/g, KH, KW] `weight`, transposed within each group and reversed:
/// kernel[f, c, uy, ux] = weight[g*Cg + c, f mod (F/g), first[0] + (TY-1-uy)
/// * step[0], first[1] + (TX-1-ux) * step[1]]. All taps (first 0, step 1,
/// T = K) are the flipped kernel; first r and step s select one phase's taps.
static Value transposedKernel(OpBuilder &b, Location loc, Value weight, int64_t groups,
                              ArrayRef<int64_t> first, ArrayRef<int64_t> step,
                              ArrayRef<int64_t> taps) {
  ArrayRef<int64_t> w = shapeOf(weight);
  int64_t filtersPerGroup = w[1], channelsPerGroup = w[0] / groups;
  MLIRContext *ctx = b.getContext();
  AffineExpr f = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx),
             uy = getAffineDimExpr(2, ctx), ux = getAffineDimExpr(3, ctx);
  AffineMap map = AffineMap::get(
      4, 0,
      {f.floorDiv(filtersPerGroup) * channelsPerGroup + c, f % filtersPerGroup,
       first[0] + (taps[0] - 1) * step[0] - uy * step[0],
       first[1] + (taps[1] - 1) * step[1] - ux * step[1]},
      ctx);
  SmallVector<int64_t> shape{filtersPerGroup * groups, channelsPerGroup, taps[0], taps[1]};
  return gathered(b, loc, weight, map, shape);
}

/// The taps of phase `phase` of a stride-`stride` window of `kernel` taps:
/// phase, phase + stride, ... below kernel.
static int64_t phaseTaps(int64_t kernel, int64_t stride, int64_t phase) {
  return phase < kernel ? (kernel - phase + stride - 1) / stride : 0;
}

/// One output phase of a stride-s transposed convolution along one spatial
/// dim (dilation 1): the outputs y with (y + padLow) mod s == r, y = first,
/// first + s, ... (`count` of them), are a stride-1 correlation of the input
/// window [start, start + count + taps - 1) (zero outside the input) with
/// the kernel taps r, r + s, ... reversed (`taps` of them).
struct Phase {
  int64_t taps, first, count, start;
};

static Phase phaseOf(int64_t residue, int64_t stride, int64_t kernel, int64_t padLow,
                     int64_t outSize) {
  Phase phase{0, 0, 0, 0};
  phase.taps = phaseTaps(kernel, stride, residue);
  phase.first = ((residue - padLow) % stride + stride) % stride;
  phase.count = phase.first < outSize ? (outSize - phase.first + stride - 1) / stride : 0;
  phase.start = (phase.first + padLow - residue) / stride - (phase.taps - 1);
  return phase;
}

/// conv_transpose (dilation 1) of [N, C, H, W] `input` with the [C, F/g,
/// KH, KW] `weight` into [N, F] x `outSize`, as one stride-1 convolution per
/// output phase (sy x sx of them), each inserted at its stride: no product
/// with the zeros a spread input would hold (a stride-2 input gradient does
/// a quarter of the work).
static Value polyphaseConvTranspose(OpBuilder &b, Location loc, Value input, Value weight,
                                    Value bias, ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> padLow, ArrayRef<int64_t> outSize,
                                    int64_t groups) {
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight);
  int64_t channels = in[1], filters = w[1] * groups;
  Value result = b.create<tensor::EmptyOp>(
      loc, ArrayRef<int64_t>{in[0], filters, outSize[0], outSize[1]}, b.getF32Type());
  for (int64_t ry = 0; ry < strides[0]; ++ry)
    for (int64_t rx = 0; rx < strides[1]; ++rx) {
      Phase py = phaseOf(ry, strides[0], w[2], padLow[0], outSize[0]);
      Phase px = phaseOf(rx, strides[1], w[3], padLow[1], outSize[1]);
      if (!py.count || !px.count)
        continue;
      SmallVector<int64_t> shape{in[0], filters, py.count, px.count};
      Value phase = biasInit(b, loc, bias, shape);
      // The input window of the phase, cropped to the input, then padded.
      Phase dims[2] = {py, px};
      SmallVector<int64_t> offsets{0, 0}, sizes{in[0], channels}, low, high;
      bool empty = !py.taps || !px.taps;
      for (int d = 0; d < 2; ++d) {
        int64_t end = dims[d].start + dims[d].count + dims[d].taps - 1;
        int64_t from = std::max<int64_t>(dims[d].start, 0), to = std::min(end, in[2 + d]);
        empty |= from >= to;
        offsets.push_back(from);
        sizes.push_back(to - from);
        low.push_back(from - dims[d].start);
        high.push_back(end - to);
      }
      if (!empty) {
        Value window = sliceOf(b, loc, input, offsets, sizes);
        Value kernel =
            transposedKernel(b, loc, weight, groups, {ry, rx}, strides, {py.taps, px.taps});
        phase = convolve2D(b, loc, padSpatial(b, loc, window, low, high, 0.0), kernel, phase,
                           {1, 1}, {1, 1}, groups);
      }
      result = b.create<tensor::InsertSliceOp>(
          loc, phase, result, ValueRange{}, ValueRange{}, ValueRange{},
          b.getDenseI64ArrayAttr({0, 0, py.first, px.first}), b.getDenseI64ArrayAttr(shape),
          b.getDenseI64ArrayAttr({1, 1, strides[0], strides[1]}));
    }
  return result;
}

/// Rows (or columns) of every input phase of a strided convolution with
/// `outSize` outputs: those phase 0 reads, the one with the most taps.
static int64_t phaseExtent(int64_t outSize, int64_t kernel, int64_t stride) {
  return outSize + phaseTaps(kernel, stride, 0) - 1;
}

SmallVector<int64_t> nnc::lowering::convPadHigh(ArrayRef<int64_t> inSize,
                                                ArrayRef<int64_t> padLow,
                                                ArrayRef<int64_t> padHigh,
                                                ArrayRef<int64_t> kernel,
                                                ArrayRef<int64_t> strides,
                                                ArrayRef<int64_t> dilations,
                                                ArrayRef<int64_t> outSize) {
  SmallVector<int64_t> high(padHigh);
  if (!isPolyphase(strides, dilations))
    return high;
  for (size_t d = 0; d < high.size(); ++d)
    high[d] = std::max(high[d], phaseExtent(outSize[d], kernel[d], strides[d]) * strides[d] -
                                    padLow[d] - inSize[d]);
  return high;
}

bool nnc::lowering::isPolyphase(ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  return llvm::all_of(dilations, [](int64_t d) { return d == 1; }) &&
         llvm::any_of(strides, [](int64_t s) { return s > 1; });
}

/// A stride-s convolution (dilation 1) of [N, C, H, W] `source`, zero padded
/// by `padLow` (and at the high end as far as the windows reach), with the
/// [F, C/g, KH, KW] `weight` into `init` [N, F, Ho, Wo], as the sum of one
/// stride-1 convolution per input phase (py, px) < (sy, sx):
///   phase[n, c, i, j] = padded[n, c, i*sy + py, j*sx + px]
///   kernel[f, c, a, b] = weight[f, c, a*sy + py, b*sx + px]
/// each accumulating into the previous one's result. The products are the
/// strided convolution's, but every kernel reads whole vectors of contiguous
/// inputs instead of gathering every s-th element.
///
/// The part of each phase inside `source` is copied, up to phase 0's
/// extent (the phase with the most taps), so that phases copy equal shapes
/// more often: those share one loop nest, whose body then reads s
/// consecutive inputs at a time. Each convolution pads (nnc-pad-in-producers
/// makes the copy write the padded buffer) or slices its copy to its window.
static Value polyphaseConv(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> padLow,
                           Value weight, Value init, ArrayRef<int64_t> strides,
                           int64_t groups) {
  ArrayRef<int64_t> in = shapeOf(source), w = shapeOf(weight), out = shapeOf(init);
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  int64_t extent[2] = {phaseExtent(out[2], w[2], strides[0]),
                       phaseExtent(out[3], w[3], strides[1])};
  struct InputPhase {
    int64_t py, px;
    SmallVector<int64_t, 2> copied, low;
    AffineMap read;
  };
  SmallVector<InputPhase, 4> phases;
  for (int64_t py = 0; py < std::min(strides[0], w[2]); ++py)
    for (int64_t px = 0; px < std::min(strides[1], w[3]); ++px) {
      // Per spatial dim, phase element i is source element i*s + p - padLow:
      // those in [first, first + copied) lie inside the source.
      InputPhase phase{py, px, {}, {}, {}};
      SmallVector<AffineExpr> read{d(0), d(1)};
      for (int k = 0; k < 2; ++k) {
        int64_t s = strides[k], p = k ? px : py;
        int64_t first = std::max<int64_t>(0, (padLow[k] - p + s - 1) / s);
        int64_t last =
            std::min(extent[k] - 1, llvm::divideFloorSigned(in[2 + k] + padLow[k] - p - 1, s));
        int64_t copied = std::max<int64_t>(0, last - first + 1);
        phase.copied.push_back(copied);
        phase.low.push_back(first);
        read.push_back(d(2 + k) * s + (first * s + p - padLow[k]));
      }
      phase.read = AffineMap::get(4, 0, read, ctx);
      if (phase.copied[0] && phase.copied[1]) // else it reads padding only
        phases.push_back(std::move(phase));
    }

  SmallVector<Value> copies(phases.size());
  for (size_t i = 0; i < phases.size(); ++i) {
    if (copies[i])
      continue;
    SmallVector<size_t> members;
    SmallVector<AffineMap> reads;
    for (size_t j = i; j < phases.size(); ++j)
      if (phases[j].copied == phases[i].copied) {
        members.push_back(j);
        reads.push_back(phases[j].read);
      }
    SmallVector<int64_t> shape{in[0], in[1], phases[i].copied[0], phases[i].copied[1]};
    SmallVector<Value> inputs(members.size(), source), inits;
    for (size_t j = 0; j < members.size(); ++j)
      inits.push_back(b.create<tensor::EmptyOp>(loc, shape, b.getF32Type()));
    SmallVector<AffineMap> writes(members.size(), b.getMultiDimIdentityMap(4));
    SmallVector<Value> results =
        structured(b, loc, inputs, reads, inits, writes,
                   SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
                   [&](OpBuilder &, Location, ValueRange args) {
                     return SmallVector<Value>(args.take_front(members.size()));
                   });
    for (auto [j, result] : llvm::zip(members, results))
      copies[j] = result;
  }

  Value result = init;
  for (auto [phase, copy] : llvm::zip(phases, copies)) {
    int64_t tapsY = phaseTaps(w[2], strides[0], phase.py);
    int64_t tapsX = phaseTaps(w[3], strides[1], phase.px);
    // The window the phase's convolution reads: its copy's first `used`
    // rows and columns, padded to the window.
    SmallVector<int64_t> window{out[2] + tapsY - 1, out[3] + tapsX - 1}, used, high;
    for (int k = 0; k < 2; ++k) {
      used.push_back(std::min(phase.copied[k], window[k] - phase.low[k]));
      high.push_back(window[k] - phase.low[k] - used.back());
    }
    if (used[0] <= 0 || used[1] <= 0)
      continue; // the window holds padding only
    Value input = copy;
    if (ArrayRef<int64_t>(used) != ArrayRef<int64_t>(phase.copied))
      input = sliceOf(b, loc, copy, {0, 0, 0, 0}, {in[0], in[1], used[0], used[1]});
    input = padSpatial(b, loc, input, phase.low, high, 0.0);
    AffineMap taps = AffineMap::get(
        4, 0, {d(0), d(1), d(2) * strides[0] + phase.py, d(3) * strides[1] + phase.px}, ctx);
    Value kernel = gathered(b, loc, weight, taps, {w[0], w[1], tapsY, tapsX});
    result = convolve2D(b, loc, input, kernel, result, {1, 1}, {1, 1}, groups);
  }
  return result;
}

/// True when a weight gradient reads `input` of a convolution (the nn op, or
/// the pad it lowers to; any other pad of `input` counts too, at worst
/// costing a copy): it pads the input as the forward convolution does
/// (convPadHigh), so the padded input exists anyway, kept for the backward
/// pass.
static bool paddedForWeightGradient(Value input) {
  return llvm::any_of(input.getUsers(), [](Operation *user) {
    return isa<nn::ConvWeightGradOp, tensor::PadOp>(user);
  });
}

namespace {

struct LowerConv : OpRewritePattern<nn::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConvOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool is1D = shapeOf(op.getInput()).size() == 3;
    if (!is1D && shapeOf(op.getInput()).size() != 4)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D convolutions lower");
    size_t rank = is1D ? 1 : 2;
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value weight = expandTo2D(rewriter, loc, op.getWeight());
    ArrayRef<int64_t> out = shapeOf(op.getResult());
    SmallVector<int64_t> out2D = is1D ? SmallVector<int64_t>{out[0], out[1], 1, out[2]}
                                      : SmallVector<int64_t>(out);
    SmallVector<int64_t> strides = to2D(op.getStrides(), 1);
    SmallVector<int64_t> dilations = to2D(op.getDilations(), 1);
    SmallVector<int64_t> low = to2D(op.getPadding().take_front(rank), 0);
    SmallVector<int64_t> high =
        convPadHigh(shapeOf(input).drop_front(2), low, to2D(op.getPadding().take_back(rank), 0),
                    shapeOf(weight).drop_front(2), strides, dilations,
                    ArrayRef<int64_t>(out2D).drop_front(2));
    Value init = biasInit(rewriter, loc, op.getBias(), out2D);
    // A polyphase convolution copies its phases from the padded input when
    // that is kept for the weight gradient anyway (training), else from the
    // input itself, padding each phase (no padded copy of the whole input).
    bool polyphase = isPolyphase(strides, dilations);
    Value result;
    if (polyphase && !paddedForWeightGradient(op.getInput())) {
      result = polyphaseConv(rewriter, loc, input, low, weight, init, strides, op.getGroups());
    } else {
      Value padded = padSpatial(rewriter, loc, input, low, high, 0.0);
      result = polyphase ? polyphaseConv(rewriter, loc, padded, {0, 0}, weight, init, strides,
                                         op.getGroups())
                         : convolve2D(rewriter, loc, padded, weight, init, strides, dilations,
                                      op.getGroups());
    }
    rewriter.replaceOp(op, reshape(rewriter, loc, result, out));
    return success();
  }
};

struct LowerConvTranspose : OpRewritePattern<nn::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool is1D = shapeOf(op.getInput()).size() == 3;
    if (!is1D && shapeOf(op.getInput()).size() != 4)
      return rewriter.notifyMatchFailure(op, "only 1-D and 2-D convolutions lower");
    size_t rank = is1D ? 1 : 2;
    Value input = expandTo2D(rewriter, loc, op.getInput());
    Value weight = expandTo2D(rewriter, loc, op.getWeight());
    SmallVector<int64_t> strides = to2D(op.getStrides(), 1);
    SmallVector<int64_t> dilations = to2D(op.getDilations(), 1);
    SmallVector<int64_t> padLow = to2D(op.getPadding().take_front(rank), 0);
    SmallVector<int64_t> padHigh = to2D(op.getPadding().take_back(rank), 0);
    SmallVector<int64_t> outputPadding = to2D(op.getOutputPadding(), 0);
    ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight);
    int64_t groups = op.getGroups(), channels = in[1], filters = w[1] * groups;
    if (isPolyphase(strides, dilations)) {
      ArrayRef<int64_t> out = shapeOf(op.getResult());
      SmallVector<int64_t> outSize = is1D ? SmallVector<int64_t>{1, out[2]}
                                          : SmallVector<int64_t>{out[2], out[3]};
      Value result = polyphaseConvTranspose(rewriter, loc, input, weight, op.getBias(), strides,
                                            padLow, outSize, groups);
      rewriter.replaceOp(op, reshape(rewriter, loc, result, out));
      return success();
    }

    // Spread the input by the stride and pad it by dilation*(k-1) - pad.
    SmallVector<int64_t> spreadShape{in[0], channels}, offsets{0, 0}, cropLow, cropHigh;
    for (int d = 0; d < 2; ++d) {
      int64_t reach = dilations[d] * (w[2 + d] - 1);
      int64_t low = reach - padLow[d], high = reach - padHigh[d] + outputPadding[d];
      spreadShape.push_back((in[2 + d] - 1) * strides[d] + 1 + std::max<int64_t>(low, 0) +
                            std::max<int64_t>(high, 0));
      offsets.push_back(std::max<int64_t>(low, 0));
      cropLow.push_back(std::max<int64_t>(-low, 0));
      cropHigh.push_back(std::max<int64_t>(-high, 0));
    }
    Value zeros = filled(rewriter, loc, spreadShape, 0.0);
    SmallVector<int64_t> insertStrides{1, 1, strides[0], strides[1]};
    Value spread = rewriter.create<tensor::InsertSliceOp>(
        loc, input, zeros, ValueRange{}, ValueRange{}, ValueRange{},
        rewriter.getDenseI64ArrayAttr(offsets), rewriter.getDenseI64ArrayAttr(in),
        rewriter.getDenseI64ArrayAttr(insertStrides));

    Value kernel = transposedKernel(rewriter, loc, weight, groups, {0, 0}, {1, 1}, {w[2], w[3]});

    SmallVector<int64_t> full{in[0], filters};
    for (int d = 0; d < 2; ++d)
      full.push_back(spreadShape[2 + d] - dilations[d] * (w[2 + d] - 1));
    bool cropped = llvm::any_of(cropLow, [](int64_t v) { return v; }) ||
                   llvm::any_of(cropHigh, [](int64_t v) { return v; });
    Value init = cropped ? filled(rewriter, loc, full, 0.0)
                         : biasInit(rewriter, loc, op.getBias(), full);
    Value result =
        convolve2D(rewriter, loc, spread, kernel, init, {1, 1}, dilations, groups);
    if (cropped) {
      SmallVector<int64_t> sizes{full[0], full[1]};
      for (int d = 0; d < 2; ++d)
        sizes.push_back(full[2 + d] - cropLow[d] - cropHigh[d]);
      result = sliceOf(rewriter, loc, result, {0, 0, cropLow[0], cropLow[1]}, sizes);
      if (op.getBias()) {
        Value bias = broadcastAlong(rewriter, loc, op.getBias(), sizes, 1);
        result = elementwise(rewriter, loc, ValueRange{result, bias},
                             [](OpBuilder &b, Location l, ValueRange args) -> Value {
                               return b.create<arith::AddFOp>(l, args[0], args[1]);
                             });
      }
    }
    rewriter.replaceOp(op, reshape(rewriter, loc, result, shapeOf(op.getResult())));
    return success();
  }
};

} // namespace

void nnc::lowering::populateConvLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConv, LowerConvTranspose>(patterns.getContext());
}
