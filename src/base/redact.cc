#include "base/redact.h"

namespace gleak {

std::string RedactUrlPasswords(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (size_t scheme_end = text.find("://"); scheme_end != std::string_view::npos;
       scheme_end = text.find("://", pos)) {
    size_t authority = scheme_end + 3;
    // The authority ends at the path, query or fragment, or where the URL
    // ends in a message (a space, a quote, a bracket).
    size_t end = text.find_first_of("/?#\\ \t\r\n\"'<>()[]{}", authority);
    if (end == std::string_view::npos) end = text.size();
    std::string_view host_part = text.substr(authority, end - authority);
    size_t at = host_part.rfind('@');
    size_t colon = at == std::string_view::npos ? at : host_part.find(':');
    if (colon != std::string_view::npos && colon < at) {
      out.append(text.substr(pos, authority + colon + 1 - pos));
      out.append("***");
      out.append(host_part.substr(at));
    } else {
      out.append(text.substr(pos, end - pos));
    }
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace gleak
