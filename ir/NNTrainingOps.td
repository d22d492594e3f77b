//===- NNTrainingOps.td - ops of the training step ---------*- tablegen -*-===//
//
// The ops nnc-differentiate introduces: gradient kernels that have no
// forward counterpart, the training-mode primitives the forward graph is
// decomposed into, loss gradients, optimizer updates and parameter writes.
// They appear only in the `@train_step` function and are lowered like every
// other nn op.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNTRAININGOPS_TD
#define NNC_IR_NNTRAININGOPS_TD

//===----------------------------------------------------------------------===//
// Parameter writes
//===----------------------------------------------------------------------===//

def NN_ParamStoreOp : NN_Op<"param_store",
    [MemoryEffects<[MemWrite]>, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "replaces the value of a parameter at the end of the step";
  let description = [{
    Writes `value` to the parameter `param`; later `nn.param_load`s in the
    same function still see the value the step started with (stores are the
    last ops of `@train_step`). nnc-materialize-params turns them into writes
    of the caller's parameter or optimizer-state buffer.
  }];
  let arguments = (ins NN_F32Tensor:$value, FlatSymbolRefAttr:$param);
  let assemblyFormat = "$value `,` $param attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Shape and reduction
//===----------------------------------------------------------------------===//

def NN_TransposeOp : NN_PureOp<"transpose"> {
  let summary = "permutes the dims: result dim i is input dim permutation[i]";
  let arguments = (ins NN_F32Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_ReduceSumOp : NN_PureOp<"reduce_sum"> {
  let summary = "sum over `axes` (sorted, unique); the result drops them";
  let arguments = (ins NN_F32Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_BroadcastOp : NN_PureOp<"broadcast"> {
  let summary = "repeats the input along the result dims not in `dims`";
  let description = [{ Input dim i becomes result dim `dims[i]` (sorted);
    the other result dims are new. The gradient is a `reduce_sum`. }];
  let arguments = (ins NN_F32Tensor:$input, DenseI64ArrayAttr:$dims);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_SliceOp : NN_PureOp<"slice"> {
  let summary = "the elements [start, start + size) along `axis`";
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis, I64Attr:$start);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_ScaleOp : NN_PureOp<"scale"> {
  let summary = "every element times a scalar tensor";
  let arguments = (ins NN_F32Tensor:$input, NN_Scalar:$factor);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $factor attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Training-mode primitives
//===----------------------------------------------------------------------===//

def NN_BatchStatsOp : NN_PureOp<"batch_stats"> {
  let summary = "mean and biased variance of [N,C,...] per channel (dim 1)";
  let arguments = (ins NN_F32Tensor:$input);
  let results = (outs NN_F32Tensor:$mean, NN_F32Tensor:$variance);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_DropoutMaskOp : NN_PureOp<"dropout_mask"> {
  let summary = "x * mask / (1 - rate), the mask drawn from (seed, step, index)";
  let description = [{
    `step` is the optimizer's counters tensor<3xf32>; its element 0 is the
    step number t (an exact integer). Element i (the row-major linear index)
    is kept, as x[i] / (1 - rate) (an f32 division), when
    hash(seed, t, i) >= rate * 2^32, and is 0 otherwise, where, in uint64
    arithmetic wrapping mod 2^64:

        z = seed * 0x9E3779B97F4A7C15 + (uint64(t) << 32) + i
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB
        z = z ^ (z >> 31)
        hash = z >> 32

    (SplitMix64's finalizer, high 32 bits). The same step and seed give the
    same mask in the forward and the backward and on every platform.
  }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$step, F64Attr:$rate,
                       I64Attr:$seed);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $step attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Gradient kernels
//===----------------------------------------------------------------------===//

def NN_ConvWeightGradOp : NN_PureOp<"conv_weight_grad"> {
  let summary = "gradient of a convolution's weight";
  let description = [{ For `nn.conv` with the same attributes:
    dW[f, c, k..] = sum over n and output positions o of
    grad_output[n, f, o..] * input[n, g*C/groups + c, o*stride - pad + k*dilation..]. }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$grad_output,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $grad_output attr-dict `:` functional-type(operands, results)";
}

def NN_MaxPoolGradOp : NN_PureOp<"max_pool_grad"> {
  let summary = "routes each output gradient to the first maximum of its window";
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$grad_output,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilations);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $grad_output attr-dict `:` functional-type(operands, results)";
}

def NN_AvgPoolGradOp : NN_PureOp<"avg_pool_grad"> {
  let summary = "spreads each output gradient evenly over its window";
  let arguments = (ins NN_F32Tensor:$grad_output, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       BoolAttr:$count_include_pad);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$grad_output attr-dict `:` functional-type(operands, results)";
}

def NN_ActivationGradOp : NN_PureOp<"activation_grad", [AllTypesMatch<["value", "grad_output", "result"]>]> {
  let summary = "dy * f'(x) of an elementwise activation";
  let description = [{ `kind` is relu, leaky_relu or elu (`value` is the
    forward input) or sigmoid or tanh (`value` is the forward result). relu
    and leaky_relu read only the sign of `value`: with alpha >= 0 the
    forward result, which has the input's sign, serves as well. }];
  let arguments = (ins NN_F32Tensor:$value, NN_F32Tensor:$grad_output, StrAttr:$kind,
                       F64Attr:$alpha);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$value `,` $grad_output attr-dict `:` type($result)";
}

def NN_SoftmaxGradOp : NN_PureOp<"softmax_grad", [AllTypesMatch<["result_value", "grad_output", "result"]>]> {
  let summary = "input gradient of softmax (or log_softmax) from its result";
  let arguments = (ins NN_F32Tensor:$result_value, NN_F32Tensor:$grad_output,
                       I64Attr:$axis, BoolAttr:$log);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$result_value `,` $grad_output attr-dict `:` type($result)";
}

def NN_MaxoutGradOp : NN_PureOp<"maxout_grad"> {
  let summary = "routes each output gradient to the first maximum of its channels";
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$grad_output, I64Attr:$pieces);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $grad_output attr-dict `:` functional-type(operands, results)";
}

def NN_BatchNormGradOp : NN_PureOp<"batch_norm_grad"> {
  let summary = "gradients of batch_norm with respect to all five operands";
  let description = [{ For y = (x - mean) / sqrt(var + eps) * scale + shift
    (per channel, dim 1): results are dx, dscale, dshift, dmean, dvar. }];
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$scale, NN_F32Tensor:$mean,
                       NN_F32Tensor:$variance, NN_F32Tensor:$grad_output,
                       F64Attr:$epsilon);
  let results = (outs NN_F32Tensor:$grad_input, NN_F32Tensor:$grad_scale,
                      NN_F32Tensor:$grad_shift, NN_F32Tensor:$grad_mean,
                      NN_F32Tensor:$grad_variance);
  let assemblyFormat = "$input `,` $scale `,` $mean `,` $variance `,` $grad_output attr-dict `:` functional-type(operands, results)";
}

def NN_BatchStatsGradOp : NN_PureOp<"batch_stats_grad"> {
  let summary = "input gradient of batch_stats: dmean/M + dvar * 2 (x - mean) / M";
  let arguments = (ins NN_F32Tensor:$input, NN_F32Tensor:$mean, NN_F32Tensor:$grad_mean,
                       NN_F32Tensor:$grad_variance);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input `,` $mean `,` $grad_mean `,` $grad_variance attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Loss gradients (scaled by the loss's own upstream gradient)
//===----------------------------------------------------------------------===//

def NN_MseLossGradOp : NN_PureOp<"mse_loss_grad"> {
  let summary = "2 (prediction - target) / numel * grad_loss";
  let arguments = (ins NN_F32Tensor:$prediction, NN_F32Tensor:$target,
                       NN_Scalar:$grad_loss);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$prediction `,` $target `,` $grad_loss attr-dict `:` functional-type(operands, results)";
}

def NN_SoftmaxCrossEntropyGradOp : NN_PureOp<"softmax_cross_entropy_grad"> {
  let summary = "(softmax(logits) - onehot(labels)) / N * grad_loss";
  let arguments = (ins NN_F32Tensor:$logits, NN_I32Tensor:$labels, NN_Scalar:$grad_loss);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$logits `,` $labels `,` $grad_loss attr-dict `:` functional-type(operands, results)";
}

def NN_HingeLossGradOp : NN_PureOp<"hinge_loss_grad"> {
  let summary = "gradient of hinge_loss with respect to the scores";
  let arguments = (ins NN_F32Tensor:$scores, NN_I32Tensor:$labels, NN_Scalar:$grad_loss,
                       F64Attr:$margin);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$scores `,` $labels `,` $grad_loss attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

def NN_OptimizerUpdateOp : NN_PureOp<"optimizer_update"> {
  let summary = "one optimizer step of one parameter";
  let description = [{
    `kind` is sgd, rmsprop or adam, with PyTorch's update rules (torch.optim,
    non-foreach). `hyperparams` is the runtime nnc_hparams vector
    [lr, momentum, dampening, alpha, beta1, beta2, eps, weight_decay];
    `counters` is [steps taken, beta1^steps, beta2^steps] before this step.
    `state` holds the optimizer's per-parameter buffers (momentum buffer;
    square average [, momentum buffer]; first and second moments); the
    results are the new parameter and the new state, in that order.
  }];
  let arguments = (ins NN_F32Tensor:$param, NN_F32Tensor:$grad,
                       NN_F32Tensor:$hyperparams, NN_F32Tensor:$counters,
                       Variadic<NN_F32Tensor>:$state, StrAttr:$kind,
                       BoolAttr:$nesterov, BoolAttr:$decoupled_weight_decay,
                       BoolAttr:$has_momentum);
  let results = (outs Variadic<NN_F32Tensor>:$results);
  let assemblyFormat = "$param `,` $grad `,` $hyperparams `,` $counters (`state` $state^)? attr-dict `:` functional-type(operands, results)";
}

def NN_AdvanceCountersOp : NN_PureOp<"advance_counters"> {
  let summary = "[t, b1^t, b2^t] -> [t + 1, b1^(t+1), b2^(t+1)]";
  let arguments = (ins NN_F32Tensor:$counters, NN_F32Tensor:$hyperparams);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$counters `,` $hyperparams attr-dict `:` functional-type(operands, results)";
}

#endif // NNC_IR_NNTRAININGOPS_TD
