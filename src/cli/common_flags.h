// Flags that analyze, diff and watch share, and what they turn into.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "classify/rules.h"
#include "cli/output_file.h"
#include "model/diff_report.h"
#include "model/report.h"
#include "pipeline/analyze.h"
#include "render/text_report.h"

namespace gleak {

// The limits on what one input may hold, for every command that reads dumps
// (analyze, diff, watch, parse). Defaults as in docs/reliability.md.
struct LimitFlags {
  size_t max_line_length = LineScanner::kDefaultMaxLineLength;
  size_t max_frames = ParseLimits{}.max_frames;
  size_t max_warnings = ParseLimits{}.max_warnings;
  uint64_t max_bytes = uint64_t{16} << 30;

  ParseLimits ToParseLimits() const;
};

void AddLimitFlags(CLI::App* cmd, LimitFlags* flags);

// How every command that reads dumps opens them (analyze, diff, watch, parse):
// what goes with an http(s) request, and the limits on one input.
struct InputFlags {
  std::vector<std::string> headers;
  std::string ca_file;
  bool insecure = false;
  double timeout = 60;
  LimitFlags limits;

  // A header without ':' is a usage error; --insecure says on stderr what it gives up.
  HttpOptions ToHttpOptions() const;
  InputLimits ToInputLimits() const;
};

// --header, --cacert, --insecure, --timeout and the limit flags.
void AddInputFlags(CLI::App* cmd, InputFlags* flags);

struct CommonFlags {
  std::vector<std::string> inputs;
  std::string format = "text";
  std::string output;
  std::string color = "auto";
  std::string group_by = "line";
  bool no_creator = false;
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::vector<std::string> ignores;
  std::string by_label;             // --by-label KEY
  std::vector<std::string> labels;  // --label KEY=VALUE
  bool full = false;
  InputFlags input;
  size_t max_groups = ClusterOptions{}.max_groups;
  bool quiet = false;
  std::string rules_file;
  std::string source_root;
  bool no_source = false;
  std::vector<std::string> rewrites;
  uint64_t suspect_count = 10;
  uint64_t suspect_wait = 15;
  std::string fail_on;
  size_t threads = 0;
  bool no_leak_profile = false;  // analyze URL, watch, serve
};

// `formats` empty: no --format, -o, --color, --full or --fail-on (gleak serve).
void AddCommonFlags(CLI::App* cmd, CommonFlags* flags,
                    const std::vector<std::string>& formats = {"text", "json", "html"});

// --no-leak-profile, for the commands that poll a live URL (analyze, watch, serve).
void AddLeakProfileFlag(CLI::App* cmd, CommonFlags* flags);

// The analysis the flags ask for; the rules live in `rules`, which must
// outlive the options.
AnalyzeOptions ToAnalyzeOptions(const CommonFlags& flags, RuleSet* rules);

// "--fail-on chan-send,waitgroup" or "any", checked against the rules.
std::vector<std::string> ParseFailOn(const std::string& text, const RuleSet& rules);
// True when one of `suspect_patterns` is in `fail_on` (or fail_on has "any").
bool FailsOn(const std::vector<std::string>& fail_on,
             const std::vector<std::string>& suspect_patterns);

// --fail-on-growth: "N" goroutines and/or "P%", checked when the command starts.
struct GrowthGate {
  std::optional<int64_t> goroutines;
  std::optional<double> percent;
};
GrowthGate ParseGrowthGate(const std::vector<std::string>& values);
// The first group past the gate, if any: a suspect (a leak pattern that
// grows), or with --fail-on a group of one of those patterns.
// The exit code of diff and watch: findings when a group grew past the gate
// (said on stderr unless quiet), or, without a growth gate, when a suspect of
// the --fail-on patterns is found; else ok.
int GrowthGateExit(const DiffReport& diff, const GrowthGate& gate,
                   const std::vector<std::string>& fail_on, bool quiet);
const Track* PastGate(const DiffReport& diff, const GrowthGate& gate,
                      const std::vector<std::string>& patterns);

// Errors for unreadable or empty inputs, and (unless quiet) the warnings of
// every input, on standard error in every format: a report on standard output
// or in an -o file never holds them. Returns true when some input had a problem.
bool PrintInputProblems(const std::vector<InputReport>& inputs, bool quiet);

// True when not one of `inputs` gave a goroutine (or a goroutine-leak
// profile's clean answer): there is nothing to report, and a command writes
// no report at all rather than one of "0 goroutines" (exit 3).
bool NothingRead(const std::vector<InputReport>& inputs);

// Refuses a second '-': two readers of standard input would split it between
// them at random.
void RefuseRepeatedStdin(const std::vector<std::string>& inputs);

// Standard output or the -o file (an OutputFile: every write checked, a file
// replaced only when complete), and how text should look on it.
class Output {
 public:
  explicit Output(const CommonFlags& flags);
  std::ostream& stream() { return file_.stream(); }
  TextStyle style() const { return style_; }
  void ThrowIfFailed() { file_.ThrowIfFailed(); }
  void Commit() { file_.Commit(); }

 private:
  OutputFile file_;
  TextStyle style_;
};

}  // namespace gleak
