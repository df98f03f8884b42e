// Text made safe for GitHub-flavoured Markdown: whatever a dump names (a
// function called `<script>`, a file with `|` or backticks) shows as the same
// characters, never as markup, a table cell break or raw HTML.
#pragma once

#include <string>
#include <string_view>

namespace gleak {

// Plain Markdown text: every character that can start markup inside a line
// backslash-escaped (\ ` * _ [ ] < > | & ~ ! # $ @), and the first one when it
// is any ASCII punctuation (a list, heading or quote marker), so no emphasis,
// link, HTML tag, entity, table cell break, mention or math can start from it.
std::string MarkdownText(std::string_view s);

// A code span that shows `s` as it is: fenced by one more backtick than the
// longest run of backticks inside. Not for a table cell (a `|` in it would end
// the cell; use MarkdownText there).
std::string MarkdownCode(std::string_view s);

}  // namespace gleak
