//===- DenseMicrokernel.cpp - register-blocked dense layer ----------------===//
//
// Implements nnc-dense-microkernel (see Passes.td).
//
// C[m, n] += sum_k A[m, k] * B[n, k] with both operands read along k, their
// contiguous dim. A block of MB rows of A and NB rows of B holds MB x NB
// accumulator vectors over k; each step loads MB + NB vectors and issues
// MB x NB FMAs. After the k loop each accumulator is summed across its lanes
// once. 32 registers hold 4 x 4 (+ 8 operands); 16 hold 2 x 4 (+ 6). With a
// single row of A (batch 1, a matrix-vector product bound by reading B) the
// block is 1 x 8 (1 x 6 with 16 registers).
//
//===----------------------------------------------------------------------===//

#include "passes/KernelBuilder.h"
#include "passes/Passes.h"

namespace nnc {
#define GEN_PASS_DEF_DENSEMICROKERNEL
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Emits the register-blocked loop nest of one C += A B^T.
class DenseEmitter : nnc::KernelBuilder {
public:
  DenseEmitter(OpBuilder &b, Location loc, Value a, Value bT, Value c, int64_t lanes,
               int64_t registers)
      : KernelBuilder(b, loc), a(a), bT(bT), c(c), lanes(lanes) {
    ArrayRef<int64_t> aShape = cast<MemRefType>(a.getType()).getShape();
    rows = aShape[0];
    depth = aShape[1];
    cols = cast<MemRefType>(bT.getType()).getShape()[0];
    rowBlock = rows == 1 ? 1 : registers >= 32 ? 4 : 2;
    colBlock = rows == 1 ? (registers >= 32 ? 8 : 6) : 4;
  }

  void emit() {
    int64_t mainRows = rows - rows % rowBlock;
    parallelRange(0, mainRows, rowBlock, [&](Value m0) { emitRows(m0, rowBlock); });
    if (mainRows != rows)
      emitRows(index(mainRows), rows - mainRows);
  }

private:
  void emitRows(Value m0, int64_t blockRows) {
    int64_t mainCols = cols - cols % colBlock;
    forRange(0, mainCols, colBlock, [&](Value n0) { emitBlock(m0, blockRows, n0, colBlock); });
    if (mainCols != cols)
      emitBlock(m0, blockRows, index(mainCols), cols - mainCols);
  }

  /// Products of `width`-lane slices at k of rows m0.. of A and n0.. of B^T,
  /// accumulated into `acc` (row-major, blockRows x blockCols).
  SmallVector<Value> step(Value m0, int64_t blockRows, Value n0, int64_t blockCols, Value k,
                          int64_t width, ValueRange acc) {
    auto type = VectorType::get({width}, b.getF32Type());
    SmallVector<Value> x, w, next;
    for (int64_t r = 0; r < blockRows; ++r)
      x.push_back(b.create<vector::LoadOp>(loc, type, a, ValueRange{add(m0, r), k}));
    for (int64_t j = 0; j < blockCols; ++j)
      w.push_back(b.create<vector::LoadOp>(loc, type, bT, ValueRange{add(n0, j), k}));
    for (int64_t r = 0; r < blockRows; ++r)
      for (int64_t j = 0; j < blockCols; ++j)
        next.push_back(b.create<vector::FMAOp>(loc, x[r], w[j], acc[r * blockCols + j]));
    return next;
  }

  void emitBlock(Value m0, int64_t blockRows, Value n0, int64_t blockCols) {
    Type f32 = b.getF32Type();
    auto zeros = [&](int64_t width) {
      Value zero = b.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(VectorType::get({width}, f32), b.getF32FloatAttr(0)));
      return SmallVector<Value>(blockRows * blockCols, zero);
    };
    int64_t mainDepth = depth - depth % lanes;
    SmallVector<Value> sums(blockRows * blockCols);
    auto reduceInto = [&](ArrayRef<Value> acc) {
      for (auto [sum, vector] : llvm::zip(sums, acc)) {
        Value lanesSum = b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, vector);
        sum = sum ? b.create<arith::AddFOp>(loc, sum, lanesSum).getResult() : lanesSum;
      }
    };
    if (mainDepth)
      reduceInto(loop(0, mainDepth, lanes, zeros(lanes), [&](Value k, ValueRange acc) {
        return step(m0, blockRows, n0, blockCols, k, lanes, acc);
      }));
    if (mainDepth != depth)
      reduceInto(step(m0, blockRows, n0, blockCols, index(mainDepth), depth - mainDepth,
                      zeros(depth - mainDepth)));
    for (int64_t r = 0; r < blockRows; ++r)
      for (int64_t j = 0; j < blockCols; ++j) {
        SmallVector<Value, 2> at{add(m0, r), add(n0, j)};
        Value old = b.create<memref::LoadOp>(loc, c, at);
        b.create<memref::StoreOp>(
            loc, b.create<arith::AddFOp>(loc, old, sums[r * blockCols + j]), c, at);
      }
  }

  Value a, bT, c;
  int64_t lanes, rows, depth, cols, rowBlock, colBlock;
};

