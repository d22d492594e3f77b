//===- PoolMicrokernel.cpp - SIMD max pooling and its gradient -----------===//
//
// Implements nnc-pool-microkernel (see Passes.td).
//
// Each kernel runs along the rows of one (n, c) plane, in vectors of up to
// `lanes` output columns; a row's tail is one shorter vector. A strided row
// (every s-th input column) is one contiguous span load and a shuffle.
//   forward:  out = max(out, tap) over the window's taps, in registers;
//   argmax:   the best value and its flat input index in registers, the
//             window's taps in row-major order, first maximum or NaN wins;
//   scatter:  for windows that tile the input, each input row block
//             compares its flat indices with its windows' argmax (each
//             duplicated s times by a shuffle) and takes their gradient.
// The planes (n, c) are the parallel loop.
//
//===----------------------------------------------------------------------===//

#include "passes/KernelBuilder.h"
#include "passes/LoopOrder.h"
#include "passes/MaxPoolGradForm.h"
#include "passes/Passes.h"

namespace nnc {
#define GEN_PASS_DEF_POOLMICROKERNEL
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

ArrayRef<int64_t> shapeOf(Value buffer) { return cast<MemRefType>(buffer.getType()).getShape(); }

/// The loop structure and vector helpers the three pooling kernels share.
class PoolEmitter : protected nnc::KernelBuilder {
protected:
  PoolEmitter(OpBuilder &b, Location loc, int64_t lanes) : KernelBuilder(b, loc), lanes(lanes) {}

  /// Calls `body(n, c)` for every plane of an [N, C, ...] buffer; the planes
  /// are one parallel loop.
  void planes(ArrayRef<int64_t> shape, function_ref<void(Value, Value)> body) {
    int64_t channels = shape[1];
    parallelRange(0, shape[0] * channels, 1, [&](Value plane) {
      Value c = b.createOrFold<arith::RemUIOp>(loc, plane, index(channels));
      Value n = b.createOrFold<arith::DivUIOp>(loc, plane, index(channels));
      body(n, c);
    });
  }

  /// `count` elements of `buffer` from `indices` on, every `stride`-th of a
  /// contiguous span.
  Value loadStrided(Value buffer, ValueRange indices, int64_t count, int64_t stride) {
    Type element = cast<MemRefType>(buffer.getType()).getElementType();
    auto spanType = VectorType::get({(count - 1) * stride + 1}, element);
    Value span = b.create<vector::LoadOp>(loc, spanType, buffer, indices);
    if (stride == 1)
      return span;
    SmallVector<int64_t> picks;
    for (int64_t i = 0; i < count; ++i)
      picks.push_back(i * stride);
    return b.create<vector::ShuffleOp>(loc, span, span, picks);
  }

  /// The i32 vector base, base + step, base + 2 step, ... of `count` lanes.
  Value indexVector(Value base, int64_t count, int64_t step) {
    auto type = VectorType::get({count}, b.getI32Type());
    SmallVector<int32_t> steps;
    for (int64_t i = 0; i < count; ++i)
      steps.push_back(static_cast<int32_t>(i * step));
    Value baseI32 = b.create<arith::IndexCastOp>(loc, b.getI32Type(), base);
    Value splat = b.create<vector::SplatOp>(loc, type, baseI32);
    Value offsets =
        b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, ArrayRef<int32_t>(steps)));
    return b.create<arith::AddIOp>(loc, splat, offsets);
  }

  /// Output columns per vector for rows `width` long.
  int64_t columnsPerVector(int64_t width) const { return std::min(lanes, width); }

  int64_t lanes;
};

/// linalg.pooling_nchw_max on buffers: out[n, c, oh, ow] = max(out, the
/// taps in[n, c, oh*sh + kh*dh, ow*sw + kw*dw]), NaN-propagating.
class MaxPoolEmitter : PoolEmitter {
public:
  MaxPoolEmitter(OpBuilder &b, linalg::PoolingNchwMaxOp op, int64_t lanes)
      : PoolEmitter(b, op.getLoc(), lanes), input(op.getInputs()[0]),
        output(op.getOutputs()[0]), kernel(shapeOf(op.getInputs()[1])),
        strides(op.getStrides().getValues<int64_t>()),
        dilations(op.getDilations().getValues<int64_t>()) {}

  void emit() {
    ArrayRef<int64_t> out = shapeOf(output);
    planes(out, [&](Value n, Value c) {
      forRange(0, out[2], 1, [&](Value oh) {
        blocks(out[3], columnsPerVector(out[3]), [&](Value ow0, int64_t count) {
          auto type = VectorType::get({count}, b.getF32Type());
          SmallVector<Value, 4> at{n, c, oh, ow0};
          Value best = b.create<vector::LoadOp>(loc, type, output, at);
          for (int64_t kh = 0; kh < kernel[0]; ++kh)
            for (int64_t kw = 0; kw < kernel[1]; ++kw) {
              Value row = add(mul(oh, strides[0]), kh * dilations[0]);
              Value column = add(mul(ow0, strides[1]), kw * dilations[1]);
              Value tap = loadStrided(input, ValueRange{n, c, row, column}, count, strides[1]);
              best = b.create<arith::MaximumFOp>(loc, best, tap);
            }
          b.create<vector::StoreOp>(loc, best, output, at);
        });
      });
    });
  }

private:
  Value input, output;
  SmallVector<int64_t, 2> kernel, strides, dilations;
};

