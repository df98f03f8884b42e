#include "parse/line_scanner.h"

#include <algorithm>
#include <cstring>

namespace gleak {
namespace {
constexpr size_t kReadChunk = 256 * 1024;
// Bytes kept readable past the end of what is read, so that the newline
// search may look at sixteen bytes at a time without a check for the end.
constexpr size_t kSlack = kNewlineSearchSlack;

}  // namespace

LineScanner::LineScanner(ByteSource& source, size_t max_line_length)
    : source_(source), max_line_length_(std::max<size_t>(max_line_length, 16)) {
  // Room for the longest line and a read after it is made only when a line
  // needs it: most lines are short, and each range of a file read on several
  // threads has a scanner of its own.
  buffer_.resize(std::min(kReadChunk * 2, FullSize()) + kSlack);
}

size_t LineScanner::FullSize() const {
  return std::max(kReadChunk * 2, max_line_length_ + kReadChunk);
}

bool LineScanner::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t room = buffer_.size() - kSlack;  // what reads may fill
  if (room - end_ < kReadChunk && room < FullSize()) {
    buffer_.resize(std::min(room * 2, FullSize()) + kSlack);
  }
  size_t n = source_.Read(buffer_.data() + end_, buffer_.size() - kSlack - end_);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  bytes_read_ += n;
  return true;
}

bool LineScanner::Next(Line* line) {
  // A whole line in the buffer, the case of nearly every call, in few enough
  // registers that the call costs little; the rest (a read, a line too long,
  // the end of the input) out of line.
  const char* start = buffer_.data() + begin_;
  const char* nl = FindNewlinePadded(start + scanned_, buffer_.data() + end_);
  if (nl == nullptr || static_cast<size_t>(nl - start) > max_line_length_) return NextSlow(line);
  size_t length = static_cast<size_t>(nl - start);
  size_t text_length = length;
  // "\r\n", and "\r\r\n" from a CRLF file converted twice.
  while (text_length > 0 && start[text_length - 1] == '\r') --text_length;
  line->text = std::string_view(start, text_length);
  line->number = ++line_number_;
  line->ends_with_newline = true;
  line->overlong = false;
  line->overlong_bytes = 0;
  begin_ += length + 1;
  scanned_ = 0;
  return true;
}

bool LineScanner::NextSlow(Line* line) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const char* nl = FindNewlinePadded(start + scanned_, buffer_.data() + end_);
    if (nl != nullptr) {
      size_t length = static_cast<size_t>(nl - start);
      if (length > max_line_length_) {
        // The line became whole in one read; it is still too long to keep.
        line->text = {};
        line->overlong = true;
        line->overlong_bytes = length;
        line->ends_with_newline = true;
        line->number = ++line_number_;
        begin_ += length + 1;
        scanned_ = 0;
        return true;
      }
      return Next(line);  // whole now: Next takes it (after one more search)
    }
    scanned_ = end_ - begin_;
    if (scanned_ > max_line_length_) return SkipOverlong(line);
    if (!Fill()) {
      if (begin_ == end_) return false;
      size_t length = end_ - begin_;
      size_t text_length = length;
      while (text_length > 0 && buffer_[begin_ + text_length - 1] == '\r') --text_length;
      line->text = std::string_view(buffer_.data() + begin_, text_length);
      line->number = ++line_number_;
      // A last line that ends in "\r" (a CRLF file cut between "\r" and
      // "\n") was whole; one that ends in anything else was cut.
      line->ends_with_newline = text_length < length;
      line->overlong = false;
      line->overlong_bytes = 0;
      begin_ = end_;
      scanned_ = 0;
      return true;
    }
  }
}

// Drops the bytes of a line longer than the limit without ever holding it.
bool LineScanner::SkipOverlong(Line* line) {
  uint64_t skipped = 0;
  for (;;) {
    const char* start = buffer_.data() + begin_;
    size_t available = end_ - begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', available));
    if (nl != nullptr) {
      size_t length = static_cast<size_t>(nl - start);
      skipped += length;
      begin_ += length + 1;
      line->ends_with_newline = true;
      break;
    }
    skipped += available;
    begin_ = end_;
    if (!Fill()) {
      line->ends_with_newline = false;
      break;
    }
  }
  line->text = {};
  line->overlong = true;
  line->overlong_bytes = skipped;
  line->number = ++line_number_;
  scanned_ = 0;
  return true;
}

}  // namespace gleak
