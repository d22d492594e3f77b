//===- ConvWeightGradForm.h - linalg form of nn.conv_weight_grad -*- C++ -*-===//
//
// Shared by the lowering that emits it (LowerNNToLinalgGradient.cpp) and
// nnc-conv-weight-grad-microkernel, which recognizes it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_CONVWEIGHTGRADFORM_H
#define NNC_PASSES_CONVWEIGHTGRADFORM_H

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace nnc {

/// The discardable attribute on the linalg.generic of a 2-D weight gradient:
/// [stride h, stride w, dilation h, dilation w].
inline constexpr llvm::StringLiteral kConvWeightGradAttr = "nnc.conv_weight_grad";

/// Indexing maps {padded input, output gradient, weight gradient} of that
/// generic over the loops (f, c, kh, kw, n, oh, ow), the last three reduced:
/// dW[f, c, kh, kw] += dy[n, f, oh, ow] *
///                     xpad[n, (f / filtersPerGroup) * channelsPerGroup + c,
///                          oh * sh + kh * dh, ow * sw + kw * dw].
llvm::SmallVector<mlir::AffineMap, 3>
convWeightGradMaps(mlir::MLIRContext *context, int64_t filtersPerGroup,
                   int64_t channelsPerGroup, llvm::ArrayRef<int64_t> strides,
                   llvm::ArrayRef<int64_t> dilations);

} // namespace nnc

#endif // NNC_PASSES_CONVWEIGHTGRADFORM_H
