// Helpers shared by the tests: owned copies of parser records, parsing of
// files and strings, and running the gleak binary.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "parse/dump_parser.h"
#include "pipeline/analyze.h"

namespace gleak::testing {

// Whether this test binary runs under AddressSanitizer (memory bounds differ).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAsan = true;
#else
inline constexpr bool kAsan = false;
#endif
#else
inline constexpr bool kAsan = false;
#endif

struct OwnedFrame {
  std::string func, file;
  uint64_t line = 0;
  bool inlined = false;
};

struct OwnedGoroutine {
  Goroutine flags;  // scalar fields only; its views are cleared
  std::string state;
  std::vector<OwnedFrame> frames;
  bool has_created_by = false;
  OwnedFrame created_by;
  std::map<std::string, std::string> labels;
  struct OwnedAncestor {
    uint64_t id = 0;
    std::vector<OwnedFrame> frames;
    std::string created_by;
  };
  std::vector<OwnedAncestor> ancestors;

  bool HasFrame(const std::string& func) const;
};

class CollectingSink : public RecordSink {
 public:
  void OnGoroutine(const Goroutine& g) override;
  std::vector<OwnedGoroutine> records;
};

struct Parsed {
  ParseSummary summary;
  std::vector<OwnedGoroutine> records;
};

Parsed ParseString(const std::string& text, const ParseLimits& limits = {});
Parsed ParseFile(const std::filesystem::path& path, const ParseLimits& limits = {});

std::filesystem::path SourceDir();  // the repository
// testdata/dumps, and a committed dump in it: testdata/dumps/RELATIVE, e.g.
// "go1.19/zoo/http_debug2.txt".
std::filesystem::path Dumps();
std::filesystem::path Dump(const std::string& relative);
// A hostile input: testdata/bad/NAME.
std::filesystem::path Bad(const std::string& name);
// A real Go 1.26 dump of three goroutines parked 100 frames deep and eight
// shallow, and the warning each deep one gives with --max-frames 50.
std::filesystem::path DeepDump();
inline constexpr const char* kFiftyFrames =
    "goroutine has more than 50 frames; the rest are dropped";
// Every committed dump (*.txt under testdata/dumps), sorted; under the
// sanitizers, which make these tests about ten times slower, every third one
// (still every Go version, format and program family; the plain build reads
// them all).
std::vector<std::filesystem::path> CommittedDumps();
inline constexpr size_t kCommittedDumpStride = kAsan ? 3 : 1;
// The number of the first line of testdata/programs/FILE that holds `marker`
// (0 when none does): where a fixture program blocks, as its dumps must say.
uint64_t SourceLine(const std::string& file, const std::string& marker);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// `text` as one word for /bin/sh: in single quotes, a quote in it escaped.
std::string ShellQuoted(const std::string& text);
// A path as one shell word (ShellQuoted).
std::string Quote(const std::filesystem::path& path);
// Whether `text` holds `part`.
// (std::string parameters, so that a JSON string value converts.)
inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
// How many times `part` occurs in `text` (overlapping occurrences too).
size_t Count(const std::string& text, const std::string& part);
// Whether a command named `name` is on PATH.
bool HaveTool(const std::string& name);
// `text` with every run of spaces and line breaks made one space: --help
// text as one paragraph, whatever width it was wrapped at.
std::string Unwrapped(const std::string& text);
// The JSON report of `inputs` analyzed in-process with the built-in rules
// (unless options.rules says otherwise), tool version "test".
nlohmann::json AnalyzeToJson(const std::vector<std::string>& inputs, AnalyzeOptions options = {});
// Runs the gleak binary with `args` (already shell-quoted where needed).
CommandResult RunGleak(const std::string& args, const std::string& stdin_text = "");
// Runs a shell command line.
CommandResult RunShell(const std::string& command_line);
// Shell lines that start `GLEAK serve --listen 127.0.0.1:0 ARGS` in the
// background (its pid added to $pids, its stderr in DIR/serve.err) and wait
// for the address it serves on (SERVE=HOST:PORT); exit 10 with its stderr
// when it never says.
std::string StartServe(const std::string& gleak, const std::filesystem::path& dir,
                       const std::string& args);
// Runs the gleak binary with `args`, output discarded; returns its peak
// resident memory in MiB (its own, from wait4), or -1 when it failed.
long GleakPeakMiB(const std::string& args);

// Checks `document` (JSON text) against docs/schema/SCHEMA (e.g. "report-v1.json")
// with tests/tools/validate-json; the message names what does not fit.
::testing::AssertionResult MatchesSchema(const std::string& schema, const std::string& document);

// A fixture dump's <capture>.expected.json, and the dump of one: <capture>.txt,
// or <capture>.pb.gz for a pprof protobuf profile.
std::filesystem::path ExpectedOf(const std::filesystem::path& dump);
std::filesystem::path DumpOf(const std::filesystem::path& expected);

std::string ReadFile(const std::filesystem::path& path);
std::filesystem::path TempDir();  // a fresh directory for one test

}  // namespace gleak::testing
