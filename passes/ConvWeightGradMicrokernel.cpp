//===- ConvWeightGradMicrokernel.cpp - register-blocked conv weight gradient ===//
//
// Implements nnc-conv-weight-grad-microkernel (see Passes.td).
//
// dW[f, c, kh, kw] = sum over (n, oh, ow) of dy[n, f, oh, ow] *
// xpad[n, c, oh*sh + kh*dh, ow*sw + kw*dw]. For one input channel c and one
// kernel row kh, a block of FB filters times KB kernel columns keeps FB x KB
// accumulator vectors along ow through the (n, oh, ow) reduction. A
// step loads KB input vectors (one per kernel column, each shifted by dw;
// with a stride, every sw-th element of a contiguous span, picked by a
// shuffle) and, per filter, one vector of dy, and issues FB x KB FMAs:
//   FB x KB (accumulators) + KB (inputs) + 1 (dy) + 1 <= registers,
// KB = min(KW, (registers - 2) / 3) and FB = (registers - 2 - KB) / KB, at
// most 8 (32 registers: 8 x 3 for 3x3 kernels, 5 x 5 for 5x5).
//
// Reuse. Every (c, kh) row reads the filter block's whole dy, so the
// reduction runs over chunks of images whose dy for one filter block fits
// kChunkBytes (128 KiB, L2): for each chunk, every row of the task sums the
// chunk in registers, then adds the lane sums to dW. dy then comes from
// memory once per task instead of once per row (ResNet-20's 16-channel
// 32x32 layers at batch 64: 6.8 -> 3.7 ms per weight gradient). Tasks are
// a filter block times a group of rows, about kMinTasks of them.
// The vectors are min(lanes, OW) wide; a row's tail past its last full
// vector is loaded at its own width and zero-extended, so nothing is read
// past a row.
//
//===----------------------------------------------------------------------===//

#include "passes/ConvWeightGradForm.h"
#include "passes/KernelBuilder.h"
#include "passes/Passes.h"

