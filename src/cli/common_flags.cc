#include "cli/common_flags.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>

#include <fmt/core.h>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/number_flags.h"
#include "cli/terminal.h"

namespace gleak {

void AddInputFlags(CLI::App* cmd, InputFlags* flags) {
  cmd->add_option(
         "--header", flags->headers,
         "'Name: value' sent with http(s) inputs, e.g. 'Authorization: Bearer ...'; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--cacert", flags->ca_file,
                  "Trust the CA certificates in FILE (PEM) for https inputs, instead of the "
                  "system's: for a server with a private CA")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--insecure", flags->insecure,
                "Do not check the certificates of https inputs (a warning says so): anyone on "
                "the path can then read and change what the server sends");
  // From 1 ms (libcurl counts milliseconds; less would be none) to a day.
  cmd->add_option("--timeout", flags->timeout,
                  "Seconds an http(s) input may take in all (0.001 to 86400)")
      ->check(SecondsBetween(0.001, 86400.0))
      ->capture_default_str();
  AddLimitFlags(cmd, &flags->limits);
}

HttpOptions InputFlags::ToHttpOptions() const {
  for (const std::string& h : headers) {
    if (h.find(':') == std::string::npos) {
      ThrowUsageError(fmt::format("--header takes 'Name: value', got '{}'", h));
    }
  }
  HttpOptions http;
  http.headers = headers;
  http.timeout_seconds = timeout;
  http.ca_file = ca_file;
  http.insecure = insecure;
  if (insecure) {
    // Loud on purpose, --quiet or not: the dump may come from anyone.
    PrintWarning(
        "--insecure: the certificates of https inputs are not checked; anyone on the path can "
        "read and change what the server sends");
  }
  http.max_bytes = limits.max_bytes;
  http.stall_seconds = std::min(http.stall_seconds, timeout);
  return http;
}

InputLimits InputFlags::ToInputLimits() const {
  InputLimits input_limits;
  input_limits.max_decompressed_bytes = limits.max_bytes;
  return input_limits;
}

