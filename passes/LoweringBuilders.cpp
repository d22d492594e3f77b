//===- LoweringBuilders.cpp - builders shared by the nn lowering ----------===//
//
// Implements the tensor-level builders of LowerNNToLinalg.h.
//
//===----------------------------------------------------------------------===//

#include "passes/LowerNNToLinalg.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace nnc::lowering;

Value nnc::lowering::constantF32(OpBuilder &b, Location loc, double value) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(static_cast<float>(value)));
}

Value nnc::lowering::filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                            double value) {
  Value empty = b.create<tensor::EmptyOp>(loc, shape, b.getF32Type());
  return b.create<linalg::FillOp>(loc, constantF32(b, loc, value), empty).getResult(0);
}

Value nnc::lowering::filledI32(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                               int32_t value) {
  Value empty = b.create<tensor::EmptyOp>(loc, shape, b.getI32Type());
  Value fill = b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(value));
  return b.create<linalg::FillOp>(loc, fill, empty).getResult(0);
}

SmallVector<utils::IteratorType> nnc::lowering::iteratorsFor(unsigned rank,
                                                             ArrayRef<int64_t> reduced) {
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  for (int64_t d : reduced)
    iterators[d] = utils::IteratorType::reduction;
  return iterators;
}

Value nnc::lowering::reshape(OpBuilder &b, Location loc, Value value,
                             ArrayRef<int64_t> shape) {
  auto sourceType = cast<RankedTensorType>(value.getType());
  if (sourceType.getShape() == shape)
    return value;
  auto flatType = RankedTensorType::get({sourceType.getNumElements()},
                                        sourceType.getElementType());
  Value flat = value;
  if (sourceType.getRank() > 1) {
    ReassociationIndices all = llvm::to_vector<2>(llvm::seq<int64_t>(0, sourceType.getRank()));
    flat = b.create<tensor::CollapseShapeOp>(loc, flatType, value,
                                             ArrayRef<ReassociationIndices>{all});
  } else if (sourceType.getRank() == 0) {
    flat = b.create<tensor::ExpandShapeOp>(loc, flatType, value,
                                           ArrayRef<ReassociationIndices>{});
  }
  auto targetType = RankedTensorType::get(shape, sourceType.getElementType());
  if (shape.size() == 1)
    return flat;
  if (shape.empty())
    return b.create<tensor::CollapseShapeOp>(loc, targetType, flat,
                                             ArrayRef<ReassociationIndices>{});
  ReassociationIndices all = llvm::to_vector<2>(llvm::seq<int64_t>(0, shape.size()));
  return b.create<tensor::ExpandShapeOp>(loc, targetType, flat,
                                         ArrayRef<ReassociationIndices>{all});
}

Value nnc::lowering::padSpatial(OpBuilder &b, Location loc, Value input,
                                ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                double padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<int64_t> shape(shapeOf(input));
  SmallVector<OpFoldResult> lowPads(2, b.getIndexAttr(0)), highPads(2, b.getIndexAttr(0));
  for (size_t d = 0; d < low.size(); ++d) {
    shape[2 + d] += low[d] + high[d];
    lowPads.push_back(b.getIndexAttr(low[d]));
    highPads.push_back(b.getIndexAttr(high[d]));
  }
  auto type = RankedTensorType::get(shape, elementTypeOf(input));
  return b.create<tensor::PadOp>(loc, type, input, lowPads, highPads,
                                 constantF32(b, loc, padValue));
}

Value nnc::lowering::generic(OpBuilder &b, Location loc, ValueRange inputs,
                             ArrayRef<AffineMap> inputMaps, ArrayRef<int64_t> shape,
                             BodyFn body, Type elementType) {
  if (!elementType)
    elementType = b.getF32Type();
  Value init = b.create<tensor::EmptyOp>(loc, shape, elementType);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(shape.size()));
  SmallVector<utils::IteratorType> iterators(shape.size(), utils::IteratorType::parallel);
  auto op = b.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        nested.create<linalg::YieldOp>(nestedLoc, body(nested, nestedLoc, args));
      });
  return op.getResult(0);
}

Value nnc::lowering::elementwise(OpBuilder &b, Location loc, ValueRange inputs,
                                 BodyFn body) {
  ArrayRef<int64_t> shape = shapeOf(inputs.front());
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(shape.size()));
  return generic(b, loc, inputs, maps, shape, body);
}

