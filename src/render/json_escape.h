// JSON string escaping that is safe for any bytes a dump may hold: control
// characters are escaped and invalid UTF-8 becomes U+FFFD, so the output is
// always valid JSON.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace gleak {

// Appends `"...escaped..."` (with the quotes) to `out`.
void AppendJsonString(std::string_view s, fmt::memory_buffer* out);

}  // namespace gleak