/// The argmax generic of MaxPoolGradForm.h: the maximum of each window of
/// in[N, C, H, W] and the flat index h*W + w of its first maximum.
class ArgmaxEmitter : PoolEmitter {
public:
  ArgmaxEmitter(OpBuilder &b, linalg::GenericOp op, ArrayRef<int64_t> stridesAndDilations,
                int64_t lanes)
      : PoolEmitter(b, op.getLoc(), lanes), input(op.getDpsInputs()[0]),
        best(op.getDpsInits()[0]), bestIndex(op.getDpsInits()[1]),
        kernel(shapeOf(op.getDpsInputs()[1])), strides(stridesAndDilations.take_front(2)),
        dilations(stridesAndDilations.take_back(2)) {}

  void emit() {
    ArrayRef<int64_t> out = shapeOf(best);
    int64_t width = shapeOf(input)[3];
    planes(out, [&](Value n, Value c) {
      forRange(0, out[2], 1, [&](Value oh) {
        blocks(out[3], columnsPerVector(out[3]), [&](Value ow0, int64_t count) {
          Value value, flat;
          for (int64_t kh = 0; kh < kernel[0]; ++kh)
            for (int64_t kw = 0; kw < kernel[1]; ++kw) {
              Value row = add(mul(oh, strides[0]), kh * dilations[0]);
              Value column = add(mul(ow0, strides[1]), kw * dilations[1]);
              Value tap = loadStrided(input, ValueRange{n, c, row, column}, count, strides[1]);
              Value tapIndex = indexVector(add(mul(row, width), column), count, strides[1]);
              if (!value) {
                value = tap;
                flat = tapIndex;
                continue;
              }
              Value greater = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, tap, value);
              Value nan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, tap, tap);
              Value better = b.create<arith::OrIOp>(loc, greater, nan);
              value = b.create<arith::SelectOp>(loc, better, tap, value);
              flat = b.create<arith::SelectOp>(loc, better, tapIndex, flat);
            }
          SmallVector<Value, 4> at{n, c, oh, ow0};
          b.create<vector::StoreOp>(loc, value, best, at);
          b.create<vector::StoreOp>(loc, flat, bestIndex, at);
        });
      });
    });
  }

private:
  Value input, best, bestIndex;
  SmallVector<int64_t, 2> kernel, strides, dilations;
};

/// The scatter generic of MaxPoolGradForm.h: dx[n, c, h, w] = dy of the
/// window holding (h, w) if its argmax is h*W + w, else 0.
class ScatterEmitter : PoolEmitter {
public:
  ScatterEmitter(OpBuilder &b, linalg::GenericOp op, ArrayRef<int64_t> strides, int64_t lanes)
      : PoolEmitter(b, op.getLoc(), lanes), argmax(op.getDpsInputs()[0]),
        gradOutput(op.getDpsInputs()[1]), gradInput(op.getDpsInits()[0]), strides(strides) {}

  void emit() {
    ArrayRef<int64_t> out = shapeOf(argmax);
    int64_t width = shapeOf(gradInput)[3];
    // Whole windows per vector, at least one.
    int64_t windows = std::max<int64_t>(1, columnsPerVector(width) / strides[1]);
    auto zeros = [&](int64_t count) {
      auto type = VectorType::get({count}, b.getF32Type());
      return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, b.getF32FloatAttr(0)));
    };
    planes(out, [&](Value n, Value c) {
      forRange(0, out[2], 1, [&](Value oh) {
        blocks(out[3], windows, [&](Value ow0, int64_t count) {
          SmallVector<Value, 4> window{n, c, oh, ow0};
          Value picked = widen(b.create<vector::LoadOp>(
              loc, VectorType::get({count}, b.getI32Type()), argmax, window));
          Value grad = widen(b.create<vector::LoadOp>(
              loc, VectorType::get({count}, b.getF32Type()), gradOutput, window));
          int64_t columns = count * strides[1];
          Value w0 = mul(ow0, strides[1]);
          for (int64_t r = 0; r < strides[0]; ++r) {
            Value h = add(mul(oh, strides[0]), r);
            Value self = indexVector(add(mul(h, width), w0), columns, 1);
            Value mine = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, picked, self);
            Value dx = b.create<arith::SelectOp>(loc, mine, grad, zeros(columns));
            b.create<vector::StoreOp>(loc, dx, gradInput, ValueRange{n, c, h, w0});
          }
        });
      });
    });
  }

