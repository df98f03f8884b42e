// The one JSON string escaper of gleak's output (reports, diffs, watch lines,
// `gleak parse` records): its text is, byte for byte, what nlohmann::json's
// dump writes with the `replace` error handler and ensure_ascii off, so that
// every writer agrees with it and with each other. Safe for any bytes a dump
// may hold: `"` and `\` are escaped, control characters become \b \t \n \f \r
// or \u00XX, valid UTF-8 passes as it is, and each invalid sequence's maximal
// subpart becomes one U+FFFD, written as its UTF-8 bytes (EF BF BD), never as
// the escape \ufffd. The output is always valid JSON.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleak {

// How many bytes at the start of `s` a JSON string holds as they are
// (s.size() when `s` needs no escape and no UTF-8 check at all).
size_t JsonPlainPrefix(std::string_view s);

// Appends `s` to `out` as a quoted JSON string ("...escaped...").
void AppendJsonQuoted(std::string_view s, std::string* out);

}  // namespace gleak
