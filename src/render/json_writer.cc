#include "render/json_writer.h"

#include <fmt/format.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "render/json_escape.h"

namespace gleak {

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
  if (JsonPlainPrefix(s) == s.size()) {
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
