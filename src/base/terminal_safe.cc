#include "base/terminal_safe.h"

namespace gleak {
namespace {

// U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069.
bool IsBidiControl(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

char32_t DecodeValid(std::string_view s, size_t i, size_t n) {
  auto byte = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (n) {
    case 2:
      return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3:
      return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    default:
      return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
             (byte(3) & 0x3F);
  }
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s, size_t i, bool* valid) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  *valid = false;
  unsigned char c = byte(i);
  if (c < 0x80) {
    *valid = true;
    return 1;
  }
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 1;
  }
  if (i + 1 >= s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 1;
  for (size_t k = 2; k <= need; ++k) {
    if (i + k >= s.size() || byte(i + k) < 0x80 || byte(i + k) > 0xBF) return k;
  }
  *valid = true;
  return need + 1;
}

void AppendTerminalSafe(std::string_view s, std::string* out, LineBreaks line_breaks) {
  out->reserve(out->size() + s.size());
  size_t run_start = 0;  // bytes copied as they are, in runs
  auto flush = [&](size_t end) { out->append(s.data() + run_start, end - run_start); };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    if (c == '\n' && line_breaks == LineBreaks::kKeep) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      bool valid = false;
      size_t n = Utf8SequenceLength(s, i, &valid);
      if (valid) {
        char32_t code = DecodeValid(s, i, n);
        if (code > 0x9F && !IsBidiControl(code)) {
          i += n;
          continue;
        }
      }
      flush(i);
      out->push_back('?');  // a C1 or bidi control, or bytes that are not UTF-8
      i += n;
      run_start = i;
      continue;
    }
    flush(i);
    out->append(c == '\t' ? "    " : "?");
    run_start = ++i;
  }
  flush(s.size());
}

std::string TerminalSafe(std::string_view s, LineBreaks line_breaks) {
  std::string out;
  AppendTerminalSafe(s, &out, line_breaks);
  return out;
}

}  // namespace gleak
