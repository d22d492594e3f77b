//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
// `nnc model.nn -o model.o` compiles a .nn model to a native object plus its
// C header (model.h beside it). `--emit` prints any stage instead: ast, nn,
// loops, llvm-dialect, llvm, asm, obj, header. Every user error is a
// diagnostic with file:line:col, the source line and a caret; the exit code
// is then 1 and no output file is left behind.
//
//===----------------------------------------------------------------------===//

#include "codegen/ABI.h"
#include "codegen/ObjectEmitter.h"
#include "codegen/Target.h"
#include "codegen/Weights.h"
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
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;
using nnc::codegen::OutputKind;

namespace {
enum class Emit { AST, NN, Loops, LLVMDialect, LLVM, Asm, Obj, Header };
} // namespace

static cl::OptionCategory nncCategory("nnc options");
static cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.nn>"),
                                          cl::cat(nncCategory));
static cl::opt<std::string> outputFilename(
    "o", cl::desc("Output file (default: stdout; an object also writes <file>.h)"),
    cl::value_desc("file"), cl::init("-"), cl::cat(nncCategory));
static cl::opt<Emit> emitKind(
    "emit", cl::desc("What to produce (default: from the -o extension, obj for .o; nn on stdout)"),
    cl::values(clEnumValN(Emit::AST, "ast", "the parsed syntax tree"),
               clEnumValN(Emit::NN, "nn", "nn dialect IR with all shapes inferred"),
               clEnumValN(Emit::Loops, "loops", "loop nests on buffers"),
               clEnumValN(Emit::LLVMDialect, "llvm-dialect", "MLIR's LLVM dialect"),
               clEnumValN(Emit::LLVM, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "target assembly"),
               clEnumValN(Emit::Obj, "obj", "an object file (and its header)"),
               clEnumValN(Emit::Header, "header", "the C header only")),
    cl::cat(nncCategory));
static cl::opt<bool> printSummary(
    "summary", cl::desc("Print a table of layers, shapes, parameters, FLOPs and "
                        "receptive fields instead of compiling"),
    cl::cat(nncCategory));
static cl::opt<bool> printReport(
    "report", cl::desc("Print the summary table, then the memory plan of inference: "
                       "scratch arena bytes against the sum of all intermediate tensors"),
    cl::cat(nncCategory));
static cl::opt<std::string> targetTriple(
    "target", cl::desc("Target triple (default: the host), e.g. aarch64-linux-gnu"),
    cl::cat(nncCategory));
static cl::opt<std::string> targetCPU(
    "cpu", cl::desc("Target CPU (default: the host's on the host, a baseline otherwise)"),
    cl::cat(nncCategory));
