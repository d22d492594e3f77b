//===- IRGen.cpp - .nn syntax tree to nn dialect --------------------------===//
//
// The evaluator's top level: one graph per mode (inference first, then, if
// the model has a train section and inference had no errors, training),
// statements, and parameter declaration. Parameters declared in the first
// graph are reused by the second.
//
// Errors never stop evaluation: an expression that failed yields an Error
// value that later uses pass through silently, so every independent mistake
// is reported once.
//
//===----------------------------------------------------------------------===//

#include "frontend/IRGen.h"

#include "frontend/CompileTimeFunctions.h"
#include "frontend/Evaluator.h"
#include "ir/NNDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"

#include <set>

using namespace nnc::frontend;
using namespace nnc::frontend::detail;
using llvm::StringRef;
namespace nn = nnc::nn;

//===----------------------------------------------------------------------===//
// Top level
//===----------------------------------------------------------------------===//

mlir::Location Evaluator::withCallStack(mlir::Location loc) const {
  if (callSites.empty())
    return loc;
  mlir::Location caller = callSites.front();
  for (mlir::Location site : llvm::ArrayRef(callSites).drop_front())
    caller = mlir::CallSiteLoc::get(site, caller);
  return mlir::CallSiteLoc::get(loc, caller);
}

bool Evaluator::collectBlocks() {
  bool ok = true;
  for (const auto &block : file.blocks) {
    if (layerTable().count(block->name) || isCompileTimeFunction(block->name)) {
      mlir::emitError(block->loc) << "block '" << block->name
                                  << "' has the name of a built-in layer or function";
      ok = false;
      continue;
    }
    auto [it, inserted] = blocks.try_emplace(block->name, block.get());
    if (!inserted) {
      mlir::emitError(block->loc) << "block '" << block->name << "' is already defined";
      mlir::emitRemark(it->second->loc) << "previous definition of '" << block->name << "'";
      ok = false;
    }
    llvm::StringMap<mlir::Location> params;
    for (const BlockParam &param : block->params) {
      if (!params.try_emplace(param.name, param.loc).second) {
        mlir::emitError(param.loc) << "parameter '" << param.name
                                   << "' appears twice in block '" << block->name << "'";
        ok = false;
      }
    }
  }
  return ok;
}

const ModelDef *Evaluator::selectModel() {
  if (file.models.empty()) {
    mlir::Location at = file.blocks.empty()
                            ? mlir::Location(mlir::UnknownLoc::get(context))
                            : file.blocks.front()->loc;
    mlir::emitError(at) << "the file defines no model (expected 'model <name> { ... }')";
    return nullptr;
  }
  if (file.models.size() > 1) {
    mlir::emitError(file.models[1]->loc)
        << "a file may define one model; '" << file.models[0]->name << "' is already defined";
    return nullptr;
  }
  return file.models.front().get();
}

std::vector<Declaration> Evaluator::collectDeclarations(const StmtList &body,
                                                        Stmt::Kind kind) {
  std::vector<Declaration> declarations;
  for (const StmtPtr &stmt : body) {
    if (stmt->getKind() != kind)
      continue;
    const auto &[name, spec] =
        kind == Stmt::Kind::Input
            ? std::pair(llvm::cast<InputStmt>(*stmt).name, llvm::cast<InputStmt>(*stmt).type)
            : std::pair(llvm::cast<TargetStmt>(*stmt).name, llvm::cast<TargetStmt>(*stmt).type);
    mlir::Type element = spec.elementType == "f32" ? mlir::Type(builder.getF32Type())
                                                   : mlir::Type(builder.getI32Type());
    declarations.push_back({stmt.get(), name, mlir::RankedTensorType::get(spec.shape, element)});
  }
  return declarations;
}

