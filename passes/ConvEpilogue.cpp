//===- ConvEpilogue.cpp - elementwise work fused into conv stores ---------===//
//
// Matching for nnc-conv-microkernel's epilogue fusion (ConvEpilogue.h).
//
//===----------------------------------------------------------------------===//

#include "passes/ConvEpilogue.h"

#include "passes/KernelBuilder.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

bool nnc::isPerChannelMap(AffineMap map) {
  return map.getNumDims() == 4 && map.getNumResults() == 1 &&
         map.getResult(0) == getAffineDimExpr(1, map.getContext());
}

/// The allocation or argument `buffer` is a view of.
static Value rootOf(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
    buffer = view.getViewSource();
  return buffer;
}

/// True when `op` may write memory of `root` (unknown effects count).
static bool mayWrite(Operation *op, Value root) {
  if (isa<memref::AllocOp, memref::DeallocOp>(op) || isMemoryEffectFree(op))
    return false;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return true;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [&](const MemoryEffects::EffectInstance &effect) {
    if (!isa<MemoryEffects::Write>(effect.getEffect()))
      return false;
    return !effect.getValue() || rootOf(effect.getValue()) == root;
  });
}

/// True when `from` precedes `to` in one block and no op in between writes
/// memory of any of `roots`.
static bool noWritesBetween(Operation *from, Operation *to, ArrayRef<Value> roots) {
  if (from->getBlock() != to->getBlock() || !from->isBeforeInBlock(to))
    return false;
  for (Operation *op = from->getNextNode(); op != to; op = op->getNextNode())
    if (llvm::any_of(roots, [&](Value root) { return mayWrite(op, root); }))
      return false;
  return true;
}

/// True when nothing between `from` and `to` touches memory.
static bool onlyPureOpsBetween(Operation *from, Operation *to) {
  if (from->getBlock() != to->getBlock() || !from->isBeforeInBlock(to))
    return false;
  for (Operation *op = from->getNextNode(); op != to; op = op->getNextNode())
    if (!isMemoryEffectFree(op) && !isa<memref::AllocOp, memref::DeallocOp>(op))
      return false;
  return true;
}

/// The ops other than deallocations using `buffer`, when it is a fresh
/// allocation or a function's buffer argument (the ABI's buffers do not
/// overlap) that only linalg ops use, so nothing else aliases it.
static std::optional<SmallVector<Operation *>> ownUsers(Value buffer) {
  auto arg = dyn_cast<BlockArgument>(buffer);
  bool functionArgument = arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  if (!buffer.getDefiningOp<memref::AllocOp>() && !functionArgument)
    return std::nullopt;
  SmallVector<Operation *> users;
  for (Operation *user : buffer.getUsers()) {
    if (isa<memref::DeallocOp>(user))
      continue;
    if (!isa<linalg::LinalgOp>(user))
      return std::nullopt;
    if (!llvm::is_contained(users, user))
      users.push_back(user);
  }
  return users;
}

/// True when `type` is a static f32 buffer of `shape` with contiguous rows.
static bool isRowContiguous(Type type, ArrayRef<int64_t> shape) {
  return nnc::hasContiguousF32Rows(type) && cast<MemRefType>(type).getShape() == shape;
}

/// The input number of `stage` that reads `previous`, when `stage` is an
/// elementwise op the tile can apply: all-parallel over the output shape,
/// identity-mapped output not read by the body, every other input either
/// per-channel or identity-mapped with contiguous rows.
static std::optional<unsigned> stageInput(linalg::GenericOp stage, Value previous,
                                          ArrayRef<int64_t> shape) {
  if (stage.getNumDpsInits() != 1 || stage.getNumParallelLoops() != stage.getNumLoops() ||
      !stage.hasPureBufferSemantics())
    return std::nullopt;
  OpOperand *out = stage.getDpsInitOperand(0);
  if (!stage.getMatchingIndexingMap(out).isIdentity() ||
      !isRowContiguous(out->get().getType(), shape) ||
      !stage.getMatchingBlockArgument(out).use_empty())
    return std::nullopt;
  std::optional<unsigned> carried;
  for (OpOperand *in : stage.getDpsInputOperands()) {
    AffineMap map = stage.getMatchingIndexingMap(in);
    if (in->get() == previous) {
      if (carried || !map.isIdentity())
        return std::nullopt;
      carried = in->getOperandNumber();
    } else if (!(map.isIdentity() && isRowContiguous(in->get().getType(), shape)) &&
               !nnc::isPerChannelMap(map)) {
      return std::nullopt;
    }
  }
  for (Operation &op : stage.getBody()->without_terminator())
    if (op.getNumRegions() || !isMemoryEffectFree(&op) || op.getNumResults() != 1)
      return std::nullopt;
  return carried;
}

