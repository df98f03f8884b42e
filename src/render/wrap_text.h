// Plain text wrapped at a terminal's width, by display columns (a CJK
// character takes two), for text gleak writes itself: --help, notes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleak {

// `text` as paragraphs and items, each wrapped at `width` columns at its
// spaces. A line's further lines hang at its definition column when it is a
// "term  definition" item (the first run of two spaces after its first word:
// "  3  an input could not be read"), else four columns past its own
// indentation when it is indented (a command in a list of examples), else at
// the left edge (prose). A line that starts at the column where the line
// before it hangs goes on with it: a paragraph or item written over several
// lines is filled again as one. A word wider than a line is left whole (a URL
// or a path must stay copyable). With `width` 0, `text` is left as it is.
std::string WrapText(std::string_view text, size_t width);

}  // namespace gleak