mlir::func::FuncOp Evaluator::beginGraph(StringRef name, llvm::ArrayRef<Declaration> args) {
  llvm::SmallVector<mlir::Type> types;
  for (const Declaration &arg : args)
    types.push_back(arg.type);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<mlir::func::FuncOp>(module.getLoc(), name,
                                                 builder.getFunctionType(types, {}));
  mlir::Block *entry = func.addEntryBlock();
  for (auto [index, arg] : llvm::enumerate(args)) {
    func.setArgAttr(index, "nn.name", builder.getStringAttr(arg.name));
    entry->getArgument(index).setLoc(arg.stmt->getLoc());
  }
  builder.setInsertionPointToStart(entry);
  return func;
}

void Evaluator::resetGraphState() {
  prefixes.clear();
  callSites.clear();
  blockStack.clear();
  usedLabels.clear();
  autoNameCounters.clear();
  inputNames.clear();
  returnValue.reset();
  seedCounter = 0;
  expansions = 0;
  outputStatements = 0;
  loopDepth = 0;
  outputs.clear();
  outputLocs.clear();
  loss.reset();
}

/// Binds each declaration to its function argument in `scope`.
static void bindDeclarations(Scope &scope, mlir::func::FuncOp func,
                          llvm::ArrayRef<Declaration> declarations, size_t first,
                          llvm::StringMap<mlir::Location> &declared) {
  for (auto [index, decl] : llvm::enumerate(declarations)) {
    auto [it, inserted] = declared.try_emplace(decl.name, decl.stmt->getLoc());
    if (!inserted) {
      mlir::emitError(decl.stmt->getLoc()) << "'" << decl.name << "' is already declared";
      mlir::emitRemark(it->second) << "previous declaration of '" << decl.name << "'";
      continue;
    }
    bool tooLarge = nn::numElements(decl.type.getShape()) == nn::kTooManyElements ||
                    nn::numElements(decl.type.getShape()) > kMaxTensorElements;
    // A too-large declaration was reported; its uses stay silent.
    scope[decl.name] = {tooLarge ? Value::error()
                                 : Value::ofTensor(func.getArgument(first + index))};
  }
}

void Evaluator::buildInferenceGraph(const ModelDef &model) {
  resetGraphState();
  training = false;
  std::vector<Declaration> inputs = collectDeclarations(model.body, Stmt::Kind::Input);
  for (const Declaration &input : inputs)
    checkSize(input.type, input.stmt->getLoc());
  for (const StmtPtr &stmt : model.body)
    if (auto *train = llvm::dyn_cast<TrainStmt>(stmt.get()))
      for (const Declaration &target : collectDeclarations(train->body, Stmt::Kind::Target))
        checkSize(target.type, target.stmt->getLoc());
  mlir::func::FuncOp func = beginGraph("infer", inputs);
  Scope modelScope;
  scope = &modelScope;
  bindDeclarations(modelScope, func, inputs, 0, inputNames);
  execute(model.body);
  if (inputs.empty())
    mlir::emitError(model.loc) << "model '" << model.name
                               << "' has no inputs (declare one with 'input x: f32[...]')";
  if (outputStatements == 0)
    mlir::emitError(model.loc) << "model '" << model.name
                               << "' has no outputs (declare one with 'output y = ...')";
  llvm::SmallVector<mlir::Value> results;
  for (auto &[name, value] : outputs)
    if (value.kind == Value::Kind::Tensor)
      results.push_back(value.tensor);
  builder.create<mlir::func::ReturnOp>(model.loc, results);
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       mlir::ValueRange(results).getTypes()));
  if (results.size() == outputs.size())
    for (auto [index, output] : llvm::enumerate(outputs))
      func.setResultAttr(index, "nn.name", builder.getStringAttr(output.first));
  scope = nullptr;
}

