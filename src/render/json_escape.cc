#include "render/json_escape.h"

#include <cstdint>
#include <cstring>

#include "base/terminal_safe.h"

namespace gleak {
namespace {

// Bytes a string can hold as they are: printable ASCII but `"` and `\`.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

// True when one of the 8 bytes of `x` may need an escape or a UTF-8 check
// (below 0x20, `"`, `\`, or 0x80 and up). It may say so of a clean word (a
// borrow between bytes), never the other way round.
inline bool MayNeedWork(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  uint64_t quote = x ^ (kOnes * '"');
  uint64_t backslash = x ^ (kOnes * '\\');
  return (((x - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes) | x) & kHigh) != 0;
}

// From `i`, past the bytes that need nothing: eight at a time first, as most
// of a report's text is file paths and function names.
size_t SkipPlain(std::string_view s, size_t i) {
  for (uint64_t word; i + 8 <= s.size(); i += 8) {
    std::memcpy(&word, s.data() + i, 8);
    if (MayNeedWork(word)) break;
  }
  while (i < s.size() && kPlain.plain[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

}  // namespace

size_t JsonPlainPrefix(std::string_view s) { return SkipPlain(s, 0); }

void AppendJsonQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  const char* data = s.data();
  size_t run_start = 0;
  for (size_t i = SkipPlain(s, 0); i < s.size(); i = SkipPlain(s, i)) {
    unsigned char c = static_cast<unsigned char>(data[i]);
    if (c >= 0x80) {
      bool valid = false;
      // An invalid sequence's maximal subpart becomes one U+FFFD, written as
      // its UTF-8 bytes, as nlohmann's dump does with ensure_ascii off.
      size_t n = Utf8SequenceLength(s, i, &valid);
      if (valid) {
        i += n;
        continue;
      }
      out->append(data + run_start, i - run_start);
      out->append("\xEF\xBF\xBD");
      i += n;
      run_start = i;
      continue;
    }
    out->append(data + run_start, i - run_start);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\r':
        out->append("\\r");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, sizeof esc);
      }
    }
    run_start = ++i;
  }
  out->append(data + run_start, s.size() - run_start);
  out->push_back('"');
}

}  // namespace gleak
