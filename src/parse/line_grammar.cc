#include "parse/line_grammar.h"

#include <cstdint>
#include <cstring>

#include "base/text.h"

namespace gleak {
namespace {

// Strips one trailing decoration the runtime appends to a wait reason.
bool StripDecoration(std::string_view* state, HeaderLine* out) {
  if (ConsumeSuffix(state, " (leaked)")) return out->leaked = true;
  if (ConsumeSuffix(state, " (scan)")) return out->scan = true;
  if (ConsumeSuffix(state, " (durable)")) return out->durable = true;
  if (ConsumeSuffix(state, " (synctest)")) return out->durable = true;
  return false;
}

void ParseStateItem(std::string_view item, HeaderLine* out) {
  if (item == "locked to thread") {
    out->locked_to_thread = true;
    return;
  }
  std::string_view rest = item;
  uint64_t value = 0;
  if (ConsumePrefix(&rest, "synctest bubble ") || ConsumePrefix(&rest, "synctest group ")) {
    if (ParseDecimal(rest, &value) == NumberStatus::kOk) out->synctest_bubble = value;
    return;
  }
  rest = item;
  if (ConsumeSuffix(&rest, " minutes")) {
    NumberStatus status = ParseDecimal(rest, &value);
    if (status == NumberStatus::kOk) out->wait_minutes = value;
    if (status == NumberStatus::kOverflow) out->minutes_overflow = true;
  }
  // Anything else is a field from a newer Go: tolerated and ignored.
}

// A source line number: a decimal that also fits a signed 64-bit integer, as
// JSON readers hold numbers; larger ones are overflows like those past 64 bits.
// `*value` is 0 unless the whole of `s` is such a number (ParseDecimal leaves
// the digits it read in `*value` even when text follows them).
NumberStatus ParseLineNumber(std::string_view s, uint64_t* value) {
  uint64_t parsed = 0;
  NumberStatus status = ParseDecimal(s, &parsed);
  if (status == NumberStatus::kOk && parsed > uint64_t{INT64_MAX}) status = NumberStatus::kOverflow;
  *value = status == NumberStatus::kOk ? parsed : 0;
  return status;
}

// Index of the `}` closing the `{` at `open`, skipping quoted strings.
size_t ClosingBrace(std::string_view s, size_t open) {
  bool quoted = false;
  for (size_t i = open + 1; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

// The text between a header's brackets: "chan send (leaked), 3 minutes".
void ParseBracketState(std::string_view state, HeaderLine* out) {
  size_t comma = state.find(", ");
  std::string_view first = state.substr(0, comma);
  while (StripDecoration(&first, out)) {
  }
  out->state = first;
  while (comma != std::string_view::npos) {
    state.remove_prefix(comma + 2);
    comma = state.find(", ");
    ParseStateItem(state.substr(0, comma), out);
  }
}

}  // namespace

bool ParseHeaderLine(std::string_view line, HeaderLine* out) {
  if (!ConsumePrefix(&line, "goroutine ")) return false;
  *out = HeaderLine{};
  NumberStatus status = ConsumeDecimal(&line, &out->id);
  if (status == NumberStatus::kNotANumber) return false;
  out->id_overflow = status == NumberStatus::kOverflow;
  if (line.starts_with(" gp=")) {
    // Go 1.22+ at traceback level 2: " gp=0x.. m=N mp=0x.." or " gp=0x.. m=nil".
    size_t bracket = line.find(" [");
    if (bracket == std::string_view::npos) return false;
    line.remove_prefix(bracket);
  }
  if (!ConsumePrefix(&line, " [")) return false;
  size_t close = line.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view state = line.substr(0, close);
  std::string_view rest;
  // Go 1.26 with GODEBUG=tracebacklabels=1 prints the labels inside the
  // brackets: `[chan receive labels:{"k": "v"}]`. A quoted value may hold `]`.
  if (size_t at = line.find(" labels:{"); at != std::string_view::npos && at < close) {
    size_t end = ClosingBrace(line, at + 8);
    if (end == std::string_view::npos || end + 1 >= line.size() || line[end + 1] != ']') {
      return false;
    }
    state = line.substr(0, at);
    out->labels = line.substr(at + 1, end - at);
    rest = TrimRight(line.substr(end + 2));
    if (rest != ":") return false;
    rest = {};
  } else {
    rest = TrimRight(line.substr(close + 1));
    if (!ConsumeSuffix(&rest, ":")) return false;
    if (!rest.empty()) {
      // The 1.27 form after the brackets: `[running] {job: ingest}:`.
      if (!ConsumePrefix(&rest, " ")) return false;
      if (!rest.starts_with('{') && !rest.starts_with("labels:{")) return false;
      out->labels = rest;
    }
  }
  ParseBracketState(state, out);
  return !out->state.empty();
}

bool ParseGoleakHeaderLine(std::string_view line, HeaderLine* out) {
  // goleak prints its list of stacks with %v: "[" before the first and a
  // space between two.
  if (!ConsumePrefix(&line, "[")) ConsumePrefix(&line, " ");
  if (!ConsumePrefix(&line, "Goroutine ")) return false;
  *out = HeaderLine{};
  NumberStatus status = ConsumeDecimal(&line, &out->id);
  if (status == NumberStatus::kNotANumber) return false;
  out->id_overflow = status == NumberStatus::kOverflow;
  if (!ConsumePrefix(&line, " in state ")) return false;
  line = TrimRight(line);
  if (!ConsumeSuffix(&line, " on top of the stack:")) return false;
  // The state is the header's bracket text, which holds no ", with ".
  size_t with = line.rfind(", with ");
  if (with == std::string_view::npos) return false;
  ParseBracketState(line.substr(0, with), out);
  return !out->state.empty();
}

bool ParseFunctionLine(std::string_view line, FunctionLine* out) {
  if (line.empty() || IsBlank(line.front())) return false;
  if (line.starts_with("non-Go function at pc=")) {
    *out = FunctionLine{line, {}, false};
    return true;
  }
  if (line.back() != ')') return false;
  const char* paren = static_cast<const char*>(memrchr(line.data(), '(', line.size()));
  if (paren == nullptr || paren == line.data()) return false;
  size_t open = static_cast<size_t>(paren - line.data());
  std::string_view func = line.substr(0, open);
  // Two memchr scans: string_view::find_first_of would call memchr per byte.
  if (std::memchr(func.data(), ' ', func.size()) != nullptr ||
      std::memchr(func.data(), '\t', func.size()) != nullptr) {
    return false;
  }
  out->func = func;
  out->args = line.substr(open + 1, line.size() - open - 2);
  out->inlined = out->args == "...";
  return true;
}

bool ParseCommonFileLine(std::string_view line, FileLine* out) {
  const char* b = line.data();
  size_t i = line.size();
  if (i < 8 || !IsBlank(b[0]) || IsBlank(b[1])) return false;
  while (i > 0 && IsHexDigit(b[i - 1])) --i;
  if (i == line.size() || i < 6 || b[i - 1] != 'x' || b[i - 2] != '0' || b[i - 3] != '+' ||
      b[i - 4] != ' ') {
    return false;
  }
  size_t digits_end = i - 4;
  size_t k = digits_end;
  while (k > 0 && IsDigit(b[k - 1])) --k;
  // 1 to 18 digits (no overflow), after a colon that a non-empty file precedes.
  if (k == digits_end || digits_end - k > 18 || k < 3 || b[k - 1] != ':') return false;
  uint64_t number = 0;
  for (size_t d = k; d < digits_end; ++d) number = number * 10 + static_cast<uint64_t>(b[d] - '0');
  *out = FileLine{line.substr(1, k - 2), number, false};
  return true;
}

bool ParseFileLine(std::string_view line, FileLine* out) {
  return ParseCommonFileLine(line, out) || grammar_detail::ParseFileLineInFull(line, out);
}

namespace grammar_detail {

bool ParseFileLineInFull(std::string_view line, FileLine* out) {
  if (line.empty() || !IsBlank(line.front())) return false;
  line = TrimRight(TrimLeft(line));
  // The suffixes are space-separated words at the end, so only the last
  // words are looked at: " +0x5d", then the level-2 " fp=0x.. sp=0x.. pc=0x..",
  // which may also come without "+0x".
  auto last_word = [](std::string_view s) {
    const char* space = static_cast<const char*>(memrchr(s.data(), ' ', s.size()));
    return space == nullptr ? std::string_view()
                            : s.substr(static_cast<size_t>(space - s.data()) + 1);
  };
  std::string_view word = last_word(line);
  if (word.starts_with("pc=0x")) {
    size_t suffix = line.find(" fp=0x");
    if (suffix == std::string_view::npos) suffix = line.rfind(" pc=0x");
    line = line.substr(0, suffix);
    word = last_word(line);
  }
  if (word.starts_with("+0x") && IsHexNumber(word.substr(1))) line.remove_suffix(word.size() + 1);
  const char* colon_at = static_cast<const char*>(memrchr(line.data(), ':', line.size()));
  if (colon_at == nullptr || colon_at == line.data()) return false;
  size_t colon = static_cast<size_t>(colon_at - line.data());
  *out = FileLine{};
  NumberStatus status = ParseLineNumber(line.substr(colon + 1), &out->line);
  if (status == NumberStatus::kNotANumber) return false;
  out->line_overflow = status == NumberStatus::kOverflow;
  out->file = line.substr(0, colon);
  return true;
}

}  // namespace grammar_detail

bool ParseCreatedByLine(std::string_view line, CreatedByLine* out) {
  if (!ConsumePrefix(&line, "created by ")) return false;
  line = TrimRight(line);
  *out = CreatedByLine{};
  size_t in = line.rfind(" in goroutine ");
  if (in != std::string_view::npos) {
    // An id that does not parse (past 64 bits, negative) is still not part of
    // the function's name.
    uint64_t id = 0;
    if (ParseDecimal(line.substr(in + 14), &id) == NumberStatus::kOk) {
      out->has_creator_id = true;
      out->creator_id = id;
    }
    line = line.substr(0, in);
  }
  if (line.empty()) return false;
  out->func = line;
  return true;
}

bool ParseAncestorLine(std::string_view line, uint64_t* id) {
  if (!ConsumePrefix(&line, "[originating from goroutine ")) return false;
  if (!ConsumeSuffix(&line, "]:")) return false;
  return ParseDecimal(line, id) != NumberStatus::kNotANumber;
}

bool ParseElisionLine(std::string_view line, uint64_t* count) {
  line = TrimRight(line);
  if (line == "...additional frames elided...") {
    *count = 0;
    return true;
  }
  if (!ConsumePrefix(&line, "...") || !ConsumeSuffix(&line, " frames elided...")) return false;
  uint64_t n = 0;
  if (ParseDecimal(line, &n) != NumberStatus::kOk) return false;
  *count = n;
  return true;
}

bool IsRegisterLine(std::string_view line) {
  // ^[a-z][a-z0-9]{0,6} +0x[0-9a-f]+$
  size_t i = 0;
  if (line.empty() || !(line[0] >= 'a' && line[0] <= 'z')) return false;
  while (i < line.size() && i < 8 && ((line[i] >= 'a' && line[i] <= 'z') || IsDigit(line[i]))) ++i;
  if (i > 7 || i == line.size() || line[i] != ' ') return false;
  while (i < line.size() && line[i] == ' ') ++i;
  return IsHexNumber(TrimRight(line.substr(i)));
}

bool ParseProfileHeaderLine(std::string_view line, ProfileHeaderLine* out) {
  *out = ProfileHeaderLine{};
  if (ConsumePrefix(&line, "goroutineleak profile: total ")) {
    out->leak_profile = true;
  } else if (!ConsumePrefix(&line, "goroutine profile: total ")) {
    return false;
  }
  return ParseDecimal(TrimRight(line), &out->total) == NumberStatus::kOk;
}

bool ParseCountRecordLine(std::string_view line, uint64_t* count, bool* overflow) {
  NumberStatus status = ConsumeDecimal(&line, count);
  if (status == NumberStatus::kNotANumber) return false;
  if (line != " @" && !line.starts_with(" @ ")) return false;
  *overflow = status == NumberStatus::kOverflow;
  return true;
}

bool ParseCountFrameLine(std::string_view line, CountFrameLine* out) {
  if (!ConsumePrefix(&line, "#")) return false;
  // Fields are aligned by text/tabwriter: separated by runs of tabs.
  std::string_view fields[3];
  int n = 0;
  while (n < 3) {
    while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    if (line.empty()) break;
    size_t tab = n < 2 ? line.find('\t') : std::string_view::npos;
    fields[n++] = line.substr(0, tab);
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab);
  }
  if (n == 0 || !IsHexNumber(TrimRight(fields[0]))) return false;
  *out = CountFrameLine{};
  if (n == 1) {
    out->func = TrimRight(fields[0]);
    return true;
  }
  std::string_view func = fields[1];
  size_t plus = func.rfind("+0x");
  if (plus != std::string_view::npos && IsHexNumber(func.substr(plus + 1)))
    func = func.substr(0, plus);
  out->func = func;
  if (n == 3) {
    std::string_view location = TrimRight(fields[2]);
    size_t colon = location.rfind(':');
    if (colon != std::string_view::npos) {
      NumberStatus status = ParseLineNumber(location.substr(colon + 1), &out->line);
      if (status != NumberStatus::kNotANumber) {
        out->line_overflow = status == NumberStatus::kOverflow;
        location = location.substr(0, colon);
      }
    }
    out->file = location;
  }
  return !out->func.empty();
}

namespace grammar_detail {

bool TakeToken(std::string_view* text, std::string_view stops, std::string_view* token) {
  std::string_view t = *text;
  if (t.empty()) return false;
  if (t.front() == '"') {
    size_t i = 1;
    while (i < t.size() && t[i] != '"') i += t[i] == '\\' ? 2 : 1;
    if (i >= t.size()) return false;
    *token = t.substr(0, i + 1);
    text->remove_prefix(i + 1);
    return true;
  }
  size_t end = t.find_first_of(stops);
  *token = t.substr(0, end);
  text->remove_prefix(token->size());
  return !token->empty();
}

}  // namespace grammar_detail

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void AppendUnquoted(std::string_view token, std::string* out) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') {
    out->append(token);
    return;
  }
  std::string_view s = token.substr(1, token.size() - 2);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 == s.size()) {
      out->push_back(c);
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t value = 0;
        size_t j = 0;
        for (; j < digits && i + 1 + j < s.size() && HexValue(s[i + 1 + j]) >= 0; ++j) {
          value = value * 16 + static_cast<uint32_t>(HexValue(s[i + 1 + j]));
        }
        i += j;
        if (e == 'x') {
          out->push_back(static_cast<char>(value));
        } else {
          AppendUtf8(value, out);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t value = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k) {
            value = value * 8 + static_cast<uint32_t>(s[++i] - '0');
          }
          out->push_back(static_cast<char>(value & 0xFF));
        } else {
          out->push_back(e);  // \" \\ \'
        }
    }
  }
}

}  // namespace gleak
