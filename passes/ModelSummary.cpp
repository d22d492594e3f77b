//===- ModelSummary.cpp - the Keras-style model table ---------------------===//
//
// Walks `@infer` in program order. Parameters are attributed to the first op
// that reads them; FLOPs come from FlopCountOpInterface; the receptive field
// is propagated through windows (conv, pooling) and scaling (upsampling).
//
//===----------------------------------------------------------------------===//

#include "passes/ModelSummary.h"

#include "ir/NNDialect.h"
#include "ir/ShapeRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace nnc;

namespace {

/// Receptive field of a value in input pixels per spatial dim, and the
/// distance in input pixels between neighbouring elements ("jump"). An
/// empty `size` means the value depends on the whole input.
struct ReceptiveField {
  SmallVector<double> size, jump;
  bool global = false;
};

/// Formats an integer with thousands separators: 61706 -> "61,706".
std::string withCommas(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value), text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      text += ',';
    text += digits[i];
  }
  return value < 0 ? "-" + text : text;
}

std::string formatField(const ReceptiveField &field) {
  if (field.global)
    return "global";
  if (field.size.empty())
    return "-";
  std::string text;
  for (auto [index, size] : llvm::enumerate(field.size))
    text += (index ? "x" : "") + std::to_string(int64_t(std::ceil(size)));
  return text;
}

class SummaryBuilder {
public:
  void visit(Operation *op);
  ReceptiveField fieldOf(Value value) {
    auto it = fields.find(value);
    return it == fields.end() ? ReceptiveField() : it->second;
  }
  void seed(Value input) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getRank() < 3)
      return;
    ReceptiveField field;
    field.size.assign(type.getRank() - 2, 1.0);
    field.jump.assign(type.getRank() - 2, 1.0);
    fields[input] = field;
  }
  ReceptiveField window(const ReceptiveField &in, ArrayRef<int64_t> kernel,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                        bool transposed);
  ReceptiveField merge(Operation *op);

  DenseMap<Value, ReceptiveField> fields;
};

} // namespace

ReceptiveField SummaryBuilder::window(const ReceptiveField &in, ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                                      bool transposed) {
  ReceptiveField out = in;
  if (in.global || in.size.size() != kernel.size())
    return out;
  for (size_t d = 0; d < kernel.size(); ++d) {
    double extent = (kernel[d] - 1) * dilations[d] + 1;
    if (transposed) {
      // An output element gathers ceil(extent / stride) neighbouring inputs.
      out.size[d] = in.size[d] + (std::ceil(extent / strides[d]) - 1) * in.jump[d];
      out.jump[d] = in.jump[d] / strides[d];
    } else {
      out.size[d] = in.size[d] + (extent - 1) * in.jump[d];
      out.jump[d] = in.jump[d] * strides[d];
    }
  }
  return out;
}

ReceptiveField SummaryBuilder::merge(Operation *op) {
  ReceptiveField out;
  for (Value operand : op->getOperands()) {
    ReceptiveField field = fieldOf(operand);
    if (field.global) {
      out.global = true;
      continue;
    }
    if (field.size.empty())
      continue;
    if (out.size.empty()) {
      out.size = field.size;
      out.jump = field.jump;
      continue;
    }
    for (size_t d = 0; d < std::min(out.size.size(), field.size.size()); ++d) {
      out.size[d] = std::max(out.size[d], field.size[d]);
      out.jump[d] = std::max(out.jump[d], field.jump[d]);
    }
  }
  if (out.global)
    out.size.clear();
  return out;
}

void SummaryBuilder::visit(Operation *op) {
  if (op->getNumResults() != 1)
    return;
  Value result = op->getResult(0);
  ReceptiveField field =
      TypeSwitch<Operation *, ReceptiveField>(op)
          .Case([&](nn::ConvOp conv) {
            auto kernel = cast<RankedTensorType>(conv.getWeight().getType()).getShape().drop_front(2);
            return window(fieldOf(conv.getInput()), kernel, conv.getStrides(),
                          conv.getDilations(), false);
          })
          .Case([&](nn::ConvTransposeOp conv) {
            auto kernel = cast<RankedTensorType>(conv.getWeight().getType()).getShape().drop_front(2);
            return window(fieldOf(conv.getInput()), kernel, conv.getStrides(),
                          conv.getDilations(), true);
          })
          .Case([&](nn::MaxPoolOp pool) {
            return window(fieldOf(pool.getInput()), pool.getKernel(), pool.getStrides(),
                          pool.getDilations(), false);
          })
          .Case([&](nn::AvgPoolOp pool) {
            SmallVector<int64_t> ones(pool.getKernel().size(), 1);
            return window(fieldOf(pool.getInput()), pool.getKernel(), pool.getStrides(),
                          ones, false);
          })
          .Case([&](nn::UpsampleNearestOp up) {
            ReceptiveField in = fieldOf(up.getInput());
            for (size_t d = 0; d < in.jump.size() && d < up.getScales().size(); ++d)
              in.jump[d] /= up.getScales()[d];
            return in;
          })
          // These mix values from the whole spatial extent of their input.
          .Case<nn::GlobalAvgPoolOp, nn::DenseOp, nn::ReshapeOp, nn::InstanceNormOp,
                nn::LayerNormOp, nn::GroupNormOp>([&](Operation *) {
            ReceptiveField global;
            global.global = true;
            return global;
          })
          .Default([&](Operation *) { return merge(op); });
  fields[result] = field;
}

