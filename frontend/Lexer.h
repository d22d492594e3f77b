//===- Lexer.h - tokens of the .nn language ---------------------*- C++ -*-===//
//
// Turns a .nn source buffer into tokens carrying file:line:col. Comments (`#`
// to end of line, `/* ... */`) are skipped. Lexical errors (a stray
// character, an unterminated string or comment, invalid UTF-8) are reported
// as MLIR diagnostics and produce an Error token, so lexing always ends.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_LEXER_H
#define NNC_FRONTEND_LEXER_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace nnc::frontend {

enum class TokenKind {
  Eof, Error,
  Identifier, Integer, Float, String,
  // Keywords.
  KwModel, KwBlock, KwInput, KwOutput, KwTrain, KwTarget, KwLoss, KwOptimizer,
  KwFor, KwIn, KwIf, KwElse, KwReturn, KwTrue, KwFalse, KwAnd, KwOr, KwNot,
  // Punctuation and operators.
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Dot,
  Assign, Pipe, Plus, Minus, Star, Slash, SlashSlash, Percent,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,
};

/// Human-readable spelling of a token kind for "expected X" messages.
llvm::StringRef spell(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::Eof;
  llvm::StringRef text;   // the source text of the token
  std::string value;      // decoded string literal contents
  unsigned line = 0, column = 0;
  bool startsLine = false; // first token on its source line
};

/// Lexes `source` completely. Errors are emitted through the context's
/// diagnostic engine at `filename:line:col`; the result always ends in Eof.
std::vector<Token> lex(llvm::StringRef source, llvm::StringRef filename,
                       mlir::MLIRContext *context, bool &hadError);

} // namespace nnc::frontend

#endif // NNC_FRONTEND_LEXER_H
