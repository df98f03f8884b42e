// The record the parser emits: one goroutine (or, for a debug=1 count
// profile, one stack shared by `count` goroutines).
//
// Every string_view in these types points into storage owned by the parser and
// is valid only during the RecordSink callback that receives the record.
// Whatever a consumer keeps must be copied or interned.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace gleak {

struct Frame {
  std::string_view func;  // "main.(*Server).handle", "main.Map[...]", "panic"
  std::string_view file;  // as printed: absolute, relative, or "" when unknown
  uint64_t line = 0;      // 0 when unknown
  std::string_view args;  // raw text between the parentheses, "" in debug=1
  bool inlined = false;   // printed as "(...)": an inlined call
};

struct Label {
  std::string_view key;
  std::string_view value;
};

// A `[originating from goroutine N]:` section (GODEBUG=tracebackancestors).
struct Ancestor {
  uint64_t id = 0;
  std::span<const Frame> frames;
  Frame created_by;  // func empty when the section had no `created by`
};

struct Goroutine {
  uint64_t id = 0;
  bool has_id = false;  // false for debug=1 records and for ids beyond 64 bits

  // Wait reason or scheduler status with the decorations (leaked), (scan),
  // (durable), (synctest) stripped: "chan send", "semacquire", "running".
  // Empty for debug=1 records, which carry no state.
  std::string_view state;
  uint64_t wait_minutes = 0;
  uint64_t count = 1;  // goroutines sharing this stack (debug=1), else 1

  bool locked_to_thread = false;
  bool leaked = false;   // `(leaked)`: the runtime proved it can never run again
  bool scan = false;     // `(scan)`
  bool durable = false;  // `(durable)` / `(synctest)`: durably blocked in a bubble
  uint64_t synctest_bubble = 0;

  bool stack_unavailable = false;   // "goroutine running on other thread"
  bool frames_elided = false;       // an elision marker was printed
  uint64_t elided_frame_count = 0;  // N of "...N frames elided...", 0 if unknown
  bool stack_maybe_cut = false;     // ~100 frames and no marker: Go <= 1.20 may have cut it
  bool truncated = false;           // the input ended inside this record
  bool crashed = false;  // the `[running]` goroutine printed first after a panic or fatal error

  std::span<const Frame> frames;  // innermost first

  bool has_created_by = false;
  Frame created_by;  // the function holding the `go` statement, at that line
  bool has_creator_id = false;
  uint64_t creator_id = 0;  // `created by X in goroutine N` (Go 1.21+)

  std::span<const Label> labels;
  std::span<const Ancestor> ancestors;

  uint64_t line = 0;  // input line of the header (or the debug=1 "N @" line)

  // A 128-bit hash of all that grouping reads except arguments: the state,
  // every frame's function, file, line and inlining, the creator and any
  // ancestor sections. Records with equal keys group alike at every level but
  // `exact`; {0, 0} when unknown.
  std::array<uint64_t, 2> stack_key{};
};

// What a dump is, as detected from its content.
enum class DumpFormat {
  kUnknown,
  kTraceback,     // runtime.Stack, debug=2, panics, fatal errors, signals
  kCountProfile,  // debug=1: "goroutine profile: total N" and "N @ 0x..." records
  kPprofProto,    // debug=0: a pprof protobuf profile (gzip or not)
};

// Who printed a traceback, from the lines around the goroutine blocks.
enum class DumpProducer {
  kUnknown,
  kStack,                 // runtime.Stack or /debug/pprof/goroutine?debug=2: no preamble
  kPanic,                 // "panic: ..."
  kFatalError,            // "fatal error: ..." (deadlock, concurrent map writes, ...)
  kSignal,                // "SIGQUIT: quit" and other signal dumps
  kTestTimeout,           // "panic: test timed out after ..."
  kGoleak,                // goleak's "found unexpected goroutines"
  kGoroutineProfile,      // debug=1 "goroutine profile"
  kGoroutineLeakProfile,  // debug=1 "goroutineleak profile" (Go 1.26+)
};

std::string_view DumpFormatName(DumpFormat format);
std::string_view DumpProducerName(DumpProducer producer);

}  // namespace gleak