namespace nnc {
#define GEN_PASS_DEF_CONVWEIGHTGRADMICROKERNEL
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Parallel tasks wanted per weight gradient (the row groups' target).
constexpr int64_t kMinTasks = 8;
/// Bytes of dy one chunk of images may hold per filter block.
constexpr int64_t kChunkBytes = 128 * 1024;

/// Emits the register-blocked loop nest of one weight gradient.
class WeightGradEmitter : nnc::KernelBuilder {
public:
  WeightGradEmitter(OpBuilder &b, Location loc, Value input, Value gradOutput, Value gradWeight,
                    ArrayRef<int64_t> stridesAndDilations, int64_t lanes, int64_t registers)
      : KernelBuilder(b, loc), input(input), gradOutput(gradOutput), gradWeight(gradWeight) {
    ArrayRef<int64_t> dy = cast<MemRefType>(gradOutput.getType()).getShape();
    ArrayRef<int64_t> dW = cast<MemRefType>(gradWeight.getType()).getShape();
    batch = dy[0];
    filters = dy[1];
    outHeight = dy[2];
    outWidth = dy[3];
    channels = dW[1];
    kernelHeight = dW[2];
    kernelWidth = dW[3];
    strideH = stridesAndDilations[0];
    strideW = stridesAndDilations[1];
    dilationH = stridesAndDilations[2];
    dilationW = stridesAndDilations[3];
    width = std::min(lanes, outWidth);
    columnBlock = std::min(kernelWidth, std::max<int64_t>(1, (registers - 2) / 3));
    filterBlock = std::clamp<int64_t>((registers - 2 - columnBlock) / columnBlock, 1, 8);
  }

  void emit() {
    // Tasks own disjoint parts of dW: a filter block times a group of the
    // (c, kh) rows, enough of them for the threads; the full filter blocks
    // are one parallel loop, the shorter last block another.
    int64_t rows = channels * kernelHeight;
    int64_t fullBlocks = filters / filterBlock;
    int64_t rest = filters % filterBlock;
    int64_t groups = rowGroups(rows, fullBlocks + (rest ? 1 : 0));
    int64_t groupRows = rows / groups;
    auto emitTask = [&](Value f0, int64_t filterCount, Value group) {
      emitRows(f0, filterCount, mul(group, groupRows), groupRows);
    };
    parallelRange(0, fullBlocks * groups, 1, [&](Value i) {
      Value block = b.createOrFold<arith::DivUIOp>(loc, i, index(groups));
      Value group = b.createOrFold<arith::RemUIOp>(loc, i, index(groups));
      emitTask(mul(block, filterBlock), filterBlock, group);
    });
    if (rest)
      parallelRange(0, groups, 1, [&](Value group) {
        emitTask(index(fullBlocks * filterBlock), rest, group);
      });
  }

private:
  /// The number of groups the `rows` (c, kh) rows are split into: the
  /// largest divisor of `rows` that gives at most kMinTasks tasks with
  /// `blocks` filter blocks. Each group reads the block's dy once more.
  static int64_t rowGroups(int64_t rows, int64_t blocks) {
    int64_t wanted = std::max<int64_t>(1, (kMinTasks + blocks - 1) / blocks);
    for (int64_t groups = std::min(wanted, rows); groups > 1; --groups)
      if (rows % groups == 0)
        return groups;
    return 1;
  }

  /// Images per chunk of the reduction: the chunk's dy for a filter block
  /// stays in cache (kChunkBytes) while every row of the task reads it.
  int64_t imagesPerChunk(int64_t filterCount) const {
    int64_t bytesPerImage = filterCount * outHeight * outWidth * 4;
    return std::clamp<int64_t>(kChunkBytes / bytesPerImage, 1, batch);
  }

  /// dW[f0 .. f0 + filterCount, rows firstRow .. firstRow + rowCount] (row
  /// = c * KH + kh): chunk by chunk of images, every row and block of kernel
  /// columns sums the chunk in registers and adds it to dW.
  void emitRows(Value f0, int64_t filterCount, Value firstRow, int64_t rowCount) {
    blocks(batch, imagesPerChunk(filterCount), [&](Value n0, int64_t images) {
      forRange(0, rowCount, 1, [&](Value r) {
        Value row = add(firstRow, r);
        Value c = b.createOrFold<arith::DivUIOp>(loc, row, index(kernelHeight));
        Value kh = b.createOrFold<arith::RemUIOp>(loc, row, index(kernelHeight));
        blocks(kernelWidth, columnBlock, [&](Value kw0, int64_t columnCount) {
          emitBlock(f0, filterCount, c, kh, kw0, columnCount, n0, images);
        });
      });
    });
  }

  /// `count` elements of `buffer` from `indices` on, every `stride`-th of a
  /// contiguous span, zero-extended to `width` lanes.
  Value loadRow(Value buffer, ValueRange indices, int64_t count, int64_t stride) {
    Type f32 = b.getF32Type();
    auto spanType = VectorType::get({(count - 1) * stride + 1}, f32);
    Value span = b.create<vector::LoadOp>(loc, spanType, buffer, indices);
    if (stride == 1 && count == width)
      return span;
    SmallVector<int64_t> picks;
    for (int64_t i = 0; i < count; ++i)
      picks.push_back(i * stride);
    // Lanes past `count` take element 0 of the second operand, a zero.
    picks.append(width - count, spanType.getNumElements());
    Value zeros = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(spanType, b.getF32FloatAttr(0)));
    return b.create<vector::ShuffleOp>(loc, span, zeros, picks);
  }

  /// One step: the `count` output columns from ow0 of row oh of image n.
  SmallVector<Value> step(Value f0, int64_t filterCount, Value c, Value kh, Value kw0,
                          int64_t columnCount, Value n, Value oh, Value ow0, int64_t count,
                          ValueRange acc) {
    Value row = add(mul(oh, strideH), mul(kh, dilationH));
    Value firstColumn = mul(ow0, strideW);
    SmallVector<Value> inputs;
    for (int64_t j = 0; j < columnCount; ++j) {
      Value column = add(firstColumn, mul(add(kw0, j), dilationW));
      inputs.push_back(loadRow(input, ValueRange{n, c, row, column}, count, strideW));
    }
    SmallVector<Value> next;
    for (int64_t f = 0; f < filterCount; ++f) {
      Value dy = loadRow(gradOutput, ValueRange{n, add(f0, f), oh, ow0}, count, 1);
      for (int64_t j = 0; j < columnCount; ++j)
        next.push_back(b.create<vector::FMAOp>(loc, dy, inputs[j], acc[f * columnCount + j]));
    }
    return next;
  }

  /// dW[f0 .. f0 + filterCount, c, kh, kw0 .. kw0 + columnCount] += the sums
  /// over images n0 .. n0 + images and all (oh, ow), kept in registers.
  void emitBlock(Value f0, int64_t filterCount, Value c, Value kh, Value kw0,
                 int64_t columnCount, Value n0, int64_t images) {
    auto type = VectorType::get({width}, b.getF32Type());
    Value zero =
        b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, b.getF32FloatAttr(0)));
    SmallVector<Value> init(filterCount * columnCount, zero);
    int64_t fullColumns = outWidth - outWidth % width;
    auto stepAt = [&](Value n, Value oh, Value ow0, int64_t count, ValueRange acc) {
      return step(f0, filterCount, c, kh, kw0, columnCount, n, oh, ow0, count, acc);
    };
    SmallVector<Value> sums = loop(0, images, 1, init, [&](Value image, ValueRange acc) {
      Value n = add(n0, image);
      return loop(0, outHeight, 1, acc, [&](Value oh, ValueRange acc) {
        SmallVector<Value> next =
            fullColumns == width
                ? stepAt(n, oh, index(0), width, acc)
                : loop(0, fullColumns, width, acc, [&](Value ow0, ValueRange acc) {
                    return stepAt(n, oh, ow0, width, acc);
                  });
        if (fullColumns != outWidth)
          next = stepAt(n, oh, index(fullColumns), outWidth - fullColumns, next);
        return next;
      });
    });
    for (int64_t f = 0; f < filterCount; ++f)
      for (int64_t j = 0; j < columnCount; ++j) {
        Value sum = b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD,
                                                  sums[f * columnCount + j]);
        SmallVector<Value, 4> at{add(f0, f), c, kh, add(kw0, j)};
        Value old = b.create<memref::LoadOp>(loc, gradWeight, at);
        b.create<memref::StoreOp>(loc, b.create<arith::AddFOp>(loc, old, sum), gradWeight, at);
      }
  }

  Value input, gradOutput, gradWeight;
  int64_t batch, filters, outHeight, outWidth, channels, kernelHeight, kernelWidth;
  int64_t strideH, strideW, dilationH, dilationW;
  int64_t width, columnBlock, filterBlock;
};

