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
//   FB x S (accumulators) + S (inputs) + 1 (broadcast) <= registers - 1,
// so S = (registers - 2) / (FB + 1) for FB in 8, 6, 4, 3, 2, 1 (at most 6
// with 16 registers): 32 registers give 8 x 3, 6 x 4 or 4 x 6. Of those,
// chooseBlocking takes the one with the fewest estimated cycles over the
// whole convolution, counting partly filled edge tiles and channel tails.
//
// Tiles. A vector holds `cols` output columns of `rows` output rows. Maps at
// least a vector wide put S vectors along a row (and more rows when the row
// holds fewer); narrow maps (8x8 with 16 lanes) pack several rows into one
// vector. Edges of the map get their own, statically shaped tiles with
// shorter vectors, so no lane is masked and no load leaves the buffer.
//
//===----------------------------------------------------------------------===//

#include "passes/ConvEpilogue.h"
#include "passes/KernelBuilder.h"
#include "passes/LoopOrder.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"

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

/// A rectangle of the output map covered by equal tiles.
struct Region {
  int64_t rowBegin, rowEnd, tileRows, colBegin, colEnd, tileCols;
  SmallVector<Slot> slots;
  int64_t tiles() const {
    return (rowEnd - rowBegin) / tileRows * ((colEnd - colBegin) / tileCols);
  }
};

/// Covers a height x width map with tiles of about `vectors` vectors: full
/// vectors along each row, then more rows; narrow maps pack rows into a
/// vector. The leftover columns and rows form edge regions.
SmallVector<Region> planRegions(int64_t height, int64_t width, int64_t lanes, int64_t vectors) {
  SmallVector<Region> regions;
  auto addRows = [&](int64_t colBegin, int64_t colEnd, int64_t tileCols) {
    int64_t tileRows = tileCols >= lanes
                           ? std::max<int64_t>(1, vectors / ((tileCols + lanes - 1) / lanes))
                           : std::max<int64_t>(1, lanes / tileCols) * vectors;
    tileRows = std::min(tileRows, height);
    int64_t mainRows = height - height % tileRows;
    regions.push_back({0, mainRows, tileRows, colBegin, colEnd, tileCols,
                       planSlots(tileRows, tileCols, lanes)});
    if (mainRows != height)
      regions.push_back({mainRows, height, height - mainRows, colBegin, colEnd, tileCols,
                         planSlots(height - mainRows, tileCols, lanes)});
  };
  if (width < lanes) {
    addRows(0, width, width);
    return regions;
  }
  int64_t tileCols = std::min(vectors, width / lanes) * lanes;
  int64_t mainCols = width - width % tileCols;
  addRows(0, mainCols, tileCols);
  if (mainCols != width)
    addRows(mainCols, width, width - mainCols);
  return regions;
}

/// The register blocking of one convolution: `filters` output channels per
/// tile and the output-map regions.
struct Blocking {
  int64_t filters;
  SmallVector<Region> regions;
};

/// Picks the blocking with the fewest estimated cycles (see the cost model
/// above). A reduction step of a tile with FB channels and S vectors costs
/// max(FB x S FMAs, row segments + FB broadcast loads): both issue two per
/// cycle. Channel blocks that do not divide the channels pay for a tail.
Blocking chooseBlocking(const ConvGeometry &g, int64_t lanes, int64_t registers) {
  Blocking best{0, {}};
  double bestCost = 0;
  int64_t maxFilters = registers >= 32 ? 8 : 6;
  for (int64_t filters : {8, 6, 4, 3, 2, 1}) {
    filters = std::min({filters, maxFilters, g.outChannels});
    int64_t vectors = std::max<int64_t>(1, (registers - 2) / (filters + 1));
    SmallVector<Region> regions = planRegions(g.outHeight, g.outWidth, lanes, vectors);
    double cost = 0;
    for (int64_t blockFilters : {filters, g.outChannels % filters}) {
      int64_t blocks = blockFilters == filters ? g.outChannels / filters : 1;
      if (!blockFilters)
        continue;
      for (const Region &region : regions) {
        int64_t segments = 0;
        for (const Slot &slot : region.slots)
          segments += slot.rows;
        int64_t fmas = blockFilters * static_cast<int64_t>(region.slots.size());
        cost += double(blocks) * region.tiles() * std::max(fmas, segments + blockFilters);
      }
    }
    if (!best.filters || cost < bestCost) {
      best = {filters, std::move(regions)};
      bestCost = cost;
    }
  }
  return best;
}