void Evaluator::buildTrainingGraph(const ModelDef &model, const TrainStmt &train) {
  resetGraphState();
  training = true;
  std::vector<Declaration> args = collectDeclarations(model.body, Stmt::Kind::Input);
  std::vector<Declaration> targets = collectDeclarations(train.body, Stmt::Kind::Target);
  args.insert(args.end(), targets.begin(), targets.end());
  mlir::func::FuncOp func = beginGraph("train", args);
  Scope modelScope;
  scope = &modelScope;
  bindDeclarations(modelScope, func, args, 0, inputNames);
  execute(model.body);
  inTrainSection = true;
  execute(train.body);
  inTrainSection = false;
  if (!loss)
    mlir::emitError(train.getLoc()) << "the train section has no 'loss = ...'";
  if (!optimizerDeclared)
    mlir::emitError(train.getLoc())
        << "the train section has no 'optimizer = ...' (e.g. optimizer = sgd(lr=0.01))";
  llvm::SmallVector<mlir::Value> results;
  if (loss && loss->kind == Value::Kind::Tensor)
    results.push_back(loss->tensor);
  builder.create<mlir::func::ReturnOp>(train.getLoc(), results);
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       mlir::ValueRange(results).getTypes()));
  if (!results.empty())
    func.setResultAttr(0, "nn.name", builder.getStringAttr("loss"));
  scope = nullptr;
}

mlir::OwningOpRef<mlir::ModuleOp> Evaluator::run() {
  bool hadError = false;
  // Loops re-evaluate their bodies: report each distinct error once, and the
  // remarks that follow an error only with it.
  std::set<std::string> reported;
  bool droppedLastError = false;
  mlir::ScopedDiagnosticHandler errorTracker(context, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
      return droppedLastError ? mlir::success() : mlir::failure();
    hadError = true;
    std::string key;
    llvm::raw_string_ostream os(key);
    os << diag.getLocation() << ": " << diag;
    droppedLastError = !reported.insert(key).second;
    // success() drops a repeat; failure() lets the caller's handler print it.
    return droppedLastError ? mlir::success() : mlir::failure();
  });
  bool blocksOk = collectBlocks();
  const ModelDef *model = selectModel();
  if (!model || !blocksOk)
    return nullptr;
  mlir::OwningOpRef<mlir::ModuleOp> owned =
      mlir::ModuleOp::create(model->loc, StringRef(model->name));
  module = *owned;
  buildInferenceGraph(*model);
  const TrainStmt *train = nullptr;
  for (const StmtPtr &stmt : model->body)
    if (auto *t = llvm::dyn_cast<TrainStmt>(stmt.get())) {
      if (train) {
        mlir::emitError(t->getLoc()) << "a model may have one train section";
        mlir::emitRemark(train->getLoc()) << "previous train section";
      }
      train = t;
    }
  if (train && !hadError)
    buildTrainingGraph(*model, *train);
  if (hadError || mlir::failed(mlir::verify(module)))
    return nullptr;
  return owned;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

bool Evaluator::checkSize(mlir::Type type, mlir::Location loc) {
  auto tensor = llvm::cast<mlir::RankedTensorType>(type);
  int64_t count = nn::numElements(tensor.getShape());
  if (count != nn::kTooManyElements && count <= kMaxTensorElements)
    return true;
  error(loc) << "tensor " << nn::formatShape(tensor.getShape())
             << " is too large (more than 2^40 elements)";
  return false;
}

mlir::Value Evaluator::declareParam(const std::string &name, llvm::ArrayRef<int64_t> shape,
                                    const Init &init, bool trainable, mlir::Location loc) {
  auto type = mlir::RankedTensorType::get(shape, builder.getF32Type());
  checkSize(type, loc);
  auto param = module.lookupSymbol<nn::ParamOp>(name);
  if (!param) {
    // Parameters are kept in declaration order at the top of the module.
    mlir::OpBuilder::InsertionGuard guard(builder);
    if (lastParam)
      builder.setInsertionPointAfter(lastParam);
    else
      builder.setInsertionPointToStart(module.getBody());
    param = builder.create<nn::ParamOp>(loc, name, type, init.kind,
                                        builder.getDenseF64ArrayAttr(init.args), trainable);
    lastParam = param;
  }
  return builder.create<nn::ParamLoadOp>(loc, param.getType(), name);
}

