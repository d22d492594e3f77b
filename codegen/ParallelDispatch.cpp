//===- ParallelDispatch.cpp - running outlined loops on threads -----------===//
//
// See ParallelDispatch.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/ParallelDispatch.h"

#include "llvm/IR/IRBuilder.h"

using namespace llvm;

GlobalVariable *nnc::codegen::defineParallelDispatch(Module &module, mlir::ArrayAttr loops) {
  LLVMContext &ctx = module.getContext();
  auto *ptr = PointerType::getUnqual(ctx);
  auto *i64 = Type::getInt64Ty(ctx);
  auto *current = new GlobalVariable(module, ptr, /*isConstant=*/false,
                                     GlobalValue::InternalLinkage, ConstantPointerNull::get(ptr),
                                     "nnc.parallel", nullptr,
                                     GlobalValue::GeneralDynamicTLSModel);
  if (!loops)
    return current;
  // struct nnc_parallel { parallel_for; context; }
  auto *parallelType = StructType::get(ctx, {ptr, ptr});
  auto *bodyType = FunctionType::get(Type::getVoidTy(ctx), {ptr, i64, i64}, false);
  auto *forType = FunctionType::get(Type::getVoidTy(ctx), {ptr, i64, ptr, ptr}, false);
  for (mlir::Attribute attr : loops) {
    auto record = cast<mlir::DictionaryAttr>(attr);
    Function *dispatch =
        module.getFunction(record.getAs<mlir::StringAttr>("dispatch").getValue());
    Function *task = module.getFunction(record.getAs<mlir::StringAttr>("task").getValue());
    Value *count = ConstantInt::get(i64, record.getAs<mlir::IntegerAttr>("count").getInt());
    if (!dispatch || !task || !dispatch->isDeclaration())
      continue;
    SmallVector<Type *> fields(dispatch->getFunctionType()->params());
    auto *argsType = StructType::get(ctx, fields);

    // trampoline(args, begin, end): task(begin, end, *args...).
    auto *trampoline = Function::Create(bodyType, GlobalValue::InternalLinkage,
                                        task->getName() + ".trampoline", module);
    {
      IRBuilder<> b(BasicBlock::Create(ctx, "entry", trampoline));
      SmallVector<Value *> callArgs{trampoline->getArg(1), trampoline->getArg(2)};
      for (auto [i, type] : enumerate(fields))
        callArgs.push_back(
            b.CreateLoad(type, b.CreateStructGEP(argsType, trampoline->getArg(0), i)));
      b.CreateCall(task, callArgs);
      b.CreateRetVoid();
    }

    dispatch->setLinkage(GlobalValue::InternalLinkage);
    auto *entry = BasicBlock::Create(ctx, "entry", dispatch);
    auto *serial = BasicBlock::Create(ctx, "serial", dispatch);
    auto *threaded = BasicBlock::Create(ctx, "threaded", dispatch);
    IRBuilder<> b(entry);
    Value *parallel = b.CreateLoad(ptr, b.CreateThreadLocalAddress(current));
    b.CreateCondBr(b.CreateIsNull(parallel), serial, threaded);

    b.SetInsertPoint(serial);
    SmallVector<Value *> callArgs{ConstantInt::get(i64, 0), count};
    for (Argument &arg : dispatch->args())
      callArgs.push_back(&arg);
    b.CreateCall(task, callArgs);
    b.CreateRetVoid();

    b.SetInsertPoint(threaded);
    Value *args = b.CreateAlloca(argsType);
    for (Argument &arg : dispatch->args())
      b.CreateStore(&arg, b.CreateStructGEP(argsType, args, arg.getArgNo()));
    Value *parallelFor = b.CreateLoad(ptr, b.CreateStructGEP(parallelType, parallel, 0));
    Value *context = b.CreateLoad(ptr, b.CreateStructGEP(parallelType, parallel, 1));
    b.CreateCall(forType, parallelFor, {context, count, trampoline, args});
    b.CreateRetVoid();
  }
  return current;
}

void nnc::codegen::emitParallelEntry(Module &module, Function *entry, StringRef name,
                                     GlobalVariable *current) {
  LLVMContext &ctx = module.getContext();
  auto *ptr = PointerType::getUnqual(ctx);
  SmallVector<Type *> params(entry->getFunctionType()->params());
  params.push_back(ptr);
  auto *function = Function::Create(
      FunctionType::get(entry->getReturnType(), params, false), GlobalValue::ExternalLinkage,
      name, module);
  function->addFnAttr(Attribute::NoUnwind);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", function));
  Value *slot = b.CreateThreadLocalAddress(current);
  Value *previous = b.CreateLoad(ptr, slot);
  b.CreateStore(function->getArg(function->arg_size() - 1), slot);
  SmallVector<Value *> args;
  for (unsigned i = 0; i + 1 < function->arg_size(); ++i)
    args.push_back(function->getArg(i));
  Value *status = b.CreateCall(entry, args);
  b.CreateStore(previous, slot);
  b.CreateRet(status);
}
