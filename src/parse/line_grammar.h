// The grammar of single dump lines (go-dump-format.md §3-§9), one function a
// line kind. Each returns false when the line is not of its kind and never
// allocates; the views it fills point into the line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gleak {

// "goroutine 7 gp=0x.. m=nil [chan send (leaked), 3 minutes, locked to thread] {k: v}:"
struct HeaderLine {
  uint64_t id = 0;
  bool id_overflow = false;
  std::string_view state;  // decorations stripped
  bool leaked = false;
  bool scan = false;
  bool durable = false;
  bool locked_to_thread = false;
  uint64_t wait_minutes = 0;
  bool minutes_overflow = false;
  uint64_t synctest_bubble = 0;
  std::string_view labels;  // "{...}" as printed, or empty
};
bool ParseHeaderLine(std::string_view line, HeaderLine* out);

// go.uber.org/goleak's own header, which v1.3.0 prints instead of the
// goroutine line: "[Goroutine 7 in state chan receive, 2 minutes, with
// main.f on top of the stack:" (" Goroutine 8 ..." for the ones after it).
bool ParseGoleakHeaderLine(std::string_view line, HeaderLine* out);

// "main.(*T).M(0xc000010000, {0x1, 0x2})"; "main.small(...)" is inlined.
struct FunctionLine {
  std::string_view func;
  std::string_view args;
  bool inlined = false;
};
bool ParseFunctionLine(std::string_view line, FunctionLine* out);

// "\t/path/main.go:38 +0x5d fp=0x.. sp=0x.. pc=0x.." (leading white space required).
struct FileLine {
  std::string_view file;
  uint64_t line = 0;
  bool line_overflow = false;
};
bool ParseFileLine(std::string_view line, FileLine* out);
// The form nearly every file line has, "\t/src/x.go:12 +0x1d", read from
// its end in one pass: false for any other form (ParseFileLine reads them
// all, this one alike).
bool ParseCommonFileLine(std::string_view line, FileLine* out);

// "created by main.setup in goroutine 1"
struct CreatedByLine {
  std::string_view func;
  bool has_creator_id = false;
  uint64_t creator_id = 0;
};
bool ParseCreatedByLine(std::string_view line, CreatedByLine* out);

// "[originating from goroutine 24]:"
bool ParseAncestorLine(std::string_view line, uint64_t* id);

// "...additional frames elided..." (count 0) or "...12 frames elided...".
bool ParseElisionLine(std::string_view line, uint64_t* count);

// A register dump line of any architecture: "rax    0x0", "rflags 0x246".
bool IsRegisterLine(std::string_view line);

// debug=1: "goroutine profile: total 24" / "goroutineleak profile: total 3".
struct ProfileHeaderLine {
  bool leak_profile = false;
  uint64_t total = 0;
};
bool ParseProfileHeaderLine(std::string_view line, ProfileHeaderLine* out);

// debug=1: "5 @ 0x437556 0x40619b".
bool ParseCountRecordLine(std::string_view line, uint64_t* count, bool* overflow);

// debug=1: "#\t0x4b4b84\tmain.worker+0x24\t/tmp/x/agg/main.go:13", or "#\t0x4b4b84" alone.
struct CountFrameLine {
  std::string_view func;  // the PC text when the frame was not symbolized
  std::string_view file;
  uint64_t line = 0;
  bool line_overflow = false;
};
bool ParseCountFrameLine(std::string_view line, CountFrameLine* out);

// Label lists: `{job: ingest, tenant: "a b"}`, `labels:{"k": "v"}` or debug=1's
// `{"pool":"ingest", "shard":"7"}`. Calls `on_label` with each raw key and value
// (still quoted when printed quoted). Returns false when the text is malformed.
template <typename OnLabel>
bool ForEachLabel(std::string_view text, OnLabel on_label);

// Appends the Go-unquoted form of `token` (quoted with "" or bare) to `out`.
void AppendUnquoted(std::string_view token, std::string* out);

// ---- implementation of the template ----
namespace grammar_detail {
// Reads one bare or quoted token ending before any of `stops`; false if malformed.
bool TakeToken(std::string_view* text, std::string_view stops, std::string_view* token);
// Every form of file line, the common one included, without the shortcut
// ParseFileLine takes first: what tests hold ParseCommonFileLine to.
bool ParseFileLineInFull(std::string_view line, FileLine* out);
}  // namespace grammar_detail

template <typename OnLabel>
bool ForEachLabel(std::string_view text, OnLabel on_label) {
  if (text.starts_with("labels:")) text.remove_prefix(7);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    std::string_view key, value;
    if (!grammar_detail::TakeToken(&text, ":", &key)) return false;
    if (text.empty() || text.front() != ':') return false;
    text.remove_prefix(1);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (!grammar_detail::TakeToken(&text, ",", &value)) return false;
    on_label(key, value);
    if (text.empty()) break;
    if (text.front() != ',') return false;
    text.remove_prefix(1);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
  return true;
}

}  // namespace gleak
