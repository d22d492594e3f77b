// RUN: nnc-opt %s --nnc-lower-nn-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Shape ops become linalg's named ops or tensor ops.
// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK-LABEL: func.func @broadcast
// CHECK: linalg.broadcast ins(%{{.+}} : tensor<3xf32>) outs(%{{.+}} : tensor<2x3x4xf32>) dimensions = [0, 2]
// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.+}}[0, 2] [2, 3] [1, 1] : tensor<2x6xf32> to tensor<2x3xf32>
// CHECK-NOT: nn.
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %y = nn.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %y : tensor<4x2x3xf32>
}
func.func @broadcast(%x: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %y = nn.broadcast %x {dims = array<i64: 1>} : (tensor<3xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}
func.func @slice(%x: tensor<2x6xf32>) -> tensor<2x3xf32> {
  %y = nn.slice %x {axis = 1 : i64, start = 2 : i64} : (tensor<2x6xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// reduce_sum reduces the listed axes, the kept one outermost (the innermost
// is reduced); scale reads its factor once.
// CHECK-DAG: #[[LOOPS:.+]] = affine_map<(d0, d1, d2) -> (d1, d0, d2)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func.func @reduce_sum
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[LOOPS]], #[[KEPT]]], iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK-LABEL: func.func @scale
// CHECK: %[[F:.+]] = tensor.extract %{{.+}}[] : tensor<f32>
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.+}}, %[[F]]
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %y = nn.reduce_sum %x {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
func.func @scale(%x: tensor<2x3xf32>, %f: tensor<f32>) -> tensor<2x3xf32> {
  %y = nn.scale %x, %f : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// batch_stats: the mean, then the mean of the squared deviations from it.
// CHECK-LABEL: func.func @batch_stats
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction", "reduction", "reduction"]
// CHECK: %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]]
// CHECK: arith.divf
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction", "reduction", "reduction"]} ins(%{{.+}}, %[[MEAN]] :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: return %[[MEAN]], %{{.+}} : tensor<3xf32>, tensor<3xf32>
func.func @batch_stats(%x: tensor<2x3x4x4xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %m, %v = nn.batch_stats %x : (tensor<2x3x4x4xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %m, %v : tensor<3xf32>, tensor<3xf32>
}

// -----

// dropout_mask: the step's bits shifted into the high word, plus the seed's
// mix, plus the linear index, through the SplitMix64 finalizer; rate 0.25
// keeps hashes >= 2^30.
// CHECK-LABEL: func.func @dropout_mask
// CHECK: %[[T:.+]] = arith.fptoui %{{.+}} : f32 to i64
// CHECK: %[[HIGH:.+]] = arith.shli %[[T]], %c32_i64
// CHECK: %[[BASE:.+]] = arith.addi %[[HIGH]], %c-785323504874005646_i64
// CHECK: linalg.generic
// CHECK: linalg.index 1
// CHECK: linalg.index 0
// CHECK: %[[Z:.+]] = arith.addi %[[BASE]], %{{.+}} : i64
// CHECK: arith.shrui %[[Z]], %c30_i64
// CHECK: arith.muli %{{.+}}, %c-4658895280553007687_i64
// CHECK: arith.shrui %{{.+}}, %c27_i64
// CHECK: arith.muli %{{.+}}, %c-7723592293110705685_i64
// CHECK: arith.shrui %{{.+}}, %c31_i64
// CHECK: %[[HASH:.+]] = arith.shrui %{{.+}}, %c32_i64
// CHECK: %[[KEEP:.+]] = arith.cmpi uge, %[[HASH]], %c1073741824_i64
// CHECK: %[[SCALED:.+]] = arith.divf
// CHECK: arith.select %[[KEEP]], %[[SCALED]]
func.func @dropout_mask(%x: tensor<2x3xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = nn.dropout_mask %x, %c {rate = 0.25 : f64, seed = 42 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// conv_weight_grad: the zero-padded input read at (n, g*Cg + c, oh*s + kh*d,
// ow*s + kw*d), reduced over (n, oh, ow); tagged with [strides, dilations]
// for nnc-conv-weight-grad-microkernel.
// CHECK: #[[INPUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 3) * 2 + d1, d5 * 2 + d2, d6 * 2 + d3 * 2)>
// CHECK: #[[GRAD:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
// CHECK-LABEL: func.func @conv_weight_grad
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 0] high[0, 0, 0, 1]
// CHECK: linalg.generic {indexing_maps = [#[[INPUT]], #[[GRAD]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %{{.+}} : tensor<2x4x8x8xf32>, tensor<2x6x3x3xf32>) outs(%{{.+}} : tensor<6x2x3x2xf32>)
// CHECK-SAME: nnc.conv_weight_grad = array<i64: 2, 2, 1, 2>
func.func @conv_weight_grad(%x: tensor<2x4x7x7xf32>, %dy: tensor<2x6x3x3xf32>) -> tensor<6x2x3x2xf32> {
  %w = nn.conv_weight_grad %x, %dy {strides = array<i64: 2, 2>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, groups = 2 : i64} : (tensor<2x4x7x7xf32>, tensor<2x6x3x3xf32>) -> tensor<6x2x3x2xf32>
  return %w : tensor<6x2x3x2xf32>
}

// -----

// A 1-D conv_weight_grad runs as 2-D with height 1.
// CHECK-LABEL: func.func @conv_weight_grad_1d
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] output_shape [2, 3, 1, 8]
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<4x3x1x3xf32>)
// CHECK: return %{{.+}} : tensor<4x3x3xf32>
func.func @conv_weight_grad_1d(%x: tensor<2x3x8xf32>, %dy: tensor<2x4x6xf32>) -> tensor<4x3x3xf32> {
  %w = nn.conv_weight_grad %x, %dy {strides = array<i64: 1>, padding = array<i64: 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} : (tensor<2x3x8xf32>, tensor<2x4x6xf32>) -> tensor<4x3x3xf32>
  return %w : tensor<4x3x3xf32>
}

// -----

// max_pool_grad: each window reduced to the flat index of its first maximum
// (an i32 result next to the running max), then every input position
// gathers the output gradients of the windows that picked it. Both loop
// nests run along the width innermost (each window still searched in order).
// CHECK-LABEL: func.func @max_pool_grad
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF:.+]] : f32
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[PICK:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[PAD]], %[[WINDOW]] : tensor<1x2x7x7xf32>, tensor<3x3xf32>)
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi32>)
// CHECK: %[[GRAD:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%{{.+}} : tensor<3x3xf32>) outs(%{{.+}} : tensor<1x2x5x5xf32>)
// CHECK: arith.divsi
// CHECK: arith.remsi
// CHECK: %[[ARGMAX:.+]] = tensor.extract %[[PICK]]#1[
// CHECK: %[[DY:.+]] = tensor.extract %{{.+}}[
// CHECK: %[[HIT:.+]] = arith.cmpi eq, %[[ARGMAX]]
// CHECK: arith.select %[[HIT]], %[[DY]]
// CHECK: arith.addf
// CHECK: return %[[GRAD]]
func.func @max_pool_grad(%x: tensor<1x2x5x5xf32>, %dy: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %g = nn.max_pool_grad %x, %dy {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x5x5xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %g : tensor<1x2x5x5xf32>
}

// -----

// Disjoint windows (2x2, stride 2) over 7x7: an input position lies in at
// most one window, (i + pad) / 2, so the gather searches a 1x1 window; it is
// in the window when the offset is a tap below the kernel and the window
// exists (row and column 6 are in none). Without padding, the argmax is
// tagged for nnc-pool-microkernel.
// CHECK-LABEL: func.func @max_pool_grad_disjoint
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x2x7x7xf32>, tensor<2x2xf32>)
// CHECK-SAME: nnc.max_pool_argmax = array<i64: 2, 2, 1, 1>
// CHECK: %[[ONE:.+]] = tensor.empty() : tensor<1x1xf32>
// CHECK: linalg.generic {{.+}} ins(%[[ONE]] : tensor<1x1xf32>) outs(%{{.+}} : tensor<1x2x7x7xf32>)
// CHECK: arith.divsi %{{.+}}, %c2
// CHECK: arith.remsi %{{.+}}, %c2
// CHECK: arith.cmpi slt, %{{.+}}, %c3
func.func @max_pool_grad_disjoint(%x: tensor<1x2x7x7xf32>, %dy: tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %g = nn.max_pool_grad %x, %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %g : tensor<1x2x7x7xf32>
}

