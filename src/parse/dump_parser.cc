// The parser is a state machine over lines. Outside a record it looks for a
// goroutine header, a debug=1 record or the preamble lines that tell who
// printed the dump; inside a record it takes frames, markers, `created by` and
// ancestor sections until a blank line, the next header or a register dump.
//
// A record's text is copied piecewise into reused arenas and kept as
// offsets, so that the views handed to the sink stay valid however the
// LineScanner's buffer moves between lines. Nothing allocates per line once
// the vectors have grown to the largest record seen. `text_` holds what
// identifies a stack (state, functions, files); arguments and labels, which
// differ from goroutine to goroutine, have arenas of their own, so that one
// hash over `text_` tells repeated stacks apart (Goroutine::stack_key).
#include "parse/dump_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include <fmt/core.h>
// Inlined here: the stack key of every record is hashed in this file.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/duration.h"
#include "base/error.h"
#include "base/text.h"
#include "parse/body_memo.h"
#include "parse/line_grammar.h"
#include "parse/log_lines.h"

namespace gleak {
namespace {

// 64 MiB: where pprof's debug=2 writer silently stops.
constexpr uint64_t kPprofDebug2Cap = uint64_t{64} << 20;

// Bounds on what is kept of a panic block, so that a hostile preamble cannot
// make memory grow: the chain's first entries and the start of each value.
constexpr size_t kMaxPanics = 16;
constexpr size_t kMaxPanicValueBytes = 4096;

// The test named by a `go test` status line: "=== RUN   TestX",
// "=== CONT  TestX", "=== NAME  TestX", "--- FAIL: TestX (0.48s)" (subtests
// indented). Empty when the line is none of them.
std::string_view TestLineName(std::string_view text, bool* fail) {
  std::string_view s = TrimLeft(text);
  *fail = false;
  if (ConsumePrefix(&s, "--- FAIL: ")) {
    *fail = true;
    size_t paren = s.rfind(" (");
    return paren == std::string_view::npos ? TrimRight(s) : s.substr(0, paren);
  }
  if (ConsumePrefix(&s, "=== RUN ") || ConsumePrefix(&s, "=== CONT ") ||
      ConsumePrefix(&s, "=== NAME ")) {
    s = TrimRight(TrimLeft(s));
    if (s.find(' ') != std::string_view::npos) return {};
    return s;
  }
  return {};
}

// The first test of `running tests:` in a test timeout's panic value
// ("test timed out after 2s\nrunning tests:\n\tTestHangs (2s)").
std::string_view RunningTest(std::string_view value) {
  size_t at = value.find("\nrunning tests:\n");
  if (at == std::string_view::npos) return {};
  std::string_view rest = TrimLeft(value.substr(at + 16));
  rest = rest.substr(0, rest.find('\n'));
  size_t paren = rest.rfind(" (");
  return paren == std::string_view::npos ? TrimRight(rest) : rest.substr(0, paren);
}

struct Span {
  size_t offset = 0;
  size_t length = 0;
};

// A record's bytes, appended piecewise into a buffer that only grows, with
// an end of its own: an append is one bounds check and a copy, where
// std::string's also keeps a terminator and checks its size limit (an append
// or two on every line of a dump).
class Arena {
 public:
  explicit Arena(size_t capacity) : bytes_(capacity, '\0') {}
  size_t size() const { return size_; }
  const char* data() const { return bytes_.data(); }
  void clear() { size_ = 0; }
  void Truncate(size_t size) { size_ = std::min(size_, size); }
  Span Append(std::string_view s) {
    Span span{size_, s.size()};
    if (s.empty()) return span;
    if (s.size() > bytes_.size() - size_) {
      bytes_.resize(std::max(bytes_.size() * 2, size_ + s.size()));
    }
    std::memcpy(bytes_.data() + size_, s.data(), s.size());
    size_ += s.size();
    return span;
  }

 private:
  std::string bytes_;
  size_t size_ = 0;
};

struct FrameSpans {
  Span func;
  Span file;
  Span args;
  uint64_t line = 0;
  bool inlined = false;
};

struct AncestorSpans {
  uint64_t id = 0;
  size_t first_frame = 0;
  size_t frame_count = 0;
  bool has_created_by = false;
  FrameSpans created_by;
};

enum class State {
  kOutside,        // between records
  kFrames,         // in a traceback record
  kCreatedByFile,  // after "created by X": its file line comes next
  kCountRecord,    // in a debug=1 record
  kSkipBlock,      // "runtime stack:" or a repeated thread section, up to a blank line
};

}  // namespace

class DumpParser::Impl {
 public:
  Impl(std::string input_name, RecordSink& sink, const ParseLimits& limits,
       const ParseContext& context, BodyMemo* memo)
      : sink_(sink),
        limits_(limits),
        keep_args_(sink.wants_arguments()),
        set_stack_keys_(sink.wants_stack_keys()) {
    // The memo hands back stack keys: a sink that reads none reads every line.
    if (set_stack_keys_) {
      if (memo == nullptr) {
        own_memo_ = std::make_unique<BodyMemo>(limits);
        memo = own_memo_.get();
      }
      memo_ = memo;
    }
    summary_.input = std::move(input_name);
    prefix_ = context.prefix;
    after_thread_separator_ = context.after_thread_separator;
    awaiting_crashed_ = context.awaiting_crashed;
    frames_.reserve(128);
  }

