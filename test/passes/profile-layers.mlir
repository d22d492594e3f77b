// RUN: nnc-opt %s --nnc-profile-layers | FileCheck %s

// Two layers in @infer: the clock is read at the start and after each
// layer's last op, and each layer adds its time and one call to its slot.
// Ops without side effects (the constant, the view) and ops that name no
// layer (the copy) join the run they sit in; the backward tag makes a
// separate layer. Private functions (outlined tasks) are not timed.
// CHECK: module attributes {nnc.profile_layers = ["infer/conv1+relu@3:9", "infer/fc1", "infer/fc1 (backward)"]}
// CHECK: memref.global "private" @nnc_profile_ns : memref<3xi64> = dense<0>
// CHECK: memref.global "private" @nnc_profile_calls : memref<3xi64> = dense<0>
// CHECK: func.func private @nnc_profile_clock() -> i64
// CHECK-LABEL: func.func @infer
// CHECK-NEXT: %[[T0:.+]] = call @nnc_profile_clock() : () -> i64
// CHECK: linalg.fill
// CHECK: linalg.copy
// CHECK-NEXT: %[[T1:.+]] = call @nnc_profile_clock() : () -> i64
// CHECK: %[[DT:.+]] = arith.subi %[[T1]], %[[T0]] : i64
// CHECK: %[[NS:.+]] = memref.get_global @nnc_profile_ns : memref<3xi64>
// CHECK: %[[OLD:.+]] = memref.load %[[NS]][%[[SLOT0:.+]]]
// CHECK: %[[NEW:.+]] = arith.addi %[[OLD]], %[[DT]] : i64
// CHECK: memref.store %[[NEW]], %[[NS]][%[[SLOT0]]]
// CHECK: memref.get_global @nnc_profile_calls
// CHECK: linalg.fill
// CHECK-NEXT: %[[T2:.+]] = call @nnc_profile_clock()
// CHECK: arith.subi %[[T2]], %[[T1]]
// CHECK: linalg.fill
// CHECK-NEXT: %[[T3:.+]] = call @nnc_profile_clock()
// CHECK: return
// CHECK-LABEL: func.func private @task
// CHECK-NOT: nnc_profile_clock
module {
  func.func @infer(%a: memref<4xf32>, %b: memref<4xf32>) {
    %zero = arith.constant 0.0 : f32 loc(#fc1)
    linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>) loc(#conv1_relu)
    %view = memref.subview %a[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>> loc(#fc1)
    linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) loc(unknown)
    linalg.fill ins(%zero : f32) outs(%b : memref<4xf32>) loc(#fc1)
    linalg.fill ins(%zero : f32) outs(%b : memref<4xf32>) loc(#fc1_backward)
    return
  }
  func.func private @task(%a: memref<4xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>) loc(#fc1)
    return
  }
}
#src = loc("m.nn":3:5)
#conv1 = loc("conv1"(#src))
#relu = loc("relu@3:9"(#src))
#conv1_relu = loc(fused[#conv1, #relu])
#fc1 = loc("fc1"(#src))
#fc1_backward = loc(fused<"backward">[#fc1])
