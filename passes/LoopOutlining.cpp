//===- LoopOutlining.cpp - the inputs of a loop moved into a function -----===//
//
// See LoopOutlining.h.
//
//===----------------------------------------------------------------------===//

#include "passes/LoopOutlining.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace {

/// True when `value` can be recomputed elsewhere: a constant or a view of
/// buffers (pure ops all the way up), but not a memref.view.
bool isRematerializable(Value value) {
  Operation *op = value.getDefiningOp();
  return op && !isa<memref::ViewOp>(op) && op->getNumRegions() == 0 &&
         isMemoryEffectFree(op) && llvm::all_of(op->getOperands(), isRematerializable);
}

Value rematerializeValue(OpBuilder &b, Value value, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *op = value.getDefiningOp();
  for (Value operand : op->getOperands())
    rematerializeValue(b, operand, mapping);
  b.clone(*op, mapping);
  return mapping.lookup(value);
}

} // namespace

nnc::LoopInputs::LoopInputs(ArrayRef<Operation *> ops) {
  llvm::SmallPtrSet<Operation *, 16> inside(ops.begin(), ops.end());
  llvm::SetVector<Value> used;
  for (Operation *op : ops) {
    getUsedValuesDefinedAbove(op->getRegions(), used);
    used.insert(op->operand_begin(), op->operand_end());
  }
  for (Value value : used)
    if (!inside.contains(value.getDefiningOp()))
      captured.insert(value);
  for (Value value : captured)
    collectArguments(value);
}

void nnc::LoopInputs::collectArguments(Value value) {
  if (!isRematerializable(value)) {
    if (!llvm::is_contained(arguments_, value))
      arguments_.push_back(value);
    return;
  }
  for (Value operand : value.getDefiningOp()->getOperands())
    collectArguments(operand);
}

void nnc::LoopInputs::rematerialize(OpBuilder &b, IRMapping &mapping) const {
  for (Value value : captured)
    rematerializeValue(b, value, mapping);
}
