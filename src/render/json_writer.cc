#include "render/json_writer.h"

#include <fmt/format.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "base/terminal_safe.h"

namespace gleak {

namespace {

// Bytes a string can hold as they are: printable ASCII but `"` and `\`.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

// True when one of the 8 bytes of `x` may need an escape or a UTF-8 check
// (below 0x20, `"`, `\`, or 0x80 and up). It may say so of a clean word (a
// borrow between bytes), never the other way round.
inline bool MayNeedWork(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  uint64_t quote = x ^ (kOnes * '"');
  uint64_t backslash = x ^ (kOnes * '\\');
  return (((x - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes) | x) & kHigh) != 0;
}

}  // namespace

void AppendJsonQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  const char* data = s.data();
  size_t run_start = 0;
  for (size_t i = 0; i < s.size();) {
    // Eight plain bytes at a time: most of a report's text is file paths and
    // function names that need nothing.
    for (uint64_t word; i + 8 <= s.size(); i += 8) {
      std::memcpy(&word, data + i, 8);
      if (MayNeedWork(word)) break;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(data[i]);
    if (kPlain.plain[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      bool valid = false;
      // An invalid sequence's maximal subpart becomes one U+FFFD, written as
      // its UTF-8 bytes, as nlohmann's dump does with ensure_ascii off.
      size_t n = Utf8SequenceLength(s, i, &valid);
      if (valid) {
        i += n;
        continue;
      }
      out->append(data + run_start, i - run_start);
      out->append("\xEF\xBF\xBD");
      i += n;
      run_start = i;
      continue;
    }
    out->append(data + run_start, i - run_start);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\r':
        out->append("\\r");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, sizeof esc);
      }
    }
    run_start = ++i;
  }
  out->append(data + run_start, s.size() - run_start);
  out->push_back('"');
}

JsonWriter::JsonWriter(std::ostream& out, bool one_line)
    : out_(out), one_line_(one_line), buf_(new char[kBufferBytes]) {
  has_items_.reserve(16);
}

JsonWriter::~JsonWriter() { Flush(); }

void JsonWriter::Flush() {
  if (used_ == 0) return;
  out_.write(buf_.get(), static_cast<std::streamsize>(used_));
  used_ = 0;
}

void JsonWriter::Newline(size_t depth) {
  static constexpr char kSpaces[] = "\n                                                ";
  size_t n = 1 + 2 * depth;
  if (n <= sizeof kSpaces - 1) {
    Put(kSpaces, n);
  } else {
    Put('\n');
    for (size_t i = 0; i < 2 * depth; ++i) Put(' ');
  }
}

void JsonWriter::Quoted(std::string_view s) {
  // Most strings (paths, function names, keys) need no escape: copied whole.
  size_t i = 0;
  for (uint64_t word; i + 8 <= s.size(); i += 8) {
    std::memcpy(&word, s.data() + i, 8);
    if (MayNeedWork(word)) break;
  }
  while (i < s.size() && kPlain.plain[static_cast<unsigned char>(s[i])]) ++i;
  if (i == s.size()) {
    Put('"');
    Put(s.data(), s.size());
    Put('"');
    return;
  }
  scratch_.clear();
  AppendJsonQuoted(s, &scratch_);
  Put(scratch_.data(), scratch_.size());
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  fmt::format_int text(v);
  Put(text.data(), text.size());
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  fmt::format_int text(v);
  Put(text.data(), text.size());
}

void JsonWriter::Double(double d) {
  BeforeValue();
  // Rare (a diff's rates, a test's timeout): nlohmann prints it, so that the
  // digits and the exponent form are its own.
  std::string text = nlohmann::json(d).dump();
  Put(text.data(), text.size());
}

void JsonWriter::TextOrNull(std::string_view key, std::string_view s) {
  Key(key);
  if (s.empty()) {
    Null();
  } else {
    String(s);
  }
}

void JsonWriter::UintArray(std::string_view key, const std::vector<uint64_t>& values) {
  Key(key).BeginArray();
  for (uint64_t v : values) Uint(v);
  EndArray();
}

void JsonWriter::StringArray(std::string_view key, const std::vector<std::string>& values) {
  Key(key).BeginArray();
  for (const std::string& v : values) String(v);
  EndArray();
}

}  // namespace gleak
