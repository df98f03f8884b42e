// `gleak analyze`: groups the goroutines of one or more dumps and reports the
// groups, the most suspicious first, as text for a person or JSON for a script.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/terminal.h"
#include "gleak/base/error.h"
#include "gleak/pipeline/analyze.h"
#include "gleak/render/json_report.h"
#include "gleak/render/text_report.h"

namespace gleak {
namespace {

struct AnalyzeFlags {
  std::vector<std::string> inputs;
  std::string format = "text";
  std::string output;
  std::string color = "auto";
  std::string group_by = "line";
  bool no_creator = false;
  bool merge = false;
  int top = -1;  // -1: 25 for text, every group for JSON
  uint64_t min_count = 1;
  uint64_t min_wait = 0;
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::vector<std::string> ignores;
  bool full = false;
  size_t max_line_length = LineScanner::kDefaultMaxLineLength;
  bool quiet = false;
  std::string rules_file;
  std::string source_root;
  std::vector<std::string> rewrites;
  uint64_t suspect_count = 10;
  uint64_t suspect_wait = 15;
  std::string fail_on;
  bool only_suspects = false;
};

// "--fail-on chan-send,waitgroup" or "any": the patterns that fail the run.
std::vector<std::string> FailOnPatterns(const std::string& text, const RuleSet& rules) {
  std::vector<std::string> ids;
  if (text.empty()) return ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string id = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
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

bool FailsOn(const std::vector<std::string>& fail_on, const Report& report) {
  for (const std::string& id : fail_on) {
    if (id == "any" && !report.suspect_patterns.empty()) return true;
    if (std::find(report.suspect_patterns.begin(), report.suspect_patterns.end(), id) !=
        report.suspect_patterns.end()) {
      return true;
    }
  }
  return false;
}

std::vector<std::shared_ptr<const Pattern>> Compile(const std::vector<std::string>& expressions,
                                                    std::string_view flag) {
  std::vector<std::shared_ptr<const Pattern>> patterns;
  for (const std::string& e : expressions) patterns.push_back(std::make_shared<Pattern>(e, flag));
  return patterns;
}

int RunAnalyze(const AnalyzeFlags& flags) {
  AnalyzeOptions options;
  options.inputs = flags.inputs;
  if (!ParseGroupingLevel(flags.group_by, &options.cluster.level)) {
    ThrowUsageError("--group-by must be exact, line, func or top");
  }
  options.cluster.include_creator = !flags.no_creator;
  options.cluster.per_input = !flags.merge;
  options.cluster.ignore_funcs = flags.ignores;
  options.cluster.filters = Compile(flags.filters, "--filter");
  options.cluster.excludes = Compile(flags.excludes, "--exclude");
  options.report.top = flags.top >= 0 ? static_cast<size_t>(flags.top) : (flags.format == "text" ? 25 : 0);
  options.report.min_count = flags.min_count;
  options.report.min_wait_minutes = flags.min_wait;
  options.parse_limits.max_line_length = flags.max_line_length;
  RuleSet rules = RuleSet::Builtin();
  if (!flags.rules_file.empty()) rules.Override(RuleSet::Load(flags.rules_file));
  options.rules = &rules;
  options.classify.suspect_count = flags.suspect_count;
  options.classify.suspect_wait = flags.suspect_wait;
  options.source_root = flags.source_root;
  for (const std::string& r : flags.rewrites) options.rewrites.push_back(ParsePathRewrite(r));
  options.report.only_suspects = flags.only_suspects;
  std::vector<std::string> fail_on = FailOnPatterns(flags.fail_on, rules);

  std::ofstream file;
  std::FILE* stream = stdout;
  if (!flags.output.empty() && flags.output != "-") {
    file.open(flags.output, std::ios::binary);
    if (!file) ThrowUsageError(fmt::format("{}: cannot write the output file", flags.output));
    stream = nullptr;
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;

  Report report = Analyze(options);
  report.tool_version = GLEAK_VERSION;

  for (const InputReport& in : report.inputs) {
    if (!in.error.empty()) {
      PrintError(in.error);
    } else if (in.goroutines == 0) {
      PrintError(fmt::format("{}: no goroutines found ({} lines read, {} skipped); is this a Go "
                             "goroutine dump?",
                             in.name, in.lines, in.noise_lines));
    } else if (!flags.quiet && flags.format == "json") {
      for (const Diagnostic& d : in.warnings) {
        fmt::print(stderr, "gleak: warning: {}{}: {}\n", in.name,
                   d.line > 0 ? fmt::format(":{}", d.line) : "", d.message);
      }
    }
  }

  if (flags.format == "json") {
    RenderJsonReport(report, out);
  } else {
    TextStyle style;
    style.color = stream != nullptr && UseColor(flags.color, stream);
    style.width = stream != nullptr ? TerminalWidth(stream) : 0;
    style.full = flags.full;
    if (flags.color == "always") style.color = true;
    RenderTextReport(report, style, out);
  }
  out.flush();
  if (HasInputProblem(report)) return kExitInput;
  return FailsOn(fail_on, report) ? kExitFindings : kExitOk;
}

}  // namespace

CommandAction AddAnalyzeCommand(CLI::App& app) {
  auto flags = std::make_shared<AnalyzeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Group the goroutines of dumps and report the groups, most suspicious first.");
  cmd->add_option("inputs", flags->inputs, "Dump files, '-' for standard input, .gz allowed")->required();
  cmd->add_option("--format", flags->format, "text for a person, json for a script (gleak.report/v1)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write the report to FILE");
  cmd->add_option("--color", flags->color, "Colour: auto (a terminal, unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--group-by", flags->group_by,
                  "exact (args too), line (function+file:line), func (names only: survives "
                  "redeploys), top (state + first user frame)")
      ->check(CLI::IsMember({"exact", "line", "func", "top"}))
      ->capture_default_str();
  cmd->add_flag("--no-creator", flags->no_creator, "Do not split groups by the creating `go` statement");
  cmd->add_flag("--merge", flags->merge, "One set of groups for all inputs (a fleet's dumps of one service)");
  cmd->add_option("--top", flags->top, "Show at most N groups (per input); default 25 in text, all in JSON")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--min-count", flags->min_count, "Hide groups of fewer than N goroutines")
      ->capture_default_str();
  cmd->add_option("--min-wait", flags->min_wait, "Hide groups that have waited less than MIN minutes")
      ->capture_default_str();
  cmd->add_option("--filter", flags->filters,
                  "Keep only goroutines with a frame matching RE (RE2, on 'func file:line'); repeatable");
  cmd->add_option("--exclude", flags->excludes, "Drop goroutines with a frame matching RE; repeatable");
  cmd->add_option("--ignore", flags->ignores,
                  "Drop goroutines whose stack contains function FUNC (goleak's IgnoreAnyFunction)");
  cmd->add_flag("--full", flags->full, "Show every frame, runtime ones included");
  cmd->add_option("--max-line-length", flags->max_line_length, "Skip longer lines with a warning")
      ->check(CLI::Range(size_t{64}, size_t{1} << 30))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", flags->quiet, "Do not print warnings to standard error");
  cmd->add_option("--rules", flags->rules_file,
                  "Add or override rules from FILE (gleak.rules/v1 JSON; see `gleak rules`)");
  cmd->add_option("--source-root", flags->source_root,
                  "Read the Go source under DIR to confirm patterns and show the lines");
  cmd->add_option("--rewrite", flags->rewrites,
                  "OLD=NEW: a path prefix in the dump and where it is here; repeatable");
  cmd->add_option("--suspect-count", flags->suspect_count,
                  "A leak pattern with at least N goroutines is a suspect")
      ->capture_default_str();
  cmd->add_option("--suspect-wait", flags->suspect_wait,
                  "... or one waiting at least MIN minutes (0: never by wait)")
      ->capture_default_str();
  cmd->add_option("--fail-on", flags->fail_on,
                  "Exit 1 when a suspect matches these patterns (comma-separated ids, or any)");
  cmd->add_flag("--only-suspects", flags->only_suspects, "Show suspect groups only");
  cmd->footer(
      "\nExamples:\n"
      "  gleak analyze dump.txt\n"
      "  gleak analyze --format json dump.txt.gz | jq '.groups[] | {count, state, top: .top_frame.func}'\n"
      "  gleak analyze --group-by func --merge host1.txt host2.txt host3.txt\n"
      "  gleak analyze --ignore 'net/http.(*persistConn).readLoop' --min-count 10 dump.txt\n"
      "  gleak analyze --fail-on chan-send,waitgroup --format json dump.txt   (CI gate)\n"
      "  gleak analyze --source-root ./ --rewrite /build/src=./ dump.txt\n\n" +
      std::string(kExitCodesHelp));
  return [flags] { return RunAnalyze(*flags); };
}

}  // namespace gleak