std::vector<mlir::Value> Evaluator::loadTrainableParams(mlir::Location loc) {
  std::vector<mlir::Value> values;
  for (auto param : module.getOps<nn::ParamOp>())
    if (param.getTrainable())
      values.push_back(builder.create<nn::ParamLoadOp>(loc, param.getType(), param.getSymName()));
  return values;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

bool Evaluator::execute(const StmtList &stmts) {
  for (const StmtPtr &stmt : stmts)
    if (execute(*stmt))
      return true;
  return false;
}

void Evaluator::bind(const std::string &name, Value value, mlir::Location loc) {
  auto input = inputNames.find(name);
  if (input != inputNames.end() && prefixes.empty()) {
    error(loc) << "cannot assign to '" << name << "': it is a declared input or target";
    mlir::emitRemark(input->second) << "'" << name << "' is declared here";
    return;
  }
  (*scope)[name] = {std::move(value)};
}

bool Evaluator::execute(const Stmt &stmt) {
  switch (stmt.getKind()) {
  case Stmt::Kind::Assign: {
    const auto &assign = llvm::cast<AssignStmt>(stmt);
    bind(assign.name, evaluate(*assign.value, StringRef(assign.name)), assign.getLoc());
    return false;
  }
  case Stmt::Kind::Input:
  case Stmt::Kind::Target:
    return false; // bound to function arguments when the graph began
  case Stmt::Kind::Output:
    if (!training)
      declareOutput(llvm::cast<OutputStmt>(stmt));
    else if (const ExprPtr &value = llvm::cast<OutputStmt>(stmt).value)
      bind(llvm::cast<OutputStmt>(stmt).name,
           evaluate(*value, StringRef(llvm::cast<OutputStmt>(stmt).name)), stmt.getLoc());
    return false;
  case Stmt::Kind::For: {
    const auto &loop = llvm::cast<ForStmt>(stmt);
    Value range = evaluate(*loop.range);
    if (range.isError())
      return false;
    if (range.kind != Value::Kind::List) {
      error(loop.range->getLoc()) << "'for' needs a list to iterate over (e.g. range(3)), got "
                                  << range.describe();
      return false;
    }
    ++loopDepth;
    auto leave = llvm::make_scope_exit([&] { --loopDepth; });
    for (const Value &element : range.list) {
      bind(loop.var, element, loop.getLoc());
      if (execute(loop.body))
        return true;
    }
    return false;
  }
  case Stmt::Kind::If: {
    const auto &branch = llvm::cast<IfStmt>(stmt);
    Value condition = evaluate(*branch.condition);
    if (condition.isError())
      return false;
    if (condition.kind != Value::Kind::Bool) {
      error(branch.condition->getLoc())
          << "'if' condition must be a bool, got " << condition.describe();
      return false;
    }
    return execute(condition.boolValue ? branch.thenBody : branch.elseBody);
  }
  case Stmt::Kind::Return:
    returnValue = evaluate(*llvm::cast<ReturnStmt>(stmt).value);
    return true;
  case Stmt::Kind::Train:
    return false; // evaluated by buildTrainingGraph
  case Stmt::Kind::Loss: {
    const auto &lossStmt = llvm::cast<LossStmt>(stmt);
    if (loss) {
      error(stmt.getLoc()) << "the train section has more than one 'loss'";
      mlir::emitRemark(lossLoc) << "previous 'loss'";
      return false;
    }
    Value value = evaluate(*lossStmt.value);
    lossLoc = stmt.getLoc();
    if (value.kind == Value::Kind::Tensor &&
        llvm::cast<mlir::RankedTensorType>(value.tensor.getType()).getRank() != 0) {
      error(lossStmt.value->getLoc())
          << "the loss must be a scalar (e.g. mse(...) or softmax_cross_entropy(...)), got "
          << value.describe();
      value = Value::error();
    } else if (!value.isError() && value.kind != Value::Kind::Tensor) {
      error(lossStmt.value->getLoc()) << "the loss must be a scalar tensor, got "
                                      << value.describe();
      value = Value::error();
    }
    loss = value;
    return false;
  }
  case Stmt::Kind::Optimizer:
    declareOptimizer(llvm::cast<OptimizerStmt>(stmt));
    return false;
  }
  return false;
}

void Evaluator::declareOutput(const OutputStmt &stmt) {
  ++outputStatements;
  Value value;
  if (stmt.value) {
    value = evaluate(*stmt.value, StringRef(stmt.name));
  } else {
    auto it = scope->find(stmt.name);
    if (it == scope->end()) {
      error(stmt.getLoc()) << "undefined name '" << stmt.name
                           << "' (write 'output " << stmt.name << " = <expression>')";
      return;
    }
    value = it->second.value;
  }
  auto [previous, inserted] = outputLocs.try_emplace(stmt.name, stmt.getLoc());
  if (!inserted) {
    error(stmt.getLoc()) << "output '" << stmt.name << "' is already declared";
    mlir::emitRemark(previous->second) << "previous declaration of '" << stmt.name << "'";
    return;
  }
  if (value.isError())
    return;
  if (value.kind != Value::Kind::Tensor) {
    error(stmt.getLoc()) << "output '" << stmt.name << "' must be a tensor, got "
                         << value.describe();
    return;
  }
  if (stmt.value)
    bind(stmt.name, value, stmt.getLoc());
  outputs.emplace_back(stmt.name, value);
}

void Evaluator::declareOptimizer(const OptimizerStmt &stmt) {
  const CallExpr &call = *stmt.call;
  if (!call.label.empty()) {
    error(*call.labelLoc) << "an optimizer cannot be labeled";
    optimizerDeclared = true;
    return;
  }
  auto def = optimizerTable().find(call.callee);
  if (def == optimizerTable().end()) {
    optimizerDeclared = true; // reported here; not "missing" too
    error(call.getLoc()) << "unknown optimizer '" << call.callee
                         << "' (expected sgd, rmsprop, adam or adamw)";
    return;
  }
  if (optimizerDeclared) {
    error(stmt.getLoc()) << "the train section has more than one 'optimizer'";
    return;
  }
  optimizerDeclared = true;
  auto args = evaluateArguments(call);
  if (!args)
    return;
  auto bound = bindArguments(call.callee, def->second.signature, std::move(*args),
                             call.getLoc());
  if (!bound)
    return;
  llvm::SmallVector<mlir::NamedAttribute> hyperparams;
  for (const ArgSpec &spec : def->second.signature) {
    const Value &value = bound->get(spec.name);
    mlir::Attribute attr = value.kind == Value::Kind::Bool
                               ? mlir::Attribute(builder.getBoolAttr(value.boolValue))
                               : mlir::Attribute(builder.getF64FloatAttr(value.asDouble()));
    hyperparams.push_back(builder.getNamedAttr(spec.name, attr));
  }
  hyperparams.push_back(builder.getNamedAttr(
      "decoupled_weight_decay", builder.getBoolAttr(def->second.decoupledWeightDecay)));
  mlir::OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  builder.create<nn::OptimizerOp>(call.getLoc(), def->second.kind,
                                  builder.getDictionaryAttr(hyperparams));
}

//===----------------------------------------------------------------------===//

mlir::OwningOpRef<mlir::ModuleOp> nnc::frontend::generateIR(const File &file,
                                                            mlir::MLIRContext *context) {
  context->loadDialect<nn::NNDialect, mlir::func::FuncDialect>();
  return Evaluator(file, context).run();
}