private:
  /// Each lane of `windowVector` repeated stride-w times.
  Value widen(Value windowVector) {
    if (strides[1] == 1)
      return windowVector;
    SmallVector<int64_t> picks;
    int64_t count = cast<VectorType>(windowVector.getType()).getNumElements();
    for (int64_t i = 0; i < count; ++i)
      picks.append(strides[1], i);
    return b.create<vector::ShuffleOp>(loc, windowVector, windowVector, picks);
  }

  Value argmax, gradOutput, gradInput;
  SmallVector<int64_t, 2> strides;
};

bool isRank4(Value buffer, Type elementType) {
  return nnc::hasContiguousRows(buffer.getType(), elementType) &&
         cast<MemRefType>(buffer.getType()).getRank() == 4;
}

/// The nnc attribute `name` of `op` with `size` values when `op` is a
/// generic on buffers with `inputs` inputs and `inits` inits.
std::optional<ArrayRef<int64_t>> tagOf(linalg::GenericOp op, StringRef name, size_t size,
                                       unsigned inputs, unsigned inits) {
  auto attr = op->getAttrOfType<DenseI64ArrayAttr>(name);
  if (!attr || attr.size() != static_cast<int64_t>(size) || !op.hasPureBufferSemantics() ||
      op.getNumDpsInputs() != inputs || op.getNumDpsInits() != inits)
    return std::nullopt;
  return attr.asArrayRef();
}

/// [sh, sw, dh, dw] when `op` is the argmax generic of MaxPoolGradForm.h.
std::optional<ArrayRef<int64_t>> matchArgmax(linalg::GenericOp op) {
  auto values = tagOf(op, nnc::kMaxPoolArgmaxAttr, 4, 2, 2);
  if (!values)
    return std::nullopt;
  MLIRContext *context = op.getContext();
  Type f32 = Float32Type::get(context), i32 = IntegerType::get(context, 32);
  if (!isRank4(op.getDpsInputs()[0], f32) || !isRank4(op.getDpsInits()[0], f32) ||
      !isRank4(op.getDpsInits()[1], i32) ||
      !llvm::equal(op.getIndexingMapsArray(),
                   nnc::maxPoolArgmaxMaps(context, values->take_front(2), values->take_back(2))) ||
      op.getIteratorTypesArray() != nnc::maxPoolArgmaxIterators())
    return std::nullopt;
  return values;
}

/// [sh, sw] when `op` is the scatter generic of MaxPoolGradForm.h.
std::optional<ArrayRef<int64_t>> matchScatter(linalg::GenericOp op) {
  auto strides = tagOf(op, nnc::kMaxPoolScatterAttr, 2, 2, 1);
  if (!strides)
    return std::nullopt;
  MLIRContext *context = op.getContext();
  Type f32 = Float32Type::get(context), i32 = IntegerType::get(context, 32);
  Value argmax = op.getDpsInputs()[0], gradInput = op.getDpsInits()[0];
  if (!isRank4(argmax, i32) || !isRank4(op.getDpsInputs()[1], f32) || !isRank4(gradInput, f32) ||
      !llvm::equal(op.getIndexingMapsArray(), nnc::maxPoolScatterMaps(context, *strides)))
    return std::nullopt;
  ArrayRef<int64_t> out = shapeOf(argmax), in = shapeOf(gradInput);
  if (in[2] != out[2] * (*strides)[0] || in[3] != out[3] * (*strides)[1])
    return std::nullopt;
  return strides;
}

bool matchMaxPool(linalg::PoolingNchwMaxOp op) {
  Type f32 = Float32Type::get(op.getContext());
  return op.hasPureBufferSemantics() && isRank4(op.getInputs()[0], f32) &&
         isRank4(op.getOutputs()[0], f32);
}

/// Emits the kernel of `op` before it; false when `op` has none of the forms.
bool emitKernel(IRRewriter &rewriter, Operation *op, int64_t lanes) {
  if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(op)) {
    if (!matchMaxPool(pool))
      return false;
    MaxPoolEmitter(rewriter, pool, lanes).emit();
    return true;
  }
  auto generic = cast<linalg::GenericOp>(op);
  if (std::optional<ArrayRef<int64_t>> stridesAndDilations = matchArgmax(generic)) {
    ArgmaxEmitter(rewriter, generic, *stridesAndDilations, lanes).emit();
    return true;
  }
  if (std::optional<ArrayRef<int64_t>> strides = matchScatter(generic)) {
    ScatterEmitter(rewriter, generic, *strides, lanes).emit();
    return true;
  }
  return false;
}

struct PoolMicrokernelPass : nnc::impl::PoolMicrokernelBase<PoolMicrokernelPass> {
  using PoolMicrokernelBase::PoolMicrokernelBase;

  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::GenericOp, linalg::PoolingNchwMaxOp>(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : candidates) {
      rewriter.setInsertionPoint(op);
      if (emitKernel(rewriter, op, vectorBits / 32))
        rewriter.eraseOp(op);
      else if (isa<linalg::PoolingNchwMaxOp>(op))
        // The loop lowering's order (LoopOrder.h), as the lowering gives
        // other window ops.
        nnc::putOutputWidthInnermost(rewriter, cast<linalg::LinalgOp>(op));
    }
  }
};

} // namespace