static cl::opt<std::string> targetFeatures("mattr", cl::desc("Target features, e.g. +avx2"),
                                           cl::cat(nncCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"),
                                  cl::Prefix, cl::init(2), cl::cat(nncCategory));
static cl::opt<unsigned> codegenPartitions(
    "codegen-partitions",
    cl::desc("Generate the code of a large model in this many parts on as many threads, "
             "joined with ld.lld -r (default 2; 1 = one thread). The object depends on "
             "this number only"),
    cl::init(2), cl::cat(nncCategory));
static cl::opt<std::string> symbolName(
    "name", cl::desc("Prefix of the exported symbols (default: the model's name)"),
    cl::cat(nncCategory));
static cl::opt<std::string> weightsFile(
    "weights",
    cl::desc("Embed the parameters of this safetensors file (PyTorch state_dict names)"),
    cl::value_desc("file.safetensors"), cl::cat(nncCategory));
static cl::opt<bool> poisonScratch(
    "debug-poison-scratch",
    cl::desc("Overwrite each scratch buffer after its last use (checks the memory plan)"),
    cl::cat(nncCategory));
static cl::opt<bool> genericKernels(
    "debug-generic-kernels",
    cl::desc("Compile convolutions and matrix products as plain loops, without the "
             "register-blocked microkernels (for bisecting numerical differences)"),
    cl::cat(nncCategory));
static cl::opt<bool> inferenceOnly(
    "no-train", cl::desc("Compile inference only, even if the model has a train section"),
    cl::cat(nncCategory));
static cl::opt<bool> foldBatchNorm(
    "fold-batch-norm",
    cl::desc("Fold inference batch norm into the preceding conv/dense weights and bias, "
             "computed on every call (nnc-fold-batch-norm)"),
    cl::cat(nncCategory));
static cl::opt<bool> profileLayers(
    "profile",
    cl::desc("Time every layer at run time: the object exports <m>_profile, printed by "
             "nnc_profile_print from libnncrt (the object then needs libnncrt)"),
    cl::cat(nncCategory));
static cl::opt<bool> printTargetList("print-targets",
                                     cl::desc("List the supported targets and exit"),
                                     cl::cat(nncCategory));

/// Without --emit: an object when writing a file (IR for .mlir, LLVM IR for
/// .ll, assembly for .s, a header for .h), nn IR on stdout.
static Emit defaultEmit(bool toFile) {
  if (!toFile)
    return Emit::NN;
  llvm::StringRef extension = llvm::sys::path::extension(outputFilename.getValue());
  return llvm::StringSwitch<Emit>(extension)
      .Case(".mlir", Emit::NN)
      .Case(".ll", Emit::LLVM)
      .Case(".s", Emit::Asm)
      .Case(".h", Emit::Header)
      .Default(Emit::Obj);
}

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "nnc") << message << "\n";
  return 1;
}

/// Writes `print`'s output to `path`, keeping the file only on success.
static int writeFile(llvm::StringRef path,
                     const std::function<mlir::LogicalResult(llvm::raw_pwrite_stream &)> &print) {
  std::string error;
  auto output = mlir::openOutputFile(path, &error);
  if (!output)
    return fail(error);
  if (mlir::failed(print(output->os())))
    return 1;
  output->keep();
  return 0;
}

/// The kernel register blocking for `machine`'s CPU; the pass defaults when
/// no code is emitted.
static nnc::SimdShape simdShape(const llvm::TargetMachine *machine) {
  nnc::SimdShape shape;
  if (machine) {
    nnc::codegen::SimdRegisters registers = nnc::codegen::simdRegistersOf(*machine);
    shape.vectorBits = registers.vectorBits;
    shape.vectorRegisters = registers.count;
  }
  shape.microkernels = !genericKernels;
  return shape;
}

