#include "render/wrap_text.h"

#include <vector>

#include "render/display_width.h"

namespace gleak {
namespace {

size_t Indentation(std::string_view line) {
  size_t n = line.find_first_not_of(' ');
  return n == std::string_view::npos ? line.size() : n;
}

// Where the further lines of `line` start (see WrapText).
size_t HangingIndent(std::string_view line) {
  size_t indent = Indentation(line);
  if (indent == 0) return 0;
  size_t word_end = line.find(' ', indent);
  if (word_end != std::string_view::npos) {
    size_t gap = line.find("  ", word_end);
    if (gap != std::string_view::npos) {
      size_t definition = line.find_first_not_of(' ', gap);
      if (definition != std::string_view::npos) return definition;
    }
  }
  return indent + 4;
}

// One item: its first line's indentation, then its words, filled at `width`;
// further lines start at `hang` (or at the left edge when that leaves no room).
void Fill(size_t indent, size_t hang, const std::vector<std::string_view>& words, size_t width,
          std::string* out) {
  out->append(indent, ' ');
  size_t column = indent;
  bool line_empty = true;
  for (std::string_view word : words) {
    size_t columns = DisplayColumns(word);
    if (!line_empty && column + 1 + columns > width) {
      out->push_back('\n');
      out->append(hang, ' ');
      column = hang;
      line_empty = true;
    }
    if (!line_empty) {
      out->push_back(' ');
      ++column;
    }
    out->append(word);
    column += columns;
    line_empty = false;
  }
  out->push_back('\n');
}

// Appends the words of `line` (after its indentation) to `words`; the
// "term  definition" gap is kept as one two-space word so that it survives.
void AddWords(std::string_view line, bool keep_gap, std::vector<std::string_view>* words) {
  line.remove_prefix(Indentation(line));
  bool gap_kept = !keep_gap;
  while (!line.empty()) {
    size_t end = line.find(' ');
    if (end == std::string_view::npos) end = line.size();
    words->push_back(line.substr(0, end));
    line.remove_prefix(end);
    size_t spaces = Indentation(line);
    if (!gap_kept && spaces >= 2 && spaces < line.size()) {
      // Joins the term to the spaces up to its definition column.
      std::string_view& last = words->back();
      last = std::string_view(last.data(), last.size() + spaces - 1);
      gap_kept = true;
    }
    line.remove_prefix(spaces);
  }
}

}  // namespace

std::string WrapText(std::string_view text, size_t width) {
  if (width == 0) return std::string(text);
  const bool ends_with_newline = text.ends_with('\n');
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  std::string out;
  std::vector<std::string_view> words;
  for (size_t i = 0; i < lines.size();) {
    std::string_view first = lines[i];
    if (Indentation(first) == first.size()) {  // an empty line
      out.append(first);
      out.push_back('\n');
      ++i;
      continue;
    }
    size_t indent = Indentation(first);
    const size_t source_hang = HangingIndent(first);
    // A definition column that leaves less than 20 columns: the item hangs
    // as a plain indented line would.
    bool definition = source_hang > 0 && source_hang != indent + 4;
    size_t hang = source_hang;
    if (hang + 20 > width) {
      definition = false;
      hang = indent + 4 + 20 > width ? 0 : indent + 4;
    }
    words.clear();
    AddWords(first, definition, &words);
    ++i;
    while (i < lines.size() && Indentation(lines[i]) == source_hang &&
           Indentation(lines[i]) < lines[i].size()) {
      AddWords(lines[i], false, &words);
      ++i;
    }
    Fill(indent, hang, words, width, &out);
  }
  if (!ends_with_newline && !out.empty()) out.pop_back();
  return out;
}

}  // namespace gleak
