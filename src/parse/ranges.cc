#include "parse/ranges.h"

#include <cstring>
#include <utility>

#include "base/error.h"
#include "base/text.h"
#include "parse/line_scanner.h"

namespace gleak {

std::optional<uint64_t> FindLineAfterBlank(ByteSource& source) {
  constexpr size_t kChunk = 64 * 1024;
  std::vector<char> buffer(kChunk);
  uint64_t base = 0;
  bool in_line_after_newline = false;  // the current line started after a '\n'
  bool blank_so_far = false;           // and holds only '\r' up to here
  for (;;) {
    size_t n = source.Read(buffer.data(), buffer.size());
    if (n == 0) return std::nullopt;
    const char* data = buffer.data();
    size_t pos = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
      size_t segment_end = nl != nullptr ? static_cast<size_t>(nl - data) : n;
      for (size_t i = pos; blank_so_far && i < segment_end; ++i) blank_so_far = data[i] == '\r';
      if (nl == nullptr) break;
      if (in_line_after_newline && blank_so_far) return base + segment_end + 1;
      in_line_after_newline = true;
      blank_so_far = true;
      pos = segment_end + 1;
    }
    base += n;
  }
}

size_t LastLineAfterBlank(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    const void* found = memrchr(text.data(), '\n', end);
    if (found == nullptr) return 0;
    size_t newline = static_cast<size_t>(static_cast<const char*>(found) - text.data());
    size_t start = newline;  // of the line this newline ends
    while (start > 0 && text[start - 1] == '\r') --start;
    if (start > 0 && text[start - 1] == '\n') return newline + 1;
    end = newline;
  }
  return 0;
}

void ParseRange(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                const ParseContext& context, RangeParse* out, BodyMemo* memo) {
  LineScanner scanner(source, limits.max_line_length);
  DumpParser parser(source.name(), sink, limits, context, memo);
  auto take = [&] {
    out->summary = parser.summary();
    out->summary.bytes = scanner.bytes_read();
    out->summary.lines = scanner.lines_read();
    out->summary.encoding = source.encoding();
    out->summary.raw_bytes = source.raw_bytes();
    out->end_context = parser.context();
  };
  Line line;
  try {
    while (scanner.Next(&line)) {
      if (!parser.ParseLine(line)) continue;
      uint64_t lines = 0;
      if (size_t bytes = parser.TakeBody(scanner.Buffered(), &lines)) {
        scanner.Consume(bytes, lines);
      }
    }
  } catch (const Error&) {
    take();  // a cut gzip stream, a dropped connection: what came before counts
    throw;
  }
  parser.Finish(scanner.bytes_read(), scanner.lines_read());
  take();
}

ParseSummary CombineRanges(std::vector<ParseSummary> ranges, const ParseLimits& limits) {
  ParseSummary total;
  if (ranges.empty()) return total;
  total.input = ranges.front().input;
  total.encoding = ranges.front().encoding;
  bool profile_header = false;
  uint64_t lines_before = 0;
  // The goleak report's test, folded as one parser reading on would find it.
  bool goleak_pending = false;
  for (ParseSummary& range : ranges) {
    ProducerDetail& detail = total.detail;
    // A parser keeps the first panic block, and a fatal error only before it.
    if (detail.fatal_error.empty() && detail.panics.empty()) {
      detail.fatal_error = std::move(range.detail.fatal_error);
    }
    if (detail.panics.empty()) detail.panics = std::move(range.detail.panics);
    if (!detail.has_crashed_goroutine && range.detail.has_crashed_goroutine) {
      detail.has_crashed_goroutine = true;
      detail.crashed_goroutine = range.detail.crashed_goroutine;
    }
    if (!total.goleak_report) {
      if (goleak_pending) {
        // A report earlier with no test line before it: the first FAIL after.
        if (!range.first_fail_test.empty()) {
          total.goleak_report = true;
          total.goleak_fail_after = range.first_fail_test;
        }
      } else if (range.goleak_report) {
        if (!range.goleak_test_before.empty()) {
          total.goleak_report = true;
          total.goleak_test_before = range.goleak_test_before;
        } else if (!total.last_test.empty()) {
          total.goleak_report = true;
          total.goleak_test_before = total.last_test;
        } else if (!range.goleak_fail_after.empty()) {
          total.goleak_report = true;
          total.goleak_fail_after = range.goleak_fail_after;
        } else {
          goleak_pending = true;
        }
      }
    }
    if (!range.last_test.empty()) total.last_test = range.last_test;
    if (range.has_profile_total) profile_header = true;
    if (total.format == DumpFormat::kUnknown) total.format = range.format;
    if (range.profile_producer != DumpProducer::kUnknown) {
      total.profile_producer = range.profile_producer;
    }
    if (total.preamble_producer == DumpProducer::kUnknown) {
      total.preamble_producer = range.preamble_producer;
      total.producer_line = std::move(range.producer_line);
    }
    total.records += range.records;
    if (range.goroutines > UINT64_MAX - total.goroutines || range.goroutines_saturated) {
      total.goroutines_saturated = true;
    }
    total.goroutines = SaturatingAdd(total.goroutines, range.goroutines);
    total.bytes += range.bytes;
    total.raw_bytes += range.raw_bytes;
    total.lines += range.lines;
    total.noise_lines += range.noise_lines;
    total.duplicate_goroutines += range.duplicate_goroutines;
    total.has_profile_total = total.has_profile_total || range.has_profile_total;
    total.profile_total = SaturatingAdd(total.profile_total, range.profile_total);
    total.truncated = total.truncated || range.truncated;
    for (Diagnostic& warning : range.warnings) {
      // Line 0 stands for the input as a whole.
      uint64_t line = warning.line == 0 ? 0 : warning.line + lines_before;
      AddWarning(&total, limits, line, std::move(warning.message));
    }
    total.warnings_dropped += range.warnings_dropped;
    lines_before += range.lines;
  }
  if (goleak_pending && !total.goleak_report) total.goleak_report = true;  // no test named
  // A profile header makes the whole input a count profile, wherever it is.
  if (profile_header) total.format = DumpFormat::kCountProfile;
  ConcludeSummary(&total, limits);
  return total;
}

}  // namespace gleak
