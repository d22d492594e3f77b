// RUN: nnc-opt %s --nnc-relax-float-order | FileCheck %s

// Float arithmetic may be reassociated and contracted; integer ops have no
// such flags and stay as they are.
// CHECK-LABEL: func.func @mixed
// CHECK: arith.mulf %{{.+}}, %{{.+}} fastmath<reassoc,contract> : f32
// CHECK: arith.addf %{{.+}}, %{{.+}} fastmath<reassoc,contract> : f32
// CHECK: arith.addi %{{.+}}, %{{.+}} : i32
func.func @mixed(%a: f32, %b: f32, %i: i32) -> (f32, i32) {
  %m = arith.mulf %a, %b : f32
  %s = arith.addf %m, %a : f32
  %j = arith.addi %i, %i : i32
  return %s, %j : f32, i32
}