AffineMap nnc::lowering::dimMap(MLIRContext *context, unsigned rank, unsigned dim) {
  return AffineMap::get(rank, 0, getAffineDimExpr(dim, context));
}

AffineMap nnc::lowering::dropDimsMap(MLIRContext *context, unsigned rank,
                                     ArrayRef<int64_t> dropped) {
  SmallVector<AffineExpr> results;
  for (unsigned d = 0; d < rank; ++d)
    if (!llvm::is_contained(dropped, d))
      results.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, results, context);
}

Value nnc::lowering::reduce(OpBuilder &b, Location loc, Value input,
                            ArrayRef<int64_t> reduced, double init, BodyFn combine) {
  ArrayRef<int64_t> shape = shapeOf(input);
  SmallVector<int64_t> resultShape;
  for (auto [d, size] : llvm::enumerate(shape))
    if (!llvm::is_contained(reduced, int64_t(d)))
      resultShape.push_back(size);
  Value acc = filled(b, loc, resultShape, init);
  // Loop order: when the innermost dim is reduced, the kept dims run
  // outermost, so each sum stays in a register along contiguous rows (a
  // per-channel sum over [N, C, H, W] loops c, n, h, w). Otherwise the
  // input's order, so the innermost kept dim is contiguous. Each element's
  // terms are added in the same order either way.
  unsigned rank = shape.size();
  auto isReduced = [&](unsigned d) { return llvm::is_contained(reduced, int64_t(d)); };
  SmallVector<unsigned> order; // order[i]: the input dim loop i runs along
  for (unsigned d = 0; d < rank; ++d)
    if (!isReduced(rank - 1) || !isReduced(d))
      order.push_back(d);
  for (unsigned d = 0; d < rank; ++d)
    if (isReduced(rank - 1) && isReduced(d))
      order.push_back(d);
  SmallVector<AffineExpr> inputExprs(rank), accExprs;
  SmallVector<utils::IteratorType> iterators;
  for (auto [loop, d] : llvm::enumerate(order)) {
    inputExprs[d] = b.getAffineDimExpr(loop);
    iterators.push_back(isReduced(d) ? utils::IteratorType::reduction
                                     : utils::IteratorType::parallel);
  }
  for (unsigned d = 0; d < rank; ++d)
    if (!isReduced(d))
      accExprs.push_back(inputExprs[d]);
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, inputExprs, b.getContext()),
                              AffineMap::get(rank, 0, accExprs, b.getContext())};
  auto op = b.create<linalg::GenericOp>(
      loc, TypeRange{acc.getType()}, ValueRange{input}, ValueRange{acc}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        nested.create<linalg::YieldOp>(nestedLoc, combine(nested, nestedLoc, args));
      });
  return op.getResult(0);
}

Value nnc::lowering::broadcastAlong(OpBuilder &b, Location loc, Value vector,
                                    ArrayRef<int64_t> shape, unsigned dim) {
  return gathered(b, loc, vector, dimMap(b.getContext(), shape.size(), dim), shape);
}

Value nnc::lowering::gathered(OpBuilder &b, Location loc, Value value, AffineMap map,
                              ArrayRef<int64_t> shape) {
  return generic(b, loc, value, map, shape,
                 [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

SmallVector<int64_t> nnc::lowering::to2D(ArrayRef<int64_t> values, int64_t fill) {
  if (values.size() == 2)
    return SmallVector<int64_t>(values);
  return {fill, values[0]};
}

Value nnc::lowering::expandTo2D(OpBuilder &b, Location loc, Value value) {
  ArrayRef<int64_t> shape = shapeOf(value);
  if (shape.size() != 3)
    return value;
  auto type = RankedTensorType::get({shape[0], shape[1], 1, shape[2]}, elementTypeOf(value));
  return b.create<tensor::ExpandShapeOp>(
      loc, type, value, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

SmallVector<Value> nnc::lowering::structured(OpBuilder &b, Location loc, ValueRange inputs,
                                             ArrayRef<AffineMap> inputMaps, ValueRange inits,
                                             ArrayRef<AffineMap> initMaps,
                                             ArrayRef<utils::IteratorType> iterators,
                                             MultiBodyFn body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(initMaps.begin(), initMaps.end());
  auto op = b.create<linalg::GenericOp>(
      loc, TypeRange(inits), inputs, inits, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        nested.create<linalg::YieldOp>(nestedLoc, body(nested, nestedLoc, args));
      });
  return SmallVector<Value>(op.getResults());
}
