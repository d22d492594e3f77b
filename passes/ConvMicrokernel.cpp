//===- ConvMicrokernel.cpp - register-blocked direct convolution ----------===//
//
// Implements nnc-conv-microkernel (see Passes.td).
//
// Cost model. One step of the reduction (an input channel c and a window
// position kh, kw) loads S input vectors and issues FB x S FMAs, each taking
// its weight as a broadcast from memory (folded into the FMA on AVX-512 and
// used by lane on NEON). The FB x S accumulators stay in registers for the
// whole reduction, so each output element is loaded and stored once per
// convolution. The step is FMA-bound when FB x S is large against the S
// loads, and it must fit the register file:
//   FB x S (accumulators) + S (inputs) + 1 (broadcast) <= registers - 1.
// FB is the largest of 8, 6, 4 that divides the output channels (so no
// channel tail), capped at 6 with 16 registers; then S = (registers - 2) /
// (FB + 1): 32 registers give 8 x 3, 6 x 4 or 4 x 6; 16 give 6 x 2 or 4 x 2.
//
// Tiles. A vector holds `cols` output columns of `rows` output rows. Maps at
// least a vector wide put S vectors along a row (and more rows when the row
// holds fewer); narrow maps (8x8 with 16 lanes) pack several rows into one
// vector. Edges of the map get their own, statically shaped tiles with
// shorter vectors, so no lane is masked and no load leaves the buffer.
//
//===----------------------------------------------------------------------===//

#include "passes/LoopOrder.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"

namespace nnc {
#define GEN_PASS_DEF_CONVMICROKERNEL
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The static geometry of one convolution of a padded input.
struct ConvGeometry {
  int64_t batch, inChannels, outChannels, outHeight, outWidth;
  int64_t kernelHeight, kernelWidth, strideH, strideW, dilationH, dilationW;
};

/// One accumulator vector: `rows` output rows starting `row` rows into the
/// tile, each `cols` output columns starting `col` columns into the tile,
/// flattened row-major into rows x cols lanes.
struct Slot {
  int64_t row, rows, col, cols;
  int64_t lanes() const { return rows * cols; }
};

/// The vectors of a tile of `tileRows` x `tileCols` outputs, at most `lanes`
/// lanes each.
SmallVector<Slot> planSlots(int64_t tileRows, int64_t tileCols, int64_t lanes) {
  SmallVector<Slot> slots;
  if (tileCols >= lanes) {
    for (int64_t r = 0; r < tileRows; ++r)
      for (int64_t c = 0; c < tileCols; c += lanes)
        slots.push_back({r, 1, c, std::min(lanes, tileCols - c)});
    return slots;
  }
  int64_t rowsPerVector = std::max<int64_t>(1, lanes / tileCols);
  for (int64_t r = 0; r < tileRows; r += rowsPerVector)
    slots.push_back({r, std::min(rowsPerVector, tileRows - r), 0, tileCols});
  return slots;
}

/// Output channels per tile (see the cost model above).
int64_t filterBlock(int64_t outChannels, int64_t registers) {
  int64_t maxBlock = registers >= 32 ? 8 : 6;
  if (outChannels <= maxBlock)
    return outChannels;
  for (int64_t block : {8, 6, 4})
    if (block <= maxBlock && outChannels % block == 0)
      return block;
  return maxBlock;
}

/// Emits the register-blocked loop nest of one convolution at the builder's
/// insertion point.
class ConvEmitter {
public:
  ConvEmitter(OpBuilder &b, Location loc, Value input, Value weight, Value output,
              const ConvGeometry &g, int64_t lanes, int64_t registers)
      : b(b), loc(loc), input(input), weight(weight), output(output), g(g), lanes(lanes),
        filters(filterBlock(g.outChannels, registers)),
        vectors(std::max<int64_t>(1, (registers - 2) / (filters + 1))) {}

  void emit() {
    forRange(0, g.batch, 1, [&](Value n) {
      int64_t mainFilters = g.outChannels - g.outChannels % filters;
      forRange(0, mainFilters, filters,
               [&](Value f0) { emitColumnRegions(n, f0, filters); });
      if (mainFilters != g.outChannels)
        emitColumnRegions(n, index(mainFilters), g.outChannels - mainFilters);
    });
  }

private:
  Value index(int64_t value) { return b.create<arith::ConstantIndexOp>(loc, value); }
  Value add(Value a, Value b2) { return b.create<arith::AddIOp>(loc, a, b2); }
  Value add(Value a, int64_t c) { return c ? add(a, index(c)) : a; }
  Value mul(Value a, int64_t c) {
    return c == 1 ? a : b.create<arith::MulIOp>(loc, a, index(c)).getResult();
  }

