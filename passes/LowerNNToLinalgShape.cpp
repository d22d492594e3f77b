//===- LowerNNToLinalgShape.cpp - data movement ops to tensor/linalg ------===//
//
// concat -> insert_slice into an empty tensor; reshape -> collapse/expand;
// argmax -> a two-result reduction (value, index) keeping the first maximum;
// constant -> arith.constant.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "ir/NNDialect.h"

#include <limits>

using namespace mlir;
using namespace nnc;
using namespace nnc::lowering;

namespace {

struct LowerConcat : OpRewritePattern<nn::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConcatOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> out = shapeOf(op.getResult());
    // The attribute getter returns uint64_t: read it as the signed axis.
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += static_cast<int64_t>(out.size());
    Value result = rewriter.create<tensor::EmptyOp>(loc, out, rewriter.getF32Type());
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      SmallVector<int64_t> offsets(out.size(), 0), strides(out.size(), 1);
      offsets[axis] = offset;
      result = rewriter.create<tensor::InsertSliceOp>(
          loc, input, result, ValueRange{}, ValueRange{}, ValueRange{},
          rewriter.getDenseI64ArrayAttr(offsets), rewriter.getDenseI64ArrayAttr(shapeOf(input)),
          rewriter.getDenseI64ArrayAttr(strides));
      offset += shapeOf(input)[axis];
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerReshape : OpRewritePattern<nn::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReshapeOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshape(rewriter, op.getLoc(), op.getInput(),
                                   shapeOf(op.getResult())));
    return success();
  }
};

struct LowerArgmax : OpRewritePattern<nn::ArgmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ArgmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> in = shapeOf(op.getInput());
    unsigned rank = in.size();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    ArrayRef<int64_t> out = shapeOf(op.getResult());
    Value best = filled(rewriter, loc, out, -std::numeric_limits<float>::infinity());
    Value zeroIndex = rewriter.create<arith::ConstantOp>(loc, rewriter.getI32IntegerAttr(0));
    Value emptyIndex = rewriter.create<tensor::EmptyOp>(loc, out, rewriter.getI32Type());
    Value index = rewriter.create<linalg::FillOp>(loc, zeroIndex, emptyIndex).getResult(0);
    AffineMap reduced = dropDimsMap(rewriter.getContext(), rank, {axis});
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{best.getType(), index.getType()}, ValueRange{op.getInput()},
        ValueRange{best, index},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), reduced, reduced},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value position = b.create<arith::IndexCastOp>(l, b.getI32Type(),
                                                        b.create<linalg::IndexOp>(l, axis));
          // Strictly greater keeps the first maximum, as PyTorch does.
          Value better =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, args[0], args[1]);
          b.create<linalg::YieldOp>(
              l, ValueRange{b.create<arith::SelectOp>(l, better, args[0], args[1]),
                            b.create<arith::SelectOp>(l, better, position, args[2])});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

struct LowerConstant : OpRewritePattern<nn::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

} // namespace

void nnc::lowering::populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConcat, LowerReshape, LowerArgmax, LowerConstant>(patterns.getContext());
}
