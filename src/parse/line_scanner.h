// LineScanner: turns a ByteSource into lines without copying them. A line is a
// view into the scanner's buffer, valid until the next call to Next().
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "base/uninitialized.h"
#include "input/byte_source.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gleak {

// How far past the end of its bytes FindNewlinePadded may read.
constexpr size_t kNewlineSearchSlack = 16;

// The first newline in [p, end), or nullptr; reads up to 15 bytes past `end`.
// Most lines are shorter than a call to memchr costs to set up.
inline const char* FindNewlinePadded(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  for (; p < end; p += 16) {
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), newline)));
    if (mask != 0) {
      const char* at = p + __builtin_ctz(mask);
      return at < end ? at : nullptr;
    }
  }
  return nullptr;
#else
  return static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
#endif
}

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

  // The bytes read but not yet returned as lines: the lines after the last
  // one Next gave, the last of them perhaps incomplete. Valid until the next
  // call to Next or Consume; FindNewlinePadded may search them.
  std::string_view Buffered() const { return {buffer_.data() + begin_, end_ - begin_}; }
  // Passes over the first `bytes` of Buffered(), which hold `lines` whole
  // lines, as if Next had returned them.
  void Consume(size_t bytes, uint64_t lines) {
    begin_ += bytes;
    line_number_ += lines;
    scanned_ = 0;
  }

  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t lines_read() const { return line_number_; }

 private:
  bool Fill();  // reads more bytes after compacting; false at end of input
  [[gnu::noinline]] bool NextSlow(Line* line);  // Next when the line is not whole in the buffer
  bool SkipOverlong(Line* line);
  size_t FullSize() const;  // the room for reads once a line near the limit came

  ByteSource& source_;
  size_t max_line_length_;
  // Not zeroed when made or grown (a file read in many chunks makes a
  // scanner each): only bytes read into it are looked at, and the newline
  // search drops what it finds in the slack past them.
  UninitializedBytes buffer_;
  size_t begin_ = 0;    // start of unconsumed bytes
  size_t end_ = 0;      // end of valid bytes
  size_t scanned_ = 0;  // bytes past begin_ known to hold no newline
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t line_number_ = 0;
};

}  // namespace gleak
