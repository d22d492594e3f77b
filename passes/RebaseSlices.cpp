//===- RebaseSlices.cpp - slices that start at their own address ----------===//
//
// Implements nnc-rebase-slices (see Passes.td). A contiguous slice of a
// buffer at a static offset,
//   %w = memref.subview %params[432] [16] [1]
//          : memref<274048xf32> to memref<16xf32, strided<[1], offset: 432>>
// carries its offset in its type, so every loop that reads it has the
// offset as a constant in its address arithmetic. As a view of the
// buffer's bytes,
//   %w = memref.view %params_bytes[%c1728][] : memref<1096192xi8> to memref<16xf32>
// the offset moves into the pointer, computed once where the slice is
// taken, and the loops of same-shaped layers become identical: LLVM merges
// their outlined functions before optimizing them (codegen/ObjectEmitter).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace nnc {
#define GEN_PASS_DEF_REBASESLICES
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Bytes per element of `type`, or 0 when its elements are not integers or
/// floats of whole bytes.
int64_t elementBytes(MemRefType type) {
  if (!type.getElementType().isIntOrFloat())
    return 0;
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  return bits % 8 == 0 ? bits / 8 : 0;
}

/// Whether an op using a buffer works on any layout of it and derives no
/// type from it.
bool acceptsAnyLayout(Operation *user) {
  return isa<memref::LoadOp, memref::StoreOp, memref::CopyOp, memref::DimOp, vector::LoadOp,
             vector::StoreOp, vector::TransferReadOp, vector::TransferWriteOp,
             vector::MaskedLoadOp, vector::MaskedStoreOp, linalg::LinalgOp>(user);
}

/// Whether an op takes a view of a buffer whose layout follows from the
/// buffer's: nnc-rebase-slices recomputes its result type.
bool isLayoutFollowingView(Operation *user) {
  return isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp>(user);
}

/// Whether every transitive user of `buffer` accepts a new layout of it.
bool layoutMayChange(Value buffer) {
  for (Operation *user : buffer.getUsers()) {
    if (acceptsAnyLayout(user))
      continue;
    if (!isLayoutFollowingView(user) || !layoutMayChange(user->getResult(0)))
      return false;
  }
  return true;
}

/// The result type of view-like `view` once its source has type `source`.
FailureOr<MemRefType> resultTypeFor(Operation *view, MemRefType source) {
  auto result = cast<MemRefType>(view->getResult(0).getType());
  if (auto subview = dyn_cast<memref::SubViewOp>(view))
    return cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
        result.getShape(), source, subview.getMixedOffsets(), subview.getMixedSizes(),
        subview.getMixedStrides()));
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(view))
    return memref::ExpandShapeOp::computeExpandedType(source, result.getShape(),
                                                      expand.getReassociationIndices());
  auto collapse = cast<memref::CollapseShapeOp>(view);
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(source,
                                                        collapse.getReassociationIndices()))
    return failure();
  return memref::CollapseShapeOp::computeCollapsedType(source,
                                                       collapse.getReassociationIndices());
}

/// Gives `buffer`'s view-like users the result types its new type implies,
/// transitively. Fails, changing nothing further, if one has none.
LogicalResult propagateLayout(Value buffer) {
  for (Operation *user : buffer.getUsers()) {
    if (!isLayoutFollowingView(user))
      continue;
    FailureOr<MemRefType> type = resultTypeFor(user, cast<MemRefType>(buffer.getType()));
    if (failed(type))
      return failure();
    user->getResult(0).setType(*type);
    if (failed(propagateLayout(user->getResult(0))))
      return failure();
  }
  return success();
}

/// Whether `subview` of a byte view is a contiguous run of memory at a
/// static offset whose users all accept the view's identity layout.
bool isRebasable(memref::SubViewOp subview) {
  if (!subview.getSource().getDefiningOp<memref::ViewOp>())
    return false;
  MemRefType type = subview.getType();
  int64_t offset;
  SmallVector<int64_t> strides;
  return elementBytes(type) && memref::isStaticShapeAndContiguousRowMajor(type) &&
         succeeded(getStridesAndOffset(type, strides, offset)) &&
         !ShapedType::isDynamic(offset) && layoutMayChange(subview.getResult());
}

