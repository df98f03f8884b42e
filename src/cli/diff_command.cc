// `gleak diff OLD NEW [NEWER...]`: which groups grew between snapshots of one
// process, and a CI gate on that growth.
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "base/duration.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/exit_codes.h"
#include "cli/number_flags.h"
#include "cli/share_formats.h"
#include "cli/terminal.h"
#include "render/html_report.h"
#include "render/json_diff.h"
#include "render/text_diff.h"

namespace gleak {
namespace {

struct DiffFlags : CommonFlags {
  std::string interval;
  std::vector<std::string> fail_on_growth;  // "N" goroutines and/or "P%"
  int top = 20;
  std::string view = "groups";
};

int RunDiff(const DiffFlags& flags) {
  if (flags.inputs.size() < 2)
    ThrowUsageError("diff needs at least two snapshots: OLD NEW [NEWER...]");
  RefuseRepeatedStdin(flags.inputs);
  bool tree = flags.view == "tree";
  if (tree && flags.format != "text") {
    ThrowUsageError(
        "--view tree is a text view; JSON gives the spawn tree as spawn_tree, and HTML shows it");
  }
  RuleSet rules;
  AnalyzeOptions options = ToAnalyzeOptions(flags, &rules);
  options.http.on_progress = FetchProgress(flags.quiet);
  std::vector<std::string> fail_on = ParseFailOn(flags.fail_on, rules);
  GrowthGate gate = ParseGrowthGate(flags.fail_on_growth);
  DiffOptions diff_options;
  if (!flags.interval.empty()) {
    diff_options.interval_seconds = ParseDuration(flags.interval);
    if (!diff_options.interval_seconds || *diff_options.interval_seconds <= 0) {
      ThrowUsageError(fmt::format("--interval takes a duration such as 30s, 5m or 1h, got '{}'",
                                  flags.interval));
    }
  }
  Output output(flags);
  ReadProgress progress;
  progress.total_bytes = TotalInputBytes(flags.inputs);
  options.progress = &progress;
  ReadProgressLine progress_line(progress, flags.quiet, flags.inputs);
  DiffReport diff = AnalyzeSnapshots(options, diff_options);
  progress_line.Stop();
  diff.tool_version = GLEAK_VERSION;
  bool input_problem = PrintInputProblems(diff.snapshots, flags.quiet);
  // A snapshot that gave nothing would make every group of the others look
  // new or gone: no diff then.
  for (const InputReport& snapshot : diff.snapshots) {
    if (IsEmptyWithoutAnswer(snapshot)) return kExitInput;
  }
  if (IsShareFormat(flags.format)) {
    RenderShareFormat(flags.format, diff, flags, output.stream());
  } else if (flags.format == "json") {
    RenderJsonDiff(diff, output.stream());
  } else if (flags.format == "html") {
    RenderHtmlDiff(diff, output.stream());
  } else {
    TextStyle style = output.style();
    style.max_groups = static_cast<size_t>(flags.top);
    if (tree) {
      RenderTextDiffSpawnTree(diff, style, output.stream());
    } else {
      RenderTextDiff(diff, style, output.stream());
    }
  }
  output.Commit();
  if (input_problem) return kExitInput;
  return GrowthGateExit(diff, gate, fail_on, flags.quiet);
}

}  // namespace

CommandAction AddDiffCommand(CLI::App& app) {
  auto flags = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare snapshots of one process, in time order: which groups grow.");
  cmd->add_option("snapshots", flags->inputs, "OLD NEW [NEWER...]: dumps in time order")
      ->required();
  AddCommonFlags(cmd, flags.get(), WithShareFormats({"text", "json", "html"}));
  cmd->add_option("--interval", flags->interval,
                  "Time between snapshots (30s, 5m, 1h): adds growth per minute");
  cmd->add_option("--fail-on-growth", flags->fail_on_growth,
                  "Exit 1 when a growing leak-pattern group grows by N goroutines or P% "
                  "(repeatable; with --fail-on, only those patterns count)")
      ->allow_extra_args(false);
  cmd->add_option("--top", flags->top, "Show at most N changed groups in text (0: all)")
      ->check(WholeNumber(0, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_option("--view", flags->view,
                  "groups: the groups that changed; tree: the newest snapshot's spawn tree, each "
                  "group under the group whose goroutines created it (parent ids, Go 1.21+), "
                  "with its growth")
      ->check(CLI::IsMember({"groups", "tree"}))
      ->capture_default_str();
  cmd->footer(
      "\nA group grows when it holds more goroutines in the last snapshot than in the first;\n"
      "a leak-pattern group that grows is a suspect. Groups are matched by id, then by\n"
      "function names (a redeploy moved lines), then by frames alone (debug=1 vs debug=2).\n\n"
      "Examples:\n"
      "  gleak diff before.txt after.txt\n"
      "  gleak diff --interval 5m s1.txt s2.txt s3.txt\n"
      "  gleak diff --view tree before.txt after.txt   (which group keeps creating the growth)\n"
      "  gleak diff --fail-on-growth 50 --fail-on-growth 20% --format json old.txt new.txt\n\n" +
      std::string(kExitCodesHelp));
  return [flags] { return RunDiff(*flags); };
}

}  // namespace gleak
