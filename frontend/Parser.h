//===- Parser.h - recursive-descent parser for .nn --------------*- C++ -*-===//
//
// Parses a token stream into the AST. Syntax errors are MLIR diagnostics;
// the parser recovers at the next line so one run reports every error.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_PARSER_H
#define NNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

namespace nnc::frontend {

/// Parses `source` (named `filename` in diagnostics). Returns the file, or
/// null when any lexical or syntax error was reported.
std::unique_ptr<File> parseFile(llvm::StringRef source, llvm::StringRef filename,
                                mlir::MLIRContext *context);

} // namespace nnc::frontend

#endif // NNC_FRONTEND_PARSER_H
