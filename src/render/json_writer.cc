#include "gleak/render/json_writer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "gleak/base/terminal_safe.h"

namespace gleak {

namespace {

constexpr size_t kFlushAt = 64 * 1024;

// Bytes a string can hold as they are: printable ASCII but `"` and `\`.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

}  // namespace

void AppendJsonQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  const char* data = s.data();
  size_t run_start = 0;
  for (size_t i = 0; i < s.size();) {
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

JsonWriter::JsonWriter(std::ostream& out, bool one_line) : out_(out), one_line_(one_line) {
  buf_.reserve(kFlushAt + 4096);
  has_items_.reserve(16);
}

JsonWriter::~JsonWriter() { Flush(); }

void JsonWriter::Flush() {
  if (buf_.empty()) return;
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

void JsonWriter::Newline(size_t depth) {
  buf_.push_back('\n');
  buf_.append(2 * depth, ' ');
}

// Before a key in an object, or a value in an array or at the top: the comma
// and the layout that nlohmann's dump puts there.
void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (buf_.size() >= kFlushAt) Flush();
  if (has_items_.empty()) return;
  if (has_items_.back()) buf_.push_back(',');
  has_items_.back() = 1;
  if (!one_line_) Newline(has_items_.size());
}

void JsonWriter::BeginObject() {
  BeforeValue();
  buf_.push_back('{');
  has_items_.push_back(0);
}

void JsonWriter::EndObject() {
  bool items = has_items_.back();
  has_items_.pop_back();
  if (items && !one_line_) Newline(has_items_.size());
  buf_.push_back('}');
}

void JsonWriter::BeginArray() {
  BeforeValue();
  buf_.push_back('[');
  has_items_.push_back(0);
}

void JsonWriter::EndArray() {
  bool items = has_items_.back();
  has_items_.pop_back();
  if (items && !one_line_) Newline(has_items_.size());
  buf_.push_back(']');
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonQuoted(key, &buf_);
  buf_.append(one_line_ ? ":" : ": ");
  after_key_ = true;
  return *this;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonQuoted(s, &buf_);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  fmt::format_int text(v);
  buf_.append(text.data(), text.size());
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  fmt::format_int text(v);
  buf_.append(text.data(), text.size());
}

void JsonWriter::Bool(bool b) {
  BeforeValue();
  buf_.append(b ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  buf_.append("null");
}

void JsonWriter::Double(double d) {
  BeforeValue();
  // Rare (a diff's rates, a test's timeout): nlohmann prints it, so that the
  // digits and the exponent form are its own.
  buf_.append(nlohmann::json(d).dump());
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
