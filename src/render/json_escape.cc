#include "render/json_escape.h"

#include "base/terminal_safe.h"

namespace gleak {

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
      // An invalid sequence's maximal subpart becomes one U+FFFD, as nlohmann's
      // dump does, so that `gleak parse` and `gleak analyze` agree.
      size_t n = Utf8SequenceLength(s, i, &valid);
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
