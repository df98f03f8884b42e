#include "parse/log_lines.h"

#include <cstdint>

#include "base/text.h"

namespace gleak {
namespace {

bool DigitsAt(std::string_view s, size_t at, size_t n) {
  if (s.size() < at + n) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ReadHex4(std::string_view s, size_t at, uint32_t* value) {
  if (s.size() < at + 4) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    int h = HexValue(s[i]);
    if (h < 0) return false;
    v = v << 4 | static_cast<uint32_t>(h);
  }
  *value = v;
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// "stdout F " / "stderr P " of the CRI format, after its timestamp. Sets
// `*complete` from the tag: P is a piece of a line longer than the runtime's
// buffer, F the last (or only) piece.
bool StripCriStream(std::string_view* text, bool* complete) {
  std::string_view s = *text;
  if (!ConsumePrefix(&s, "stdout ") && !ConsumePrefix(&s, "stderr ")) return false;
  if (s.empty() || (s.front() != 'F' && s.front() != 'P')) return false;
  *complete = s.front() == 'F';
  s.remove_prefix(1);
  if (!s.empty() && !ConsumePrefix(&s, " ")) return false;
  *text = s;
  return true;
}

}  // namespace

bool StripTimestamp(std::string_view* text) {
  std::string_view s = *text;
  // 2026-12-06T03:40:32
  if (!DigitsAt(s, 0, 4) || s[4] != '-' || !DigitsAt(s, 5, 2) || s[7] != '-' ||
      !DigitsAt(s, 8, 2) || s[10] != 'T' || !DigitsAt(s, 11, 2) || s[13] != ':' ||
      !DigitsAt(s, 14, 2) || s[16] != ':' || !DigitsAt(s, 17, 2)) {
    return false;
  }
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (!DigitsAt(s, i + 1, 2) || s.size() < i + 6 || s[i + 3] != ':' || !DigitsAt(s, i + 4, 2)) {
      return false;
    }
    i += 6;
  } else {
    return false;
  }
  if (i < s.size()) {
    if (s[i] != ' ') return false;
    ++i;
  }
  *text = s.substr(i);
  return true;
}

bool DecodeDockerJsonLog(std::string_view line, std::string* out) {
  if (!ConsumePrefix(&line, "{\"log\":\"")) return false;
  return DecodeJsonStringField(line, out);
}

bool DecodeTestJsonOutput(std::string_view line, std::string* out) {
  if (!line.starts_with("{\"Time\":\"")) return false;
  // Key text appears unescaped only as a key: inside a value its quotes are \".
  size_t at = line.find("\"Output\":\"");
  if (at == std::string_view::npos || line[at - 1] == '\\') return false;
  return DecodeJsonStringField(line.substr(at + 10), out);
}

bool DecodeJsonStringField(std::string_view line, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < line.size()) {
    // Copy the run up to the next quote or backslash in one go.
    size_t run = i;
    while (run < line.size() && line[run] != '"' && line[run] != '\\') ++run;
    out->append(line.substr(i, run - i));
    i = run;
    if (i >= line.size()) return false;  // no closing quote: a cut line
    if (line[i] == '"') {
      std::string_view rest = line.substr(i + 1);
      return rest.starts_with(',') || rest.starts_with('}');
    }
    if (i + 1 >= line.size()) return false;
    char e = line[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!ReadHex4(line, i, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low = 0;
          if (line.substr(i).starts_with("\\u") && ReadHex4(line, i + 2, &low) && low >= 0xDC00 &&
              low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;  // a lone high surrogate
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;  // a lone low surrogate
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

bool LogEnvelope::Join(std::string_view piece, bool complete, std::string_view* text) {
  if (joined_.empty() && complete) {
    *text = piece;
    return true;
  }
  joined_.append(piece);
  if (!complete) return false;
  done_.swap(joined_);
  joined_.clear();
  *text = done_;
  return true;
}

bool LogEnvelope::Unwrap(std::string_view raw, std::string_view* text) {
  if (raw.starts_with('{') &&
      (DecodeDockerJsonLog(raw, &decoded_) || DecodeTestJsonOutput(raw, &decoded_))) {
    std::string_view log = decoded_;
    bool complete = ConsumeSuffix(&log, "\n");
    ConsumeSuffix(&log, "\r");
    return Join(log, complete, text);
  }
  std::string_view s = raw;
  if (StripTimestamp(&s)) {
    bool complete = true;
    if (StripCriStream(&s, &complete)) return Join(s, complete, text);
  }
  // A piece left open is followed by a line that is not a piece: it ends.
  if (!joined_.empty()) {
    // The open line is lost to this one; rare enough (a log rotated mid-line).
    joined_.clear();
  }
  *text = s;
  return true;
}

std::string_view LogEnvelope::TakePending() {
  done_.swap(joined_);
  joined_.clear();
  return done_;
}

}  // namespace gleak
