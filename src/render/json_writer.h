// A JSON writer that streams: values go straight into a buffer that is
// written to the output in blocks, with no document tree. Its text is the
// text nlohmann::json's dump(2) (or dump(-1)) writes with the `replace` error
// handler: the same layout, and strings escaped by AppendJsonQuoted
// (gleak/render/json_escape.h), invalid UTF-8 as U+FFFD (the raw bytes
// EF BF BD). Objects are written as the caller calls: the caller
// gives the keys in the order nlohmann sorts them (byte order).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
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

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The key of the next value in the object being written.
  JsonWriter& Key(std::string_view key) {
    BeforeValue();
    Quoted(key);
    Put(": ", one_line_ ? 1 : 2);
    after_key_ = true;
    return *this;
  }

  void String(std::string_view s) {
    BeforeValue();
    Quoted(s);
  }
  void Uint(uint64_t v);
  void Int(int64_t v);
  void Bool(bool b) {
    BeforeValue();
    if (b) {
      Put("true", 4);
    } else {
      Put("false", 5);
    }
  }
  void Null() {
    BeforeValue();
    Put("null", 4);
  }
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

  // Open containers (objects and arrays) around what is written next.
  size_t depth() const { return has_items_.size(); }
  // Makes this writer, new, write items of an array open at `depth`
  // containers in another writer (which holds items already, or not), so
  // that what it writes can be spliced into that one (Splice) as if written
  // there.
  void ContinueArray(size_t depth, bool has_items) {
    has_items_.assign(depth, 1);
    if (depth > 0) has_items_.back() = has_items;
  }
  // Writes `items`, written by a ContinueArray writer, into the array open here.
  void Splice(std::string_view items) {
    if (items.empty()) return;
    Put(items.data(), items.size());
    has_items_.back() = 1;
  }
  void UintArray(std::string_view key, const std::vector<uint64_t>& values);
  void StringArray(std::string_view key, const std::vector<std::string>& values);

  // Writes the buffer to the output.
  void Flush();

 private:
  // Before a key in an object, or a value in an array or at the top: the
  // comma and the layout that nlohmann's dump puts there.
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (has_items_.empty()) return;
    if (has_items_.back()) Put(',');
    has_items_.back() = 1;
    if (!one_line_) Newline(has_items_.size());
  }
  void Newline(size_t depth);
  void Open(char bracket) {
    BeforeValue();
    Put(bracket);
    has_items_.push_back(0);
  }
  void Close(char bracket) {
    bool items = has_items_.back();
    has_items_.pop_back();
    if (items && !one_line_) Newline(has_items_.size());
    Put(bracket);
  }
  // `s` quoted and escaped.
  void Quoted(std::string_view s);
  void Put(char c) {
    if (used_ == kBufferBytes) Flush();
    buf_[used_++] = c;
  }
  void Put(const char* p, size_t n) {
    if (n > kBufferBytes - used_) {
      Flush();
      if (n > kBufferBytes) {
        out_.write(p, static_cast<std::streamsize>(n));
        return;
      }
    }
    std::memcpy(buf_.get() + used_, p, n);
    used_ += n;
  }

  static constexpr size_t kBufferBytes = 64 * 1024;

  std::ostream& out_;
  bool one_line_;
  bool after_key_ = false;
  std::unique_ptr<char[]> buf_;  // what is not yet written to out_
  size_t used_ = 0;
  std::string scratch_;             // a string that needs escapes, escaped
  std::vector<uint8_t> has_items_;  // per open container: something written in it
};

}  // namespace gleak
