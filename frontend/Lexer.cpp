//===- Lexer.cpp - tokens of the .nn language -----------------------------===//
//
// A hand-written scanner over the whole buffer. It validates UTF-8 up front
// (non-ASCII bytes may appear only in comments and strings) and reports every
// lexical error it meets, continuing after each.
//
//===----------------------------------------------------------------------===//

#include "frontend/Lexer.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ConvertUTF.h"

using namespace nnc::frontend;
using llvm::StringRef;

StringRef nnc::frontend::spell(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof: return "end of file";
  case TokenKind::Error: return "invalid token";
  case TokenKind::Identifier: return "identifier";
  case TokenKind::Integer: return "integer";
  case TokenKind::Float: return "float";
  case TokenKind::String: return "string";
  case TokenKind::KwModel: return "'model'";
  case TokenKind::KwBlock: return "'block'";
  case TokenKind::KwInput: return "'input'";
  case TokenKind::KwOutput: return "'output'";
  case TokenKind::KwTrain: return "'train'";
  case TokenKind::KwTarget: return "'target'";
  case TokenKind::KwLoss: return "'loss'";
  case TokenKind::KwOptimizer: return "'optimizer'";
  case TokenKind::KwFor: return "'for'";
  case TokenKind::KwIn: return "'in'";
  case TokenKind::KwIf: return "'if'";
  case TokenKind::KwElse: return "'else'";
  case TokenKind::KwReturn: return "'return'";
  case TokenKind::KwTrue: return "'true'";
  case TokenKind::KwFalse: return "'false'";
  case TokenKind::KwAnd: return "'and'";
  case TokenKind::KwOr: return "'or'";
  case TokenKind::KwNot: return "'not'";
  case TokenKind::LParen: return "'('";
  case TokenKind::RParen: return "')'";
  case TokenKind::LBracket: return "'['";
  case TokenKind::RBracket: return "']'";
  case TokenKind::LBrace: return "'{'";
  case TokenKind::RBrace: return "'}'";
  case TokenKind::Comma: return "','";
  case TokenKind::Colon: return "':'";
  case TokenKind::Dot: return "'.'";
  case TokenKind::Assign: return "'='";
  case TokenKind::Pipe: return "'|>'";
  case TokenKind::Plus: return "'+'";
  case TokenKind::Minus: return "'-'";
  case TokenKind::Star: return "'*'";
  case TokenKind::Slash: return "'/'";
  case TokenKind::SlashSlash: return "'//'";
  case TokenKind::Percent: return "'%'";
  case TokenKind::Equal: return "'=='";
  case TokenKind::NotEqual: return "'!='";
  case TokenKind::Less: return "'<'";
  case TokenKind::LessEqual: return "'<='";
  case TokenKind::Greater: return "'>'";
  case TokenKind::GreaterEqual: return "'>='";
  }
  return "token";
}

namespace {
class Scanner {
public:
  Scanner(StringRef source, StringRef filename, mlir::MLIRContext *context)
      : source(source), filename(filename), context(context) {}

  std::vector<Token> run(bool &hadError);

private:
  char peek(size_t ahead = 0) const {
    return pos + ahead < source.size() ? source[pos + ahead] : '\0';
  }
  bool atEnd() const { return pos >= source.size(); }
  void advance() {
    if (source[pos] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(source[pos]) & 0xC0) != 0x80) {
      ++column; // count code points, not UTF-8 continuation bytes
    }
    ++pos;
  }
  mlir::InFlightDiagnostic error(unsigned atLine, unsigned atColumn) {
    failed = true;
    return mlir::emitError(mlir::FileLineColLoc::get(context, filename, atLine, atColumn));
  }
  bool validateUtf8();
  void skipSpaceAndComments();
  Token next();
  Token make(TokenKind kind, size_t start, unsigned startLine, unsigned startColumn) {
    Token token;
    token.kind = kind;
    token.text = source.slice(start, pos);
    token.line = startLine;
    token.column = startColumn;
    return token;
  }
  Token lexNumber(size_t start, unsigned startLine, unsigned startColumn);
  Token lexString(size_t start, unsigned startLine, unsigned startColumn);