/// Sets `bytes` to the intermediate tensor bytes of the training step that
/// nnc-differentiate builds from `module`'s @train (0 without one), on a
/// copy of the graph.
static mlir::LogicalResult naiveTrainingBytes(mlir::ModuleOp module, int64_t &bytes) {
  bytes = 0;
  if (!module.lookupSymbol<mlir::func::FuncOp>("train"))
    return mlir::success();
  mlir::OwningOpRef<mlir::ModuleOp> copy = module.clone();
  mlir::PassManager differentiate(module.getContext());
  differentiate.addPass(nnc::createDifferentiate());
  if (mlir::failed(differentiate.run(*copy)))
    return mlir::failure();
  if (auto step = copy->lookupSymbol<mlir::func::FuncOp>("train_step"))
    bytes = nnc::intermediateTensorBytes(step);
  return mlir::success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // --mlir-print-ir-before=<pass> and the like, which name registered passes.
  nnc::registerPasses();
  mlir::registerPassManagerCLOptions();
  // --mlir-timing: wall time of every pass and of LLVM's code generation.
  mlir::registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(nncCategory);
  cl::ParseCommandLineOptions(argc, argv, "nnc: a neural-network graph compiler\n");
  if (printTargetList) {
    nnc::codegen::printTargets(llvm::outs());
    return 0;
  }
  if (inputFilename.empty())
    return fail("no input file (usage: nnc model.nn -o model.o; see --help)");
  if (optLevel > 3)
    return fail("optimization level -O" + llvm::Twine(optLevel.getValue()) +
                " is out of range (0-3)");
  if (codegenPartitions < 1 || codegenPartitions > 64)
    return fail("--codegen-partitions=" + llvm::Twine(codegenPartitions.getValue()) +
                " is out of range (1-64)");
  bool toFile = outputFilename != "-";
  Emit emit = emitKind.getNumOccurrences() ? emitKind.getValue() : defaultEmit(toFile);

  // Check the target before any work, so a typo fails fast.
  nnc::codegen::TargetOptions targetOptions{targetTriple, targetCPU, targetFeatures,
                                            llvm::CodeGenOptLevel(std::min(3u, optLevel.getValue()))};
  std::unique_ptr<llvm::TargetMachine> machine;
  if (emit != Emit::AST && emit != Emit::NN) {
    auto created = nnc::codegen::createTargetMachine(targetOptions);
    if (!created)
      return fail(llvm::toString(created.takeError()));
    machine = std::move(*created);
  }

  std::string error;
  auto input = mlir::openInputFile(inputFilename, &error);
  if (!input)
    return fail(error);
  mlir::DialectRegistry registry;
  nnc::registerDialects(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics point at .nn source; an IR dump would only confuse users.
  context.printOpOnDiagnostic(false);
  context.loadDialect<nnc::nn::NNDialect, mlir::func::FuncDialect>();
  llvm::SourceMgr sourceMgr;
  llvm::StringRef source = input->getBuffer();
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::unique_ptr<nnc::frontend::File> file =
      nnc::frontend::parseFile(source, inputFilename, &context);
  if (!file)
    return 1;
  if (emit == Emit::AST && !printSummary)
    return writeFile(outputFilename, [&](llvm::raw_pwrite_stream &os) {
      nnc::frontend::printAST(*file, os);
      return mlir::success();
    });

  mlir::OwningOpRef<mlir::ModuleOp> module = nnc::frontend::generateIR(*file, &context);
  if (!module)
    return 1;
  // Timed only with --mlir-timing.
  mlir::DefaultTimingManager timing;
  mlir::applyDefaultTimingManagerCLOptions(timing);
  mlir::TimingScope timingRoot = timing.getRootScope();
  mlir::PassManager graph(&context);
  mlir::TimingScope graphTiming = timingRoot.nest("graph pipeline");
  graph.enableTiming(graphTiming);
  nnc::buildGraphPipeline(graph);
  if (mlir::failed(graph.run(*module)))
    return 1;
  graphTiming.stop();
  if (printSummary)
    return writeFile(outputFilename, [&](llvm::raw_pwrite_stream &os) {
      nnc::printModelSummary(*module, os);
      return mlir::success();
    });
  // The report's graph half is taken now, before lowering replaces the graph.
  std::string summary;
  int64_t naiveBytes = 0, naiveTrainBytes = 0;
  if (printReport) {
    if (auto infer = module->lookupSymbol<mlir::func::FuncOp>("infer"))
      naiveBytes = nnc::intermediateTensorBytes(infer);
    if (!inferenceOnly && naiveTrainingBytes(*module, naiveTrainBytes).failed())
      return 1;
    llvm::raw_string_ostream os(summary);
    nnc::printModelSummary(*module, os);
    emit = Emit::Header; // lower far enough to know the arena, print no code
  }
  if (emit == Emit::NN)
    return writeFile(outputFilename, [&](llvm::raw_pwrite_stream &os) {
      module->print(os);
      return mlir::success();
    });

  std::string name = symbolName.empty() ? module->getName().value_or("model").str()
                                        : symbolName.getValue();
  if (!nnc::codegen::isValidSymbolPrefix(name))
    return fail("--name '" + name + "' is not a valid C identifier");
  nnc::codegen::ModelABI model = nnc::codegen::describeModel(*module, name);

  mlir::PassManager lowering(&context);
  nnc::LoweringOptions loweringOptions;
  loweringOptions.stage =
      emit == Emit::Loops ? nnc::LoweringStage::Loops : nnc::LoweringStage::LLVMDialect;
  loweringOptions.poisonScratch = poisonScratch;
  loweringOptions.withTraining = !inferenceOnly;
  loweringOptions.simd = simdShape(machine.get());
  loweringOptions.profileLayers = profileLayers;
  loweringOptions.foldBatchNorm = foldBatchNorm;
  nnc::buildLoweringPipeline(lowering, loweringOptions);
  if (mlir::failed(mlir::applyPassManagerCLOptions(lowering)))
    return 1;
  mlir::TimingScope loweringTiming = timingRoot.nest("lowering pipeline");
  lowering.enableTiming(loweringTiming);
  if (mlir::failed(lowering.run(*module)))
    return 1;
  loweringTiming.stop();
  if (emit == Emit::Loops || emit == Emit::LLVMDialect)
    return writeFile(outputFilename, [&](llvm::raw_pwrite_stream &os) {
      module->print(os);
      return mlir::success();
    });
  nnc::codegen::finishModel(*module, model);
  if (!weightsFile.empty() && !nnc::codegen::loadWeights(weightsFile, model, error))
    return fail(error);
  if (printReport)
    return writeFile(outputFilename, [&](llvm::raw_pwrite_stream &os) {
      os << summary << "Memory plan (inference):\n"
         << "  parameters:           " << model.paramBytes << " bytes\n"
         << "  scratch arena:        " << model.inferScratchBytes << " bytes\n"
         << "  intermediate tensors: " << naiveBytes << " bytes if each had its own buffer\n"
         << "  arena / tensors:      "
         << llvm::format("%.3f", naiveBytes ? double(model.inferScratchBytes) / naiveBytes : 0.0)
         << "\n";
      if (model.hasTraining)
        os << "Memory plan (training step):\n"
           << "  optimizer state:      " << model.optStateBytes << " bytes\n"
           << "  scratch arena:        " << model.trainScratchBytes << " bytes\n"
           << "  intermediate tensors: " << naiveTrainBytes
           << " bytes if each had its own buffer\n"
           << "  arena / tensors:      "
           << llvm::format("%.3f", naiveTrainBytes
                                       ? double(model.trainScratchBytes) / naiveTrainBytes
                                       : 0.0)
           << "\n";
      return mlir::success();
    });
  if (emit == Emit::Header)
    return writeFile(outputFilename, [&](llvm::raw_pwrite_stream &os) {
      nnc::codegen::emitHeader(model, os);
      return mlir::success();
    });

  OutputKind kind = emit == Emit::LLVM  ? OutputKind::LLVMIR
                    : emit == Emit::Asm ? OutputKind::Assembly
                                        : OutputKind::Object;
  if (kind == OutputKind::Object && !toFile)
    return fail("an object file needs an output path: add -o model.o");
  // The object and its header succeed or fail together.
  std::string headerPath;
  if (kind == OutputKind::Object) {
    llvm::SmallString<256> path(outputFilename.getValue());
    llvm::sys::path::replace_extension(path, ".h");
    headerPath = std::string(path);
  }
  auto object = mlir::openOutputFile(outputFilename, &error);
  if (!object)
    return fail(error);
  {
    mlir::TimingScope llvmTiming = timingRoot.nest("LLVM optimization and code generation");
    if (mlir::failed(nnc::codegen::emitCode(*module, model, *machine, kind, optLevel,
                                            codegenPartitions, object->os())))
      return 1;
  }
  if (!headerPath.empty()) {
    int status = writeFile(headerPath, [&](llvm::raw_pwrite_stream &os) {
      nnc::codegen::emitHeader(model, os);
      return mlir::success();
    });
    if (status)
      return status;
  }
  object->keep();
  return 0;
}