void AddLimitFlags(CLI::App* cmd, LimitFlags* flags) {
  cmd->add_option("--max-line-length", flags->max_line_length,
                  "Skip a line longer than N bytes, with a warning naming it; it is never held "
                  "in memory")
      ->check(WholeNumber(64, uint64_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--max-frames", flags->max_frames,
                  "Keep the first N frames of a goroutine (innermost first); deeper ones are "
                  "dropped, with one warning per goroutine (Go itself prints 100 at most)")
      ->check(WholeNumber(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--max-warnings", flags->max_warnings,
                  "List the first N warnings of an input; the rest are only counted")
      ->check(WholeNumber(0, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--max-bytes", flags->max_bytes,
                  "Refuse an input of more than SIZE bytes after decompression: a file, a pipe, "
                  "standard input, a device, an http body, a pprof protobuf profile; the "
                  "goroutines read before that are kept (exit 3). SIZE is a number of bytes or "
                  "has a unit: 64K, 512M, 1G, 2T, or 64KiB, 512MiB, 1GiB (powers of 1024)")
      ->transform(ByteSize(1))
      ->type_name("SIZE")
      ->default_str("16G");
}

ParseLimits LimitFlags::ToParseLimits() const {
  ParseLimits limits;
  limits.max_line_length = max_line_length;
  limits.max_frames = max_frames;
  limits.max_profile_bytes = max_bytes;
  limits.max_warnings = max_warnings;
  return limits;
}

void AddCommonFlags(CLI::App* cmd, CommonFlags* flags, const std::vector<std::string>& formats) {
  std::string format_help = "text for a person, json for a script";
  if (std::find(formats.begin(), formats.end(), "html") != formats.end()) {
    format_help += ", html for a page to share (one file, no network)";
  }
  if (std::find(formats.begin(), formats.end(), "sarif") != formats.end()) {
    format_help +=
        "; sarif (code scanning), markdown (a PR comment), openmetrics (Prometheus): "
        "docs/formats.md";
  }
  // No formats: a command that writes no report (serve) has no output flags.
  const bool writes_report = !formats.empty();
  if (writes_report) {
    cmd->add_option("--format", flags->format, format_help)
        ->check(CLI::IsMember(formats))
        ->capture_default_str();
    cmd->add_option("-o,--output", flags->output, "Write the report to FILE");
    cmd->add_option("--color", flags->color,
                    "Colour: auto (a terminal, unless NO_COLOR is set), always, never; an "
                    "explicit always colours even with NO_COLOR set (no-color.org: a flag "
                    "overrides it)")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
  }
  cmd->add_option("--group-by", flags->group_by,
                  "exact (args too), line (function+file:line), func (names only: survives "
                  "redeploys), top (state + first user frame)")
      ->check(CLI::IsMember({"exact", "line", "func", "top"}))
      ->capture_default_str();
  cmd->add_flag("--no-creator", flags->no_creator,
                "Do not split groups by the creating `go` statement");
  cmd->add_option("--filter", flags->filters,
                  "Keep only goroutines with a frame matching RE (RE2, on 'func file:line'); "
                  "repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", flags->excludes,
                  "Drop goroutines with a frame matching RE; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--ignore", flags->ignores,
                  "Drop goroutines whose stack contains function FUNC (goleak's IgnoreAnyFunction)")
      ->allow_extra_args(false);
  cmd->add_option("--by-label", flags->by_label,
                  "Split groups by the value of pprof label KEY (debug=1 '# labels', protobuf "
                  "profiles, Go 1.26+ traceback headers): one group per value, and one for "
                  "goroutines without it")
      ->type_name("KEY");
  cmd->add_option("--label", flags->labels,
                  "Keep only goroutines carrying pprof label KEY=VALUE; repeatable (all must "
                  "match)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  if (writes_report)
    cmd->add_flag("--full", flags->full, "Show every frame, runtime ones included");
  cmd->add_flag("-q,--quiet", flags->quiet, "Do not print warnings to standard error");
  cmd->add_option("--rules", flags->rules_file,
                  "Add or override rules from FILE (gleak.rules/v1 JSON; see `gleak rules`)");
  cmd->add_option("--source-root", flags->source_root,
                  "Read the Go source under DIR to confirm patterns and show the lines");
  cmd->add_option("--rewrite", flags->rewrites,
                  "OLD=NEW: a path prefix in the dump and where it is here; repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("--no-source", flags->no_source,
                "Judge from the stacks alone. By default gleak also reads the Go source this "
                "machine has: files at the paths the dump prints, the standard library of the "
                "local Go installation (GOROOT), modules in GOMODCACHE; a line is used only when "
                "it lies in the function its frame names, and the report says where each "
                "snippet came from. GLEAK_NO_SOURCE=1 in the environment does the same");
  cmd->add_option("--suspect-count", flags->suspect_count,
                  "A leak pattern with at least N goroutines is a suspect")
      ->check(WholeNumber(0))
      ->capture_default_str();
  cmd->add_option("--suspect-wait", flags->suspect_wait,
                  "... or one waiting at least MIN minutes (0: never by wait)")
      ->check(WholeNumber(0))
      ->capture_default_str();
  if (writes_report) {
    cmd->add_option("--fail-on", flags->fail_on,
                    "Exit 1 when a suspect matches these patterns (comma-separated ids, or any)");
  }
  AddInputFlags(cmd, &flags->input);
  cmd->add_option("--max-groups", flags->max_groups,
                  "Keep N distinct groups per input (in all with --merge); the goroutines of "
                  "further groups are counted in one overflow group, with a warning. A group "
                  "takes 5 to 60 KiB of memory, by its stack's depth")
      ->check(WholeNumber(1, 10'000'000))
      ->capture_default_str();
  cmd->add_option("-j,--threads", flags->threads,
                  "Threads to read with (0: one per core). Inputs are read in parallel, and a "
                  "large uncompressed file is cut at blank lines into ranges read in parallel "
                  "(on no more threads than the machine has cores); the report is the same "
                  "whatever N")
      ->check(WholeNumber(0, 1024))
      ->capture_default_str();
}

void AddLeakProfileFlag(CLI::App* cmd, CommonFlags* flags) {
  cmd->add_flag("--no-leak-profile", flags->no_leak_profile,
                "Do not ask a .../debug/pprof/goroutine?debug=2 URL's target for "
                "/debug/pprof/goroutineleak. By default it is asked first: when served (Go 1.27; "
                "Go 1.26 with GOEXPERIMENT=goroutineleakprofile) it is read in its place, as it "
                "prints every goroutine and marks the ones the runtime proved leaked (a GC "
                "cycle on the target per fetch); a 404 falls back to the goroutine profile");
}

AnalyzeOptions ToAnalyzeOptions(const CommonFlags& flags, RuleSet* rules) {
  NoteStdinFromTerminal(flags.inputs);
  AnalyzeOptions options;
  options.inputs = flags.inputs;
  if (!ParseGroupingLevel(flags.group_by, &options.cluster.level)) {
    ThrowUsageError("--group-by must be exact, line, func or top");
  }
  options.cluster.include_creator = !flags.no_creator;
  options.cluster.max_groups = flags.max_groups;
  options.cluster.ignore_funcs = flags.ignores;
  options.cluster.by_label = flags.by_label;
  for (const std::string& l : flags.labels) {
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) {
      ThrowUsageError(fmt::format("--label takes KEY=VALUE, got '{}'", l));
    }
    options.cluster.label_filters.emplace_back(l.substr(0, eq), l.substr(eq + 1));
  }
  for (const std::string& e : flags.filters) {
    options.cluster.filters.push_back(std::make_shared<Pattern>(e, "--filter"));
  }
  for (const std::string& e : flags.excludes) {
    options.cluster.excludes.push_back(std::make_shared<Pattern>(e, "--exclude"));
  }
  options.parse_limits = flags.input.limits.ToParseLimits();
  *rules = RuleSet::Builtin();
  if (!flags.rules_file.empty()) rules->Override(RuleSet::Load(flags.rules_file));
  options.rules = rules;
  options.classify.suspect_count = flags.suspect_count;
  options.classify.suspect_wait = flags.suspect_wait;
  options.source_root = flags.source_root;
  const char* no_source = std::getenv("GLEAK_NO_SOURCE");
  options.auto_source = !flags.no_source && (no_source == nullptr || *no_source == '\0' ||
                                             std::string_view(no_source) == "0");
  for (const std::string& r : flags.rewrites) options.rewrites.push_back(ParsePathRewrite(r));
  options.http = flags.input.ToHttpOptions();
  options.input_limits = flags.input.ToInputLimits();
  options.threads = flags.threads;
  return options;
}

std::vector<std::string> ParseFailOn(const std::string& text, const RuleSet& rules) {
  std::vector<std::string> ids;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string id =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!id.empty()) {
      if (id != "any" && rules.Find(id) == nullptr) {
        std::string known;
        for (const Rule& r : rules.rules()) {
          if (!r.benign) known += (known.empty() ? "" : ", ") + r.id;
        }
        ThrowUsageError(fmt::format("--fail-on: unknown pattern '{}' (known: any, {})", id, known));
      }
      ids.push_back(id);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return ids;
}

bool FailsOn(const std::vector<std::string>& fail_on,
             const std::vector<std::string>& suspect_patterns) {
  for (const std::string& id : fail_on) {
    if (id == "any" && !suspect_patterns.empty()) return true;
    if (std::find(suspect_patterns.begin(), suspect_patterns.end(), id) != suspect_patterns.end()) {
      return true;
    }
  }
  return false;
}

GrowthGate ParseGrowthGate(const std::vector<std::string>& values) {
  GrowthGate gate;
  for (const std::string& v : values) {
    try {
      size_t used = 0;
      if (!v.empty() && v.back() == '%') {
        double p = std::stod(v.substr(0, v.size() - 1), &used);
        if (used != v.size() - 1 || !std::isfinite(p) || p < 0) throw std::invalid_argument(v);
        gate.percent = p;
      } else {
        long long n = std::stoll(v, &used);
        if (used != v.size() || n < 1) throw std::invalid_argument(v);
        gate.goroutines = n;
      }
    } catch (const std::exception&) {
      ThrowUsageError(
          fmt::format("--fail-on-growth takes a number of goroutines (e.g. 50) or a percentage "
                      "(e.g. 20%), got '{}'",
                      v));
    }
  }
  return gate;
}

const Track* PastGate(const DiffReport& diff, const GrowthGate& gate,
                      const std::vector<std::string>& patterns) {
  if (!gate.goroutines && !gate.percent) return nullptr;
  for (const Track& t : diff.tracks) {
    if (t.growth <= 0) continue;
    bool in_scope = patterns.empty() ? t.suspect : FailsOn(patterns, {t.group.finding.pattern});
    if (!in_scope) continue;
    if (gate.goroutines && t.growth >= *gate.goroutines) return &t;
    if (gate.percent && (!t.growth_percent || *t.growth_percent >= *gate.percent)) return &t;
  }
  return nullptr;
}

bool PrintInputProblems(const std::vector<InputReport>& inputs, bool quiet) {
  bool problem = false;
  for (const InputReport& in : inputs) {
    if (!in.error.empty()) {
      PrintError(in.error);
      problem = true;
    } else if (IsEmptyWithoutAnswer(in)) {
      PrintError(fmt::format(
          "{}: no goroutines found ({} lines read, {} skipped); is this a Go goroutine dump?",
          in.name, in.lines, in.noise_lines));
      problem = true;
    }
    if (quiet) continue;
    for (const Diagnostic& d : in.warnings) {
      PrintWarning(fmt::format("{}{}: {}", in.name, d.line > 0 ? fmt::format(":{}", d.line) : "",
                               d.message));
    }
    if (in.warnings_dropped > 0) {
      PrintWarning(fmt::format("{}: {} more warning{} not listed (--max-warnings)", in.name,
                               in.warnings_dropped, in.warnings_dropped == 1 ? "" : "s"));
    }
  }
  return problem;
}

bool NothingRead(const std::vector<InputReport>& inputs) {
  return std::all_of(inputs.begin(), inputs.end(), IsEmptyWithoutAnswer);
}

void RefuseRepeatedStdin(const std::vector<std::string>& inputs) {
  if (std::count(inputs.begin(), inputs.end(), "-") > 1) {
    ThrowUsageError("'-' (standard input) is given more than once; it can be read only once");
  }
}

namespace {

// What -o must never overwrite: the inputs, and the rule file.
std::vector<std::string> FilesRead(const CommonFlags& flags) {
  std::vector<std::string> files = flags.inputs;
  if (!flags.rules_file.empty()) files.push_back(flags.rules_file);
  return files;
}

}  // namespace

Output::Output(const CommonFlags& flags) : file_(flags.output, FilesRead(flags)) {
  bool to_stdout = file_.to_stdout();
  style_.color = flags.color == "always" || (to_stdout && UseColor(flags.color, stdout));
  style_.width = to_stdout ? TerminalWidth(stdout) : 0;
  style_.full = flags.full;
}

}  // namespace gleak

namespace gleak {

int GrowthGateExit(const DiffReport& diff, const GrowthGate& gate,
                   const std::vector<std::string>& fail_on, bool quiet) {
  if (const Track* t = PastGate(diff, gate, fail_on)) {
    if (!quiet) {
      fmt::print(stderr, "gleak: growth past --fail-on-growth: group {} ({}) grew by {}\n", t->id,
                 t->group.finding.pattern, t->growth);
    }
    return kExitFindings;
  }
  if (!gate.goroutines && !gate.percent && FailsOn(fail_on, diff.suspect_patterns))
    return kExitFindings;
  return kExitOk;
}

}  // namespace gleak
