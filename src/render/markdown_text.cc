#include "render/markdown_text.h"

#include <algorithm>

namespace gleak {

namespace {
bool IsAsciiPunctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}
// What can start markup inside a line: code, emphasis, links and images, HTML
// and entities, table cells, strikethrough, and on GitHub math ($), mentions
// (@) and issue references (#).
bool StartsMarkup(char c) {
  switch (c) {
    case '\\':
    case '`':
    case '*':
    case '_':
    case '[':
    case ']':
    case '<':
    case '>':
    case '|':
    case '&':
    case '~':
    case '!':
    case '#':
    case '$':
    case '@':
      return true;
    default:
      return false;
  }
}
}  // namespace

std::string MarkdownText(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size(); ++i) {
    // The first character may also start a block (a list, a heading, a quote).
    if (StartsMarkup(s[i]) || (i == 0 && IsAsciiPunctuation(s[i]))) out += '\\';
    out += s[i];
  }
  return out;
}

std::string MarkdownCode(std::string_view s) {
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  std::string body(s);
  // A space on each side when the text starts or ends with a backtick (or is
  // all spaces): CommonMark strips exactly one from each side.
  bool pad = body.empty() || body.front() == '`' || body.back() == '`' || body.front() == ' ' ||
             body.back() == ' ';
  if (body.empty()) return "` `";
  return pad ? fence + " " + body + " " + fence : fence + body + fence;
}

}  // namespace gleak
