//===- UpdateInPlace.cpp - parameter updates written where they belong ----===//
//
// Implements nnc-update-in-place (see Passes.td). The training step ends
// with one copy per updated parameter and optimizer-state slot:
//   linalg.generic ins(%old_param_view, %grad, ...) outs(%new, ...)   // W
//   ... other updates ...
//   linalg.copy ins(%new) outs(%param_view)
// When nothing between W and the copy touches the parameter's slice, W
// writes the slice itself (reading each old element before writing it) and
// the copy and its scratch buffer go away.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nnc {
#define GEN_PASS_DEF_UPDATEINPLACE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The memory a buffer value may touch: a root (a function argument or an
/// allocation) and, for a static 1-D slice of a 1-D argument, the element
/// range [begin, end); otherwise the whole root.
struct Region {
  Value root;
  int64_t begin = 0, end = std::numeric_limits<int64_t>::max();

  bool overlaps(const Region &other) const {
    return root == other.root && begin < other.end && other.begin < end;
  }
};

Region regionOf(Value value) {
  Region region;
  while (true) {
    Operation *def = value.getDefiningOp();
    if (auto subview = dyn_cast_or_null<memref::SubViewOp>(def)) {
      auto sourceType = cast<MemRefType>(subview.getSource().getType());
      bool flatSlice = sourceType.getRank() == 1 && sourceType.getLayout().isIdentity() &&
                       subview.getType().getRank() == 1 &&
                       !ShapedType::isDynamic(subview.getStaticOffsets()[0]) &&
                       !ShapedType::isDynamic(subview.getStaticSizes()[0]) &&
                       subview.getStaticStrides()[0] == 1;
      if (flatSlice && isa<BlockArgument>(subview.getSource())) {
        region.begin = subview.getStaticOffsets()[0];
        region.end = region.begin + subview.getStaticSizes()[0];
      } else {
        region = Region();
      }
      value = subview.getSource();
    } else if (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp,
                               memref::ReinterpretCastOp, memref::ViewOp>(def)) {
      if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
        region = Region();
      value = def->getOperand(0);
    } else {
      region.root = value;
      return region;
    }
  }
}

/// Whether `op` or an op nested in it uses a buffer overlapping `region`.
bool touches(Operation *op, const Region &region) {
  bool found = false;
  op->walk([&](Operation *nested) {
    for (Value operand : nested->getOperands())
      if (isa<BaseMemRefType>(operand.getType()) && regionOf(operand).overlaps(region))
        found = true;
  });
  return found;
}

/// Makes `copy`'s writer write `copy`'s destination directly when legal
/// (see the file comment); returns whether it did.
bool updateInPlace(linalg::CopyOp copy) {
  Value source = copy.getInputs()[0], destination = copy.getOutputs()[0];
  auto collapse = source.getDefiningOp<memref::CollapseShapeOp>();
  Value scratch = collapse ? collapse.getSrc() : source;
  Region target = regionOf(destination);
  if (!scratch.getDefiningOp<memref::AllocOp>() || !isa<BlockArgument>(target.root) ||
      target.end == std::numeric_limits<int64_t>::max())
    return false;
  // The last writer of the scratch buffer before the copy, in the same block.
  Block *block = copy->getBlock();
  linalg::GenericOp writer;
  for (Operation *op = copy->getPrevNode(); op && !writer; op = op->getPrevNode()) {
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (generic && llvm::is_contained(generic.getDpsInits(), scratch))
      writer = generic;
    else if (!isMemoryEffectFree(op) && (touches(op, regionOf(scratch)) || touches(op, target)))
      return false; // something else reads or writes either buffer in between
  }
  if (!writer || writer->getBlock() != block ||
      writer.getNumParallelLoops() != writer.getNumLoops())
    return false;
  // The writer reads the parameter's old values element for element only.
  OpOperand *init = nullptr;
  for (OpOperand &operand : writer->getOpOperands()) {
    if (operand.get() == scratch && writer.isDpsInit(&operand))
      init = &operand;
    if (regionOf(operand.get()).overlaps(target) &&
        (!writer.getMatchingIndexingMap(&operand).isIdentity() ||
         cast<MemRefType>(operand.get().getType()).getShape() !=
             cast<MemRefType>(scratch.getType()).getShape()))
      return false;
  }
  if (!init || !writer.getMatchingIndexingMap(init).isIdentity())
    return false;
  // Nothing reads the scratch buffer after the copy.
  for (Operation *user : scratch.getUsers())
    if (user != copy && user != collapse && copy->isBeforeInBlock(user) &&
        !isa<memref::DeallocOp>(user))
      return false;

  // The destination's slice, made again where the writer runs.
  auto slice = destination.getDefiningOp<memref::SubViewOp>();
  if (!slice || !isa<BlockArgument>(slice.getSource()))
    return false;
  OpBuilder b(writer);
  Value view = b.clone(*slice)->getResult(0);
  if (collapse)
    view = b.create<memref::ExpandShapeOp>(
        copy.getLoc(), collapse.getSrcType().getShape(), view,
        collapse.getReassociationIndices());
  init->set(view);
  copy.erase();
  if (collapse && collapse->use_empty())
    collapse.erase();
  return true;
}

struct UpdateInPlacePass : nnc::impl::UpdateInPlaceBase<UpdateInPlacePass> {
  void runOnOperation() override {
    SmallVector<linalg::CopyOp> copies;
    getOperation().walk([&](func::FuncOp func) {
      if (!func.isExternal())
        for (auto copy : func.getBody().front().getOps<linalg::CopyOp>())
          copies.push_back(copy);
    });
    for (linalg::CopyOp copy : copies)
      updateInPlace(copy);
  }
};

} // namespace
