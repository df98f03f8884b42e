#include "gleak/render/json_escape.h"

namespace gleak {
namespace {

// Length of the UTF-8 sequence starting at s[i]. When it is not a whole valid
// sequence, `*valid` is false and the length is that of its maximal subpart (at
// least 1), which becomes one U+FFFD: Unicode's recommended practice, and what
// nlohmann's dump does, so that `gleak parse` and `gleak analyze` agree.
size_t Utf8Sequence(std::string_view s, size_t i, bool* valid) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  *valid = false;
  unsigned char c = byte(i);
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

}  // namespace

void AppendJsonString(std::string_view s, fmt::memory_buffer* out) {
  out->push_back('"');
  size_t run_start = 0;
  auto flush = [&](size_t end) { out->append(s.data() + run_start, s.data() + end); };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      bool valid = false;
      size_t n = Utf8Sequence(s, i, &valid);
      if (valid) {
        i += n;
        continue;
      }
      flush(i);
      fmt::format_to(std::back_inserter(*out), "\\ufffd");
      i += n;
      run_start = i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"':
        fmt::format_to(std::back_inserter(*out), "\\\"");
        break;
      case '\\':
        fmt::format_to(std::back_inserter(*out), "\\\\");
        break;
      case '\n':
        fmt::format_to(std::back_inserter(*out), "\\n");
        break;
      case '\t':
        fmt::format_to(std::back_inserter(*out), "\\t");
        break;
      case '\r':
        fmt::format_to(std::back_inserter(*out), "\\r");
        break;
      default:
        fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
    }
    run_start = ++i;
  }
  flush(s.size());
  out->push_back('"');
}

}  // namespace gleak
