#include "base/pattern.h"

#include <re2/re2.h>

#include "base/error.h"

namespace gleak {

namespace {

bool LiteralByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '/' || c == ' ' || c == '-' || c == ':' || c == ',' || c == '<' || c == '>' ||
         c == '=' || c == '@';
}

bool Quantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

// True when `e` has a `|` outside every group: then a leading `^` anchors only
// the first alternative. Escapes and character classes are skipped.
bool TopLevelAlternation(std::string_view e) {
  int depth = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    char c = e[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      ++i;
      if (i < e.size() && e[i] == '^') ++i;
      if (i < e.size() && e[i] == ']') ++i;  // a leading ] is a member
      for (; i < e.size() && e[i] != ']'; ++i) {
        if (e[i] == '\\') ++i;
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth <= 0) {
      return true;
    }
  }
  return false;
}

// The text every match of `e` starts with when `e` is anchored at the start
// ("^net/http\.\(\*conn\)..."): plain bytes and escaped punctuation up to the first
// other construct, less a last byte a quantifier applies to. Empty when there
// is none or the expression is not plainly anchored: then RE2 decides alone.
std::string LiteralPrefix(std::string_view e) {
  if (e.size() < 2 || e[0] != '^' || TopLevelAlternation(e)) return {};
  std::string prefix;
  size_t i = 1;
  while (i < e.size()) {
    char c = e[i];
    if (LiteralByte(c)) {
      prefix.push_back(c);
      ++i;
    } else if (c == '\\' && i + 1 < e.size() && !LiteralByte(e[i + 1]) &&
               static_cast<unsigned char>(e[i + 1]) < 0x80 && e[i + 1] > ' ') {
      prefix.push_back(e[i + 1]);  // \. \( \* ...: the character itself
      i += 2;
    } else {
      break;
    }
  }
  if (i < e.size() && Quantifier(e[i]) && !prefix.empty()) prefix.pop_back();
  return prefix;
}

}  // namespace

struct Pattern::Impl {
  explicit Impl(const std::string& expression)
      : re(expression, RE2::Quiet), prefix(LiteralPrefix(expression)) {}
  RE2 re;
  // Every match starts with it: most texts are turned away without RE2 (the
  // classifier tries every rule's frame pattern on every frame of a group).
  std::string prefix;
};

Pattern::Pattern(const std::string& expression, std::string_view what)
    : expression_(expression), impl_(std::make_unique<Impl>(expression)) {
  if (!impl_->re.ok()) {
    std::string where = what.empty() ? std::string() : std::string(what) + ": ";
    ThrowUsageError(where + "invalid regular expression '" + expression +
                    "': " + impl_->re.error());
  }
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::MayMatch(std::string_view text) const { return text.starts_with(impl_->prefix); }

bool Pattern::Matches(std::string_view text) const {
  if (!MayMatch(text)) return false;
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), impl_->re);
}

}  // namespace gleak