  /// Calls `body` for every start in [begin, end) by `step`: inline for one
  /// trip, an scf.for otherwise.
  void forRange(int64_t begin, int64_t end, int64_t step, function_ref<void(Value)> body) {
    if (begin >= end)
      return;
    if (begin + step >= end)
      return body(index(begin));
    auto loop = b.create<scf::ForOp>(loc, index(begin), index(end), index(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// An scf.for over [0, count) carrying `init`; `body` maps the induction
  /// variable and the carried values to the next ones.
  SmallVector<Value> loop(int64_t count, ValueRange init,
                          function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = b.create<scf::ForOp>(loc, index(0), index(count), index(1), init);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(loop.getBody());
    b.create<scf::YieldOp>(loc, body(loop.getInductionVar(), loop.getRegionIterArgs()));
    return loop.getResults();
  }

  /// Splits the output columns into full-width tiles and one edge tile.
  void emitColumnRegions(Value n, Value f0, int64_t tileFilters) {
    int64_t width = g.outWidth;
    if (width < lanes)
      return emitRowRegions(n, f0, tileFilters, 0, width, width);
    int64_t tileCols = std::min(vectors, width / lanes) * lanes;
    int64_t mainCols = width - width % tileCols;
    emitRowRegions(n, f0, tileFilters, 0, mainCols, tileCols);
    if (mainCols != width)
      emitRowRegions(n, f0, tileFilters, mainCols, width, width - mainCols);
  }

  /// Tiles columns [colBegin, colEnd) by `tileCols` and all rows by as many
  /// rows as fill `vectors` vectors, plus an edge tile of the leftover rows.
  void emitRowRegions(Value n, Value f0, int64_t tileFilters, int64_t colBegin, int64_t colEnd,
                      int64_t tileCols) {
    int64_t height = g.outHeight;
    int64_t tileRows = tileCols >= lanes
                           ? std::max<int64_t>(1, vectors / ((tileCols + lanes - 1) / lanes))
                           : std::max<int64_t>(1, lanes / tileCols) * vectors;
    tileRows = std::min(tileRows, height);
    int64_t mainRows = height - height % tileRows;
    SmallVector<Slot> mainSlots = planSlots(tileRows, tileCols, lanes);
    forRange(0, mainRows, tileRows, [&](Value oh0) {
      forRange(colBegin, colEnd, tileCols,
               [&](Value ow0) { emitTile(n, f0, tileFilters, oh0, ow0, mainSlots); });
    });
    if (mainRows == height)
      return;
    SmallVector<Slot> edgeSlots = planSlots(height - mainRows, tileCols, lanes);
    Value oh0 = index(mainRows);
    forRange(colBegin, colEnd, tileCols,
             [&](Value ow0) { emitTile(n, f0, tileFilters, oh0, ow0, edgeSlots); });
  }

  /// Reads one slot from `buffer` [N, C, H, W] at batch `n`, channel `channel`:
  /// output rows oh0 + row + r map to buffer rows (..)*strideH + rowOffset,
  /// columns ow0 + col + i to (..)*strideW + colOffset.
  Value loadSlot(Value buffer, Value n, Value channel, Value oh0, Value ow0, const Slot &slot,
                 int64_t strideH, int64_t strideW, Value rowOffset, int64_t colOffset) {
    Type f32 = b.getF32Type();
    Value column = add(mul(add(ow0, slot.col), strideW), colOffset);
    Value joined;
    for (int64_t r = 0; r < slot.rows; ++r) {
      Value row = add(mul(add(oh0, slot.row + r), strideH), rowOffset);
      int64_t span = (slot.cols - 1) * strideW + 1;
      Value segment = b.create<vector::LoadOp>(loc, VectorType::get({span}, f32), buffer,
                                               ValueRange{n, channel, row, column});
      if (strideW != 1) {
        SmallVector<int64_t> every;
        for (int64_t i = 0; i < slot.cols; ++i)
          every.push_back(i * strideW);
        segment = b.create<vector::ShuffleOp>(loc, segment, segment, every);
      }
      joined = joined ? concat(joined, segment) : segment;
    }
    return joined;
  }

  /// Writes `value` back to the output as `loadSlot` read it (stride 1).
  void storeSlot(Value value, Value n, Value channel, Value oh0, Value ow0, const Slot &slot) {
    Value column = add(ow0, slot.col);
    for (int64_t r = 0; r < slot.rows; ++r) {
      Value segment = value;
      if (slot.rows != 1) {
        SmallVector<int64_t> part;
        for (int64_t i = 0; i < slot.cols; ++i)
          part.push_back(r * slot.cols + i);
        segment = b.create<vector::ShuffleOp>(loc, value, value, part);
      }
      b.create<vector::StoreOp>(loc, segment, output,
                                ValueRange{n, channel, add(oh0, slot.row + r), column});
    }
  }

  Value concat(Value front, Value back) {
    int64_t total = cast<VectorType>(front.getType()).getNumElements() +
                    cast<VectorType>(back.getType()).getNumElements();
    return b.create<vector::ShuffleOp>(loc, front, back,
                                       llvm::to_vector(llvm::seq<int64_t>(0, total)));
  }

  /// The tile of `tileFilters` channels from f0 and `slots` at (oh0, ow0):
  /// accumulators loaded once, the reduction over (c, kh, kw), stored once.
  void emitTile(Value n, Value f0, int64_t tileFilters, Value oh0, Value ow0,
                ArrayRef<Slot> slots) {
    Value zero = index(0);
    SmallVector<Value> channels;
    for (int64_t f = 0; f < tileFilters; ++f)
      channels.push_back(add(f0, f));
    SmallVector<Value> accumulators;
    for (Value channel : channels)
      for (const Slot &slot : slots)
        accumulators.push_back(loadSlot(output, n, channel, oh0, ow0, slot, 1, 1, zero, 0));

    auto reduce = [&](Value c, Value kh, ValueRange current) {
      SmallVector<Value> acc(current);
      Value rowOffset = mul(kh, g.dilationH);
      for (int64_t kw = 0; kw < g.kernelWidth; ++kw) {
        SmallVector<Value> x;
        for (const Slot &slot : slots)
          x.push_back(loadSlot(input, n, c, oh0, ow0, slot, g.strideH, g.strideW, rowOffset,
                               kw * g.dilationW));
        for (auto [f, channel] : llvm::enumerate(channels)) {
          Value w = b.create<memref::LoadOp>(loc, weight, ValueRange{channel, c, kh, index(kw)});
          DenseMap<int64_t, Value> splats;
          for (auto [s, slot] : llvm::enumerate(slots)) {
            Value &splat = splats[slot.lanes()];
            if (!splat)
              splat = b.create<vector::BroadcastOp>(loc, x[s].getType(), w);
            Value &a = acc[f * slots.size() + s];
            a = b.create<vector::FMAOp>(loc, x[s], splat, a);
          }
        }
      }
      return acc;
    };
    SmallVector<Value> sums = loop(g.inChannels, accumulators, [&](Value c, ValueRange perChannel) {
      return loop(g.kernelHeight, perChannel,
                  [&](Value kh, ValueRange perRow) { return reduce(c, kh, perRow); });
    });
    for (auto [f, channel] : llvm::enumerate(channels))
      for (auto [s, slot] : llvm::enumerate(slots))
        storeSlot(sums[f * slots.size() + s], n, channel, oh0, ow0, slot);
  }

  OpBuilder &b;
  Location loc;
  Value input, weight, output;
  ConvGeometry g;
  int64_t lanes, filters, vectors;
};

/// True when `type` is a static f32 buffer whose rows are contiguous.
bool hasContiguousRows(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape() || !memref.getElementType().isF32())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(getStridesAndOffset(memref, strides, offset)) && strides.back() == 1;
}

struct ConvMicrokernelPass : nnc::impl::ConvMicrokernelBase<ConvMicrokernelPass> {
  using ConvMicrokernelBase::ConvMicrokernelBase;

  void runOnOperation() override {
    if (vectorBits < 128 || vectorBits % 32 || vectorRegisters < 8) {
      getOperation().emitError() << "nnc-conv-microkernel: unsupported vector shape "
                                 << vectorBits << " bits x " << vectorRegisters << " registers";
      return signalPassFailure();
    }
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp op) { convs.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNchwFchwOp op : convs) {
      rewriter.setInsertionPoint(op);
      if (!op.hasPureBufferSemantics() || !llvm::all_of(op->getOperandTypes(), hasContiguousRows)) {
        nnc::putOutputWidthInnermost(rewriter, op);
        continue;
      }
      ArrayRef<int64_t> in = cast<MemRefType>(op.getInputs()[0].getType()).getShape();
      ArrayRef<int64_t> w = cast<MemRefType>(op.getInputs()[1].getType()).getShape();
      ArrayRef<int64_t> out = cast<MemRefType>(op.getOutputs()[0].getType()).getShape();
      SmallVector<int64_t> strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
      SmallVector<int64_t> dilations =
          llvm::to_vector(op.getDilations().getValues<int64_t>());
      ConvGeometry geometry{out[0], in[1], out[1], out[2], out[3], w[2], w[3],
                            strides[0], strides[1], dilations[0], dilations[1]};
      ConvEmitter(rewriter, op.getLoc(), op.getInputs()[0], op.getInputs()[1],
                  op.getOutputs()[0], geometry, vectorBits / 32, vectorRegisters)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
