//===- Passes.td - nnc pass declarations -------------------*- tablegen -*-===//
//
// Every nnc pass, with what must hold before it runs and what holds after.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_PASSES_TD
#define NNC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def DropTrainingGraph : Pass<"nnc-drop-training-graph", "mlir::ModuleOp"> {
  let summary = "Remove the training function and optimizer before inference codegen";
  let description = [{
    Erases `func.func @train` and `nn.optimizer`: the inference pipeline
    compiles `@infer` only. (Compiling the training step is the training
    pipeline's job.) Legal on any nn module; afterwards only `@infer` and the
    parameters remain.
  }];
}

def MaterializeParams : Pass<"nnc-materialize-params", "mlir::ModuleOp"> {
  let summary = "Lay out parameters in one buffer and read them from it";
  let description = [{
    Assigns every `nn.param` a byte offset (declaration order, each aligned to
    64 bytes) recorded as its `offset` attribute, and the total as the module's
    `nn.param_bytes`. Each function that loads parameters gets a leading
    argument `params: tensor<Pxf32>` and every `nn.param_load` becomes a slice
    of it reshaped to the parameter's shape.

    Precondition: a verified nn module on tensors. Afterwards no
    `nn.param_load` remains; `nn.param` ops stay as the parameter table.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def LowerNNToLinalg : Pass<"nnc-lower-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn compute ops to linalg and tensor ops";
  let description = [{
    One rewrite pattern per op family (files LowerNNToLinalg<Family>.cpp).
    Convolutions and pooling are built as linalg's named ops, then
    generalized with the output-width loop innermost so it vectorizes; the
    rest become linalg.generic ops.

    Precondition: parameters materialized (no `nn.param_load`), inference
    semantics (training-mode batch_norm and dropout are lowered by the
    training pipeline). Afterwards functions hold no nn ops; an op without a
    lowering is reported as an error at its location.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
                           "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
                           "mlir::bufferization::BufferizationDialect"];
}

def PlanScratch : Pass<"nnc-plan-scratch", "mlir::ModuleOp"> {
  let summary = "Place every buffer allocation in a caller-owned scratch arena";
  let description = [{
    Replaces each static `memref.alloc` of a function by a `memref.view` into
    a new trailing argument `scratch: memref<Sxi8>`, erases the matching
    deallocations, and records S as the function's `nn.scratch_bytes`.
    Buffers whose lifetimes (first to last use of the buffer or any view of
    it, in program order) are disjoint share memory: offsets come from the
    interval packing of ArenaPlanner.h, aligned to 64 bytes.

    With `poison-freed`, each buffer's bytes are set to 0xff (NaN as f32, -1
    as i32) right after its last use, so a planning error corrupts results
    visibly instead of silently (a debug check; tests run with it).

    Precondition: bufferized functions whose allocations have static shapes
    (dynamic ones are reported as errors).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect"];
  let options = [
    Option<"poisonFreed", "poison-freed", "bool", /*default=*/"false",
           "Fill each buffer with 0xff bytes after its last use (debug check)">,
  ];
}

def ExpandMath : Pass<"nnc-expand-math", "mlir::ModuleOp"> {
  let summary = "Replace transcendental math ops by polynomial approximations";
  let description = [{
    Rewrites math.exp, math.log, math.tanh and friends into arith with
    MLIR's polynomial approximations (f32 accuracy), so generated objects
    call no libm function and the arithmetic vectorizes.

    Legal anywhere before the lowering to LLVM; afterwards only math ops
    with direct LLVM intrinsics (sqrt, rsqrt, fma, abs) remain.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect"];
}

def RelaxFloatOrder : Pass<"nnc-relax-float-order", "mlir::ModuleOp"> {
  let summary = "Let float sums be reordered and multiply-adds fused";
  let description = [{
    Sets `reassoc` and `contract` on every float arith op, so LLVM may sum a
    reduction in vector lanes and fuse multiply-adds. Results then differ from
    strict left-to-right summation by rounding only, as those of oneDNN,
    OpenBLAS and PyTorch do; the oracle tests bound the difference. NaN and
    infinity semantics are unchanged (no `nnan`/`ninf`).

    Legal on any function; run on loops right before the LLVM lowering.
  }];
}

#endif // NNC_PASSES_PASSES_TD
