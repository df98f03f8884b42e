// DumpParser: a line-level state machine over every text form of a Go
// goroutine dump (tracebacks from runtime.Stack, debug=2, panics, fatal
// errors, signals, test timeouts and goleak failures; debug=1 count profiles).
// It emits one record at a time into a RecordSink and keeps nothing after the
// callback returns, so memory does not grow with the number of goroutines.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "input/byte_source.h"
#include "model/diagnostic.h"
#include "model/goroutine.h"
#include "model/producer_detail.h"
#include "model/record_sink.h"
#include "parse/line_scanner.h"

namespace gleak {

class BodyMemo;

struct ParseLimits {
  size_t max_line_length = LineScanner::kDefaultMaxLineLength;
  size_t max_frames = 10'000;  // per goroutine; more are counted and dropped
  size_t max_warnings = 100;   // kept in the summary; the rest are counted
  // About how much a parser's memo of the bodies it read may hold (see
  // BodyMemo): readers on several threads share it out.
  size_t body_memo_bytes = size_t{8} << 20;
  // A pprof protobuf profile is refused past this many (decompressed) bytes.
  uint64_t max_profile_bytes = uint64_t{64} << 30;
};

struct ParseSummary {
  std::string input;
  std::string encoding = "plain";
  DumpFormat format = DumpFormat::kUnknown;
  DumpProducer producer = DumpProducer::kUnknown;
  uint64_t records = 0;               // records emitted
  uint64_t goroutines = 0;            // goroutines they stand for (sums debug=1 counts)
  bool goroutines_saturated = false;  // their sum passed 2^64 - 1 and is held there
  uint64_t bytes = 0;                 // decompressed bytes read
  uint64_t raw_bytes = 0;             // bytes read from the file or stream
  uint64_t lines = 0;
  uint64_t noise_lines = 0;           // lines that belong to no record and were skipped
  uint64_t duplicate_goroutines = 0;  // repeated in GOTRACEBACK=crash thread sections
  bool has_profile_total = false;     // debug=1 "goroutine profile: total N"
  uint64_t profile_total = 0;
  bool truncated = false;  // the input ends inside a record
  std::vector<Diagnostic> warnings;
  uint64_t warnings_dropped = 0;
  // The panic, fatal error, test and crashed goroutine the preamble and the
  // test log tell of (set when concluded).
  ProducerDetail detail;
  // What CombineRanges folds into `detail.test_name` for goleak: the test
  // whose log holds the first goleak report is the one named by the last
  // test line (`=== RUN X`, `--- FAIL: X`) before it, else by the first
  // `--- FAIL: X` after it (go test -v prints that line after the log).
  bool goleak_report = false;      // a goleak report was seen in this range
  std::string goleak_test_before;  // the test line before it, in this range
  std::string goleak_fail_after;   // the first FAIL after it, none before
  std::string first_fail_test;     // the first `--- FAIL: X` of the range
  std::string last_test;           // the last test line of the range
  // What ConcludeSummary decides `producer` from.
  DumpProducer profile_producer = DumpProducer::kUnknown;   // the last debug=1 profile header
  DumpProducer preamble_producer = DumpProducer::kUnknown;  // the first panic/signal/... line
  // That line as printed ("fatal error: all goroutines are asleep - deadlock!",
  // "panic: test timed out after 2s"), at most kMaxProducerLine bytes: what the
  // producer judged decides what the classifier may take as proof.
  std::string producer_line;
  static constexpr size_t kMaxProducerLine = 512;
};

// What the parser carries from one record to the next, besides its counts.
// After a blank line this is all of its state, so a parser started with the
// right context at a blank line reads on exactly as one that read everything
// before it.
struct ParseContext {
  std::string prefix;                   // per-line prefix learned in front of a header
  bool after_thread_separator = false;  // past "-----": repeats of goroutines already read
  bool awaiting_crashed = false;  // after a panic or fatal error: the next header may be the crash
  bool operator==(const ParseContext&) const = default;
};

class DumpParser {
 public:
  // `memo`: the bodies read by the parsers before this one on the same
  // thread (a file's ranges, a gzip file's chunks), to read on with; null: a
  // memo of its own.
  DumpParser(std::string input_name, RecordSink& sink, const ParseLimits& limits = {},
             const ParseContext& context = {}, BodyMemo* memo = nullptr);
  ~DumpParser();
  DumpParser(const DumpParser&) = delete;
  DumpParser& operator=(const DumpParser&) = delete;

  // True when the line opened a goroutine record whose body TakeBody may
  // read at once.
  bool ParseLine(const Line& line);
  // Reads the body of the record just opened from `ahead`, the bytes after
  // its header line (FindNewlinePadded must be able to search them), when
  // the body is one already read before (see BodyMemo). Returns how many
  // bytes it took, through the blank line that ends the body, and sets
  // `*lines` to how many lines; 0 when the lines are left to ParseLine.
  size_t TakeBody(std::string_view ahead, uint64_t* lines);
  // Call once at the end of the input: emits a record left open. Then
  // ConcludeSummary on the summary adds what only the whole input can tell.
  void Finish(uint64_t bytes, uint64_t lines);

  const ParseSummary& summary() const;
  ParseContext context() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Keeps a warning, or only counts it past limits.max_warnings.
void AddWarning(ParseSummary* summary, const ParseLimits& limits, uint64_t line,
                std::string message);

// Sets the producer and adds the warnings about the input as a whole.
void ConcludeSummary(ParseSummary* summary, const ParseLimits& limits);

}  // namespace gleak
