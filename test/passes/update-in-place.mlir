// RUN: nnc-opt %s --nnc-update-in-place --split-input-file | FileCheck %s

// An SGD update computed over its gradient's buffer, then copied into the
// parameter's slice: the update writes the slice (reading each old element
// before writing it) and the copy is gone.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @train_step
// CHECK: memref.expand_shape
// CHECK: %[[SLICE:.+]] = memref.subview %arg0[16] [16] [1]
// CHECK-NEXT: %[[VIEW:.+]] = memref.expand_shape %[[SLICE]] {{\[\[}}0, 1]] output_shape [4, 4]
// CHECK-NEXT: linalg.generic {{.+}} ins(%{{.+}}, %[[G:.+]] : memref<4x4xf32, strided<[4, 1], offset: 16>>, memref<4x4xf32>) outs(%[[VIEW]] : memref<4x4xf32, strided<[4, 1], offset: 16>>)
// CHECK-NOT: linalg.copy ins(%{{.+}}) outs(%{{.+}} : memref<16xf32, strided<[1], offset: 16>>)
// CHECK: return
func.func @train_step(%params: memref<64xf32>, %grad: memref<4x4xf32>) {
  %g = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%grad : memref<4x4xf32>) outs(%g : memref<4x4xf32>)
  %old_flat = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  %old = memref.expand_shape %old_flat [[0, 1]] output_shape [4, 4] : memref<16xf32, strided<[1], offset: 16>> into memref<4x4xf32, strided<[4, 1], offset: 16>>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%old, %g : memref<4x4xf32, strided<[4, 1], offset: 16>>, memref<4x4xf32>) outs(%g : memref<4x4xf32>) {
  ^bb0(%p: f32, %d: f32, %out: f32):
    %lr = arith.constant 0.1 : f32
    %step = arith.mulf %d, %lr : f32
    %new = arith.subf %p, %step : f32
    linalg.yield %new : f32
  }
  %dst = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  %flat = memref.collapse_shape %g [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  linalg.copy ins(%flat : memref<16xf32>) outs(%dst : memref<16xf32, strided<[1], offset: 16>>)
  return
}

// -----

// Left alone: between the update and the copy, another op reads the
// parameter's old values (the slice must keep them until the copy).
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @read_in_between
// CHECK: linalg.generic {{.+}} outs(%[[NEW:.+]] : memref<16xf32>)
// CHECK: linalg.copy ins(%{{.+}} : memref<16xf32, strided<[1], offset: 16>>) outs(%arg1
// CHECK: linalg.copy ins(%[[NEW]] : memref<16xf32>) outs(%{{.+}} : memref<16xf32, strided<[1], offset: 16>>)
func.func @read_in_between(%params: memref<64xf32>, %out: memref<16xf32>) {
  %new = memref.alloc() : memref<16xf32>
  %old = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%old : memref<16xf32, strided<[1], offset: 16>>) outs(%new : memref<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %n = arith.mulf %p, %two : f32
    linalg.yield %n : f32
  }
  linalg.copy ins(%old : memref<16xf32, strided<[1], offset: 16>>) outs(%out : memref<16xf32>)
  %dst = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  linalg.copy ins(%new : memref<16xf32>) outs(%dst : memref<16xf32, strided<[1], offset: 16>>)
  return
}

// -----

// Left alone: the update reads the parameter transposed, so writing in
// place would overwrite elements it has yet to read.
#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @transposed_read
// CHECK: linalg.copy ins(%{{.+}} : memref<16xf32>) outs(%{{.+}} : memref<16xf32, strided<[1], offset: 16>>)
func.func @transposed_read(%params: memref<64xf32>) {
  %new = memref.alloc() : memref<4x4xf32>
  %old_flat = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  %old = memref.expand_shape %old_flat [[0, 1]] output_shape [4, 4] : memref<16xf32, strided<[1], offset: 16>> into memref<4x4xf32, strided<[4, 1], offset: 16>>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%old : memref<4x4xf32, strided<[4, 1], offset: 16>>) outs(%new : memref<4x4xf32>) {
  ^bb0(%p: f32, %o: f32):
    linalg.yield %p : f32
  }
  %dst = memref.subview %params[16] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: 16>>
  %flat = memref.collapse_shape %new [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  linalg.copy ins(%flat : memref<16xf32>) outs(%dst : memref<16xf32, strided<[1], offset: 16>>)
  return
}
