// RUN: nnc-opt %s --nnc-expand-math | FileCheck %s

// exp, log and tanh become polynomial arithmetic (no libm call); sqrt has a
// hardware instruction and stays.
// CHECK-LABEL: func.func @math
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
// CHECK: math.sqrt
func.func @math(%x: f32) -> (f32, f32, f32, f32) {
  %e = math.exp %x : f32
  %l = math.log %x : f32
  %t = math.tanh %x : f32
  %s = math.sqrt %x : f32
  return %e, %l, %t, %s : f32, f32, f32, f32
}
