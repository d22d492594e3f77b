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

def NameLayers : Pass<"nnc-name-layers", "mlir::ModuleOp"> {
  let summary = "Name every nn op's layer in its location, for per-layer profiles";
  let description = [{
    Wraps the location of each nn op that has no layer label (a NameLoc
    from the source, e.g. `conv1`) in a NameLoc `<mnemonic>@<line>:<col>`
    (`relu@8:38`), so that every op carries the name of the layer it
    computes through differentiation, lowering and fusion; see
    LayerLocations.h. Diagnostics still point at the same source position.

    Runs before nnc-differentiate (the backward then inherits the names)
    and only when profiling (`nnc --profile`). Legal on any nn module.
  }];
}

def ProfileLayers : Pass<"nnc-profile-layers", "mlir::ModuleOp"> {
  let summary = "Time each layer of the entry points with a run-time clock";
  let description = [{
    Splits the body of each public function (`infer`, `train_step`) into
    layers: maximal runs of consecutive top-level ops whose locations name
    the same layers (LayerLocations.h; ops without side effects and ops
    naming no layer join the run they sit in). Reads
    `nnc_profile_clock()` (libnncrt) before the first run and after each
    run, and adds each run's nanoseconds and one call to its slot of the
    private globals `nnc_profile_ns` and `nnc_profile_calls`. The slot
    names, `<function>/<layers>`, are recorded in the module attribute
    `nnc.profile_layers`; the ABI exports them with the counters as
    `<m>_profile`.

    Precondition: lowered to loops on buffers, after
    nnc-outline-parallel-loops (a parallel loop is then one call, timed
    on the calling thread). Only with `nnc --profile`.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def Differentiate : Pass<"nnc-differentiate", "mlir::ModuleOp"> {
  let summary = "Build the training step from @train by reverse-mode autodiff";
  let description = [{
    Renames `func.func @train` (forward and scalar loss) to `@train_step`,
    appends a `hparams: tensor<8xf32>` argument (the runtime nnc_hparams)
    and builds, in order:
    1. the training forward: training-mode batch_norm becomes batch_stats +
       batch_norm on the batch statistics (+ running-statistics updates);
       layer/group/instance norm become the same primitives on a reshaped
       input plus a broadcast affine; training-mode dropout becomes
       dropout_mask keyed by the step counter;
    2. the backward: gradients flow from the loss (seeded with 1) through
       the rules of GradientRules.h to every trainable parameter, visiting
       only values that depend on one; an op on that path without a rule is
       an error at its location. Backward ops have their forward op's
       location, tagged `backward` (LayerLocations.h);
    3. one nn.optimizer_update per trainable parameter with a gradient
       (parameters the loss does not reach are left untouched, as
       torch.optim does), with its state in new `nn.param`s marked
       `nn.optimizer_state` (zero-initialized), and the step counters
       `optimizer.counters`;
    4. nn.param_store of every new value, last.
    The train section's hyperparameters are recorded as the module's
    `nn.default_hparams`. Erases `nn.optimizer`.

    Precondition: a verified nn module; `@train` has a single block and
    returns the loss first. A module without `@train` is left as is
    (its optimizer, if any, is erased).
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def FoldBatchNorm : Pass<"nnc-fold-batch-norm", "mlir::ModuleOp"> {
  let summary = "Fold inference batch norm into the preceding conv or dense layer";
  let description = [{
    Rewrites `batch_norm(conv(x, W, b))` (and the same of `dense`) with
    `training = false` into `conv(x, W * s, (b - mean) * s + shift)`, where
    `s = scale / sqrt(running_var + eps)` per output channel; the scaled
    weights and the new bias are computed in the graph from the parameters
    (as nn.batch_norm of [1, C] vectors, nn.broadcast and nn.mul), so the
    layer's epilogue is a bias and its activation.

    Fires only when the layer's unnormalized output has no other use and
    each weight is used by at least 1024 output elements per channel (batch
    times output spatial size): below that, scaling the weights on every
    call costs more than normalizing the outputs saves. Leaves training-mode
    batch norm, transposed convolutions and every other producer alone.
    Legal on any verified nn module; the results equal the unfolded ones up
    to float rounding. Runs after nnc-differentiate (the gradient rules see
    the layers as written; the training forward's normalizations read the
    layer's output for their batch statistics, so they stay) and before the
    lowering, with `nnc --fold-batch-norm` only (Pipelines.cpp says why).
  }];
}

def Rematerialize : Pass<"nnc-rematerialize", "mlir::ModuleOp"> {
  let summary = "Recompute cheap activations in the backward instead of saving them";
  let description = [{
    In `@train_step` on tensors, a forward value the backward reads is
    recomputed right before the backward's first read of it, and the
    backward reads the copy, when it is
    - the result of an all-parallel (elementwise) linalg.generic (relu,
      batch norm's normalization, residual add, ...) computable, through at
      most three elementwise ops nothing else saves, from values saved
      anyway (read by the backward, not recomputed), arguments, parameters,
      constants and tensors at most an eighth its size (statistics); or
    - a constant pad of a recomputed value (a convolution's padded input).
    The forward value then dies with its last forward reader: a conv ->
    batch norm -> relu layer keeps only the conv's output, which batch
    norm's gradient reads, instead of also its padded relu output. Values
    are decided in forward order, and a value computed from a recomputed
    one (other than its pad) is saved, so a residual stream alternates
    between saved and recomputed instead of being recomputed from the
    start. Copies run the same ops on the same values; only a reduction
    that fusion later merges a copy into may round differently, as its sum
    may be reordered (nnc-relax-float-order).

    Precondition: linalg on tensors after CSE (which would merge the copies
    back), before fusion; the backward's ops carry nnc-differentiate's
    `backward` location tag (LayerLocations.h). Other functions are left
    alone.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def FuseElementwise : Pass<"nnc-fuse-elementwise", "mlir::ModuleOp"> {
  let summary = "Fuse elementwise producers into their consumers on tensors";
  let description = [{
    Merges an all-parallel `linalg.generic` into the generic that reads its
    result (MLIR's elementwise fusion patterns), so a chain such as batch
    norm, residual add and relu, or an optimizer's update, becomes one loop
    nest with no intermediate tensor, and a reduction reads its input's
    producer in the same pass. Fuses only when nothing is recomputed: the
    producer has no other use and the consumer reads each element once (a
    permutation map). Generics tagged `nnc.*` for a kernel are left as they
    are. Each element's arithmetic is unchanged.

    Precondition: linalg on tensors (after nnc-lower-nn-to-linalg).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ChooseDestinations : Pass<"nnc-choose-destinations", "mlir::ModuleOp"> {
  let summary = "Choose the tensor each op writes into, for in-place buffers";
  let description = [{
    Sets the destinations (`outs`) that one-shot bufferization turns into
    buffers, so that nnc-plan-scratch sees short, separate lifetimes:
    1. An elementwise generic that writes a fresh (empty) tensor writes over
       an input instead when that input is read element for element, has
       the same type, is computed by another linalg op and has no other use:
       the op runs in place (e.g. relu over the dense layer's result, or an
       optimizer update over a gradient).
    2. CSE merges equal fills of empty tensors (the zero init of every
       convolution of one shape), so bufferization would give all their
       consumers one buffer live from the first to the last. Each consumer
       after the first gets its own fill of its own empty tensor, right
       before it. (Splitting shared empty tensors as well made LeNet-5's
       training arena 37% larger, so they stay shared.)
    3. The exception: a generic computing a convolution's initial
       accumulator (a computed bias's broadcast) that writes a shared empty
       tensor without reading it gets an empty tensor of its own, so
       nnc-conv-microkernel fuses it into the convolution (the small U-Net's
       inference arena 1.38 -> 1.34 MB; ResNet-20's with --fold-batch-norm
       280 -> 214 KB at batch 1).
    Results are unchanged.

    Precondition: linalg on tensors, before bufferization (parameters not
    yet materialized, so no input is a view of the ABI's buffers).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def PadInProducers : Pass<"nnc-pad-in-producers", "mlir::ModuleOp"> {
  let summary = "Let the producer of a padded tensor write into the padded buffer";
  let description = [{
    Rewrites a `tensor.pad` with static sizes and a constant value whose
    source is computed by a chain of linalg ops into a `tensor.empty` (each
    op writing into the previous one's result, which nothing else reads):
    a fill of the padded shape takes the empty tensor's place at the start
    of the chain, the chain writes into the fill's interior
    (`tensor.extract_slice`), and the pad becomes a `tensor.insert_slice`
    of the result back into the fill. One-shot bufferization then gives
    both one buffer: a convolution's zero-padded input is written in place
    by the op that computes it (e.g. batch norm + relu) instead of being
    copied, and, in training, the padded buffer the weight gradient reads is
    the only saved copy of that activation. Other readers of the source
    read the interior. Results are unchanged.

    Precondition: linalg on tensors, after nnc-choose-destinations (which
    fixes the chains), before bufferization. Pads of function arguments,
    of values whose buffer is shared and of chains holding a convolution
    (whose kernel fuses its elementwise consumers only into a buffer of its
    own, as in inference) stay pads, copied as before.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def UpdateInPlace : Pass<"nnc-update-in-place", "mlir::ModuleOp"> {
  let summary = "Write each parameter's update into the parameter buffer itself";
  let description = [{
    The training step computes every updated parameter and optimizer-state
    slot into scratch and copies it into the caller's buffer at the end
    (the stores come after every read of the old values). For a copy of a
    scratch buffer into a static slice of a function argument, when the
    last op writing the scratch buffer before the copy is an elementwise
    linalg.generic that reads the slice's old values, if at all, element
    for element (identity map, same shape), and no op between it and the
    copy reads or writes the scratch buffer or the slice, the generic
    writes the slice directly and the copy goes away: the update runs in
    place and its scratch buffer dies with the gradient. Results are
    unchanged.

    Precondition: bufferized, before nnc-plan-scratch (allocations are
    still separate); the ABI's buffers (parameters, optimizer state) do not
    overlap each other.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def MaterializeParams : Pass<"nnc-materialize-params", "mlir::ModuleOp"> {
  let summary = "Lay out parameters in one buffer and read them from it";
  let description = [{
    Parameters live in two caller-owned buffers: the model parameters and
    the optimizer state (`nn.param`s marked `nn.optimizer_state`). Assigns
    every `nn.param` a byte offset in its buffer (declaration order, each
    aligned to 64 bytes) recorded as its `offset` attribute, and the totals
    as the module's `nn.param_bytes` and `nn.opt_state_bytes`. A function
    that reads or writes a buffer gets it as a leading argument `params:
    tensor<Pxf32>` (then `opt_state`); every `nn.param_load` becomes a slice
    of it reshaped to the parameter's shape, and the `nn.param_store`s become
    insert_slices into it, materialized in the argument's buffer before the
    return, so bufferization updates the caller's buffer in place.

    Precondition: stores follow every read of the buffers (as
    nnc-differentiate emits them). Runs after the lowering to linalg and its
    clean-up, so the materializations it creates reach bufferization.
    Afterwards no `nn.param_load`/`nn.param_store` remains; `nn.param` ops
    stay as the parameter table.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect",
                           "mlir::bufferization::BufferizationDialect"];
}

def LowerNNToLinalg : Pass<"nnc-lower-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn compute ops to linalg and tensor ops";
  let description = [{
    One rewrite pattern per op family (files LowerNNToLinalg<Family>.cpp).
    Convolutions and pooling are built as linalg's named ops, then
    generalized with the output-width loop innermost so it vectorizes; the
    rest become linalg.generic ops. Strided convolutions and transposed
    convolutions (dilation 1) become one stride-1 convolution per phase of
    the stride, so every kernel reads contiguous rows and no product with
    a spread input's zeros is computed.

    Precondition: inference semantics or a differentiated training step
    (training-mode batch_norm and dropout were decomposed by
    nnc-differentiate). Afterwards functions hold no nn ops but
    `nn.param_load`/`nn.param_store`; an op without a lowering is reported
    as an error at its location.
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

def ExpandMath : Pass<"nnc-expand-math"> {
  let summary = "Replace transcendental math ops by polynomial approximations";
  let description = [{
    Rewrites math.exp, math.log, math.tanh and friends into arith with
    MLIR's polynomial approximations (f32 accuracy), so generated objects
    call no libm function and the arithmetic vectorizes.

    Legal anywhere before the lowering to LLVM, on any op (the pipeline
    runs it on each function); afterwards only math ops with direct LLVM
    intrinsics (sqrt, rsqrt, fma, abs) remain.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect"];
}

def ConvMicrokernel : Pass<"nnc-conv-microkernel", "mlir::ModuleOp"> {
  let summary = "Register-blocked SIMD direct convolution for linalg.conv_2d_nchw_fchw";
  let description = [{
    Replaces every f32 `linalg.conv_2d_nchw_fchw` on buffers (any stride and
    dilation, input already padded) by a register-blocked loop nest in the
    vector dialect. A tile of FB output channels times a few output rows and
    columns is held in FB x S accumulator vectors through the whole reduction
    over input channels and the kernel window; each step loads S input
    vectors (rows of the input, gathered by shuffles for strides > 1) and
    does FB x S FMAs with the weight broadcast from memory. Narrow maps pack
    several output rows into one vector. Tile edges use shorter vectors, so
    no lane is masked and nothing is read out of bounds.

    The cost model (documented in ConvMicrokernel.cpp) fits FB x S
    accumulators, S inputs and a broadcast in `vector-registers` registers of
    `vector-bits` bits, and picks FB (8, 6, 4, 3, 2 or 1) by the estimated
    cycles of the whole convolution, edge tiles included.

    Convolutions whose innermost dims are not contiguous are left alone.
    Elementwise consumers (ConvEpilogue.h) are fused into the tile stores:
    the zero or bias initialization, then inference batch norm, residual adds
    and activations whose intermediate buffers nothing else reads; those
    buffers are erased. Convolutions accumulating into one buffer in turn
    (a strided convolution's phases) take the init into the first and the
    consumers into the last.

    Precondition: bufferized IR with buffers still `memref.alloc`s (runs
    before nnc-plan-scratch). The sum over
    (c, kh, kw) is reordered as nnc-relax-float-order allows.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of one SIMD register in bits (128 SSE/NEON, 256 AVX2, 512 AVX-512)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Number of SIMD registers (16 for SSE/AVX2, 32 for AVX-512 and NEON)">,
  ];
}

def DenseMicrokernel : Pass<"nnc-dense-microkernel", "mlir::ModuleOp"> {
  let summary = "Register-blocked SIMD kernel for linalg.matmul_transpose_b (dense layers)";
  let description = [{
    Replaces every f32 `linalg.matmul_transpose_b` on buffers (C[m, n] +=
    sum_k A[m, k] * B[n, k], the dense layer with PyTorch's [out, in]
    weight) by a loop nest in the vector dialect: a block of MB rows of A
    times NB rows of B keeps MB x NB vector accumulators along k, both
    operands loaded contiguously, reduced across lanes once at the end and
    added to C. MB and NB fit MB x NB + MB + NB vectors in
    `vector-registers` registers (4 x 4 with 32 registers, 2 x 4 with 16;
    one row of A at batch 1 gets NB = 8). Edge blocks and the k tail use
    smaller blocks and shorter vectors.

    With at least `transpose-min-rows` rows of A, the kernel's lane sums
    (MB x NB reductions per block) and its two loads per FMA step cost more
    than transposing B once: B is copied into a new [K, N] buffer and the
    product becomes a `linalg.matmul` for nnc-matmul-microkernel's
    outer-product kernel (one load of B per NB FMAs). The copy is K x N
    moves against M x K x N FMAs, by vector-wide square blocks transposed
    in registers with shuffles (a row-by-row copy reads every element from
    another cache line).

    Precondition: bufferized IR, before nnc-matmul-microkernel and
    nnc-plan-scratch (the copy is a new allocation). Ops whose rows are not
    contiguous are left to the loop lowering. The sum over k is reordered as
    nnc-relax-float-order allows.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of one SIMD register in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Number of SIMD registers">,
    Option<"transposeMinRows", "transpose-min-rows", "int64_t", /*default=*/"256",
           "Rows of A from which B is transposed for the outer-product kernel (0: never)">,
  ];
}

def ConvWeightGradMicrokernel : Pass<"nnc-conv-weight-grad-microkernel", "mlir::ModuleOp"> {
  let summary = "Register-blocked SIMD kernel for convolution weight gradients";
  let description = [{
    Replaces the linalg.generic of every ungrouped f32 `nn.conv_weight_grad`
    (the form of ConvWeightGradForm.h: tagged `nnc.conv_weight_grad` with
    its strides and dilations, and exactly its indexing maps) by a loop nest
    in the vector dialect: for one input channel and kernel row, FB filters
    times KB kernel columns keep FB x KB accumulator vectors along the
    output width through the reduction over (n, oh, ow); each step
    loads KB input vectors and one dy vector per filter. 32 registers give
    8 x 3 for 3x3 kernels and 5 x 5 for 5x5. The reduction runs over chunks
    of images whose dy for one filter block stays in cache (128 KiB), each
    chunk's lane sums added to dW, so every row of a task rereads dy from
    cache. The parallel loop's tasks are a filter block times a group of
    (c, kh) rows (about 8 tasks), each writing its own part of dW.

    Precondition: bufferized IR. Grouped gradients and buffers whose rows
    are not contiguous are left to the loop lowering. The sum over (n, oh,
    ow) is reordered as nnc-relax-float-order allows.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of one SIMD register in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Number of SIMD registers">,
  ];
}

def PoolMicrokernel : Pass<"nnc-pool-microkernel", "mlir::ModuleOp"> {
  let summary = "SIMD kernels for max pooling and its gradient";
  let description = [{
    Replaces, with loop nests in the vector dialect along the output width
    (vectors of up to vector-bits / 32 columns; a strided row is a span load
    and a shuffle; the (n, c) planes are the parallel loop):
    - every f32 `linalg.pooling_nchw_max`: the window's maximum kept in a
      register, NaN-propagating like the op;
    - the argmax generic of a max-pool gradient (MaxPoolGradForm.h, tagged
      `nnc.max_pool_argmax`, emitted when the windows need no padding): the
      best value and its flat index in registers, taps in row-major order,
      the first maximum or a NaN winning as in PyTorch;
    - the scatter generic (tagged `nnc.max_pool_scatter`, windows that tile
      the input): each input vector compares its flat indices with its
      windows' argmax, duplicated by a shuffle.
    Max pools it does not take get the loop lowering's order (LoopOrder.h).

    Precondition: bufferized IR. Buffers whose rows are not contiguous, and
    generics whose maps differ from the tagged form, are left as they are.
    Results are bit-identical to the loops'.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of one SIMD register in bits">,
  ];
}

def MatmulMicrokernel : Pass<"nnc-matmul-microkernel", "mlir::ModuleOp"> {
  let summary = "Register-blocked SIMD kernel for linalg.matmul";
  let description = [{
    Replaces every f32 `linalg.matmul` on buffers (C[m, n] += sum_k A[m, k]
    * B[k, n]: user matmuls and the gradients of dense layers) by a loop
    nest in the vector dialect in outer-product form: MB rows of C times NB
    vectors along n stay in registers through the k loop, each step loading
    NB vectors of B's row k and broadcasting MB elements of A. NB = 4, MB = 6
    with 32 registers; NB = 2, MB = 6 with 16. The last column panel and row
    block are statically shaped smaller blocks with shorter vectors.

    Precondition: bufferized IR. Ops whose rows are not contiguous are left
    to the loop lowering. The sum over k keeps its order (k ascending per
    element), as the loop lowering computes it.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of one SIMD register in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Number of SIMD registers">,
  ];
}

def RegisterReductions : Pass<"nnc-register-reductions", "mlir::ModuleOp"> {
  let summary = "Lower reductions to loops that carry their sums in registers";
  let description = [{
    Replaces every `linalg.generic` on buffers whose loops are parallel
    dims then reduction dims, each output indexed by exactly the parallel
    dims (per-channel batch-norm sums, bias gradients, row sums of softmax
    and losses, dot-product forms), by an `scf.parallel` over the parallel
    dims holding an `scf.for` nest over the reduction dims that carries the
    accumulators as loop values: each is loaded once, updated in registers
    and stored once. linalg's own lowering reads and writes the accumulator
    in memory on every iteration, which LLVM cannot promote to a register
    when it may alias an input. Each output's terms are combined in the
    same order as by that lowering.

    Precondition: bufferized IR; an output is not also an input, nor
    overlaps one (nnc-plan-scratch keeps simultaneously live buffers apart).
    Other generics are left to the loop lowering.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def RebaseSlices : Pass<"nnc-rebase-slices", "mlir::ModuleOp"> {
  let summary = "Make contiguous static slices of buffers views of their bytes";
  let description = [{
    A `memref.subview` of a `memref.view` that is a contiguous run of
    memory at a static offset (a parameter's slice of the parameter
    buffer, a tensor inside the scratch arena) becomes a `memref.view` of
    the same bytes at the summed byte shift, with an identity layout; the
    types of its subview, expand_shape and collapse_shape users follow. The
    offset then lives in the pointer, computed once where the slice is
    taken, instead of in the address arithmetic of every loop that reads
    the slice, so the loop nests of same-shaped layers are identical and
    LLVM merges their outlined functions before optimizing them (ResNet-20
    with its training step: 581 -> 323 LLVM functions, object 713 -> 448
    KB). A public
    function's static identity-layout argument with such a slice becomes
    the argument's bytes (`memref<Nxi8>`) read through a view at shift 0:
    same pointer in the bare-pointer ABI. Memory accesses are unchanged.

    Not applied to a slice with a user other than loads, stores, copies,
    vector transfers, linalg ops and the view ops above (such a user may
    read the layout), nor to a non-contiguous slice. Precondition:
    bufferized, before the outlining of loops (it may change the types of
    functions).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def OutlineParallelLoops : Pass<"nnc-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Outline each large parallel loop as a task the caller's threads can run";
  let description = [{
    For every top-level loop of a function whose iterations along its first
    dim are independent (an `scf.parallel`, or an `scf.for` that a kernel
    emitter marked `nnc.parallel`), with static bounds, at least two
    iterations and at least `min-work` ops of estimated work, creates
      func.func private @<f>.parallel<k>(%begin, %end, %args...)
    running iterations [begin, end) (constants and subviews are recomputed
    inside; other values, such as the function's buffers and their
    `memref.view`s, become arguments), and replaces the loop by a call to
    the external
      func.func private @<f>.dispatch<k>(%args...)
    recorded with the task and the trip count in the module attribute
    `nnc.parallel_loops`. The code generator defines each dispatch: it runs
    the task on all iterations, or splits them over the threads of the
    nnc_parallel the caller passed (codegen/ParallelDispatch.cpp). Every
    iteration computes the same values however they are split, so results
    are bit-identical for any thread count.

    Precondition: bufferized, loops (after linalg-to-parallel-loops and the
    kernels), buffers placed by nnc-plan-scratch.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"100000",
           "Smallest estimated op count worth a dispatch">,
  ];
}

def OutlineLoopNests : Pass<"nnc-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Give each loop nest a function of its own, one per distinct nest";
  let description = [{
    Cuts the top-level ops of every function into runs of consecutive ops
    of one layer (by location, see LayerLocations.h), each holding a loop
    nest (a region op: `scf.for`, `scf.parallel`, `scf.if`) with the ops
    that feed it its initial values (the accumulators a register-blocked
    kernel loads) and consume its results (their stores, or a further loop
    on them): a run starts at a layer's first op and, once it has a loop,
    at the first op that does not use its values. Pure ops (constants, views) in between stay in
    place unless they compute on the run's values. In a function with at
    least two runs that hold a loop, each such run becomes
      func.func private @<f>.nest<k>(%args...) -> (%results...)
          attributes {no_inline}
    called where the run's last op was: constants and views are recomputed
    inside, other values (buffers, their `memref.view`s, scalars) become
    arguments, as in nnc-outline-parallel-loops, and the values used after
    the run become results. Nests that are equal op for op (locations
    aside) and in type are then kept once: the repeated blocks of a ResNet,
    forward and backward, run the same nest on other buffers. The rest of
    the lowering and LLVM then handle each distinct nest once, and the
    function-level lowering passes run on the nests in parallel; `no_inline`
    keeps LLVM from inlining them back into one function too large to
    compile quickly.

    Precondition: bufferized loops on buffers, after nnc-rebase-slices (so
    same-shaped layers' nests are equal) and nnc-outline-parallel-loops.
    Results are unchanged: every op runs in the same order on the same
    values (a run moves only past pure ops).
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def RelaxFloatOrder : Pass<"nnc-relax-float-order"> {
  let summary = "Let float sums be reordered and multiply-adds fused";
  let description = [{
    Sets `reassoc` and `contract` on every float arith op, so LLVM may sum a
    reduction in vector lanes and fuse multiply-adds. Results then differ from
    strict left-to-right summation by rounding only, as those of oneDNN,
    OpenBLAS and PyTorch do; the oracle tests bound the difference. NaN and
    infinity semantics are unchanged (no `nnan`/`ninf`).

    Legal on any op (the pipeline runs it on each function); run on loops
    right before the LLVM lowering.
  }];
}

#endif // NNC_PASSES_PASSES_TD
