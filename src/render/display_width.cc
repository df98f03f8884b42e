#include "render/display_width.h"

#include <utf8proc.h>

namespace gleak {
namespace {

// The next character of `text` from `at`: its length in bytes and columns.
struct Step {
  size_t bytes;
  size_t columns;
};

Step Next(std::string_view text, size_t at) {
  utf8proc_int32_t c = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + at),
                                        static_cast<utf8proc_ssize_t>(text.size() - at), &c);
  if (n <= 0) return {1, 1};
  int width = utf8proc_charwidth(c);
  return {static_cast<size_t>(n), width < 0 ? 1 : static_cast<size_t>(width)};
}

}  // namespace

size_t DisplayColumns(std::string_view text) {
  size_t columns = 0;
  for (size_t at = 0; at < text.size();) {
    Step s = Next(text, at);
    at += s.bytes;
    columns += s.columns;
  }
  return columns;
}

std::string_view DisplayPrefix(std::string_view text, size_t columns) {
  size_t used = 0, at = 0;
  while (at < text.size()) {
    Step s = Next(text, at);
    if (used + s.columns > columns) break;
    used += s.columns;
    at += s.bytes;
  }
  return text.substr(0, at);
}

}  // namespace gleak
