// `gleak analyze`: groups the goroutines of one or more dumps and reports the
// groups, the most suspicious first, as text for a person or JSON for a script.
#include <limits>
#include <memory>
#include <string>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/exit_codes.h"
#include "cli/number_flags.h"
#include "cli/share_formats.h"
#include "cli/terminal.h"
#include "input/http_source.h"
#include "pipeline/live_fetch.h"
#include "render/html_report.h"
#include "render/json_report.h"
#include "render/text_report.h"

namespace gleak {
namespace {

// The report of the run, kept until the process exits, when the system takes
// its memory back at once: a report of thousands of groups is as many small
// allocations again (frames, findings, creators), and freeing them one by one
// took a sixth of the work after the parse on a dump of 8,081 groups. Held
// here, it stays reachable, so that a leak checker does not count it.
Report* report_left_to_exit = nullptr;

void LeaveToExit(Report report) {
  delete report_left_to_exit;  // a second run in one process frees the first's
  report_left_to_exit = new Report(std::move(report));
}

struct AnalyzeFlags : CommonFlags {
  bool merge = false;
  int top = -1;  // -1: 25 for text, every group for JSON
  uint64_t min_count = 1;
  uint64_t min_wait = 0;
  bool only_suspects = false;
  std::string view = "groups";
};

int RunAnalyze(const AnalyzeFlags& flags) {
  RefuseRepeatedStdin(flags.inputs);
  RuleSet rules;
  AnalyzeOptions options = ToAnalyzeOptions(flags, &rules);
  options.http.on_progress = FetchProgress(flags.quiet);
  options.cluster.per_input = !flags.merge;
  bool tree = flags.view == "tree";
  if (tree && flags.format != "text") {
    ThrowUsageError(
        "--view tree is a text view; JSON gives each group's parent_groups and child_groups, "
        "and HTML shows the tree");
  }
  // The tree shows every group by default: a parent past --top would cut a branch.
  options.report.top =
      flags.top >= 0 ? static_cast<size_t>(flags.top) : (flags.format == "text" && !tree ? 25 : 0);
  options.report.min_count = flags.min_count;
  options.report.min_wait_minutes = flags.min_wait;
  options.report.only_suspects = flags.only_suspects;
  std::vector<std::string> fail_on = ParseFailOn(flags.fail_on, rules);
  Output output(flags);

  ReadProgress progress;
  progress.total_bytes = TotalInputBytes(flags.inputs);
  options.progress = &progress;
  ReadProgressLine progress_line(progress, flags.quiet, flags.inputs);
  // One URL: the target's goroutine-leak profile is asked first, for the
  // runtime's proof (src/pipeline/live_fetch.cc).
  Report report;
  if (options.inputs.size() == 1 && LooksLikeUrl(options.inputs.front())) {
    LiveFetch fetch(options.inputs.front(), !flags.no_leak_profile);
    report = fetch.Fetch(options);
    progress_line.Stop();
    if (!flags.quiet && !fetch.Note().empty()) PrintNote(fetch.Note());
  } else {
    report = Analyze(options);
    progress_line.Stop();
  }
  report.tool_version = GLEAK_VERSION;
  bool input_problem = PrintInputProblems(report.inputs, flags.quiet);
  if (NothingRead(report.inputs)) return kExitInput;  // no report of nothing
  if (IsShareFormat(flags.format)) {
    RenderShareFormat(flags.format, report, flags, output.stream());
  } else if (flags.format == "json") {
    RenderJsonReport(report, output.stream(), /*one_line=*/false, Threads(options));
  } else if (flags.format == "html") {
    RenderHtmlReport(report, output.stream());
  } else if (tree) {
    RenderTextSpawnTree(report, output.style(), output.stream());
  } else {
    RenderTextReport(report, output.style(), output.stream());
  }
  output.Commit();
  int code = input_problem                               ? kExitInput
             : FailsOn(fail_on, report.suspect_patterns) ? kExitFindings
                                                         : kExitOk;
  LeaveToExit(std::move(report));
  return code;
}

}  // namespace

CommandAction AddAnalyzeCommand(CLI::App& app) {
  auto flags = std::make_shared<AnalyzeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Group the goroutines of dumps and report the groups, most suspicious first.");
  cmd->add_option("inputs", flags->inputs, "Dump files, '-' for standard input, .gz allowed")
      ->required();
  AddCommonFlags(cmd, flags.get(), WithShareFormats({"text", "json", "html"}));
  cmd->add_flag("--merge", flags->merge,
                "One set of groups for all inputs (a fleet's dumps of one service)");
  cmd->add_option("--top", flags->top,
                  "Show at most N groups (per input); default 25 in text, all in JSON and HTML")
      ->check(WholeNumber(0, std::numeric_limits<int>::max()));
  cmd->add_option("--min-count", flags->min_count, "Hide groups of fewer than N goroutines")
      ->check(WholeNumber(0))
      ->capture_default_str();
  cmd->add_option("--min-wait", flags->min_wait,
                  "Hide groups that have waited less than MIN minutes")
      ->check(WholeNumber(0))
      ->capture_default_str();
  cmd->add_flag("--only-suspects", flags->only_suspects, "Show suspect groups only");
  AddLeakProfileFlag(cmd, flags.get());
  cmd->add_option("--view", flags->view,
                  "groups: each group in full; tree: the spawn tree, each group under the group "
                  "whose goroutines created it (parent ids, Go 1.21+), every group unless --top")
      ->check(CLI::IsMember({"groups", "tree"}))
      ->capture_default_str();
  cmd->footer(
      "\nExamples:\n"
      "  gleak analyze dump.txt\n"
      "  gleak analyze --format json dump.txt.gz | jq '.groups[] | {count, state, top: "
      ".top_frame.func}'\n"
      "  gleak analyze --group-by func --merge host1.txt host2.txt host3.txt\n"
      "  gleak analyze --view tree dump.txt   (which group keeps creating which)\n"
      "  gleak analyze --ignore 'net/http.(*persistConn).readLoop' --min-count 10 dump.txt\n"
      "  gleak analyze --fail-on chan-send,waitgroup --format json dump.txt   (CI gate)\n"
      "  gleak analyze --source-root ./ --rewrite /build/src=./ dump.txt\n\n" +
      std::string(kExitCodesHelp));
  return [flags] { return RunAnalyze(*flags); };
}

}  // namespace gleak