/// Matches the op initializing `buffer` before `conv`: a constant fill or a
/// broadcast of a per-channel vector nothing writes until the convolution.
static void matchInit(nnc::ConvEpilogue &epilogue, Operation *init,
                      linalg::Conv2DNchwFchwOp conv) {
  if (!init->isBeforeInBlock(conv))
    return;
  if (auto fill = dyn_cast<linalg::FillOp>(init)) {
    if (fill.hasPureBufferSemantics()) {
      epilogue.initConstant = fill.value();
      epilogue.init = init;
    }
    return;
  }
  auto broadcast = dyn_cast<linalg::GenericOp>(init);
  if (!broadcast || broadcast.getNumDpsInputs() != 1 || broadcast.getNumDpsInits() != 1 ||
      !broadcast.hasPureBufferSemantics())
    return;
  OpOperand *in = broadcast.getDpsInputOperand(0);
  auto yield = cast<linalg::YieldOp>(broadcast.getBody()->getTerminator());
  if (!nnc::isPerChannelMap(broadcast.getMatchingIndexingMap(in)) ||
      !broadcast.getMatchingIndexingMap(broadcast.getDpsInitOperand(0)).isIdentity() ||
      yield.getValues().size() != 1 ||
      yield.getValues()[0] != broadcast.getMatchingBlockArgument(in) ||
      !noWritesBetween(init, conv, {rootOf(in->get())}))
    return;
  epilogue.initPerChannel = in->get();
  epilogue.init = init;
}

/// The users of `buffer` before and after `op` in its block, when all its
/// users are in that block and nothing aliases it.
static std::optional<std::pair<SmallVector<Operation *>, SmallVector<Operation *>>>
usersAround(Value buffer, Operation *op) {
  std::optional<SmallVector<Operation *>> users = ownUsers(buffer);
  if (!users)
    return std::nullopt;
  std::pair<SmallVector<Operation *>, SmallVector<Operation *>> around;
  for (Operation *user : *users) {
    if (user == op)
      continue;
    if (user->getBlock() != op->getBlock())
      return std::nullopt;
    (user->isBeforeInBlock(op) ? around.first : around.second).push_back(user);
  }
  return around;
}

nnc::ConvEpilogue nnc::matchConvEpilogue(linalg::Conv2DNchwFchwOp conv) {
  ConvEpilogue epilogue;
  Value result = conv.getOutputs()[0];
  ArrayRef<int64_t> shape = cast<MemRefType>(result.getType()).getShape();
  Operation *last = conv;
  while (auto around = usersAround(result, last)) {
    if (last == conv.getOperation() && around->first.size() == 1)
      matchInit(epilogue, around->first.front(), conv);
    // The next op using the result must be a stage reading it. Unless the
    // stage updates it in place, nothing after the stage may read it: the
    // fused kernel never stores the values before the stage.
    if (around->second.empty())
      break;
    llvm::sort(around->second, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    auto stage = dyn_cast<linalg::GenericOp>(around->second.front());
    if (!stage || !onlyPureOpsBetween(last, stage))
      break;
    std::optional<unsigned> carried = stageInput(stage, result, shape);
    // Skipping the store of `result` is only legal for an allocation nobody
    // reads later; a function argument is read by the caller.
    bool inPlace = stage.getDpsInitOperand(0)->get() == result;
    if (!carried ||
        (!inPlace && (around->second.size() != 1 || !result.getDefiningOp<memref::AllocOp>())))
      break;
    epilogue.stages.push_back(stage);
    epilogue.carried.push_back(*carried);
    result = stage.getDpsInitOperand(0)->get();
    last = stage;
  }
  // Tiles are stored while the convolution still reads other tiles: the
  // result must not be memory the convolution or a per-channel operand reads.
  SmallVector<Value> reads{rootOf(conv.getInputs()[0]), rootOf(conv.getInputs()[1])};
  for (linalg::GenericOp stage : epilogue.stages)
    for (OpOperand *in : stage.getDpsInputOperands())
      if (isPerChannelMap(stage.getMatchingIndexingMap(in)))
        reads.push_back(rootOf(in->get()));
  if (llvm::is_contained(reads, rootOf(result))) {
    epilogue.stages.clear();
    epilogue.carried.clear();
    result = conv.getOutputs()[0];
  }
  epilogue.result = result;
  return epilogue;
}
