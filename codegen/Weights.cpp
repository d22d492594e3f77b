//===- Weights.cpp - parameters embedded from a safetensors file ----------===//
//
// Builds the nnc_model_info of the model being compiled and hands the file to
// libnncrt's validating loader.
//
//===----------------------------------------------------------------------===//

#include "codegen/Weights.h"

#include "nnc_runtime.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>
#include <cstring>

bool nnc::codegen::loadWeights(llvm::StringRef path, ModelABI &model, std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    error = (path + ": " + file.getError().message()).str();
    return false;
  }
  std::vector<nnc_param_info> params(model.params.size());
  for (auto [info, param] : llvm::zip(params, model.params)) {
    std::memset(&info, 0, sizeof(info));
    info.name = param.name.c_str();
    info.offset = param.offset;
    info.numel = param.numElements();
    info.rank = param.shape.size();
    info.trainable = param.trainable;
    for (auto [i, dim] : llvm::enumerate(param.shape))
      info.shape[i] = dim;
  }
  nnc_model_info info{};
  info.abi_version = NNC_ABI_VERSION;
  info.name = model.name.c_str();
  info.param_bytes = model.paramBytes;
  info.param_count = params.size();
  info.params = params.data();
  // The loader requires an aligned parameter buffer, as applications pass.
  size_t bytes = std::max<int64_t>(model.paramBytes, NNC_ALIGNMENT);
  void *buffer = std::aligned_alloc(NNC_ALIGNMENT, bytes);
  if (!buffer) {
    error = "out of memory";
    return false;
  }
  std::memset(buffer, 0, bytes);
  char message[512] = {0};
  int status = nnc_load_safetensors_buffer(&info, (*file)->getBufferStart(),
                                           (*file)->getBufferSize(), buffer, message,
                                           sizeof(message));
  if (status == NNC_OK)
    model.embeddedParams.emplace(static_cast<char *>(buffer),
                                 static_cast<char *>(buffer) + model.paramBytes);
  else
    error = (path + ": " + message).str();
  std::free(buffer);
  return status == NNC_OK;
}