/// Writes the transpose of `source` [N, K] into `target` [K, N] by blocks
/// of `lanes` x `lanes`, the outer loop parallel. A full block is `lanes`
/// row loads, log2(lanes) rounds of two-input shuffles and `lanes` row
/// stores: round d exchanges bit d of the row and the column index between
/// rows i and i + d. Partial blocks at the edges are copied element by
/// element.
void transposeByBlocks(OpBuilder &b, Location loc, Value source, Value target,
                       int64_t lanes) {
  nnc::KernelBuilder k(b, loc);
  ArrayRef<int64_t> shape = cast<MemRefType>(source.getType()).getShape();
  auto type = VectorType::get({lanes}, b.getF32Type());
  auto fullBlock = [&](Value n0, Value k0) {
    SmallVector<Value> rows;
    for (int64_t i = 0; i < lanes; ++i)
      rows.push_back(b.create<vector::LoadOp>(loc, type, source, ValueRange{k.add(n0, i), k0}));
    for (int64_t d = lanes / 2; d >= 1; d /= 2)
      for (int64_t i = 0; i < lanes; ++i) {
        if (i & d)
          continue;
        SmallVector<int64_t> upper, lower;
        for (int64_t j = 0; j < lanes; ++j) {
          upper.push_back(j & d ? lanes + j - d : j);
          lower.push_back(j & d ? lanes + j : j + d);
        }
        Value first = b.create<vector::ShuffleOp>(loc, rows[i], rows[i + d], upper);
        rows[i + d] = b.create<vector::ShuffleOp>(loc, rows[i], rows[i + d], lower);
        rows[i] = first;
      }
    for (int64_t i = 0; i < lanes; ++i)
      b.create<vector::StoreOp>(loc, rows[i], target, ValueRange{k.add(k0, i), n0});
  };
  auto rowBlock = [&](Value n0, int64_t rows) {
    k.blocks(shape[1], lanes, [&](Value k0, int64_t cols) {
      if (rows == lanes && cols == lanes)
        return fullBlock(n0, k0);
      k.forRange(0, cols, 1, [&](Value col) {
        k.forRange(0, rows, 1, [&](Value row) {
          Value element = b.create<memref::LoadOp>(
              loc, source, ValueRange{k.add(n0, row), k.add(k0, col)});
          b.create<memref::StoreOp>(loc, element, target,
                                    ValueRange{k.add(k0, col), k.add(n0, row)});
        });
      });
    });
  };
  int64_t fullRows = shape[0] - shape[0] % lanes;
  k.parallelRange(0, fullRows, lanes, [&](Value n0) { rowBlock(n0, lanes); });
  if (fullRows != shape[0])
    rowBlock(k.index(fullRows), shape[0] - fullRows);
}

/// Replaces C += A B^T by Bt = transpose(B) into a new buffer and the
/// linalg.matmul C += A Bt, which nnc-matmul-microkernel (it runs next)
/// emits in the FMA-bound outer-product form; the transpose works on
/// `lanes`-wide vectors.
void multiplyTransposed(IRRewriter &rewriter, linalg::MatmulTransposeBOp op, int64_t lanes) {
  Location loc = op.getLoc();
  Value a = op.getInputs()[0], bT = op.getInputs()[1], c = op.getOutputs()[0];
  ArrayRef<int64_t> shape = cast<MemRefType>(bT.getType()).getShape();
  auto transposedType = MemRefType::get({shape[1], shape[0]}, rewriter.getF32Type());
  Value transposed = rewriter.create<memref::AllocOp>(loc, transposedType);
  transposeByBlocks(rewriter, loc, bT, transposed, lanes);
  rewriter.create<linalg::MatmulOp>(loc, ValueRange{a, transposed}, ValueRange{c});
  rewriter.eraseOp(op);
}

struct DenseMicrokernelPass : nnc::impl::DenseMicrokernelBase<DenseMicrokernelPass> {
  using DenseMicrokernelBase::DenseMicrokernelBase;

  void runOnOperation() override {
    SmallVector<linalg::MatmulTransposeBOp> matmuls;
    getOperation().walk([&](linalg::MatmulTransposeBOp op) { matmuls.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulTransposeBOp op : matmuls) {
      if (!op.hasPureBufferSemantics() ||
          !llvm::all_of(op->getOperandTypes(), nnc::isF32MatrixWithContiguousRows))
        continue;
      rewriter.setInsertionPoint(op);
      if (transposeMinRows > 0 &&
          cast<MemRefType>(op.getInputs()[0].getType()).getShape()[0] >= transposeMinRows) {
        multiplyTransposed(rewriter, op, vectorBits / 32);
        continue;
      }
      DenseEmitter(rewriter, op.getLoc(), op.getInputs()[0], op.getInputs()[1],
                   op.getOutputs()[0], vectorBits / 32, vectorRegisters)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