  bool ParseLine(const Line& line);
  size_t TakeBody(std::string_view ahead, uint64_t* lines);
  // One body the memo holds, handed to the sink; false when `ahead` does
  // not start with one (the lines are left to ParseLine).
  bool TakeKnownBody(std::string_view ahead);
  // The header line `ahead` starts with, read as ParseLine would, when it
  // opens a traceback record: the bytes it took, or 0.
  size_t TakeHeader(std::string_view ahead, uint64_t number);
  void Finish(uint64_t bytes, uint64_t lines);
  const ParseSummary& summary() const { return summary_; }
  ParseContext context() const {
    return ParseContext{prefix_, after_thread_separator_, awaiting_crashed_};
  }

 private:
  void Warn(uint64_t line, std::string message) {
    AddWarning(&summary_, limits_, line, std::move(message));
  }
  void Noise() { ++summary_.noise_lines; }

  // Returns true when the line was taken by the open record.
  bool TracebackLine(std::string_view text, const Line& line);
  // The two lines of nearly every frame, a function line and its file line
  // in their common forms, taken as TracebackLine takes them with none of its
  // other cases to rule out first; false for any other line.
  [[gnu::always_inline]] inline bool FrameLine(std::string_view text, const Line& line);
  // A function line opens a frame; its file line ends it.
  [[gnu::always_inline]] inline void StartFrame(const FunctionLine& function, uint64_t line_number);
  [[gnu::always_inline]] inline void EndFrame(const FileLine& file);
  bool CountRecordLine(std::string_view text, const Line& line);
  void OutsideLine(std::string_view text, const Line& line);
  bool TryStartRecord(std::string_view text, const Line& line);
  void StartTraceback(const HeaderLine& header, const Line& line);
  void StartCountRecord(uint64_t count, const Line& line);
  void NotePreamble(std::string_view text);
  [[gnu::always_inline]] inline void ParseText(std::string_view text, const Line& line);
  // A goleak header: it opens a record, or names the one a v1.2 goroutine
  // line opens right after it.
  bool TryGoleakHeader(std::string_view text, const Line& line);
  // The lines after "panic: V" (chained panics, a multi-line value).
  bool PanicContinuation(std::string_view text);
  // go test status lines (`=== RUN X`, `--- FAIL: X`) and goleak's report,
  // in or out of a record: what names the test of a goleak report.
  void NoteTestLine(std::string_view text);

  // Copies `s` into the record's text; returns where it lies there.
  Span KeepText(std::string_view s) { return text_.Append(s); }
  Span KeepArgs(std::string_view s) { return args_.Append(s); }
  // Forgets the text of a frame that is not kept, so that a goroutine past
  // max_frames costs no memory for the frames it drops.
  void Unkeep(const FrameSpans& f) {
    size_t end = std::max(f.func.offset + f.func.length, f.file.offset + f.file.length);
    if (end == text_.size()) text_.Truncate(f.func.offset);
    if (f.args.offset + f.args.length == args_.size()) args_.Truncate(f.args.offset);
  }
  // `arena`: an Arena, or the std::string of labels.
  template <typename Bytes>
  static std::string_view ViewOf(const Bytes& arena, Span span) {
    return {arena.data() + span.offset, span.length};
  }
  std::string_view View(Span span) const { return ViewOf(text_, span); }
  Frame ToFrame(const FrameSpans& f) const {
    return Frame{View(f.func), View(f.file), f.line, ViewOf(args_, f.args), f.inlined};
  }
  void ClearRecord() {
    text_.clear();
    args_.clear();
    label_text_.clear();
    frames_.clear();
    ancestors_.clear();
    labels_.clear();
    main_frame_count_ = 0;
    pending_function_ = false;
    dropped_frames_ = 0;
    memo_candidate_ = false;
    memo_confirmed_ = false;
  }
  void SetStackKey();
  void AddFrame(const FrameSpans& frame, uint64_t line_number);
  void KeepLabels(std::string_view labels, uint64_t line_number);
  Span KeepLabelText(std::string_view token);
  void EndRecord(bool at_end_of_input);
  // Hands the record to the sink, its frames and key set.
  void Emit(bool traceback);
  // Whether the record just ended was read as the body scanned at its
  // header said, so that the memo may keep it.
  bool ReadAsScanned(bool at_end_of_input, State ended) const;
  // A function line never followed by its file line was not a frame after all
  // (a log line that happened to look like one).
  void DropPendingFunction() {
    if (!pending_function_) return;
    pending_function_ = false;
    Unkeep(pending_);
    Noise();
  }

  RecordSink& sink_;
  ParseLimits limits_;
  bool keep_args_;
  bool set_stack_keys_;
  ParseSummary summary_;

  State state_ = State::kOutside;
  std::string prefix_;  // per-line prefix in front of the first header (logs, test output)
  bool after_thread_separator_ = false;  // past "-----": crash-mode thread sections
  bool awaiting_crashed_ = false;        // a panic or fatal error was printed, no header since
  LogEnvelope envelope_;                 // timestamps, docker json-file, CRI
  bool in_panic_ = false;                // lines of the first panic block go on
  bool panic_block_seen_ = false;
  bool goleak_header_open_ = false;  // the record was opened by a goleak header, no frame yet
  bool prefix_stripped_ = false;     // the current line began with prefix_

  // The open record.
  Goroutine current_;
  bool skip_current_ = false;  // goroutine 0, or a repeat in a thread section
  Span state_span_;
  Arena text_{64 * 1024};
  Arena args_{16 * 1024};
  std::string label_text_;
  std::vector<uint64_t> shape_;  // lengths and numbers hashed with text_
  std::vector<FrameSpans> frames_;
  size_t main_frame_count_ = 0;  // frames before the first ancestor section
  bool pending_function_ = false;
  FrameSpans pending_;
  uint64_t pending_line_ = 0;
  FrameSpans created_by_;
  std::vector<AncestorSpans> ancestors_;
  std::vector<std::pair<Span, Span>> labels_;
  std::string label_scratch_;
  uint64_t dropped_frames_ = 0;
  bool last_line_cut_ = false;  // the final line had no newline and was not understood

