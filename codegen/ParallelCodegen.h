//===- ParallelCodegen.h - object code generation on several threads --*- C++ -*-===//
//
// Code generation (instruction selection, register allocation) is most of
// LLVM's share of a large model's compile time, and it works one function at
// a time. Splitting the optimized module into partitions, generating each on
// its own thread and joining the objects with ld.lld's relocatable link (`-r`)
// divides that time by the partition count. The joined object has the same
// symbol table as a serial one: the partitions' shared internal symbols are
// renamed under the model's prefix, and made local again after the link.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_PARALLELCODEGEN_H
#define NNC_CODEGEN_PARALLELCODEGEN_H

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <optional>
#include <string>

namespace nnc::codegen {

/// The ld.lld to join partitions with: LLVM 19's, else one on PATH; none
/// means code generation stays on one thread.
std::optional<std::string> findRelocatableLinker();

/// True when `module` is large enough for a split to pay for itself (LLD's
/// link and the bitcode copies cost tens of milliseconds) and `machine`
/// emits ELF, the format the relocatable link handles.
bool worthSplittingCodegen(const llvm::Module &module, const llvm::TargetMachine &machine);

/// Emits the optimized `module` as one relocatable ELF object into `os`,
/// generating code for `partitions` parts of it on as many threads and
/// joining them with `linker` (findRelocatableLinker). The
/// output depends on `partitions`, never on timing. `symbolPrefix` (the
/// model's name) names the internal symbols the parts share. Legal when
/// worthSplittingCodegen holds; `module` is left renamed but equivalent.
llvm::Error emitObjectInParallel(llvm::Module &module, const llvm::TargetMachine &machine,
                                 llvm::StringRef linker, llvm::StringRef symbolPrefix,
                                 unsigned partitions,
                                 llvm::raw_pwrite_stream &os);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_PARALLELCODEGEN_H