// -----

// Windows that tile the input (2x2, stride 2 over 6x6): each position gets
// its window's gradient when it is the window's argmax, read through
// floordiv maps (MaxPoolGradForm.h); both generics are tagged.
// CHECK-DAG: #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3 floordiv 2)>
// CHECK-LABEL: func.func @max_pool_grad_tiled
// CHECK: %[[PICK:.+]]:2 = linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>)
// CHECK-SAME: nnc.max_pool_argmax = array<i64: 2, 2, 1, 1>
// CHECK: %[[GRAD:.+]] = linalg.generic {indexing_maps = [#[[WINDOW]], #[[WINDOW]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[PICK]]#1, %{{.+}} : tensor<1x2x3x3xi32>, tensor<1x2x3x3xf32>) outs(%{{.+}} : tensor<1x2x6x6xf32>)
// CHECK-SAME: nnc.max_pool_scatter = array<i64: 2, 2>
// CHECK: %[[ROW:.+]] = linalg.index 2
// CHECK: %[[COLUMN:.+]] = linalg.index 3
// CHECK: %[[HIT:.+]] = arith.cmpi eq
// CHECK: arith.select %[[HIT]]
// CHECK: return %[[GRAD]]
func.func @max_pool_grad_tiled(%x: tensor<1x2x6x6xf32>, %dy: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %g = nn.max_pool_grad %x, %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %g : tensor<1x2x6x6xf32>
}