/// Replaces `subview` by a view of the bytes under its source view.
/// Precondition: isRebasable(subview). Fails, with an error, if a user's
/// type cannot follow.
LogicalResult rebase(memref::SubViewOp subview) {
  auto source = subview.getSource().getDefiningOp<memref::ViewOp>();
  MemRefType type = subview.getType();
  int64_t offset;
  SmallVector<int64_t> strides;
  (void)getStridesAndOffset(type, strides, offset);
  OpBuilder builder(subview);
  Location loc = subview.getLoc();
  int64_t bytes = offset * elementBytes(type);
  Value shift;
  if (std::optional<int64_t> base = getConstantIntValue(source.getByteShift()))
    shift = builder.create<arith::ConstantIndexOp>(loc, *base + bytes);
  else
    shift = builder.create<arith::AddIOp>(loc, source.getByteShift(),
                                          builder.create<arith::ConstantIndexOp>(loc, bytes));
  auto identity = MemRefType::get(type.getShape(), type.getElementType());
  auto view =
      builder.create<memref::ViewOp>(loc, identity, source.getSource(), shift, ValueRange{});
  subview.getResult().replaceAllUsesWith(view.getResult());
  subview.erase();
  if (failed(propagateLayout(view.getResult())))
    return view->emitError("internal error: nnc-rebase-slices found no layout for a user");
  return success();
}

/// Turns each argument of public `func` that has a rebasable slice into the
/// buffer's bytes, read through one view of the argument's type (a public
/// function has no callers in the module, and the bare-pointer ABI passes
/// both types alike). Returns the views.
SmallVector<memref::ViewOp> viewArgumentsAsBytes(func::FuncOp func) {
  SmallVector<memref::ViewOp> views;
  if (func.isExternal() || !func.isPublic())
    return views;
  Block &entry = func.getBody().front();
  OpBuilder builder = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument argument : entry.getArguments()) {
    auto type = dyn_cast<MemRefType>(argument.getType());
    if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity() || !elementBytes(type))
      continue;
    if (llvm::none_of(argument.getUsers(), [](Operation *user) {
          auto subview = dyn_cast<memref::SubViewOp>(user);
          return subview && memref::isStaticShapeAndContiguousRowMajor(subview.getType()) &&
                 layoutMayChange(subview.getResult());
        }))
      continue;
    auto bytes = MemRefType::get({type.getNumElements() * elementBytes(type)},
                                 builder.getIntegerType(8));
    argument.setType(bytes);
    Value zero = builder.create<arith::ConstantIndexOp>(func.getLoc(), 0);
    auto whole = builder.create<memref::ViewOp>(func.getLoc(), type, argument, zero, ValueRange{});
    argument.replaceAllUsesExcept(whole.getResult(), whole);
    views.push_back(whole);
  }
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                                 func.getResultTypes()));
  return views;
}

struct RebaseSlices : nnc::impl::RebaseSlicesBase<RebaseSlices> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      SmallVector<memref::ViewOp> argumentViews = viewArgumentsAsBytes(func);
      // Program order: an outer slice is a view before its inner slices are
      // looked at.
      SmallVector<memref::SubViewOp> subviews;
      func.walk([&](memref::SubViewOp subview) { subviews.push_back(subview); });
      for (memref::SubViewOp subview : subviews)
        if (isRebasable(subview) && failed(rebase(subview)))
          return signalPassFailure();
      // A whole-argument view that only its slices read is dead now.
      for (memref::ViewOp view : argumentViews)
        if (view.getResult().use_empty()) {
          Operation *shift = view.getByteShift().getDefiningOp();
          view.erase();
          if (shift->use_empty())
            shift->erase();
        }
    }
  }
};

} // namespace
