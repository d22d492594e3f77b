//===- KernelBuilder.h - loop and index helpers for SIMD kernels -*- C++ -*-===//
//
// The small vocabulary the microkernel emitters (ConvMicrokernel.cpp,
// DenseMicrokernel.cpp) write their loop nests in: folded index arithmetic,
// static-range loops that vanish for one trip, and loops carrying vectors.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_KERNELBUILDER_H
#define NNC_PASSES_KERNELBUILDER_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace nnc {

/// True when `type` is a static f32 buffer whose rows (innermost dim) are
/// contiguous, so the kernels may read and write them with vector loads.
bool hasContiguousF32Rows(mlir::Type type);

/// True when `type` is a static buffer of `elementType` with contiguous rows.
bool hasContiguousRows(mlir::Type type, mlir::Type elementType);

/// True when `type` is a static 2-D f32 buffer whose rows are contiguous.
bool isF32MatrixWithContiguousRows(mlir::Type type);

class KernelBuilder {
public:
  KernelBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  /// An index constant (one per value and emitter, at the function's top).
  mlir::Value index(int64_t value);
  /// a + b and a * c, folded when constant.
  mlir::Value add(mlir::Value a, mlir::Value b);
  mlir::Value add(mlir::Value a, int64_t c);
  mlir::Value mul(mlir::Value a, int64_t c);

  /// Calls `body` for every start in [begin, end) by `step`: inline for one
  /// trip, inside an scf.for otherwise.
  void forRange(int64_t begin, int64_t end, int64_t step,
                llvm::function_ref<void(mlir::Value)> body);
  /// forRange for a loop whose iterations are independent (each writes
  /// outputs no other reads or writes): the scf.for is marked
  /// `nnc.parallel`, so nnc-outline-parallel-loops may split it over threads.
  void parallelRange(int64_t begin, int64_t end, int64_t step,
                     llvm::function_ref<void(mlir::Value)> body);

  /// Calls `body(start, block)` for the full blocks of `block` in [0, total)
  /// (inside one forRange), then `body(start, count)` for the shorter last
  /// block, if any, so that every block has a static size.
  void blocks(int64_t total, int64_t block,
              llvm::function_ref<void(mlir::Value, int64_t)> body);

  /// An scf.for over [begin, end) by `step` carrying `init`; `body` maps the
  /// induction variable and the carried values to the next ones.
  llvm::SmallVector<mlir::Value>
  loop(int64_t begin, int64_t end, int64_t step, mlir::ValueRange init,
       llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value, mlir::ValueRange)> body);

  mlir::OpBuilder &b;
  mlir::Location loc;

private:
  llvm::DenseMap<int64_t, mlir::Value> constants;
};

} // namespace nnc

#endif // NNC_PASSES_KERNELBUILDER_H
