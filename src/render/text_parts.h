// Pieces of the text renderers: styled, width-cut, terminal-safe lines.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/terminal_safe.h"
#include "model/group.h"
#include "render/display_width.h"
#include "render/text_report.h"

namespace gleak {

enum class Ink { kPlain, kBold, kDim, kRed, kYellow, kCyan, kGreen };

inline const char* Escape(Ink ink) {
  switch (ink) {
    case Ink::kBold:
      return "\x1b[1m";
    case Ink::kDim:
      return "\x1b[2m";
    case Ink::kRed:
      return "\x1b[1;31m";
    case Ink::kYellow:
      return "\x1b[33m";
    case Ink::kCyan:
      return "\x1b[36m";
    case Ink::kGreen:
      return "\x1b[32m";
    case Ink::kPlain:
      break;
  }
  return "";
}

// Terminal columns: a wide character (CJK, emoji) takes two.
inline size_t Columns(std::string_view s) { return DisplayColumns(s); }

// One output line made of styled pieces: a table row is cut to the terminal
// width (End), prose is wrapped at it (EndWrapped).
class LineOut {
 public:
  LineOut(const TextStyle& style, std::ostream& out) : style_(style), out_(out) {}
  LineOut& Add(std::string_view text, Ink ink = Ink::kPlain) {
    pieces_.push_back({std::string(text), ink});
    return *this;
  }
  void Pad(size_t column) {
    size_t used = 0;
    for (const auto& p : pieces_) used += Columns(p.text);
    Add(std::string(column > used ? column - used : 1, ' '));
  }
  void End() {
    size_t budget = style_.width == 0 ? SIZE_MAX : style_.width;
    std::string line;
    for (auto& piece : pieces_) {
      if (budget == 0) break;
      std::string text = piece.text;
      size_t columns = Columns(text);
      if (columns > budget) {
        text = Cut(text, budget > 1 ? budget - 1 : 0) + "…";
        columns = budget;
      }
      budget -= columns;
      if (style_.color && piece.ink != Ink::kPlain) {
        line += Escape(piece.ink) + text + "\x1b[0m";
      } else {
        line += text;
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << line << '\n';
    pieces_.clear();
  }

  // Ends a line of prose (a why, a fix, a note): words that pass the terminal
  // width go on to further lines, which start `indent` columns in; nothing is
  // cut (a word wider than a line is broken). Not a terminal: one line.
  void EndWrapped(size_t indent) {
    if (style_.width == 0 || style_.width <= indent + 10) {
      End();
      return;
    }
    const size_t width = style_.width;
    std::string line;
    size_t column = 0;
    auto new_line = [&] {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      line += '\n';
      line.append(indent, ' ');
      column = indent;
    };
    for (const Piece& piece : pieces_) {
      std::string_view text = piece.text;
      while (!text.empty()) {
        size_t word_at = text.find_first_not_of(' ');
        if (word_at == std::string_view::npos) word_at = text.size();
        size_t word_end = std::min(text.find(' ', word_at), text.size());
        std::string_view spaces = text.substr(0, word_at);
        std::string_view word = text.substr(word_at, word_end - word_at);
        text.remove_prefix(word_end);
        size_t word_columns = Columns(word);
        if (column > indent && column + spaces.size() + word_columns > width) {
          new_line();
          spaces = {};
        }
        Paint(line, spaces, piece.ink);
        column += spaces.size();
        while (column + word_columns > width && column < width) {
          // Wider than what is left of a line: break it.
          std::string_view part = DisplayPrefix(word, width - column);
          if (part.empty()) break;
          Paint(line, part, piece.ink);
          word.remove_prefix(part.size());
          word_columns = Columns(word);
          new_line();
        }
        Paint(line, word, piece.ink);
        column += word_columns;
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << line << '\n';
    pieces_.clear();
  }

 private:
  void Paint(std::string& line, std::string_view text, Ink ink) const {
    if (text.empty()) return;
    if (style_.color && ink != Ink::kPlain) {
      line.append(Escape(ink)).append(text).append("\x1b[0m");
    } else {
      line.append(text);
    }
  }
  static std::string Cut(const std::string& s, size_t columns) {
    return std::string(DisplayPrefix(s, columns));
  }
  struct Piece {
    std::string text;
    Ink ink;
  };
  const TextStyle& style_;
  std::ostream& out_;
  std::vector<Piece> pieces_;
};

inline std::string Bytes(uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", n / 1024.0);
  if (n < uint64_t{1024} * 1024 * 1024) return fmt::format("{:.1f} MiB", n / (1024.0 * 1024));
  return fmt::format("{:.2f} GiB", n / (1024.0 * 1024 * 1024));
}

// A change in a count: "+3", "-2", "0".
inline std::string Signed(int64_t n) {
  return n > 0 ? fmt::format("+{}", n) : fmt::format("{}", n);
}

inline std::string Plural(uint64_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

inline std::string Location(const StackFrame& f) {
  std::string file = TerminalSafe(f.shown_file());
  if (file.empty()) return {};
  return f.line > 0 ? fmt::format("{}:{}", file, f.line) : file;
}

// Where the continued lines of a group's why and fix start: under the text
// after "     why  ".
inline constexpr size_t kProseIndent = 10;

// The column where locations start in a group's lines.
inline constexpr size_t kLocationColumn = 46;

// "      at  main.f                    pkg/file.go:12": a labelled frame line.
inline void FrameLine(LineOut& line, std::string_view label, const StackFrame& frame, Ink ink) {
  line.Add(label, Ink::kDim).Add(TerminalSafe(frame.func), ink);
  line.Pad(kLocationColumn);
  line.Add(Location(frame));
}

// "      at  ...": where a group waits, the first line under its header.
inline void AtLine(LineOut& line, const Group& g) {
  if (!g.frames.empty()) {
    FrameLine(line, "      at  ", g.frames[g.top_frame], Ink::kCyan);
    line.End();
  }
}

inline void FixLine(LineOut& line, const std::string& fix) {
  if (fix.empty()) return;
  line.Add("     fix  ", Ink::kDim).Add(TerminalSafe(fix), Ink::kGreen);
  line.EndWrapped(kProseIndent);
}

// The lines above a spawn tree: what it shows (`what`), whether its counts
// are sampled, and why it has no links when no group has any (`where`: "this
// dump", "the newest snapshot").
inline void SpawnTreeHeading(LineOut& line, std::string_view what, uint32_t sample_level,
                             bool any_link, std::string_view where) {
  line.Add("Spawn tree", Ink::kBold).Add(what, Ink::kDim);
  line.EndWrapped(2);
  if (sample_level > 0) {
    line.Add(fmt::format("  counts estimated from 1 parent id in {} (too many to keep all)",
                         uint64_t{1} << std::min<uint32_t>(sample_level, 63)),
             Ink::kYellow);
    line.End();
  }
  if (!any_link) {
    line.Add(fmt::format("  no parent ids in {}: Go 1.21+ prints them in tracebacks (debug=2, "
                         "SIGQUIT, panics), not in debug=1 or protobuf profiles",
                         where),
             Ink::kDim);
    line.EndWrapped(2);
  }
}

}  // namespace gleak
