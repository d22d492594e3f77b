// RUN: nnc-opt %s --nnc-conv-microkernel --canonicalize --split-input-file | FileCheck %s
// RUN: nnc-opt %s --nnc-conv-microkernel="vector-bits=256 vector-registers=16" --split-input-file | FileCheck %s --check-prefix=AVX2

// A conv with zero init, a batch-norm-like stage with a residual, and a relu
// becomes one register-blocked nest: the 8x8 map packs two rows per 16-lane
// vector, all four vectors of four channels are carried through the (c, kh)
// loops, the per-channel rsqrt stays scalar, and the stages, the fill and
// the intermediate buffers are gone.
// CHECK-LABEL: func.func @fused
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.
// CHECK: scf.for %[[F:.+]] = %{{.+}} to %{{.+}} step %c4
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[ROW0:.+]] = vector.load %arg0{{.*}} : memref<1x3x10x10xf32>, vector<8xf32>
// CHECK: %[[ROW1:.+]] = vector.load %arg0{{.*}} : memref<1x3x10x10xf32>, vector<8xf32>
// CHECK: vector.shuffle %[[ROW0]], %[[ROW1]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: math.rsqrt %{{.+}} : f32
// CHECK: arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: vector.store %{{.+}}, %arg5[%c0, %[[F]], %c0, %c0] : memref<1x8x8x8xf32>, vector<8xf32>
// CHECK-NOT: linalg.
// AVX2-LABEL: func.func @fused
// AVX2: vector.fma {{.*}} : vector<8xf32>
// AVX2-NOT: vector<16xf32>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @fused(%in: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %mean: memref<8xf32>, %var: memref<8xf32>, %res: memref<1x8x8x8xf32>, %out: memref<1x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %t = memref.alloc() : memref<1x8x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<1x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%t : memref<1x8x8x8xf32>)
  %u = memref.alloc() : memref<1x8x8x8xf32>
  linalg.generic {indexing_maps = [#id, #ch, #ch, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %mean, %var, %res : memref<1x8x8x8xf32>, memref<8xf32>, memref<8xf32>, memref<1x8x8x8xf32>) outs(%u : memref<1x8x8x8xf32>) {
  ^bb0(%x: f32, %m: f32, %v: f32, %r: f32, %o: f32):
    %a = arith.addf %v, %eps : f32
    %s = math.rsqrt %a : f32
    %c = arith.subf %x, %m : f32
    %n = arith.mulf %c, %s : f32
    %y = arith.addf %n, %r : f32
    linalg.yield %y : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%u : memref<1x8x8x8xf32>) outs(%out : memref<1x8x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  }
  memref.dealloc %t : memref<1x8x8x8xf32>
  memref.dealloc %u : memref<1x8x8x8xf32>
  return
}

// -----

// A bias broadcast initializes the accumulators from the bias vector. The
// conv result is read twice, so the relu is not fused and the result is
// stored to its buffer. Stride 2 reads 15 input columns and keeps every
// other one.
// CHECK-LABEL: func.func @shared_result
// CHECK: memref.load %arg2[%{{.+}}] : memref<4xf32>
// CHECK: vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK: %[[WIDE:.+]] = vector.load %arg0{{.*}} : memref<1x2x17x17xf32>, vector<15xf32>
// CHECK: vector.shuffle %[[WIDE]], %[[WIDE]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK: vector.store %{{.+}}, %[[T:.+]][%c0, %{{.+}}, %{{.+}}, %c0] : memref<1x4x8x8xf32>, vector<8xf32>
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: linalg.generic
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @shared_result(%in: memref<1x2x17x17xf32>, %w: memref<4x2x3x3xf32>, %bias: memref<4xf32>, %out: memref<1x4x8x8xf32>, %out2: memref<1x4x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<1x4x8x8xf32>
  linalg.generic {indexing_maps = [#ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<4xf32>) outs(%t : memref<1x4x8x8xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%in, %w : memref<1x2x17x17xf32>, memref<4x2x3x3xf32>) outs(%t : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : memref<1x4x8x8xf32>) outs(%out : memref<1x4x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : memref<1x4x8x8xf32>) outs(%out2 : memref<1x4x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.negf %x : f32
    linalg.yield %y : f32
  }
  return
}

// -----

// The stage would write the conv's own input while other tiles still read
// it: not fused.
// CHECK-LABEL: func.func @result_aliases_input
// CHECK: vector.fma
// CHECK: linalg.generic
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @result_aliases_input(%in: memref<1x4x8x8xf32>, %w: memref<4x4x1x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<1x4x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<1x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x4x8x8xf32>, memref<4x4x1x1xf32>) outs(%t : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : memref<1x4x8x8xf32>) outs(%in : memref<1x4x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  }
  return
}

// -----

// Rows that are not contiguous (every other column of a wider buffer) keep
// the loop form, with the output width innermost.
// CHECK-LABEL: func.func @strided_rows
// CHECK-NOT: vector.fma
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]
func.func @strided_rows(%wide: memref<1x1x6x12xf32>, %w: memref<2x1x3x3xf32>, %out: memref<1x2x4x4xf32>) {
  %in = memref.subview %wide[0, 0, 0, 0] [1, 1, 6, 6] [1, 1, 1, 2] : memref<1x1x6x12xf32> to memref<1x1x6x6xf32, strided<[72, 72, 12, 2]>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x1x6x6xf32, strided<[72, 72, 12, 2]>>, memref<2x1x3x3xf32>) outs(%out : memref<1x2x4x4xf32>)
  return
}

// -----

// The conv result is itself an output of the function (the caller reads it),
// so the relu that copies it elsewhere is not fused.
// CHECK-LABEL: func.func @result_is_an_output
// CHECK: vector.store %{{.+}}, %arg2
// CHECK: linalg.generic
// CHECK: arith.maximumf
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @result_is_an_output(%in: memref<1x4x8x8xf32>, %w: memref<4x4x1x1xf32>, %conv: memref<1x4x8x8xf32>, %relu: memref<1x4x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%conv : memref<1x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<1x4x8x8xf32>, memref<4x4x1x1xf32>) outs(%conv : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : memref<1x4x8x8xf32>) outs(%relu : memref<1x4x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  }
  return
}

// -----

// Two convolutions accumulating into one buffer (a strided convolution's
// phases): the first starts from the zero fill, the second from the
// buffer, and the relu after the chain is fused into the second.
// CHECK-LABEL: func.func @accumulating_chain
// CHECK-NOT: linalg.
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: %[[T:.+]] = memref.alloc
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[ZERO]],
// CHECK: vector.store %{{.+}}, %[[T]]
// CHECK-NOT: arith.maximumf
// CHECK: vector.load %[[T]]
// CHECK: scf.for
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: vector.store %{{.+}}, %arg4
// CHECK-NOT: linalg.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @accumulating_chain(%a: memref<1x2x8x8xf32>, %wa: memref<4x2x1x1xf32>, %b: memref<1x2x8x8xf32>, %wb: memref<4x2x1x1xf32>, %out: memref<1x4x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<1x4x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<1x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%a, %wa : memref<1x2x8x8xf32>, memref<4x2x1x1xf32>) outs(%t : memref<1x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%b, %wb : memref<1x2x8x8xf32>, memref<4x2x1x1xf32>) outs(%t : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : memref<1x4x8x8xf32>) outs(%out : memref<1x4x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  }
  memref.dealloc %t : memref<1x4x8x8xf32>
  return
}
