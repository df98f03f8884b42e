// How many terminal columns text takes: a CJK character or an emoji takes
// two, a combining mark none (Unicode's widths, from utf8proc, the one module
// that knows it).
#pragma once

#include <cstddef>
#include <string_view>

namespace gleak {

// Columns of UTF-8 `text`; a byte that is not UTF-8 counts one.
size_t DisplayColumns(std::string_view text);

// The longest prefix of `text` that takes at most `columns` columns, never
// cut inside a character.
std::string_view DisplayPrefix(std::string_view text, size_t columns);

}  // namespace gleak
