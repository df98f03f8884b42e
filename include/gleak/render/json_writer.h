// A JSON writer that streams: values go straight into a buffer that is
// written to the output in blocks, with no document tree. Its text is the
// text nlohmann::json's dump(2) (or dump(-1)) writes with the `replace` error
// handler: the same layout, the same escapes, invalid UTF-8 as U+FFFD (the
// raw bytes EF BF BD). Objects are written as the caller calls: the caller
// gives the keys in the order nlohmann sorts them (byte order).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace gleak {

class JsonWriter {
 public:
  // `one_line`: no newlines or indentation (dump(-1)); otherwise two spaces
  // a level (dump(2)).
  JsonWriter(std::ostream& out, bool one_line);
  ~JsonWriter();  // writes what is buffered
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The key of the next value in the object being written.
  JsonWriter& Key(std::string_view key);

  void String(std::string_view s);
  void Uint(uint64_t v);
  void Int(int64_t v);
  void Bool(bool b);
  void Null();
  void Double(double d);  // as nlohmann prints a double (non-finite: null)

  // A key and its value.
  void Field(std::string_view key, std::string_view s) { Key(key).String(s); }
  void Field(std::string_view key, const char* s) { Key(key).String(s); }
  void Field(std::string_view key, const std::string& s) { Key(key).String(s); }
  void Field(std::string_view key, bool b) { Key(key).Bool(b); }
  void Field(std::string_view key, uint64_t v) { Key(key).Uint(v); }
  void Field(std::string_view key, int64_t v) { Key(key).Int(v); }
  // A string, or null when it is empty.
  void TextOrNull(std::string_view key, std::string_view s);
  void UintArray(std::string_view key, const std::vector<uint64_t>& values);
  void StringArray(std::string_view key, const std::vector<std::string>& values);

  // Writes the buffer to the output.
  void Flush();

 private:
  void BeforeValue();
  void Escaped(std::string_view s);
  void Newline(size_t depth);

  std::ostream& out_;
  bool one_line_;
  bool after_key_ = false;
  std::string buf_;
  std::vector<uint8_t> has_items_;  // per open container: something written in it
};

// Appends `s` to `out` as a quoted JSON string, escaped as JsonWriter does.
void AppendJsonQuoted(std::string_view s, std::string* out);

}  // namespace gleak