/// The strides and dilations of `op` when it is an ungrouped weight gradient
/// in the form of ConvWeightGradForm.h on f32 buffers with contiguous rows.
std::optional<ArrayRef<int64_t>> matchWeightGrad(linalg::GenericOp op) {
  auto attr = op->getAttrOfType<DenseI64ArrayAttr>(nnc::kConvWeightGradAttr);
  if (!attr || attr.size() != 4 || !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  for (Type type : op->getOperandTypes())
    if (!nnc::hasContiguousF32Rows(type) || cast<MemRefType>(type).getRank() != 4)
      return std::nullopt;
  ArrayRef<int64_t> weight = cast<MemRefType>(op.getDpsInits()[0].getType()).getShape();
  ArrayRef<int64_t> values = attr.asArrayRef();
  // Ungrouped: every filter reads channels 0 .. C - 1.
  SmallVector<AffineMap, 3> expected = nnc::convWeightGradMaps(
      op.getContext(), weight[0], weight[1], values.take_front(2), values.take_back(2));
  if (!llvm::equal(op.getIndexingMapsArray(), expected))
    return std::nullopt;
  return values;
}

struct ConvWeightGradMicrokernelPass
    : nnc::impl::ConvWeightGradMicrokernelBase<ConvWeightGradMicrokernelPass> {
  using ConvWeightGradMicrokernelBase::ConvWeightGradMicrokernelBase;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics) {
      std::optional<ArrayRef<int64_t>> stridesAndDilations = matchWeightGrad(op);
      if (!stridesAndDilations)
        continue;
      rewriter.setInsertionPoint(op);
      WeightGradEmitter(rewriter, op.getLoc(), op.getDpsInputs()[0], op.getDpsInputs()[1],
                        op.getDpsInits()[0], *stridesAndDilations, vectorBits / 32,
                        vectorRegisters)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
