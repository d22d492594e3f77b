//===- MaxPoolGradForm.h - linalg form of nn.max_pool_grad ------*- C++ -*-===//
//
// Shared by the lowering that emits the two generics of a max-pool gradient
// (LowerNNToLinalgGradient.cpp) and nnc-pool-microkernel, which recognizes
// them.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_MAXPOOLGRADFORM_H
#define NNC_PASSES_MAXPOOLGRADFORM_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace nnc {

/// On the generic that reduces each window of an unpadded input
/// [N, C, H, W] to its maximum and the flat index h*W + w of its first
/// maximum: [stride h, stride w, dilation h, dilation w]. Emitted only when
/// the windows need no padding, so every tap of a window is a real element. The first tap of a window wins, then a greater element or a NaN
/// (PyTorch's rule).
inline constexpr llvm::StringLiteral kMaxPoolArgmaxAttr = "nnc.max_pool_argmax";

/// Indexing maps {input, window, maximum, flat index} of that generic over the
/// loops (n, c, oh, kh, kw, ow): the output width innermost, so that without
/// the kernel LLVM vectorizes along it; each window is still searched in
/// row-major order.
llvm::SmallVector<mlir::AffineMap, 4> maxPoolArgmaxMaps(mlir::MLIRContext *context,
                                                        llvm::ArrayRef<int64_t> strides,
                                                        llvm::ArrayRef<int64_t> dilations);

/// The iterator types of those loops: kh and kw are reduced.
llvm::SmallVector<mlir::utils::IteratorType> maxPoolArgmaxIterators();

/// On the generic that routes the output gradient of a pooling whose windows
/// tile its input exactly (kernel = stride, no dilation or padding, input =
/// output * stride) back to each window's maximum:
///   dx[n, c, h, w] = argmax[n, c, h / sh, w / sw] == h*W + w
///                        ? dy[n, c, h / sh, w / sw] : 0.
/// Value: [stride h, stride w].
inline constexpr llvm::StringLiteral kMaxPoolScatterAttr = "nnc.max_pool_scatter";

/// Indexing maps {argmax, output gradient, input gradient} of that generic
/// over the loops (n, c, h, w), all parallel.
llvm::SmallVector<mlir::AffineMap, 3> maxPoolScatterMaps(mlir::MLIRContext *context,
                                                         llvm::ArrayRef<int64_t> strides);

} // namespace nnc

#endif // NNC_PASSES_MAXPOOLGRADFORM_H