/// Emits the register-blocked loop nest of one convolution at the builder's
/// insertion point.
class ConvEmitter : nnc::KernelBuilder {
public:
  ConvEmitter(OpBuilder &b, Location loc, Value input, Value weight, Value output,
              const ConvGeometry &g, int64_t lanes, int64_t registers,
              nnc::ConvEpilogue epilogue)
      : KernelBuilder(b, loc), input(input), weight(weight), output(output), g(g),
        blocking(chooseBlocking(g, lanes, registers)), epilogue(std::move(epilogue)) {}

  void emit() {
    int64_t filters = blocking.filters;
    parallelRange(0, g.batch, 1, [&](Value n) {
      int64_t mainFilters = g.outChannels - g.outChannels % filters;
      forRange(0, mainFilters, filters, [&](Value f0) { emitRegions(n, f0, filters); });
      if (mainFilters != g.outChannels)
        emitRegions(n, index(mainFilters), g.outChannels - mainFilters);
    });
  }

private:
  /// All tiles of the output map for channels [f0, f0 + tileFilters).
  void emitRegions(Value n, Value f0, int64_t tileFilters) {
    for (const Region &region : blocking.regions)
      forRange(region.rowBegin, region.rowEnd, region.tileRows, [&](Value oh0) {
        forRange(region.colBegin, region.colEnd, region.tileCols, [&](Value ow0) {
          emitTile(n, f0, tileFilters, oh0, ow0, region.slots);
        });
      });
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

  /// Writes `value` to the epilogue's result as `loadSlot` read it (stride 1).
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
      b.create<vector::StoreOp>(loc, segment, epilogue.result,
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
    SmallVector<Value> channels;
    for (int64_t f = 0; f < tileFilters; ++f)
      channels.push_back(add(f0, f));
    SmallVector<Value> accumulators;
    for (Value channel : channels)
      for (const Slot &slot : slots)
        accumulators.push_back(initialValue(n, channel, oh0, ow0, slot));

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
    SmallVector<Value> sums = loop(0, g.inChannels, 1, accumulators, [&](Value c, ValueRange perChannel) {
      return loop(0, g.kernelHeight, 1, perChannel,
                  [&](Value kh, ValueRange perRow) { return reduce(c, kh, perRow); });
    });
    for (auto [f, channel] : llvm::enumerate(channels))
      for (auto [s, slot] : llvm::enumerate(slots))
        storeSlot(applyStages(sums[f * slots.size() + s], n, channel, oh0, ow0, slot), n,
                  channel, oh0, ow0, slot);
  }

  /// The accumulator a slot starts from (ConvEpilogue's init).
  Value initialValue(Value n, Value channel, Value oh0, Value ow0, const Slot &slot) {
    auto type = VectorType::get({slot.lanes()}, b.getF32Type());
    if (epilogue.initConstant)
      return b.create<vector::BroadcastOp>(loc, type, epilogue.initConstant);
    if (epilogue.initPerChannel)
      return b.create<vector::BroadcastOp>(
          loc, type, b.create<memref::LoadOp>(loc, epilogue.initPerChannel, channel));
    return loadSlot(output, n, channel, oh0, ow0, slot, 1, 1, index(0), 0);
  }

  /// Applies the epilogue's elementwise stages to one slot's sums: each body
  /// is cloned with the carried value and identity-mapped operands as
  /// vectors and per-channel operands as scalars; ops on scalars only stay
  /// scalar (a batch norm's rsqrt is computed once per channel, not per lane).
  Value applyStages(Value value, Value n, Value channel, Value oh0, Value ow0,
                    const Slot &slot) {
    for (auto [stage, carried] : llvm::zip(epilogue.stages, epilogue.carried)) {
      Block *body = stage.getBody();
      IRMapping mapping;
      for (OpOperand *in : stage.getDpsInputOperands()) {
        BlockArgument arg = body->getArgument(in->getOperandNumber());
        if (in->getOperandNumber() == carried)
          mapping.map(arg, value);
        else if (nnc::isPerChannelMap(stage.getMatchingIndexingMap(in)))
          mapping.map(arg, b.create<memref::LoadOp>(loc, in->get(), channel));
        else
          mapping.map(arg, loadSlot(in->get(), n, channel, oh0, ow0, slot, 1, 1, index(0), 0));
      }
      for (Operation &op : body->without_terminator())
        cloneElementwise(op, mapping, slot.lanes());
      value = mapping.lookup(body->getTerminator()->getOperand(0));
    }
    return value;
  }

  /// Clones the scalar op `op` under `mapping`, as a `lanes`-wide vector op
  /// when any operand is a vector (scalar operands are then broadcast).
  void cloneElementwise(Operation &op, IRMapping &mapping, int64_t lanes) {
    SmallVector<Value> operands = llvm::to_vector(llvm::map_range(
        op.getOperands(), [&](Value v) { return mapping.lookupOrDefault(v); }));
    if (llvm::none_of(operands, [](Value v) { return isa<VectorType>(v.getType()); })) {
      b.clone(op, mapping);
      return;
    }
    for (Value &operand : operands)
      if (!isa<VectorType>(operand.getType()))
        operand = b.create<vector::BroadcastOp>(
            loc, VectorType::get({lanes}, operand.getType()), operand);
    OperationState state(loc, op.getName());
    state.addOperands(operands);
    state.addAttributes(op.getAttrs());
    for (Type type : op.getResultTypes())
      state.addTypes(VectorType::get({lanes}, type));
    mapping.map(op.getResults(), b.create(state)->getResults());
  }

  Value input, weight, output;
  ConvGeometry g;
  Blocking blocking;
  nnc::ConvEpilogue epilogue;
};

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
    // Every epilogue is matched before any kernel is emitted: a kernel's
    // loads and stores would hide its buffers' users from later matches. So
    // a chain of convolutions accumulating into one buffer (a strided
    // convolution's phases) fuses its init into the first and its stages
    // into the last. No op is fused twice: a stage directly follows its
    // convolution (only pure ops between), and an init is the only op using
    // the buffer before it.
    SmallVector<std::pair<linalg::Conv2DNchwFchwOp, nnc::ConvEpilogue>> kernels;
    for (linalg::Conv2DNchwFchwOp op : convs) {
      if (op.hasPureBufferSemantics() &&
          llvm::all_of(op->getOperandTypes(), nnc::hasContiguousF32Rows)) {
        kernels.emplace_back(op, nnc::matchConvEpilogue(op));
        continue;
      }
      rewriter.setInsertionPoint(op);
      nnc::putOutputWidthInnermost(rewriter, op);
    }
    for (auto &[op, epilogue] : kernels) {
      ArrayRef<int64_t> in = cast<MemRefType>(op.getInputs()[0].getType()).getShape();
      ArrayRef<int64_t> w = cast<MemRefType>(op.getInputs()[1].getType()).getShape();
      ArrayRef<int64_t> out = cast<MemRefType>(op.getOutputs()[0].getType()).getShape();
      SmallVector<int64_t> strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
      SmallVector<int64_t> dilations =
          llvm::to_vector(op.getDilations().getValues<int64_t>());
      ConvGeometry geometry{out[0], in[1], out[1], out[2], out[3], w[2], w[3],
                            strides[0], strides[1], dilations[0], dilations[1]};
      // At the last stage every operand is defined; only pure ops and
      // allocations lie between it and the convolution.
      rewriter.setInsertionPoint(epilogue.stages.empty() ? op.getOperation()
                                                         : epilogue.stages.back());
      SmallVector<Operation *> fused(epilogue.stages.begin(), epilogue.stages.end());
      if (epilogue.init)
        fused.push_back(epilogue.init);
      // The kernel computes the convolution and every fused stage.
      SmallVector<Location> locs{op.getLoc()};
      for (linalg::GenericOp stage : epilogue.stages)
        locs.push_back(stage.getLoc());
      ConvEmitter(rewriter, rewriter.getFusedLoc(locs), op.getInputs()[0], op.getInputs()[1],
                  op.getOutputs()[0], geometry, vectorBits / 32, vectorRegisters,
                  std::move(epilogue))
          .emit();
      fused.push_back(op);
      eraseWithDeadBuffers(rewriter, fused);
    }
  }

  /// Erases `ops`, then every allocation they wrote that nothing reads now.
  static void eraseWithDeadBuffers(RewriterBase &rewriter, ArrayRef<Operation *> ops) {
    SetVector<Value> buffers;
    for (Operation *op : ops)
      for (Value operand : op->getOperands())
        if (operand.getDefiningOp<memref::AllocOp>())
          buffers.insert(operand);
    for (Operation *op : ops)
      rewriter.eraseOp(op);
    for (Value buffer : buffers) {
      if (!llvm::all_of(buffer.getUsers(), [](Operation *user) {
            return isa<memref::DeallocOp>(user);
          }))
        continue;
      for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(buffer.getDefiningOp());
    }
  }
};

} // namespace
