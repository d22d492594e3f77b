//===- NNOps.td - operations of the nn dialect -------------*- tablegen -*-===//
//
// One op per concept. Spatial ops (conv, conv_transpose, pooling) are generic
// over the spatial rank: 1-D on [N,C,L], 2-D on [N,C,H,W]. Every op's verifier
// calls the shape rule of `ir/ShapeRules.h` and checks the declared result
// type against it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNOPS_TD
#define NNC_IR_NNOPS_TD

include "ir/NNDialect.td"
include "ir/NNInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_F32Tensor : StaticShapeTensorOf<[F32]>;
def NN_I32Tensor : StaticShapeTensorOf<[I32]>;
def NN_AnyTensor : StaticShapeTensorOf<[F32, I32]>;
def NN_Scalar : 0DTensorOf<[F32]>;

class NN_PureOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([Pure], traits)> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Parameters, constants, training configuration
//===----------------------------------------------------------------------===//

def NN_ParamOp : NN_Op<"param", [Symbol]> {
  let summary = "a model parameter or buffer, stored outside the graph";
  let description = [{
    Declares one named tensor of the model's parameter set, e.g.
    `conv1.weight` (names follow PyTorch's state_dict). `init` is the
    distribution `init_params` draws it from: `uniform` (args: low, high),
    `normal` (mean, std) or `constant` (value). `trainable` is false for
    buffers such as batch-norm running statistics.

    ```mlir
    nn.param @"fc1.weight" : tensor<100x784xf32> {init = "uniform", init_args = array<f64: -0.0357, 0.0357>, trainable = true}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<NN_F32Tensor>:$type,
                       StrAttr:$init, DenseF64ArrayAttr:$init_args,
                       BoolAttr:$trainable);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    mlir::RankedTensorType getTensorType() {
      return llvm::cast<mlir::RankedTensorType>(getType());
    }
  }];
}

def NN_ParamLoadOp : NN_Op<"param_load",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the current value of a parameter";
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def NN_ConstantOp : NN_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

def NN_OptimizerOp : NN_Op<"optimizer"> {
  let summary = "the optimizer of the model's train section";
  let description = [{
    `kind` is one of `sgd`, `rmsprop`, `adam`. `hyperparams` holds f64 values
    (`lr`, `momentum`, `dampening`, `alpha`, `beta1`, `beta2`, `eps`,
    `weight_decay`) and bools (`nesterov`, `decoupled_weight_decay`); the
    verifier checks which keys a kind accepts and their ranges. They are the
    defaults; the ABI lets an application change them between steps.
  }];
  let arguments = (ins StrAttr:$kind, DictionaryAttr:$hyperparams);
  let assemblyFormat = "$kind $hyperparams attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def NN_DenseOp : NN_PureOp<"dense",
    [DeclareOpInterfaceMethods<NN_FlopCountOpInterface, ["getFlopCount"]>]> {
  let summary = "fully connected layer: x * weight^T + bias";
  let description = [{ `x`: [N, in], `weight`: [out, in], `bias`: [out]. }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$weight,
                       Optional<NN_F32Tensor>:$bias);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def NN_MatmulOp : NN_PureOp<"matmul",
    [DeclareOpInterfaceMethods<NN_FlopCountOpInterface, ["getFlopCount"]>]> {
  let summary = "matrix product, optionally batched: [B..,M,K] x [B..,K,N]";
  let arguments = (ins NN_F32Tensor:$lhs, NN_F32Tensor:$rhs);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def NN_ConvOp : NN_PureOp<"conv",
    [DeclareOpInterfaceMethods<NN_FlopCountOpInterface, ["getFlopCount"]>]> {
  let summary = "1-D or 2-D convolution (PyTorch's Conv1d/Conv2d)";
  let description = [{
    `input`: [N, C, spatial...], `weight`: [F, C/groups, kernel...],
    `bias`: [F]. `padding` holds the low pads of each spatial dim, then the
    high pads.
  }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$weight,
                       Optional<NN_F32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def NN_ConvTransposeOp : NN_PureOp<"conv_transpose",
    [DeclareOpInterfaceMethods<NN_FlopCountOpInterface, ["getFlopCount"]>]> {
  let summary = "1-D or 2-D transposed convolution (PyTorch's ConvTranspose)";
  let description = [{
    `input`: [N, C, spatial...], `weight`: [C, F/groups, kernel...],
    `bias`: [F]. Output size per dim: (in-1)*stride - pad_lo - pad_hi +
    dilation*(kernel-1) + output_padding + 1.
  }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$weight,
                       Optional<NN_F32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding, I64Attr:$groups);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Pooling and resampling
//===----------------------------------------------------------------------===//

class NN_PoolOp<string mnemonic, dag extraArgs>
    : NN_PureOp<mnemonic, [DeclareOpInterfaceMethods<NN_FlopCountOpInterface, ["getFlopCount"]>]> {
  let arguments = !con((ins NN_F32Tensor:$input, DenseI64ArrayAttr:$kernel,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$padding,
                            BoolAttr:$ceil_mode), extraArgs);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_MaxPoolOp : NN_PoolOp<"max_pool", (ins DenseI64ArrayAttr:$dilations)> {
  let summary = "1-D or 2-D max pooling (padding counts as -inf)";
}

def NN_AvgPoolOp : NN_PoolOp<"avg_pool", (ins BoolAttr:$count_include_pad)> {
  let summary = "1-D or 2-D average pooling";
}

def NN_GlobalAvgPoolOp : NN_PureOp<"global_avg_pool"> {
  let summary = "mean over all spatial dims: [N,C,...] -> [N,C,1,...]";
  let arguments = (ins NN_F32Tensor:$input);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_UpsampleNearestOp : NN_PureOp<"upsample_nearest"> {
  let summary = "nearest-neighbour upsampling by integer factors per spatial dim";
  let arguments = (ins NN_F32Tensor:$input, DenseI64ArrayAttr:$scales);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Normalization and regularization
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_PureOp<"batch_norm",
    [DeclareOpInterfaceMethods<NN_FlopCountOpInterface, ["getFlopCount"]>]> {
  let summary = "batch normalization over dim 1 of [N,C,...]";
  let description = [{
    Inference (`training = false`) normalizes with the running statistics.
    Training normalizes with the batch statistics (biased variance) and the
    training step updates the running statistics as PyTorch does:
    `running = (1 - momentum) * running + momentum * batch` (unbiased
    variance for `running_var`).
  }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$scale,
                       NN_F32Tensor:$shift, NN_F32Tensor:$running_mean,
                       NN_F32Tensor:$running_var, F64Attr:$epsilon,
                       F64Attr:$momentum, BoolAttr:$training);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $shift `,` $running_mean `,` $running_var attr-dict `:` functional-type(operands, results)";
}

def NN_LayerNormOp : NN_PureOp<"layer_norm", [AttrSizedOperandSegments]> {
  let summary = "normalization over the trailing `normalized_rank` dims";
  let arguments = (ins NN_F32Tensor:$input, Optional<NN_F32Tensor>:$scale,
                       Optional<NN_F32Tensor>:$shift, I64Attr:$normalized_rank,
                       F64Attr:$epsilon);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input (`scale` $scale^)? (`shift` $shift^)? attr-dict `:` functional-type(operands, results)";
}

def NN_GroupNormOp : NN_PureOp<"group_norm", [AttrSizedOperandSegments]> {
  let summary = "normalization over groups of channels of [N,C,...]";
  let arguments = (ins NN_F32Tensor:$input, Optional<NN_F32Tensor>:$scale,
                       Optional<NN_F32Tensor>:$shift, I64Attr:$groups,
                       F64Attr:$epsilon);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input (`scale` $scale^)? (`shift` $shift^)? attr-dict `:` functional-type(operands, results)";
}

def NN_InstanceNormOp : NN_PureOp<"instance_norm", [AttrSizedOperandSegments]> {
  let summary = "normalization of every (sample, channel) plane of [N,C,...]";
  let arguments = (ins NN_F32Tensor:$input, Optional<NN_F32Tensor>:$scale,
                       Optional<NN_F32Tensor>:$shift, F64Attr:$epsilon);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input (`scale` $scale^)? (`shift` $shift^)? attr-dict `:` functional-type(operands, results)";
}

def NN_DropoutOp : NN_PureOp<"dropout"> {
  let summary = "inverted dropout; the identity when not training";
  let description = [{
    In training, zeroes each element with probability `rate` and scales the
    rest by 1/(1-rate); the mask comes from a counter-based generator keyed
    by `seed` and the step number, so runs are reproducible.
  }];
  let arguments = (ins NN_F32Tensor:$input, F64Attr:$rate, BoolAttr:$training,
                       I64Attr:$seed);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, dag extraArgs = (ins)>
    : NN_PureOp<mnemonic, [SameOperandsAndResultType,
                           NN_FlopCountOpInterface]> {
  let arguments = !con((ins NN_F32Tensor:$input), extraArgs);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 0;
}

def NN_ReluOp : NN_UnaryOp<"relu"> { let summary = "max(x, 0)"; }
def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu", (ins F64Attr:$alpha)> {
  let summary = "x if x > 0 else alpha * x";
}
def NN_EluOp : NN_UnaryOp<"elu", (ins F64Attr:$alpha)> {
  let summary = "x if x > 0 else alpha * (exp(x) - 1)";
}
def NN_SigmoidOp : NN_UnaryOp<"sigmoid"> { let summary = "1 / (1 + exp(-x))"; }
def NN_TanhOp : NN_UnaryOp<"tanh"> { let summary = "hyperbolic tangent"; }

def NN_SoftmaxOp : NN_PureOp<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax along `axis`";
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def NN_LogSoftmaxOp : NN_PureOp<"log_softmax", [SameOperandsAndResultType]> {
  let summary = "log(softmax(x)) along `axis`, computed stably";
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def NN_MaxoutOp : NN_PureOp<"maxout"> {
  let summary = "max over each run of `pieces` consecutive channels";
  let description = [{ [N, C, ...] -> [N, C/pieces, ...]; output channel c
    is the max of input channels c*pieces .. c*pieces+pieces-1. }];
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$pieces);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic and shape manipulation
//===----------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic>
    : NN_PureOp<mnemonic, [SameOperandsAndResultType,
                           NN_FlopCountOpInterface]> {
  let arguments = (ins NN_F32Tensor:$lhs, NN_F32Tensor:$rhs);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
  let hasVerifier = 0;
}

def NN_AddOp : NN_BinaryOp<"add"> { let summary = "elementwise sum"; }
def NN_SubOp : NN_BinaryOp<"sub"> { let summary = "elementwise difference"; }
def NN_MulOp : NN_BinaryOp<"mul"> { let summary = "elementwise product"; }

def NN_ConcatOp : NN_PureOp<"concat"> {
  let summary = "concatenation along `axis`";
  let arguments = (ins Variadic<NN_F32Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def NN_ReshapeOp : NN_PureOp<"reshape"> {
  let summary = "same elements in row-major order, new shape";
  let arguments = (ins NN_AnyTensor:$input);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_ArgmaxOp : NN_PureOp<"argmax"> {
  let summary = "index of the first maximum along `axis` (dim removed)";
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis);
  let results = (outs NN_I32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Losses (scalar results, mean over the batch)
//===----------------------------------------------------------------------===//

def NN_MseLossOp : NN_PureOp<"mse_loss"> {
  let summary = "mean of squared differences";
  let arguments = (ins NN_F32Tensor:$prediction, NN_F32Tensor:$target);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` functional-type(operands, results)";
}

def NN_SoftmaxCrossEntropyOp : NN_PureOp<"softmax_cross_entropy"> {
  let summary = "mean cross-entropy of softmax(logits [N,K]) and labels i32[N]";
  let arguments = (ins NN_F32Tensor:$logits, NN_I32Tensor:$labels);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def NN_HingeLossOp : NN_PureOp<"hinge_loss"> {
  let summary = "multiclass hinge loss (PyTorch's MultiMarginLoss, p = 1)";
  let description = [{ Per sample: sum over j != y of max(0, margin -
    s[y] + s[j]), divided by K; then the mean over the batch. }];
  let arguments = (ins NN_F32Tensor:$scores, NN_I32Tensor:$labels,
                       F64Attr:$margin);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$scores `,` $labels attr-dict `:` functional-type(operands, results)";
}

def NN_L2PenaltyOp : NN_PureOp<"l2_penalty"> {
  let summary = "half the sum of squares of all operands";
  let description = [{ `c * l2_penalty(params)` in a loss matches PyTorch's
    `weight_decay = c` for SGD. }];
  let arguments = (ins Variadic<NN_F32Tensor>:$inputs);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

include "ir/NNTrainingOps.td"

#endif // NNC_IR_NNOPS_TD