void nnc::printModelSummary(ModuleOp module, raw_ostream &os) {
  auto infer = module.lookupSymbol<func::FuncOp>("infer");
  if (!infer)
    return;
  SummaryBuilder builder;
  for (Value arg : infer.getArguments())
    builder.seed(arg);

  os << "Model: " << module.getName().value_or("model") << "\n";
  std::string rule(96, '-');
  os << llvm::format("%-36s %-22s %12s %16s %8s\n", (const char *)"Layer (type)",
                     (const char *)"Output shape", (const char *)"Params",
                     (const char *)"FLOPs", (const char *)"RF");
  os << rule << "\n";
  DenseSet<Operation *> counted;
  int64_t trainable = 0, buffers = 0, totalFlops = 0;
  for (Operation &op : infer.getBody().front()) {
    if (isa<nn::ParamLoadOp, nn::ConstantOp, func::ReturnOp>(op))
      continue;
    builder.visit(&op);
    int64_t params = 0;
    for (Value operand : op.getOperands()) {
      auto load = operand.getDefiningOp<nn::ParamLoadOp>();
      if (!load)
        continue;
      auto param = module.lookupSymbol<nn::ParamOp>(load.getParamAttr());
      if (!param || !counted.insert(param).second)
        continue;
      int64_t count = param.getTensorType().getNumElements();
      if (param.getTrainable()) {
        params += count;
        trainable += count;
      } else {
        buffers += count;
      }
    }
    int64_t flops = 0;
    if (auto counter = dyn_cast<nn::FlopCountOpInterface>(op))
      flops = counter.getFlopCount();
    totalFlops += flops;
    std::string kind = op.getName().stripDialect().str();
    std::string name = kind;
    if (auto named = dyn_cast<NameLoc>(op.getLoc()))
      name = named.getName().str() + " (" + kind + ")";
    std::string shape = "-";
    if (op.getNumResults() == 1) {
      auto type = cast<RankedTensorType>(op.getResult(0).getType());
      shape = nn::formatShape(type.getShape(), type.getElementType().isF32() ? "f32" : "i32");
    }
    os << llvm::format("%-36s %-22s %12s %16s %8s\n", name.c_str(), shape.c_str(),
                       withCommas(params).c_str(), withCommas(flops).c_str(),
                       op.getNumResults() == 1
                           ? formatField(builder.fieldOf(op.getResult(0))).c_str()
                           : "-");
  }
  os << rule << "\n";
  os << "Total params: " << withCommas(trainable + buffers) << " ("
     << llvm::format("%.2f", (trainable + buffers) * 4 / 1024.0) << " KiB)\n";
  os << "Trainable params: " << withCommas(trainable) << "\n";
  os << "Non-trainable params: " << withCommas(buffers) << "\n";
  os << "FLOPs per inference: " << withCommas(totalFlops) << "\n";
}

int64_t nnc::intermediateTensorBytes(func::FuncOp function) {
  DenseSet<Value> outputs;
  function.walk(
      [&](func::ReturnOp ret) { outputs.insert(ret.operand_begin(), ret.operand_end()); });
  int64_t bytes = 0;
  for (Operation &op : function.getBody().front()) {
    if (isa<nn::ParamLoadOp, nn::ConstantOp, nn::ParamStoreOp, func::ReturnOp>(op))
      continue;
    for (Value result : op.getResults()) {
      auto type = cast<RankedTensorType>(result.getType());
      if (!outputs.contains(result))
        bytes += type.getNumElements() * type.getElementTypeBitWidth() / 8;
    }
  }
  return bytes;
}
