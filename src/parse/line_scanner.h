// LineScanner: turns a ByteSource into lines without copying them. A line is a
// view into the scanner's buffer, valid until the next call to Next().
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "input/byte_source.h"

namespace gleak {

struct Line {
  std::string_view text;          // without "\n" or "\r\n"
  uint64_t number = 0;            // 1-based
  bool ends_with_newline = true;  // false only for a last line cut short (no "\n" or "\r")
  bool overlong = false;          // longer than the limit: text is empty, bytes skipped
  uint64_t overlong_bytes = 0;    // length of an overlong line
};

class LineScanner {
 public:
  static constexpr size_t kDefaultMaxLineLength = 1 << 20;

  explicit LineScanner(ByteSource& source, size_t max_line_length = kDefaultMaxLineLength);

  // Returns false at the end of the input.
  bool Next(Line* line);

  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t lines_read() const { return line_number_; }

 private:
  bool Fill();  // reads more bytes after compacting; false at end of input
  [[gnu::noinline]] bool NextSlow(Line* line);  // Next when the line is not whole in the buffer
  bool SkipOverlong(Line* line);
  size_t FullSize() const;  // the room for reads once a line near the limit came

  ByteSource& source_;
  size_t max_line_length_;
  std::vector<char> buffer_;
  size_t begin_ = 0;    // start of unconsumed bytes
  size_t end_ = 0;      // end of valid bytes
  size_t scanned_ = 0;  // bytes past begin_ known to hold no newline
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t line_number_ = 0;
};

}  // namespace gleak
