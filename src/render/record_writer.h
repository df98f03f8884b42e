// Writers for `gleak parse`: one line of JSON per record (JSON Lines), or a
// compact text form. They see only model types (a record, the sink interface).
#pragma once

#include <cstdio>
#include <string>

#include "model/goroutine.h"
#include "model/record_sink.h"

namespace gleak {

class RecordWriter : public RecordSink {
 public:
  explicit RecordWriter(std::FILE* out) : out_(out) {}
  ~RecordWriter() override { Flush(); }
  void set_input(std::string name) { input_ = std::move(name); }
  void Flush();

 protected:
  // Text from the input, terminal-safe (gleak/base/terminal_safe.h).
  void AppendSafe(std::string_view s);
  void MaybeFlush() {
    if (buffer_.size() > (1 << 16)) Flush();
  }
  std::FILE* out_;
  std::string input_;
  std::string buffer_;  // what is not yet written to out_
};

class JsonLinesRecordWriter : public RecordWriter {
 public:
  using RecordWriter::RecordWriter;
  void OnGoroutine(const Goroutine& g) override;
};

class TextRecordWriter : public RecordWriter {
 public:
  using RecordWriter::RecordWriter;
  void OnGoroutine(const Goroutine& g) override;
};

}  // namespace gleak
