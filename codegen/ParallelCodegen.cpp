//===- ParallelCodegen.cpp - object code generation on several threads ----===//
//
// See ParallelCodegen.h. The module goes to the threads as bitcode (an LLVM
// context is single-threaded): each thread parses its own copy, keeps the
// definitions its partition owns as declarations of the rest, and runs the
// target's code generator. Functions are dealt to partitions by size,
// largest first, so the threads finish together.
//
//===----------------------------------------------------------------------===//

#include "codegen/ParallelCodegen.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/ObjCopy/ConfigManager.h"
#include "llvm/ObjCopy/ObjCopy.h"
#include "llvm/Object/Binary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <algorithm>
#include <thread>

using namespace nnc::codegen;

namespace {

/// Below this many defined functions, one thread is faster.
constexpr unsigned kMinFunctionsToSplit = 16;

llvm::Error failure(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Names every internal symbol under `prefix`: the partitions refer to
/// definitions by name, and a symbol shared between partitions must not
/// collide with another model's in the same program.
void nameLocals(llvm::Module &module, llvm::StringRef prefix) {
  std::string scope = (prefix + ".").str();
  for (llvm::GlobalValue &value : module.global_values()) {
    if (!value.hasLocalLinkage())
      continue;
    if (!value.hasName())
      value.setName(scope + "anon");
    else if (!value.getName().starts_with(scope))
      value.setName(scope + value.getName());
  }
}

using Owners = llvm::StringMap<unsigned>;

/// Adds to `partitions` those whose code or data use `value`: through
/// instructions, and through constant expressions; uses in the initializers
/// of global variables count when `throughGlobals` holds.
void addUsingPartitions(const llvm::Value *value, const Owners &owner, bool throughGlobals,
                        llvm::SmallSetVector<unsigned, 4> &partitions) {
  for (const llvm::User *user : value->users()) {
    if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(user))
      partitions.insert(owner.lookup(instruction->getFunction()->getName()));
    else if (auto *global = llvm::dyn_cast<llvm::GlobalValue>(user)) {
      if (throughGlobals)
        partitions.insert(owner.lookup(global->getName()));
    } else if (llvm::isa<llvm::Constant>(user))
      addUsingPartitions(user, owner, throughGlobals, partitions);
  }
}

/// The partition owning each definition, by name. Functions, largest first
/// (instruction count, then module order), go to the least loaded
/// partition; a global variable goes with the first partition whose code
/// uses it (0 if none).
Owners assignPartitions(const llvm::Module &module, unsigned partitions) {
  struct Sized {
    size_t size, position;
    const llvm::Function *function;
  };
  std::vector<Sized> bySize;
  for (const llvm::Function &function : module)
    if (!function.isDeclaration())
      bySize.push_back({function.getInstructionCount(), bySize.size(), &function});
  // Ties keep module order (std::stable_sort's temporary buffer is
  // deprecated in libstdc++ 12).
  std::sort(bySize.begin(), bySize.end(), [](const Sized &a, const Sized &b) {
    return a.size != b.size ? a.size > b.size : a.position < b.position;
  });
  std::vector<size_t> load(partitions, 0);
  Owners owner;
  for (const Sized &entry : bySize) {
    unsigned lightest = std::min_element(load.begin(), load.end()) - load.begin();
    owner[entry.function->getName()] = lightest;
    load[lightest] += entry.size;
  }
  for (const llvm::GlobalVariable &global : module.globals()) {
    llvm::SmallSetVector<unsigned, 4> users;
    addUsingPartitions(&global, owner, /*throughGlobals=*/false, users);
    owner[global.getName()] = users.empty() ? 0 : *llvm::min_element(users);
  }
  return owner;
}

/// Makes every internal symbol used outside its owner's partition a hidden
/// global, so the other partitions can refer to it.
void externalizeShared(llvm::Module &module, const Owners &owner) {
  for (llvm::GlobalValue &value : module.global_values()) {
    if (!value.hasLocalLinkage())
      continue;
    llvm::SmallSetVector<unsigned, 4> users;
    addUsingPartitions(&value, owner, /*throughGlobals=*/true, users);
    unsigned home = owner.lookup(value.getName());
    if (llvm::any_of(users, [&](unsigned user) { return user != home; })) {
      value.setLinkage(llvm::GlobalValue::ExternalLinkage);
      value.setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
  }
}

/// Turns the definitions `partition` does not own into declarations.
void keepPartition(llvm::Module &module, const Owners &owner, unsigned partition) {
  for (llvm::Function &function : module)
    if (!function.isDeclaration() && owner.lookup(function.getName()) != partition)
      function.deleteBody();
  for (llvm::GlobalVariable &global : llvm::make_early_inc_range(module.globals())) {
    if (global.isDeclaration() || owner.lookup(global.getName()) == partition)
      continue;
    if (global.getName().starts_with("llvm.")) {
      global.eraseFromParent(); // llvm.used and the like: their owner has them
      continue;
    }
    global.setInitializer(nullptr);
    global.setLinkage(llvm::GlobalValue::ExternalLinkage);
    global.setComdat(nullptr);
  }
}

/// Parses `bitcode` into a context of its own, keeps `partition` and
/// generates its object code into `object`.
llvm::Error emitPartition(llvm::StringRef bitcode, const llvm::TargetMachine &prototype,
                          const Owners &owner, unsigned partition,
                          llvm::SmallVectorImpl<char> &object) {
  llvm::LLVMContext context;
  auto parsed = llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "partition"), context);
  if (!parsed)
    return parsed.takeError();
  llvm::Module &module = **parsed;
  keepPartition(module, owner, partition);
  std::unique_ptr<llvm::TargetMachine> machine(prototype.getTarget().createTargetMachine(
      prototype.getTargetTriple().str(), prototype.getTargetCPU(),
      prototype.getTargetFeatureString(), prototype.Options, prototype.getRelocationModel(),
      prototype.getCodeModel(), prototype.getOptLevel()));
  if (!machine)
    return failure("cannot create a target machine for a code generation thread");
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    return failure("the target cannot emit object files");
  codegen.run(module);
  return llvm::Error::success();
}