  StringRef source, filename;
  mlir::MLIRContext *context;
  size_t pos = 0;
  unsigned line = 1, column = 1;
  bool failed = false;
};
} // namespace

bool Scanner::validateUtf8() {
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(source.data());
  const llvm::UTF8 *cursor = begin;
  if (llvm::isLegalUTF8String(&cursor, begin + source.size()))
    return true;
  // Find the line and column of the first invalid byte.
  size_t offset = cursor - begin;
  unsigned badLine = 1 + source.take_front(offset).count('\n');
  size_t lineStart = source.take_front(offset).rfind('\n');
  // Columns count code points, like every other diagnostic.
  StringRef linePrefix =
      source.slice(lineStart == StringRef::npos ? 0 : lineStart + 1, offset);
  unsigned badColumn = 1 + llvm::count_if(linePrefix, [](char c) {
                         return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
                       });
  error(badLine, badColumn) << "file is not valid UTF-8 (invalid byte 0x"
                            << llvm::utohexstr(static_cast<unsigned char>(source[offset]))
                            << ")";
  return false;
}

void Scanner::skipSpaceAndComments() {
  while (!atEnd()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      advance();
    } else if (c == '#') {
      while (!atEnd() && peek() != '\n')
        advance();
    } else if (c == '/' && peek(1) == '*') {
      unsigned startLine = line, startColumn = column;
      advance();
      advance();
      while (!atEnd() && !(peek() == '*' && peek(1) == '/'))
        advance();
      if (atEnd()) {
        error(startLine, startColumn) << "unterminated comment: '/*' has no closing '*/'";
        return;
      }
      advance();
      advance();
    } else {
      return;
    }
  }
}

Token Scanner::lexNumber(size_t start, unsigned startLine, unsigned startColumn) {
  while (llvm::isDigit(peek()))
    advance();
  bool isFloat = false;
  if (peek() == '.' && llvm::isDigit(peek(1))) {
    isFloat = true;
    advance();
    while (llvm::isDigit(peek()))
      advance();
  }
  if (peek() == 'e' || peek() == 'E') {
    size_t exponent = (peek(1) == '+' || peek(1) == '-') ? 2 : 1;
    if (llvm::isDigit(peek(exponent))) {
      isFloat = true;
      for (size_t i = 0; i < exponent; ++i)
        advance();
      while (llvm::isDigit(peek()))
        advance();
    }
  }
  if (llvm::isAlpha(peek()) || peek() == '_') {
    while (llvm::isAlnum(peek()) || peek() == '_')
      advance();
    error(startLine, startColumn) << "malformed number '" << source.slice(start, pos) << "'";
    return make(TokenKind::Error, start, startLine, startColumn);
  }
  return make(isFloat ? TokenKind::Float : TokenKind::Integer, start, startLine,
              startColumn);
}

Token Scanner::lexString(size_t start, unsigned startLine, unsigned startColumn) {
  advance(); // opening quote
  std::string value;
  while (!atEnd() && peek() != '"' && peek() != '\n') {
    if (peek() == '\\' && (peek(1) == '"' || peek(1) == '\\')) {
      advance();
    }
    value.push_back(peek());
    advance();
  }
  if (peek() != '"') {
    error(startLine, startColumn) << "unterminated string: missing closing '\"'";
    return make(TokenKind::Error, start, startLine, startColumn);
  }
  advance();
  Token token = make(TokenKind::String, start, startLine, startColumn);
  token.value = std::move(value);
  return token;
}