  // Bodies read before (null when the sink reads no stack keys), and what a
  // pass over the body after the last header found.
  BodyMemo* memo_ = nullptr;
  std::unique_ptr<BodyMemo> own_memo_;
  BodyScan scan_;
  bool body_may_follow_ = false;  // the line just read opened a record TakeBody may read
  bool memo_candidate_ = false;   // the open record's body is worth keeping once read
  bool memo_confirmed_ = false;   // and it ended at the blank line the scan found
  uint64_t memo_blank_line_ = 0;
  uint64_t noise_at_header_ = 0;
  uint64_t warnings_at_header_ = 0;

  // What the sink sees, rebuilt for each record.
  std::vector<Frame> out_frames_;
  std::vector<Label> out_labels_;
  std::vector<Ancestor> out_ancestors_;
};

bool DumpParser::Impl::ParseLine(const Line& line) {
  if (line.overlong) {
    Warn(line.number, fmt::format("line is {} bytes long, over the {}-byte limit; skipped",
                                  line.overlong_bytes, limits_.max_line_length));
    Noise();
    return false;
  }
  if (!line.ends_with_newline) {
    // Go ends every dump with a newline: a last line without one was cut
    // (a body cut short, a gzip stream cut at a sync point, a file cut).
    Warn(line.number, "the input ends without a newline: its last line is cut short");
  }
  std::string_view text = line.text;
  // Log wrappers start with "{" (json-file, go test -json) or a digit (a
  // timestamp): one look at the first byte spares every other line the call.
  if ((!text.empty() && MayBeWrapped(text.front())) || envelope_.pending()) {
    if (!envelope_.Unwrap(line.text, &text)) return false;  // a piece of a longer log line
  }
  ParseText(text, line);
  return std::exchange(body_may_follow_, false);
}

inline void DumpParser::Impl::ParseText(std::string_view text, const Line& line) {
  // NUL bytes around a line (a log file truncated and written again, a
  // preallocated region) are skipped; a line of nothing else is noise.
  if (!text.empty() && (text.front() == '\0' || text.back() == '\0')) {
    while (!text.empty() && text.front() == '\0') text.remove_prefix(1);
    while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
    if (text.empty()) {
      Noise();
      return;
    }
  }
  prefix_stripped_ = !prefix_.empty() && text.starts_with(prefix_);
  if (prefix_stripped_) text.remove_prefix(prefix_.size());

  if (state_ == State::kFrames && line.ends_with_newline && FrameLine(text, line)) return;
  bool taken = false;
  switch (state_) {
    case State::kFrames:
    case State::kCreatedByFile:
      taken = TracebackLine(text, line);
      break;
    case State::kCountRecord:
      taken = CountRecordLine(text, line);
      break;
    case State::kSkipBlock:
      if (TrimRight(text).empty()) {
        state_ = State::kOutside;
        return;
      }
      if (!text.starts_with("goroutine ")) {
        Noise();
        return;
      }
      state_ = State::kOutside;
      break;
    case State::kOutside:
      break;
  }
  if (!taken) OutsideLine(text, line);
}

void DumpParser::Impl::OutsideLine(std::string_view text, const Line& line) {
  if (in_panic_ && PanicContinuation(text)) return;
  if (TrimRight(text).empty()) return;
  if (TryStartRecord(text, line)) return;
  if (TryGoleakHeader(text, line)) return;
  // A header behind a prefix (log shipper columns, test output indentation):
  // remember the prefix and expect it on the lines that follow.
  if (size_t at = text.find("goroutine "); at != std::string_view::npos && at > 0 && at <= 128) {
    HeaderLine header;
    if (ParseHeaderLine(text.substr(at), &header)) {
      prefix_.assign(text.substr(0, at));
      StartTraceback(header, line);
      return;
    }
  }
  NotePreamble(text);
  Noise();
  if (!line.ends_with_newline && text.starts_with("goroutine ")) last_line_cut_ = true;
}

bool DumpParser::Impl::TryGoleakHeader(std::string_view text, const Line& line) {
  // "[Goroutine 7 in state ...", " Goroutine 8 in state ...", behind a prefix
  // when printed in a test log.
  size_t at = text.find("Goroutine ");
  if (at == std::string_view::npos || at > 130) return false;
  if (at > 0 && (text[at - 1] == '[' || text[at - 1] == ' ')) --at;
  HeaderLine header;
  if (!ParseGoleakHeaderLine(text.substr(at), &header)) return false;
  if (prefix_stripped_) {
    prefix_.append(text.substr(0, at));
  } else {
    prefix_.assign(text.substr(0, at));
  }
  StartTraceback(header, line);
  goleak_header_open_ = true;
  return true;
}

// Lines after "panic: V": "\tpanic: W" chains a panic, "\t..." goes on with a
// multi-line value (the runtime indents its lines), anything else ends the block.
bool DumpParser::Impl::PanicContinuation(std::string_view text) {
  if (!text.starts_with('\t')) {
    in_panic_ = false;
    return false;
  }
  std::vector<PanicEntry>& panics = summary_.detail.panics;
  std::string_view rest = text.substr(1);
  if (ConsumePrefix(&rest, "panic: ")) {
    if (panics.size() >= kMaxPanics) return true;
    PanicEntry& entry = panics.emplace_back();
    if (ConsumeSuffix(&rest, " [recovered, repanicked]")) {
      entry.repanicked = true;
    } else if (ConsumeSuffix(&rest, " [recovered]")) {
      entry.recovered = true;
    }
    entry.value.assign(rest.substr(0, kMaxPanicValueBytes));
    Noise();
    return true;
  }
  if (!panics.empty()) {
    PanicEntry& entry = panics.back();
    // A multi-line value ends with " [recovered]" on its last line.
    if (ConsumeSuffix(&rest, " [recovered, repanicked]")) {
      entry.repanicked = true;
    } else if (ConsumeSuffix(&rest, " [recovered]")) {
      entry.recovered = true;
    }
    if (entry.value.size() + 1 + rest.size() <= kMaxPanicValueBytes) {
      entry.value.push_back('\n');
      entry.value.append(rest);
    }
  }
  Noise();
  return true;
}

void DumpParser::Impl::NoteTestLine(std::string_view text) {
  if (!summary_.goleak_report &&
      text.find("found unexpected goroutines") != std::string_view::npos) {
    summary_.goleak_report = true;
    summary_.goleak_test_before = summary_.last_test;
    return;
  }
  if (!text.starts_with("---") && !text.starts_with("===") && !text.starts_with("    ---")) return;
  bool fail = false;
  std::string_view name = TestLineName(text, &fail);
  if (name.empty()) return;
  summary_.last_test.assign(name);
  if (fail && summary_.first_fail_test.empty()) summary_.first_fail_test.assign(name);
  if (fail && summary_.goleak_report && summary_.goleak_test_before.empty() &&
      summary_.goleak_fail_after.empty()) {
    summary_.goleak_fail_after.assign(name);
  }
}

bool DumpParser::Impl::TryStartRecord(std::string_view text, const Line& line) {
  if (text.starts_with("goroutine")) {
    HeaderLine header;
    if (ParseHeaderLine(text, &header)) {
      if (!prefix_.empty() && !prefix_stripped_) prefix_.clear();
      StartTraceback(header, line);
      // The lines after a prefix or a log wrapper are not read as they stand.
      body_may_follow_ = memo_ != nullptr && !skip_current_ && prefix_.empty() &&
                         !envelope_.pending() && line.ends_with_newline;
      return true;
    }
    ProfileHeaderLine profile;
    if (ParseProfileHeaderLine(text, &profile)) {
      summary_.format = DumpFormat::kCountProfile;
      summary_.profile_producer = profile.leak_profile ? DumpProducer::kGoroutineLeakProfile
                                                       : DumpProducer::kGoroutineProfile;
      summary_.has_profile_total = true;
      summary_.profile_total += profile.total;
      return true;
    }
    return false;
  }
  if (IsDigit(text.front())) {
    uint64_t count = 0;
    bool overflow = false;
    if (ParseCountRecordLine(text, &count, &overflow)) {
      if (overflow || count == 0) {
        Warn(line.number, overflow ? "goroutine count does not fit in 64 bits; record skipped"
                                   : "goroutine count is 0; record skipped");
        state_ = State::kSkipBlock;
        return true;
      }
      StartCountRecord(count, line);
      return true;
    }
  }
  return false;
}

void DumpParser::Impl::NotePreamble(std::string_view text) {
  if (text == "-----") {
    // GOTRACEBACK=crash: each OS thread now prints its own section, repeating
    // goroutines already printed above.
    after_thread_separator_ = true;
    return;
  }
  if (text == "runtime stack:") {
    state_ = State::kSkipBlock;
    return;
  }
  if (text.starts_with("panic: ") && !panic_block_seen_) {
    panic_block_seen_ = true;
    in_panic_ = true;
    awaiting_crashed_ = true;
    std::string_view value = text.substr(7);
    PanicEntry& entry = summary_.detail.panics.emplace_back();
    if (ConsumeSuffix(&value, " [recovered, repanicked]")) {
      entry.repanicked = true;
    } else if (ConsumeSuffix(&value, " [recovered]")) {
      entry.recovered = true;
    }
    entry.value.assign(value.substr(0, kMaxPanicValueBytes));
  } else if (text.starts_with("fatal error: ") && summary_.detail.fatal_error.empty() &&
             !panic_block_seen_) {
    summary_.detail.fatal_error.assign(TrimRight(text.substr(13)).substr(0, kMaxPanicValueBytes));
    awaiting_crashed_ = true;
  } else {
    NoteTestLine(text);
  }
  if (summary_.preamble_producer != DumpProducer::kUnknown) return;
  DumpProducer producer = DumpProducer::kUnknown;
  if (text.starts_with("panic: test timed out after ")) {
    producer = DumpProducer::kTestTimeout;
  } else if (text.starts_with("panic: ")) {
    producer = DumpProducer::kPanic;
  } else if (text.starts_with("fatal error: ")) {
    producer = DumpProducer::kFatalError;
  } else if (text.starts_with("SIG") && text.find(": ") != std::string_view::npos &&
             text.find(' ') == text.find(": ") + 1) {
    producer = DumpProducer::kSignal;
  } else if (text.find("found unexpected goroutines") != std::string_view::npos) {
    producer = DumpProducer::kGoleak;
  }
  summary_.preamble_producer = producer;
  if (producer != DumpProducer::kUnknown) {
    summary_.producer_line = text.substr(0, ParseSummary::kMaxProducerLine);
  }
}

void DumpParser::Impl::StartTraceback(const HeaderLine& header, const Line& line) {
  if (summary_.format == DumpFormat::kUnknown) summary_.format = DumpFormat::kTraceback;
  current_ = Goroutine{};
  current_.id = header.id;
  current_.has_id = !header.id_overflow;
  current_.wait_minutes = header.wait_minutes;
  current_.locked_to_thread = header.locked_to_thread;
  current_.leaked = header.leaked;
  current_.scan = header.scan;
  current_.durable = header.durable;
  current_.synctest_bubble = header.synctest_bubble;
  current_.line = line.number;
  goleak_header_open_ = false;
  in_panic_ = false;
  if (awaiting_crashed_) {
    awaiting_crashed_ = false;
    if (header.state == "running" && !header.id_overflow && header.id != 0) {
      current_.crashed = true;
      if (!summary_.detail.has_crashed_goroutine) {
        summary_.detail.has_crashed_goroutine = true;
        summary_.detail.crashed_goroutine = header.id;
      }
    }
  }
  ClearRecord();
  state_span_ = KeepText(header.state);
  if (header.id_overflow) {
    Warn(line.number, "goroutine id does not fit in 64 bits; the goroutine is kept without an id");
  }
  if (header.minutes_overflow) {
    Warn(line.number, "wait minutes do not fit in 64 bits; taken as 0");
  }
  if (!header.labels.empty()) KeepLabels(header.labels, line.number);
  if (after_thread_separator_) {
    skip_current_ = true;
  } else {
    skip_current_ = header.id == 0 && !header.id_overflow;  // a thread's g0, not a goroutine
  }
  state_ = State::kFrames;
}

void DumpParser::Impl::StartCountRecord(uint64_t count, const Line& line) {
  if (summary_.format == DumpFormat::kUnknown) summary_.format = DumpFormat::kCountProfile;
  current_ = Goroutine{};
  current_.count = count;
  current_.line = line.number;
  ClearRecord();
  state_span_ = Span{};
  skip_current_ = false;
  state_ = State::kCountRecord;
}

void DumpParser::Impl::KeepLabels(std::string_view labels, uint64_t line_number) {
  bool ok = ForEachLabel(labels, [&](std::string_view key, std::string_view value) {
    Span k = KeepLabelText(key);
    Span v = KeepLabelText(value);
    labels_.emplace_back(k, v);
  });
  if (!ok) {
    labels_.clear();
    Warn(line_number, "labels are malformed; ignored");
  }
}

// A label's key or value, Go-unquoted. NUL bytes (a quoted `\x00`) become
// U+FFFD: a label holds text, and consumers keep label sets NUL-separated.
Span DumpParser::Impl::KeepLabelText(std::string_view token) {
  label_scratch_.clear();
  AppendUnquoted(token, &label_scratch_);
  Span span{label_text_.size(), 0};
  for (char c : label_scratch_) {
    if (c == '\0') {
      label_text_.append("\xEF\xBF\xBD");
    } else {
      label_text_.push_back(c);
    }
  }
  span.length = label_text_.size() - span.offset;
  return span;
}

void DumpParser::Impl::AddFrame(const FrameSpans& frame, uint64_t line_number) {
  if (frames_.size() >= limits_.max_frames) {
    if (dropped_frames_++ == 0) {
      Warn(line_number, fmt::format("goroutine has more than {} frames; the rest are dropped",
                                    limits_.max_frames));
    }
    Unkeep(frame);
    return;
  }
  frames_.push_back(frame);
  if (!ancestors_.empty()) ++ancestors_.back().frame_count;
}

inline bool DumpParser::Impl::FrameLine(std::string_view text, const Line& line) {
  if (text.empty()) return false;
  if (pending_function_) {
    FileLine file;
    if (!ParseCommonFileLine(text, &file)) return false;
    EndFrame(file);
    return true;
  }
  FunctionLine function;
  if (text.back() != ')' || text.starts_with("goroutine ") || !ParseFunctionLine(text, &function)) {
    return false;
  }
  StartFrame(function, line.number);
  return true;
}

inline void DumpParser::Impl::StartFrame(const FunctionLine& function, uint64_t line_number) {
  pending_ = FrameSpans{};
  pending_.func = KeepText(function.func);
  if (keep_args_) pending_.args = KeepArgs(function.args);
  pending_.inlined = function.inlined;
  pending_function_ = true;
  goleak_header_open_ = false;
  pending_line_ = line_number;
}

inline void DumpParser::Impl::EndFrame(const FileLine& file) {
  pending_.file = KeepText(file.file);
  pending_.line = file.line;
  pending_function_ = false;
  AddFrame(pending_, pending_line_);
}

bool DumpParser::Impl::TracebackLine(std::string_view text, const Line& line) {
  std::string_view trimmed = TrimRight(text);
  if (trimmed.empty()) {
    memo_confirmed_ = memo_candidate_ && line.number == memo_blank_line_;
    EndRecord(false);
    return true;
  }
  if (state_ == State::kCreatedByFile || pending_function_) {
    FileLine file;
    if (ParseFileLine(text, &file)) {
      if (!line.ends_with_newline) {
        // "main.go:7" may be "main.go:78" cut short: the frame (or creator)
        // keeps its function, without a file line that could be wrong.
        last_line_cut_ = true;
        return true;
      }
      if (file.line_overflow) {
        Warn(line.number, "line number does not fit in a signed 64-bit integer; taken as 0");
      }
      if (state_ == State::kCreatedByFile) {
        FrameSpans& target = ancestors_.empty() ? created_by_ : ancestors_.back().created_by;
        target.file = KeepText(file.file);
        target.line = file.line;
        state_ = State::kFrames;
      } else {
        EndFrame(file);
      }
      return true;
    }
    if (!line.ends_with_newline) {
      last_line_cut_ = true;  // a file line cut short: keep what the record holds
      return true;
    }
  }
  if (text.starts_with("goroutine ")) {
    HeaderLine header;
    if (ParseHeaderLine(text, &header)) {
      if (goleak_header_open_ && frames_.empty() && !pending_function_ &&
          header.id == current_.id) {
        // goleak v1.2 prints the goroutine line after its own header: one
        // goroutine, read from the runtime's line, which says more.
        uint64_t first_line = current_.line;
        StartTraceback(header, line);
        current_.line = first_line;
        return true;
      }
      EndRecord(false);
      return false;  // the caller starts the next record
    }
  }
  FunctionLine function;
  if (ParseFunctionLine(text, &function)) {
    DropPendingFunction();
    state_ = State::kFrames;
    StartFrame(function, line.number);
    if (!line.ends_with_newline) last_line_cut_ = true;
    return true;
  }
  CreatedByLine created_by;
  if (ParseCreatedByLine(text, &created_by)) {
    DropPendingFunction();
    FrameSpans spans;
    spans.func = KeepText(created_by.func);
    if (ancestors_.empty()) {
      created_by_ = spans;
      current_.has_created_by = true;
      current_.has_creator_id = created_by.has_creator_id;
      current_.creator_id = created_by.creator_id;
    } else {
      ancestors_.back().has_created_by = true;
      ancestors_.back().created_by = spans;
    }
    state_ = State::kCreatedByFile;
    if (!line.ends_with_newline) last_line_cut_ = true;
    return true;
  }
  uint64_t number = 0;
  if (ParseElisionLine(text, &number)) {
    state_ = State::kFrames;
    if (ancestors_.empty()) {
      current_.frames_elided = true;
      current_.elided_frame_count = number;
    }
    return true;
  }
  if (ParseAncestorLine(trimmed, &number)) {
    DropPendingFunction();
    state_ = State::kFrames;
    if (ancestors_.empty()) main_frame_count_ = frames_.size();
    ancestors_.push_back(AncestorSpans{number, frames_.size(), 0, false, {}});
    return true;
  }
  // goleak v1.3 headers (no function line ends in ":").
  if (!text.empty() && (text.front() == '[' || text.front() == 'G' ||
                        (text.front() == ' ' && text.size() > 1 && text[1] == 'G'))) {
    HeaderLine header;
    if (ParseGoleakHeaderLine(text, &header)) {
      EndRecord(false);
      return false;  // goleak v1.3 prints no blank line between stacks
    }
  }
  std::string_view stripped = TrimLeft(trimmed);
  if (stripped == "goroutine running on other thread; stack unavailable") {
    current_.stack_unavailable = true;
    return true;
  }
  if (IsRegisterLine(trimmed) || trimmed == "-----") {
    EndRecord(false);
    return false;
  }
  // Interleaved logs, "runtime: ..." unwinder complaints, a stray file line,
  // go test's "--- FAIL: TestX" after a goleak report.
  NoteTestLine(text);
  Noise();
  if (!line.ends_with_newline) last_line_cut_ = true;
  return true;
}

bool DumpParser::Impl::CountRecordLine(std::string_view text, const Line& line) {
  std::string_view trimmed = TrimRight(text);
  if (trimmed.empty()) {
    EndRecord(false);
    return true;
  }
  if (!trimmed.starts_with('#')) {
    EndRecord(false);
    return false;
  }
  std::string_view rest = trimmed.substr(1);
  if (ConsumePrefix(&rest, " labels: ")) {
    KeepLabels(rest, line.number);
    return true;
  }
  CountFrameLine frame;
  if (ParseCountFrameLine(trimmed, &frame)) {
    if (frame.line_overflow) {
      Warn(line.number, "line number does not fit in a signed 64-bit integer; taken as 0");
    }
    FrameSpans spans;
    spans.func = KeepText(frame.func);
    if (line.ends_with_newline) {
      spans.file = KeepText(frame.file);
      spans.line = frame.line;
    } else {
      last_line_cut_ = true;  // its line number may be cut short: none rather than a wrong one
    }
    AddFrame(spans, line.number);
    return true;
  }
  Noise();
  return true;
}

// The key covers every byte and number grouping reads, arguments aside, with
// the lengths that tell where one string ends and the next begins: one word
// per frame. A frame too long to pack leaves the record without a key.
void DumpParser::Impl::SetStackKey() {
  shape_.clear();
  shape_.push_back(state_span_.length);
  bool packed = true;
  auto add = [&](const FrameSpans& f) {
    packed = packed && f.func.length < (1u << 16) && f.file.length < (1u << 16) &&
             f.line < (uint64_t{1} << 31);
    shape_.push_back(f.func.length | f.file.length << 16 | uint64_t{f.inlined} << 32 |
                     f.line << 33);
  };
  for (const FrameSpans& f : frames_) add(f);
  shape_.push_back(main_frame_count_ << 1 | current_.has_created_by);
  if (current_.has_created_by) add(created_by_);
  for (const AncestorSpans& a : ancestors_) {
    shape_.push_back(a.frame_count << 1 | a.has_created_by);
    if (a.has_created_by) add(a.created_by);
  }
  if (!packed) {
    current_.stack_key = {};
    return;
  }
  XXH128_hash_t text = XXH3_128bits(text_.data(), text_.size());
  XXH128_hash_t shape = XXH3_128bits_withSeed(shape_.data(), shape_.size() * sizeof(uint64_t),
                                              text.low64 ^ text.high64);
  current_.stack_key = {text.low64 ^ shape.high64, text.high64 ^ shape.low64};
}

void DumpParser::Impl::EndRecord(bool at_end_of_input) {
  State ended = state_;
  state_ = State::kOutside;
  if (skip_current_) {
    if (after_thread_separator_ && current_.id != 0) ++summary_.duplicate_goroutines;
    return;
  }
  bool traceback = ended != State::kCountRecord;
  bool truncated = false;
  if (at_end_of_input) {
    truncated = pending_function_ || ended == State::kCreatedByFile || last_line_cut_ ||
                (frames_.empty() && !current_.stack_unavailable);
  }
  if (pending_function_ && at_end_of_input) {
    AddFrame(pending_, pending_line_);  // the function is known even if its file line is not
    pending_function_ = false;
  }
  DropPendingFunction();
  if (traceback && frames_.empty() && !current_.stack_unavailable && !truncated) {
    Warn(current_.line, fmt::format("goroutine {} has a header but no frames", current_.id));
  }
  if (truncated) {
    summary_.truncated = true;
    current_.truncated = true;
    Warn(current_.line,
         traceback ? fmt::format("the input ends inside goroutine {}: its stack is cut short",
                                 current_.id)
                   : std::string("the input ends inside a debug=1 record: its stack is cut short"));
  }

  if (ancestors_.empty()) main_frame_count_ = frames_.size();
  out_frames_.clear();
  for (const FrameSpans& f : frames_) out_frames_.push_back(ToFrame(f));
  if (current_.has_created_by) current_.created_by = ToFrame(created_by_);
  if (set_stack_keys_) SetStackKey();
  if (memo_candidate_ && ReadAsScanned(at_end_of_input, ended)) {
    memo_->Keep(scan_.hash, out_frames_, current_.has_created_by ? &current_.created_by : nullptr,
                current_.stack_key);
  }
  memo_candidate_ = false;
  memo_confirmed_ = false;
  Emit(traceback);
}

bool DumpParser::Impl::ReadAsScanned(bool at_end_of_input, State ended) const {
  if (!memo_confirmed_ || at_end_of_input || ended != State::kFrames || !ancestors_.empty() ||
      dropped_frames_ != 0 || current_.frames_elided || current_.stack_unavailable ||
      current_.truncated || summary_.noise_lines != noise_at_header_ ||
      summary_.warnings.size() + summary_.warnings_dropped != warnings_at_header_ ||
      frames_.size() != scan_.args.size() || current_.has_created_by != scan_.has_created_by ||
      current_.has_creator_id != scan_.has_creator_id || current_.creator_id != scan_.creator_id) {
    return false;
  }
  if (keep_args_) {
    for (size_t i = 0; i < frames_.size(); ++i) {
      if (ViewOf(args_, frames_[i].args) != scan_.args[i]) return false;
    }
  }
  return true;
}

size_t DumpParser::Impl::TakeBody(std::string_view ahead, uint64_t* lines) {
  size_t taken = 0;
  uint64_t taken_lines = 0;
  // Record after record while each body is one the memo holds, each next
  // header read here as ParseLine would read it.
  while (TakeKnownBody(ahead.substr(taken))) {
    taken += scan_.bytes;
    taken_lines += scan_.lines;
    uint64_t number = current_.line + scan_.lines + 1;
    size_t header = TakeHeader(ahead.substr(taken), number);
    if (header == 0) break;
    taken += header;
    ++taken_lines;
    if (!std::exchange(body_may_follow_, false)) break;
  }
  *lines = taken_lines;
  return taken;
}

bool DumpParser::Impl::TakeKnownBody(std::string_view ahead) {
  if (!memo_->Scan(ahead, View(state_span_), &scan_)) return false;
  const BodyMemo::Entry* entry = memo_->Find(scan_.hash);
  if (entry == nullptr) {
    if (memo_->WorthKeeping(scan_.hash)) {
      memo_candidate_ = true;
      memo_blank_line_ = current_.line + scan_.lines;
      noise_at_header_ = summary_.noise_lines;
      warnings_at_header_ = summary_.warnings.size() + summary_.warnings_dropped;
    }
    return false;
  }
  // The record as EndRecord would make it after reading the lines one by one.
  out_frames_.clear();
  for (size_t i = 0; i < entry->frame_count(); ++i) {
    Frame& frame = out_frames_.emplace_back(entry->frame(i));
    if (keep_args_) frame.args = scan_.args[i];
  }
  main_frame_count_ = out_frames_.size();
  current_.has_created_by = entry->has_created_by();
  current_.created_by = entry->created_by();
  current_.has_creator_id = scan_.has_creator_id;
  current_.creator_id = scan_.creator_id;
  current_.stack_key = entry->stack_key();
  state_ = State::kOutside;
  Emit(true);
  return true;
}

size_t DumpParser::Impl::TakeHeader(std::string_view ahead, uint64_t number) {
  const char* newline = FindNewlinePadded(ahead.data(), ahead.data() + ahead.size());
  if (newline == nullptr) return 0;
  std::string_view text(ahead.data(), static_cast<size_t>(newline - ahead.data()));
  // What ParseLine and OutsideLine do before TryStartRecord, for a line that
  // starts "goroutine ": nothing, but when a panic's lines go on, a log
  // wrapper or a prefix is in use, or the line is too long or ends in CR or
  // NUL (the line scanner or the NUL trim would change it).
  if (!text.starts_with("goroutine ") || text.size() > limits_.max_line_length ||
      text.back() == '\r' || text.back() == '\0' || in_panic_ || envelope_.pending() ||
      !prefix_.empty() || state_ != State::kOutside) {
    return 0;
  }
  Line line;
  line.text = text;
  line.number = number;
  if (!TryStartRecord(text, line)) return 0;
  return text.size() + 1;
}

void DumpParser::Impl::Emit(bool traceback) {
  out_labels_.clear();
  for (const auto& [key, value] : labels_) {
    out_labels_.push_back(Label{ViewOf(label_text_, key), ViewOf(label_text_, value)});
  }
  out_ancestors_.clear();
  for (const AncestorSpans& a : ancestors_) {
    Ancestor ancestor;
    ancestor.id = a.id;
    ancestor.frames = std::span<const Frame>(out_frames_.data() + a.first_frame, a.frame_count);
    if (a.has_created_by) ancestor.created_by = ToFrame(a.created_by);
    out_ancestors_.push_back(ancestor);
  }
  current_.state = View(state_span_);
  current_.frames = std::span<const Frame>(out_frames_.data(), main_frame_count_);
  current_.labels = out_labels_;
  current_.ancestors = out_ancestors_;
  // Go <= 1.20 cut stacks at 100 physical frames without a marker (format §6.1).
  current_.stack_maybe_cut =
      traceback && !current_.frames_elided && main_frame_count_ >= 97 && main_frame_count_ <= 100;

  ++summary_.records;
  if (current_.count > UINT64_MAX - summary_.goroutines) summary_.goroutines_saturated = true;
  summary_.goroutines = SaturatingAdd(summary_.goroutines, current_.count);
  sink_.OnGoroutine(current_);
}

void DumpParser::Impl::Finish(uint64_t bytes, uint64_t lines) {
  if (envelope_.pending()) {
    // A log line whose last piece never came: what it holds is still read.
    Line last;
    last.number = lines;
    last.ends_with_newline = false;
    ParseText(envelope_.TakePending(), last);
  }
  if (state_ == State::kFrames || state_ == State::kCreatedByFile ||
      state_ == State::kCountRecord) {
    EndRecord(true);
  }
  state_ = State::kOutside;
  summary_.bytes = bytes;
  summary_.lines = lines;
}

DumpParser::DumpParser(std::string input_name, RecordSink& sink, const ParseLimits& limits,
                       const ParseContext& context, BodyMemo* memo)
    : impl_(std::make_unique<Impl>(std::move(input_name), sink, limits, context, memo)) {}
DumpParser::~DumpParser() = default;
bool DumpParser::ParseLine(const Line& line) { return impl_->ParseLine(line); }
size_t DumpParser::TakeBody(std::string_view ahead, uint64_t* lines) {
  return impl_->TakeBody(ahead, lines);
}
void DumpParser::Finish(uint64_t bytes, uint64_t lines) { impl_->Finish(bytes, lines); }
const ParseSummary& DumpParser::summary() const { return impl_->summary(); }
ParseContext DumpParser::context() const { return impl_->context(); }

void AddWarning(ParseSummary* summary, const ParseLimits& limits, uint64_t line,
                std::string message) {
  if (summary->warnings.size() >= limits.max_warnings) {
    ++summary->warnings_dropped;
    return;
  }
  summary->warnings.push_back(Diagnostic{line, std::move(message)});
}

// Who printed the dump: the last profile header wins over any preamble line,
// and the first preamble line over later ones (a panic inside a panic).
// Order-free within those rules, so that ranges of one input parsed apart
// conclude as the whole input would.
void ConcludeSummary(ParseSummary* summary, const ParseLimits& limits) {
  ProducerDetail& detail = summary->detail;
  if (!detail.panics.empty()) {
    // "test timed out after 2s\nrunning tests:\n\tTestHangs (2s)": a string
    // the testing package panics with.
    std::string_view value = detail.panics.front().value;
    if (ConsumePrefix(&value, "test timed out after ")) {
      detail.test_timeout.assign(value.substr(0, value.find('\n')));
      if (std::optional<double> seconds = ParseDuration(detail.test_timeout)) {
        detail.has_test_timeout_seconds = true;
        detail.test_timeout_seconds = *seconds;
      }
      detail.test_name.assign(RunningTest(detail.panics.front().value));
    }
  }
  if (detail.test_name.empty() && summary->goleak_report) {
    detail.test_name = !summary->goleak_test_before.empty() ? summary->goleak_test_before
                                                            : summary->goleak_fail_after;
  }
  if (summary->profile_producer != DumpProducer::kUnknown) {
    summary->producer = summary->profile_producer;
  } else if (summary->preamble_producer != DumpProducer::kUnknown) {
    summary->producer = summary->preamble_producer;
  } else if (summary->format == DumpFormat::kTraceback) {
    summary->producer = DumpProducer::kStack;
  }
  if (summary->bytes == kPprofDebug2Cap && summary->format == DumpFormat::kTraceback) {
    AddWarning(summary, limits, 0,
               "the input is exactly 64 MiB, where /debug/pprof/goroutine?debug=2 stops writing: "
               "goroutines are probably missing. For a full dump send SIGQUIT, or call "
               "runtime.Stack with a larger buffer");
  }
  if (summary->goroutines_saturated) {
    AddWarning(summary, limits, 0,
               "the goroutine counts add up past 2^64 - 1; the totals are held at 2^64 - 1");
  }
  if (summary->has_profile_total && summary->profile_total != summary->goroutines) {
    AddWarning(summary, limits, 0,
               fmt::format("the profile header says total {} but its records hold {} goroutines{}",
                           summary->profile_total, summary->goroutines,
                           summary->truncated ? " (the input is cut short)" : ""));
  }
}

}  // namespace gleak
