//===- KernelBuilder.cpp - loop and index helpers for SIMD kernels --------===//

#include "passes/KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;

bool nnc::hasContiguousF32Rows(Type type) {
  return hasContiguousRows(type, Float32Type::get(type.getContext()));
}

bool nnc::hasContiguousRows(Type type, Type elementType) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape() || memref.getElementType() != elementType)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(getStridesAndOffset(memref, strides, offset)) && strides.back() == 1;
}

bool nnc::isF32MatrixWithContiguousRows(Type type) {
  return hasContiguousF32Rows(type) && cast<MemRefType>(type).getRank() == 2;
}

Value nnc::KernelBuilder::index(int64_t value) {
  Value &cached = constants[value];
  if (!cached) {
    // One constant per value, at the top of the function, so every loop
    // nest the emitter builds can use it.
    Operation *function = b.getInsertionBlock()->getParentOp();
    while (!isa<FunctionOpInterface>(function))
      function = function->getParentOp();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&function->getRegion(0).front());
    cached = b.create<arith::ConstantIndexOp>(loc, value);
  }
  return cached;
}

Value nnc::KernelBuilder::add(Value a, Value c) {
  return b.createOrFold<arith::AddIOp>(loc, a, c);
}

Value nnc::KernelBuilder::add(Value a, int64_t c) { return c ? add(a, index(c)) : a; }

Value nnc::KernelBuilder::mul(Value a, int64_t c) {
  return c == 1 ? a : b.createOrFold<arith::MulIOp>(loc, a, index(c));
}

/// forRange's loop (null for at most one trip), marked `nnc.parallel` if
/// `parallel`.
static scf::ForOp emitRange(nnc::KernelBuilder &k, int64_t begin, int64_t end, int64_t step,
                            function_ref<void(Value)> body, bool parallel) {
  if (begin >= end)
    return nullptr;
  if (begin + step >= end) {
    body(k.index(begin));
    return nullptr;
  }
  auto loop = k.b.create<scf::ForOp>(k.loc, k.index(begin), k.index(end), k.index(step));
  if (parallel)
    loop->setAttr("nnc.parallel", k.b.getUnitAttr());
  OpBuilder::InsertionGuard guard(k.b);
  k.b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVar());
  return loop;
}

void nnc::KernelBuilder::forRange(int64_t begin, int64_t end, int64_t step,
                                  function_ref<void(Value)> body) {
  emitRange(*this, begin, end, step, body, /*parallel=*/false);
}

void nnc::KernelBuilder::parallelRange(int64_t begin, int64_t end, int64_t step,
                                       function_ref<void(Value)> body) {
  emitRange(*this, begin, end, step, body, /*parallel=*/true);
}

void nnc::KernelBuilder::blocks(int64_t total, int64_t block,
                                function_ref<void(Value, int64_t)> body) {
  int64_t main = total - total % block;
  forRange(0, main, block, [&](Value start) { body(start, block); });
  if (main != total)
    body(index(main), total - main);
}

SmallVector<Value>
nnc::KernelBuilder::loop(int64_t begin, int64_t end, int64_t step, ValueRange init,
                         function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop = b.create<scf::ForOp>(loc, index(begin), index(end), index(step), init);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(loop.getBody());
  b.create<scf::YieldOp>(loc, body(loop.getInductionVar(), loop.getRegionIterArgs()));
  return loop.getResults();
}
