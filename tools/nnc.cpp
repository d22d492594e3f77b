//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
// `nnc model.nn [-o file] [--emit=ast|nn] [--summary]`: parses a .nn model,
// builds its nn IR, runs the graph pipeline and prints the requested stage.
// Every user error is a diagnostic with file:line:col, the source line and a
// caret; the exit code is then 1 and no output file is left behind.
//
//===----------------------------------------------------------------------===//

#include "frontend/IRGen.h"
#include "frontend/Parser.h"
#include "ir/NNDialect.h"
#include "passes/ModelSummary.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

namespace {
enum class Emit { AST, NN };
} // namespace

static cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.nn>"),
                                          cl::Required);
static cl::opt<std::string> outputFilename("o", cl::desc("Output file (default: stdout)"),
                                           cl::value_desc("file"), cl::init("-"));
static cl::opt<Emit> emitKind(
    "emit", cl::desc("What to produce"), cl::init(Emit::NN),
    cl::values(clEnumValN(Emit::AST, "ast", "the parsed syntax tree"),
               clEnumValN(Emit::NN, "nn", "nn dialect IR with all shapes inferred")));
static cl::opt<bool> printSummary(
    "summary", cl::desc("Print a table of layers, shapes, parameters, FLOPs and "
                        "receptive fields instead of IR"));

/// Writes `print`'s output to the -o file, keeping it only on success.
static int writeOutput(const std::function<void(llvm::raw_ostream &)> &print) {
  std::string error;
  auto output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "nnc") << error << "\n";
    return 1;
  }
  print(output->os());
  output->keep();
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "nnc: a neural-network graph compiler\n");

  std::string error;
  auto input = mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::WithColor::error(llvm::errs(), "nnc") << error << "\n";
    return 1;
  }
  mlir::MLIRContext context;
  context.loadDialect<nnc::nn::NNDialect, mlir::func::FuncDialect>();
  llvm::SourceMgr sourceMgr;
  llvm::StringRef source = input->getBuffer();
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::unique_ptr<nnc::frontend::File> file =
      nnc::frontend::parseFile(source, inputFilename, &context);
  if (!file)
    return 1;
  if (emitKind == Emit::AST && !printSummary)
    return writeOutput([&](llvm::raw_ostream &os) { nnc::frontend::printAST(*file, os); });

  mlir::OwningOpRef<mlir::ModuleOp> module = nnc::frontend::generateIR(*file, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  nnc::buildGraphPipeline(pm);
  if (mlir::failed(pm.run(*module)))
    return 1;
  if (printSummary)
    return writeOutput([&](llvm::raw_ostream &os) { nnc::printModelSummary(*module, os); });
  return writeOutput([&](llvm::raw_ostream &os) { module->print(os); });
}
