// What log collectors wrap around each line of a program's output, taken off
// before the dump grammar sees the line: an RFC 3339 timestamp (GitHub
// Actions, `docker logs -t`, `kubectl logs --timestamps`), the CRI log format
// of Kubernetes nodes (`<time> stderr F <line>`), Docker's json-file driver
// (`{"log":"<line>\n","stream":"stderr","time":"..."}`), whose long lines come
// as several partial entries, and `go test -json` ("Output" of test2json). Nothing allocates per
// line once the buffers have grown to the longest line.
#pragma once

#include <string>
#include <string_view>

namespace gleak {

// Removes a leading "2026-12-06T03:40:32.1234567Z " (any fraction, `Z` or a
// `+hh:mm` offset, then a space or the end of the line). False when the line
// does not start with such a timestamp.
bool StripTimestamp(std::string_view* text);

// Decodes the "log" string of a json-file line into `*out` (cleared first),
// escapes resolved; false when `line` is not such an object or the string is
// malformed. The text keeps its final "\n", which a partial entry lacks.
bool DecodeDockerJsonLog(std::string_view line, std::string* out);

// The same for the "Output" string of `go test -json` (test2json) lines:
// {"Time":"...","Action":"output","Package":"p","Test":"TestX","Output":"<line>\n"}.
bool DecodeTestJsonOutput(std::string_view line, std::string* out);

// Decodes the JSON string whose opening quote is just before `text` into
// `*out`; true when it closes and a `,` or `}` follows.
bool DecodeJsonStringField(std::string_view text, std::string* out);

// Whether a line starting with `first` may be a wrapped one: a json-file or
// test2json object ("{") or a timestamp (a digit). Any other line is the
// program's own as it stands (unless a wrapped line is pending).
constexpr bool MayBeWrapped(char first) { return first == '{' || (first >= '0' && first <= '9'); }

class LogEnvelope {
 public:
  // Sets `*text` to the program's own line inside `raw`. False when `raw` is
  // a partial entry whose line goes on in the next one (nothing to parse yet).
  // `*text` is valid until the next call.
  bool Unwrap(std::string_view raw, std::string_view* text);
  // A partial line left open at the end of the input, or empty.
  std::string_view TakePending();
  bool pending() const { return !joined_.empty(); }

 private:
  // Joins a piece to the ones before it; false while the line is incomplete.
  bool Join(std::string_view piece, bool complete, std::string_view* text);

  std::string decoded_;
  std::string joined_;
  std::string done_;
};

}  // namespace gleak