/// A temporary file removed when this goes out of scope.
struct TemporaryFile {
  llvm::SmallString<128> path;
  std::optional<llvm::FileRemover> remover;

  llvm::Error create(llvm::StringRef prefix) {
    if (std::error_code error = llvm::sys::fs::createTemporaryFile(prefix, "o", path))
      return failure("cannot create a temporary file: " + error.message());
    remover.emplace(path);
    return llvm::Error::success();
  }
};

llvm::Error writeFile(llvm::StringRef path, llvm::ArrayRef<char> bytes) {
  std::error_code error;
  llvm::raw_fd_ostream file(path, error);
  if (error)
    return failure("cannot write " + path + ": " + error.message());
  file.write(bytes.data(), bytes.size());
  file.close();
  if (file.has_error())
    return failure("cannot write " + path + ": " + file.error().message());
  return llvm::Error::success();
}

/// Joins the partitions' objects with `linker`'s relocatable link into
/// `joined`.
llvm::Error linkRelocatable(llvm::StringRef linker, llvm::ArrayRef<std::string> inputs,
                            llvm::StringRef joined) {
  TemporaryFile log;
  if (llvm::Error error = log.create("nnc-link"))
    return error;
  std::vector<llvm::StringRef> args{linker, "-r", "-o", joined};
  args.insert(args.end(), inputs.begin(), inputs.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.path.str(), log.path.str()};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects, 0, 0, &message);
  if (status == 0)
    return llvm::Error::success();
  if (auto output = llvm::MemoryBuffer::getFile(log.path))
    message += (*output)->getBuffer().trim().str();
  return failure("internal error: " + linker + " -r could not join the code generation "
                 "partitions: " + message);
}

/// Copies the object at `path` into `os` with its hidden symbols made local
/// (llvm-objcopy --localize-hidden): the internal symbols of a serial build.
llvm::Error localizeHidden(llvm::StringRef path, llvm::raw_pwrite_stream &os) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return failure("cannot read " + path + ": " + buffer.getError().message());
  auto binary = llvm::object::createBinary((*buffer)->getMemBufferRef());
  if (!binary)
    return binary.takeError();
  llvm::objcopy::ConfigManager config;
  config.Common.InputFilename = path;
  config.ELF.LocalizeHidden = true;
  return llvm::objcopy::executeObjcopyOnBinary(config, **binary, os);
}

} // namespace

std::optional<std::string> nnc::codegen::findRelocatableLinker() {
  llvm::SmallString<128> sibling(NNC_LLVM_TOOLS_DIR);
  llvm::sys::path::append(sibling, "ld.lld");
  if (llvm::sys::fs::can_execute(sibling))
    return std::string(sibling);
  for (const char *name : {"ld.lld-19", "ld.lld"})
    if (auto found = llvm::sys::findProgramByName(name))
      return *found;
  return std::nullopt;
}

bool nnc::codegen::worthSplittingCodegen(const llvm::Module &module,
                                         const llvm::TargetMachine &machine) {
  if (!machine.getTargetTriple().isOSBinFormatELF() || !module.alias_empty() ||
      !module.ifunc_empty() || !module.getModuleInlineAsm().empty())
    return false;
  unsigned defined = llvm::count_if(module, [](const llvm::Function &function) {
    return !function.isDeclaration();
  });
  return defined >= kMinFunctionsToSplit;
}

llvm::Error nnc::codegen::emitObjectInParallel(llvm::Module &module,
                                               const llvm::TargetMachine &machine,
                                               llvm::StringRef linker,
                                               llvm::StringRef symbolPrefix,
                                               unsigned partitions,
                                               llvm::raw_pwrite_stream &os) {
  nameLocals(module, symbolPrefix);
  Owners owner = assignPartitions(module, partitions);
  externalizeShared(module, owner);
  llvm::SmallString<0> bitcode;
  {
    llvm::raw_svector_ostream stream(bitcode);
    llvm::WriteBitcodeToFile(module, stream);
  }
  std::vector<llvm::SmallVector<char, 0>> objects(partitions);
  std::vector<llvm::Error> errors;
  for (unsigned p = 0; p < partitions; ++p)
    errors.push_back(llvm::Error::success());
  std::vector<std::thread> threads;
  for (unsigned p = 1; p < partitions; ++p)
    threads.emplace_back([&, p] {
      errors[p] = emitPartition(bitcode, machine, owner, p, objects[p]);
    });
  errors[0] = emitPartition(bitcode, machine, owner, 0, objects[0]);
  for (std::thread &thread : threads)
    thread.join();
  llvm::Error all = llvm::Error::success();
  for (llvm::Error &error : errors)
    all = llvm::joinErrors(std::move(all), std::move(error));
  if (all)
    return all;

  std::vector<TemporaryFile> parts(partitions);
  std::vector<std::string> paths;
  for (unsigned p = 0; p < partitions; ++p) {
    if (llvm::Error error = parts[p].create("nnc-part"))
      return error;
    if (llvm::Error error = writeFile(parts[p].path, objects[p]))
      return error;
    paths.push_back(std::string(parts[p].path));
  }
  TemporaryFile joined;
  if (llvm::Error error = joined.create("nnc-joined"))
    return error;
  if (llvm::Error error = linkRelocatable(linker, paths, joined.path))
    return error;
  return localizeHidden(joined.path, os);
}
