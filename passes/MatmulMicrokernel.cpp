//===- MatmulMicrokernel.cpp - register-blocked matrix product ------------===//
//
// Implements nnc-matmul-microkernel (see Passes.td).
//
// C[m, n] += sum_k A[m, k] * B[k, n] with B's rows contiguous along n: the
// outer-product form of a GEMM kernel. A block of MB rows of C times NB
// vectors along n stays in MB x NB accumulators through the whole k loop;
// each step loads NB vectors of B's row k, broadcasts MB elements of A's
// column k and issues MB x NB FMAs, so the step is FMA-bound. Registers:
//   MB x NB (accumulators) + NB (B) + 1 (broadcast) <= registers,
// NB = 4 with 32 registers (MB = 6), NB = 2 with 16 (MB = 6). Column panels
// run outermost so a panel of B (K x NB vectors) is reused from cache by
// every row block. The last panel holds the remaining full vectors and one
// shorter vector, statically shaped; the last row block is shorter.
//
//===----------------------------------------------------------------------===//

#include "passes/KernelBuilder.h"
#include "passes/Passes.h"

namespace nnc {
#define GEN_PASS_DEF_MATMULMICROKERNEL
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Emits the register-blocked loop nest of one C += A B.
class MatmulEmitter : nnc::KernelBuilder {
public:
  MatmulEmitter(OpBuilder &b, Location loc, Value a, Value bMatrix, Value c, int64_t lanes,
                int64_t registers)
      : KernelBuilder(b, loc), a(a), bMatrix(bMatrix), c(c), lanes(lanes) {
    ArrayRef<int64_t> aShape = cast<MemRefType>(a.getType()).getShape();
    rows = aShape[0];
    depth = aShape[1];
    cols = cast<MemRefType>(bMatrix.getType()).getShape()[1];
    panelVectors = registers >= 32 ? 4 : 2;
    rowBlock = std::min<int64_t>((registers - panelVectors - 1) / panelVectors, 8);
  }

  void emit() {
    int64_t panel = panelVectors * lanes;
    int64_t mainCols = cols - cols % panel;
    SmallVector<int64_t> fullPanel(panelVectors, lanes);
    parallelRange(0, mainCols, panel, [&](Value n0) { emitPanel(n0, fullPanel); });
    if (mainCols == cols)
      return;
    // The last panel: the remaining full vectors, then one shorter vector.
    SmallVector<int64_t> lastPanel((cols - mainCols) / lanes, lanes);
    if ((cols - mainCols) % lanes)
      lastPanel.push_back((cols - mainCols) % lanes);
    emitPanel(index(mainCols), lastPanel);
  }

private:
  /// All row blocks of the column panel at n0 made of vectors of `widths`.
  void emitPanel(Value n0, ArrayRef<int64_t> widths) {
    int64_t mainRows = rows - rows % rowBlock;
    forRange(0, mainRows, rowBlock, [&](Value m0) { emitBlock(m0, rowBlock, n0, widths); });
    if (mainRows != rows)
      emitBlock(index(mainRows), rows - mainRows, n0, widths);
  }

  /// C[m0 .. m0 + blockRows, panel at n0] += A[m0.., :] B[:, panel], the
  /// accumulators loaded from C once and stored once.
  void emitBlock(Value m0, int64_t blockRows, Value n0, ArrayRef<int64_t> widths) {
    Type f32 = b.getF32Type();
    SmallVector<Value> rowIndices, columns;
    for (int64_t r = 0; r < blockRows; ++r)
      rowIndices.push_back(add(m0, r));
    for (int64_t j = 0, offset = 0; j < static_cast<int64_t>(widths.size()); offset += widths[j++])
      columns.push_back(add(n0, offset));
    auto vectorOf = [&](int64_t width) { return VectorType::get({width}, f32); };
    SmallVector<Value> init;
    for (Value row : rowIndices)
      for (auto [column, width] : llvm::zip(columns, widths))
        init.push_back(
            b.create<vector::LoadOp>(loc, vectorOf(width), c, ValueRange{row, column}));
    SmallVector<Value> sums = loop(0, depth, 1, init, [&](Value k, ValueRange acc) {
      SmallVector<Value> panel, next;
      for (auto [column, width] : llvm::zip(columns, widths))
        panel.push_back(
            b.create<vector::LoadOp>(loc, vectorOf(width), bMatrix, ValueRange{k, column}));
      for (auto [r, row] : llvm::enumerate(rowIndices)) {
        Value element = b.create<memref::LoadOp>(loc, a, ValueRange{row, k});
        DenseMap<int64_t, Value> broadcasts; // one per vector width
        for (auto [j, operand] : llvm::enumerate(panel)) {
          Value &broadcast = broadcasts[widths[j]];
          if (!broadcast)
            broadcast = b.create<vector::BroadcastOp>(loc, operand.getType(), element);
          next.push_back(
              b.create<vector::FMAOp>(loc, broadcast, operand, acc[r * widths.size() + j]));
        }
      }
      return next;
    });
    for (auto [r, row] : llvm::enumerate(rowIndices))
      for (auto [j, column] : llvm::enumerate(columns))
        b.create<vector::StoreOp>(loc, sums[r * widths.size() + j], c, ValueRange{row, column});
  }

  Value a, bMatrix, c;
  int64_t lanes, rows, depth, cols, panelVectors, rowBlock;
};

struct MatmulMicrokernelPass : nnc::impl::MatmulMicrokernelBase<MatmulMicrokernelPass> {
  using MatmulMicrokernelBase::MatmulMicrokernelBase;

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      if (!op.hasPureBufferSemantics() ||
          !llvm::all_of(op->getOperandTypes(), nnc::isF32MatrixWithContiguousRows))
        continue;
      rewriter.setInsertionPoint(op);
      MatmulEmitter(rewriter, op.getLoc(), op.getInputs()[0], op.getInputs()[1],
                    op.getOutputs()[0], vectorBits / 32, vectorRegisters)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