// -----

// avg_pool_grad divides by the forward's divisors (here without padding:
// windows clipped to the input) and gathers.
// CHECK-LABEL: func.func @avg_pool_grad
// CHECK: %[[DIV:.+]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: %[[SHARE:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[DIV]] :
// CHECK: arith.divf
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x2x5x5xf32>)
// CHECK: tensor.extract %[[SHARE]][
func.func @avg_pool_grad(%dy: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %g = nn.avg_pool_grad %dy {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : (tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %g : tensor<1x2x5x5xf32>
}

// -----

// A ceil-mode window (the last one, [4, 6) of an input of 5) counts only up
// to the padded edge, also with count_include_pad; 1-D runs as height 1.
// CHECK-LABEL: func.func @avg_pool_grad_ceil
// CHECK: arith.constant dense<{{\[\[}}2.000000e+00, 2.000000e+00, 1.000000e+00]]> : tensor<1x3xf32>
// CHECK: return %{{.+}} : tensor<1x2x5xf32>
func.func @avg_pool_grad_ceil(%dy: tensor<1x2x3xf32>) -> tensor<1x2x5xf32> {
  %g = nn.avg_pool_grad %dy {kernel = array<i64: 2>, strides = array<i64: 2>, padding = array<i64: 0, 0>, count_include_pad = true} : (tensor<1x2x3xf32>) -> tensor<1x2x5xf32>
  return %g : tensor<1x2x5xf32>
}

// -----

// Activation gradients are elementwise selects and products.
// CHECK-LABEL: func.func @relu_grad
// CHECK: %[[OFF:.+]] = arith.cmpf ole
// CHECK: arith.select %[[OFF]], %{{.+}}, %{{.+}} : f32
// CHECK-LABEL: func.func @elu_grad
// CHECK: arith.cmpf ole
// CHECK: math.exp
// CHECK: arith.select
// CHECK-LABEL: func.func @sigmoid_grad
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.mulf
func.func @relu_grad(%x: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = nn.activation_grad %x, %dy {kind = "relu", alpha = 0.0 : f64} : tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}
func.func @elu_grad(%x: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = nn.activation_grad %x, %dy {kind = "elu", alpha = 1.0 : f64} : tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}
func.func @sigmoid_grad(%y: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = nn.activation_grad %y, %dy {kind = "sigmoid", alpha = 0.0 : f64} : tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

// -----

// softmax_grad sums dy * y along the axis; the log form sums dy alone.
// CHECK-LABEL: func.func @softmax_grad
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %[[SUM]] :
// CHECK-LABEL: func.func @log_softmax_grad
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: arith.subf
func.func @softmax_grad(%y: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = nn.softmax_grad %y, %dy {axis = 1 : i64, log = false} : tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}
func.func @log_softmax_grad(%y: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = nn.softmax_grad %y, %dy {axis = 0 : i64, log = true} : tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

// -----

// maxout_grad: the first maximum of each run of channels, then a select on
// the piece index.
// CHECK-LABEL: func.func @maxout_grad
// CHECK: %[[PICK:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK: -> (tensor<2x2x3xf32>, tensor<2x2x3xi32>)
// CHECK: linalg.generic {{.+}} ins(%[[PICK]]#1, %{{.+}} : tensor<2x2x3xi32>, tensor<2x2x3xf32>) outs(%{{.+}} : tensor<2x2x3x3xf32>)
// CHECK: linalg.index 2
// CHECK: arith.cmpi eq
// CHECK: return %{{.+}} : tensor<2x6x3xf32>
func.func @maxout_grad(%x: tensor<2x6x3xf32>, %dy: tensor<2x2x3xf32>) -> tensor<2x6x3xf32> {
  %g = nn.maxout_grad %x, %dy {pieces = 3 : i64} : (tensor<2x6x3xf32>, tensor<2x2x3xf32>) -> tensor<2x6x3xf32>
  return %g : tensor<2x6x3xf32>
}

// -----

// batch_norm_grad: one pass for sum(dy) and sum(dy * (x - mean)), one
// per-channel generic for the four per-channel results, one for dx.
// CHECK-LABEL: func.func @batch_norm_grad
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: %[[CH:.+]]:4 = linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %[[SUMS]]#0, %[[SUMS]]#1 :
// CHECK: math.rsqrt
// CHECK: %[[DX:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[CH]]#0 :
// CHECK: return %[[DX]], %[[CH]]#1, %[[SUMS]]#0, %[[CH]]#2, %[[CH]]#3
func.func @batch_norm_grad(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>, %dy: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %dx, %ds, %db, %dm, %dv = nn.batch_norm_grad %x, %s, %m, %v, %dy {epsilon = 1.0e-5 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %dx, %ds, %db, %dm, %dv : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @batch_stats_grad
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: arith.addf
func.func @batch_stats_grad(%x: tensor<2x3x4xf32>, %m: tensor<3xf32>, %dm: tensor<3xf32>, %dv: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %g = nn.batch_stats_grad %x, %m, %dm, %dv : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %g : tensor<2x3x4xf32>
}

// -----

// Losses reduce to a 0-d tensor, then divide by their count.
// CHECK-LABEL: func.func @mse_loss
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]} {{.+}} outs(%{{.+}} : tensor<f32>)
// CHECK: linalg.generic {{.+}} ins(%[[SUM]] : tensor<f32>)
// CHECK: arith.divf
// CHECK-LABEL: func.func @mse_loss_grad
// CHECK: %[[DL:.+]] = tensor.extract %{{.+}}[] : tensor<f32>
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.+}}, %[[DL]]
// CHECK-LABEL: func.func @l2_penalty
// CHECK: %[[A:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<f32>)
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<4xf32>) outs(%[[A]] : tensor<f32>)
func.func @mse_loss(%p: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<f32> {
  %l = nn.mse_loss %p, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @mse_loss_grad(%p: tensor<2x3xf32>, %t: tensor<2x3xf32>, %dl: tensor<f32>) -> tensor<2x3xf32> {
  %g = nn.mse_loss_grad %p, %t, %dl : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}
func.func @l2_penalty(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  %l = nn.l2_penalty %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// softmax_cross_entropy subtracts the row max before exponentiating and
// reads each row's logit at its label clamped into [0, K).
// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: math.log
// CHECK: %[[LABEL:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[LOW:.+]] = arith.maxsi %[[LABEL]], %c0
// CHECK: %[[CLAMPED:.+]] = arith.minsi %[[LOW]], %c3
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %[[CLAMPED]]] : tensor<2x4xf32>
// CHECK: outs(%{{.+}} : tensor<f32>)
// CHECK: arith.negf
// CHECK-LABEL: func.func @softmax_cross_entropy_grad
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<2x4xf32>, tensor<2xi32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: math.exp
func.func @softmax_cross_entropy(%x: tensor<2x4xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  %l = nn.softmax_cross_entropy %x, %y : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @softmax_cross_entropy_grad(%x: tensor<2x4xf32>, %y: tensor<2xi32>, %dl: tensor<f32>) -> tensor<2x4xf32> {
  %g = nn.softmax_cross_entropy_grad %x, %y, %dl : (tensor<2x4xf32>, tensor<2xi32>, tensor<f32>) -> tensor<2x4xf32>
  return %g : tensor<2x4xf32>
}

// -----

// hinge_loss sums the positive hinges of the other classes per row.
// CHECK-LABEL: func.func @hinge_loss
// CHECK: %[[PICKED:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<2xi32>)
// CHECK: tensor.extract
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}}, %{{.+}}, %[[PICKED]] :
// CHECK: arith.cmpi ne
// CHECK: arith.cmpf ogt
// CHECK-LABEL: func.func @hinge_loss_grad
// CHECK: %[[COUNTS:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %{{.+}}, %[[COUNTS]] :
func.func @hinge_loss(%x: tensor<2x4xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  %l = nn.hinge_loss %x, %y {margin = 1.0 : f64} : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @hinge_loss_grad(%x: tensor<2x4xf32>, %y: tensor<2xi32>, %dl: tensor<f32>) -> tensor<2x4xf32> {
  %g = nn.hinge_loss_grad %x, %y, %dl {margin = 1.0 : f64} : (tensor<2x4xf32>, tensor<2xi32>, tensor<f32>) -> tensor<2x4xf32>
  return %g : tensor<2x4xf32>
}

// -----

// An optimizer step reads its scalars once and updates the parameter and
// its state in one generic; the beta powers count as 1 at step 0.
// CHECK-LABEL: func.func @adamw
// CHECK: %[[T:.+]] = tensor.extract %{{.+}}[%c0] : tensor<3xf32>
// CHECK: %[[FIRST:.+]] = arith.cmpf oeq, %[[T]]
// CHECK: arith.select %[[FIRST]]
// CHECK: math.sqrt
// CHECK: %[[NEW:.+]]:3 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: math.sqrt
// CHECK: -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: return %[[NEW]]#0, %[[NEW]]#1, %[[NEW]]#2
// CHECK-LABEL: func.func @sgd
// CHECK: %[[NEW:.+]]:2 = linalg.generic
// CHECK: return %[[NEW]]#0, %[[NEW]]#1
func.func @adamw(%p: tensor<2x3xf32>, %g: tensor<2x3xf32>, %h: tensor<8xf32>, %c: tensor<3xf32>, %m: tensor<2x3xf32>, %v: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %p2, %m2, %v2 = nn.optimizer_update %p, %g, %h, %c state %m, %v {kind = "adam", nesterov = false, decoupled_weight_decay = true, has_momentum = false} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<8xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
  return %p2, %m2, %v2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
func.func @sgd(%p: tensor<2x3xf32>, %g: tensor<2x3xf32>, %h: tensor<8xf32>, %c: tensor<3xf32>, %b: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %p2, %b2 = nn.optimizer_update %p, %g, %h, %c state %b {kind = "sgd", nesterov = true, decoupled_weight_decay = false, has_momentum = true} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<8xf32>, tensor<3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  return %p2, %b2 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @advance_counters
// CHECK: %[[T:.+]] = tensor.extract %{{.+}}[%c0] : tensor<3xf32>
// CHECK: %[[NEXT:.+]] = arith.addf %[[T]], %{{.+}} : f32
// CHECK: tensor.from_elements %[[NEXT]], %{{.+}}, %{{.+}} : tensor<3xf32>
func.func @advance_counters(%c: tensor<3xf32>, %h: tensor<8xf32>) -> tensor<3xf32> {
  %c2 = nn.advance_counters %c, %h : (tensor<3xf32>, tensor<8xf32>) -> tensor<3xf32>
  return %c2 : tensor<3xf32>
}

// -----

// 3-D pooling gradients have no lowering yet: an error at the op.
func.func @max_pool_grad_3d(%x: tensor<1x1x4x4x4xf32>, %dy: tensor<1x1x2x2x2xf32>) -> tensor<1x1x4x4x4xf32> {
  // expected-error @+1 {{'nn.max_pool_grad' cannot be compiled to code yet in this context}}
  %g = nn.max_pool_grad %x, %dy {kernel = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, padding = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>} : (tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x4x4x4xf32>
  return %g : tensor<1x1x4x4x4xf32>
}