Token Scanner::next() {
  size_t start = pos;
  unsigned startLine = line, startColumn = column;
  char c = peek();
  if (llvm::isAlpha(c) || c == '_') {
    while (llvm::isAlnum(peek()) || peek() == '_')
      advance();
    StringRef word = source.slice(start, pos);
    TokenKind kind = llvm::StringSwitch<TokenKind>(word)
                         .Case("model", TokenKind::KwModel)
                         .Case("block", TokenKind::KwBlock)
                         .Case("input", TokenKind::KwInput)
                         .Case("output", TokenKind::KwOutput)
                         .Case("train", TokenKind::KwTrain)
                         .Case("target", TokenKind::KwTarget)
                         .Case("loss", TokenKind::KwLoss)
                         .Case("optimizer", TokenKind::KwOptimizer)
                         .Case("for", TokenKind::KwFor)
                         .Case("in", TokenKind::KwIn)
                         .Case("if", TokenKind::KwIf)
                         .Case("else", TokenKind::KwElse)
                         .Case("return", TokenKind::KwReturn)
                         .Case("true", TokenKind::KwTrue)
                         .Case("false", TokenKind::KwFalse)
                         .Case("and", TokenKind::KwAnd)
                         .Case("or", TokenKind::KwOr)
                         .Case("not", TokenKind::KwNot)
                         .Default(TokenKind::Identifier);
    return make(kind, start, startLine, startColumn);
  }
  if (llvm::isDigit(c))
    return lexNumber(start, startLine, startColumn);
  if (c == '"')
    return lexString(start, startLine, startColumn);

  auto single = [&](TokenKind kind) {
    advance();
    return make(kind, start, startLine, startColumn);
  };
  auto pair = [&](TokenKind kind) {
    advance();
    advance();
    return make(kind, start, startLine, startColumn);
  };
  switch (c) {
  case '(': return single(TokenKind::LParen);
  case ')': return single(TokenKind::RParen);
  case '[': return single(TokenKind::LBracket);
  case ']': return single(TokenKind::RBracket);
  case '{': return single(TokenKind::LBrace);
  case '}': return single(TokenKind::RBrace);
  case ',': return single(TokenKind::Comma);
  case ':': return single(TokenKind::Colon);
  case '.': return single(TokenKind::Dot);
  case '+': return single(TokenKind::Plus);
  case '-': return single(TokenKind::Minus);
  case '*': return single(TokenKind::Star);
  case '%': return single(TokenKind::Percent);
  case '/': return peek(1) == '/' ? pair(TokenKind::SlashSlash) : single(TokenKind::Slash);
  case '|':
    if (peek(1) == '>')
      return pair(TokenKind::Pipe);
    break;
  case '=': return peek(1) == '=' ? pair(TokenKind::Equal) : single(TokenKind::Assign);
  case '!':
    if (peek(1) == '=')
      return pair(TokenKind::NotEqual);
    break;
  case '<': return peek(1) == '=' ? pair(TokenKind::LessEqual) : single(TokenKind::Less);
  case '>':
    return peek(1) == '=' ? pair(TokenKind::GreaterEqual) : single(TokenKind::Greater);
  default:
    break;
  }
  advance();
  while (!atEnd() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80)
    advance(); // the rest of a multi-byte character
  auto diag = error(startLine, startColumn);
  StringRef bad = source.slice(start, pos);
  if (bad.size() == 1 && !llvm::isPrint(bad[0]))
    diag << "unexpected character (byte 0x" << llvm::utohexstr(static_cast<unsigned char>(bad[0])) << ")";
  else
    diag << "unexpected character '" << bad << "'";
  return make(TokenKind::Error, start, startLine, startColumn);
}

std::vector<Token> Scanner::run(bool &hadError) {
  std::vector<Token> tokens;
  if (!validateUtf8()) {
    hadError = true;
    tokens.push_back(make(TokenKind::Eof, pos, line, column));
    return tokens;
  }
  unsigned lastLine = 0;
  while (true) {
    skipSpaceAndComments();
    if (atEnd())
      break;
    Token token = next();
    token.startsLine = token.line != lastLine;
    lastLine = token.line;
    tokens.push_back(std::move(token));
  }
  Token eof = make(TokenKind::Eof, pos, line, column);
  eof.startsLine = true;
  tokens.push_back(eof);
  hadError = failed;
  return tokens;
}

std::vector<Token> nnc::frontend::lex(StringRef source, StringRef filename,
                                      mlir::MLIRContext *context, bool &hadError) {
  return Scanner(source, filename, context).run(hadError);
}
