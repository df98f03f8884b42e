// `gleak watch URL`: snapshots on an interval, diffed as they come, so that a
// leak's group climbs to the top while you look.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/exit_codes.h"
#include "cli/number_flags.h"
#include "cli/share_formats.h"
#include "cli/terminal.h"
#include "gleak/base/duration.h"
#include "gleak/base/error.h"
#include "gleak/base/redact.h"
#include "gleak/input/http_source.h"
#include "gleak/render/html_report.h"
#include "gleak/render/json_diff.h"
#include "gleak/render/text_diff.h"
#include "gleak/render/watch_view.h"

namespace gleak {
namespace {

std::atomic<bool> g_interrupted{false};

// Ends the watch; a fetch under way stops within about 200 ms.
void OnInterrupt(int) {
  g_interrupted = true;
  InterruptTransfers();
}

struct WatchFlags : CommonFlags {
  std::string interval = "10s";
  uint64_t count = 0;
  std::string duration;
  std::string save_dir;
  uint64_t max_failures = 5;
  std::vector<std::string> fail_on_growth;
};

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A duration from 1 ms (the sleep counts milliseconds) to `max_seconds`, so
// that it cannot overflow into no sleep at all.
double Seconds(const std::string& text, const char* flag, double max_seconds) {
  std::optional<double> s = ParseDuration(text);
  if (!s || *s <= 0)
    ThrowUsageError(fmt::format("{} takes a duration such as 10s, 5m or 1h, got '{}'", flag, text));
  if (*s < 0.001 || *s > max_seconds) {
    ThrowUsageError(
        fmt::format("{} must be from 1ms to {:g}h, got '{}'", flag, max_seconds / 3600, text));
  }
  return *s;
}

// Sleeps until `deadline`, waking early on Ctrl-C.
void SleepUntil(std::chrono::steady_clock::time_point deadline) {
  while (!g_interrupted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The file --save DIR gets the final report in, by --format: the formats
// people share go with the snapshots they show; text, json and jsonl are for
// the terminal and scripts (""), and leave the folder to the snapshots.
std::string_view SavedReportName(const std::string& format) {
  if (format == "html") return "report.html";
  if (format == "markdown") return "report.md";
  if (format == "sarif") return "report.sarif";
  if (format == "openmetrics") return "report.metrics.txt";
  return "";
}

// --save DIR: made when the watch starts, so that a folder that cannot be made
// or written stops the watch before the first snapshot, naming the folder.
void MakeSaveFolder(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    ThrowOutputError(fmt::format("--save {}: cannot make the folder: {}", dir, ec.message()));
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    ThrowOutputError(fmt::format("--save {}: cannot make the folder: a file has that name", dir));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    ThrowOutputError(
        fmt::format("--save {}: cannot write in the folder: {}", dir, std::strerror(errno)));
  }
}

int RunWatch(const WatchFlags& flags) {
  if (flags.inputs.size() != 1) ThrowUsageError("watch takes exactly one URL");
  std::string url = flags.inputs.front();
  if (!LooksLikeUrl(url)) ThrowUsageError(fmt::format("watch takes an http(s) URL, got '{}'", url));
  bool added = false;
  url = WithDebugParameter(url, &added);
  const std::string shown_url = RedactUrlPasswords(url);  // the password is never shown
  double interval = Seconds(flags.interval, "--interval", 7 * 24 * 3600.0);
  std::optional<double> duration;
  if (!flags.duration.empty()) duration = Seconds(flags.duration, "--duration", 366 * 24 * 3600.0);
  RuleSet rules;
  CommonFlags analyze_flags = flags;
  AnalyzeOptions options = ToAnalyzeOptions(analyze_flags, &rules);
  options.report = ReportOptions{};
  std::vector<std::string> fail_on = ParseFailOn(flags.fail_on, rules);
  GrowthGate gate = ParseGrowthGate(flags.fail_on_growth);
  if (!flags.save_dir.empty()) MakeSaveFolder(flags.save_dir);

  bool live = flags.format == "text" && isatty(fileno(stdout)) && flags.output.empty();
  Output output(flags);
  TextStyle style = output.style();
  if (added && !flags.quiet) {
    PrintNote(fmt::format("the URL had no debug= parameter; asking for debug=2: {}", shown_url));
  }

  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::vector<Report> snapshots;
  WatchTick tick;
  tick.url = shown_url;
  tick.interval_seconds = interval;
  WatchSummary summary;
  summary.url = shown_url;
  DiffOptions diff_options;
  diff_options.interval_seconds = interval;
  auto start = std::chrono::steady_clock::now();
  auto next = start;
  uint64_t failures = 0;
  bool gave_up = false;
  for (uint64_t n = 1; !g_interrupted; ++n) {
    if (live) {
      RenderWatchScreen(tick, fmt::format("fetching {} … (tick {})", shown_url, n), style,
                        output.stream());
      output.stream().flush();
    }
    AnalyzeOptions one = options;
    std::filesystem::path saved, partial;
    if (!flags.save_dir.empty()) {
      // Written under a hidden name and kept only when the snapshot is good,
      // so that the folder never holds a cut dump that a later diff would read.
      saved = std::filesystem::path(flags.save_dir) /
              fmt::format("snapshot-{:04}-{}.txt.gz", n, NowUtc());
      partial = std::filesystem::path(flags.save_dir) / fmt::format(".snapshot-{:04}.partial", n);
      one.save_copy_to = partial.string();
    }
    Report report = AnalyzeOne(one, url);
    tick.tick = n;
    tick.time = NowUtc();
    const InputReport& input = report.inputs.front();
    std::string error = !input.error.empty()    ? input.error
                        : input.goroutines == 0 ? "the answer held no goroutines"
                                                : "";
    if (!partial.empty()) {
      std::error_code ec;
      if (error.empty()) {
        std::filesystem::rename(partial, saved, ec);
        if (ec)
          error = fmt::format("cannot keep the snapshot as {}: {}", saved.string(), ec.message());
      }
      if (!error.empty()) std::filesystem::remove(partial, ec);
    }
    summary.ticks = n;
    if (!error.empty()) {
      tick.ok = false;
      tick.error = error;
      tick.failures_in_a_row = ++failures;
      ++summary.failed;
      if (summary.failures.size() < WatchSummary::kMaxListed) {
        summary.failures.push_back(WatchFailure{n, tick.time, error});
      } else {
        ++summary.failures_not_listed;
      }
      if (!live && !flags.quiet) {
        // The error names the URL.
        fmt::print(stderr, "gleak: warning: snapshot {} failed ({} in a row): {}\n", n, failures,
                   error);
      }
    } else {
      failures = 0;
      tick.ok = true;
      tick.error.clear();
      tick.failures_in_a_row = 0;
      uint64_t previous =
          snapshots.empty() ? report.totals.goroutines : snapshots.back().totals.goroutines;
      tick.since_previous =
          static_cast<int64_t>(report.totals.goroutines) - static_cast<int64_t>(previous);
      snapshots.push_back(std::move(report));
      tick.totals.push_back(snapshots.back().totals.goroutines);
      tick.diff = DiffSnapshots(snapshots, diff_options);
    }
    if (flags.format == "jsonl") {
      RenderWatchJsonLine(tick, output.stream());
    } else if (!live && flags.format == "text") {
      RenderWatchLine(tick, output.stream());
    }
    output.stream().flush();
    output.ThrowIfFailed();  // nobody reads a watch whose output cannot be written
    if (flags.max_failures > 0 && failures >= flags.max_failures) {
      gave_up = true;
      break;
    }
    bool last = (flags.count > 0 && n >= flags.count) ||
                (duration &&
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() +
                         interval >
                     *duration);
    if (last) break;
    next += std::chrono::milliseconds(static_cast<int64_t>(interval * 1000));
    if (live) {
      std::string status =
          tick.ok
              ? fmt::format("next snapshot in {:g}s · Ctrl-C ends and prints the report", interval)
              : fmt::format("error: {} ({} in a row, retrying)", tick.error, failures);
      RenderWatchScreen(tick, status, style, output.stream());
      output.stream().flush();
    }
    SleepUntil(next);
  }

  // The final report: the diff of every good snapshot, and the ones that failed.
  DiffReport diff = DiffSnapshots(std::move(snapshots), diff_options);
  diff.tool_version = GLEAK_VERSION;
  summary.gave_up = gave_up;
  diff.watch = summary;
  if (live) output.stream() << "\x1b[H\x1b[J";
  auto render = [&](std::ostream& out) {
    if (flags.format == "html") {
      RenderHtmlDiff(diff, out);
    } else if (IsShareFormat(flags.format)) {
      RenderShareFormat(flags.format, diff, flags, out);
    } else {
      RenderJsonDiff(diff, out, flags.format == "jsonl");
    }
  };
  if (flags.format == "text") {
    TextStyle final_style = style;
    final_style.max_groups = 20;
    RenderTextDiff(diff, final_style, output.stream());
  } else {
    render(output.stream());
    std::string_view name = SavedReportName(flags.format);
    if (!name.empty() && !flags.save_dir.empty()) {
      // The final report goes with the snapshots it shows.
      OutputFile saved((std::filesystem::path(flags.save_dir) / name).string(), {});
      render(saved.stream());
      saved.Commit();
    }
  }
  output.Commit();
  if (gave_up) {
    PrintError(fmt::format("{}: {} failed snapshots in a row; giving up (last: {})", shown_url,
                           failures, tick.error));
    return kExitInput;
  }
  if (diff.snapshots.empty()) {
    PrintError(summary.ticks == 0
                   ? fmt::format("{}: stopped before the first snapshot", shown_url)
                   : fmt::format("{}: no snapshot could be taken in {} tr{} (last: {})", shown_url,
                                 summary.ticks, summary.ticks == 1 ? "y" : "ies", tick.error));
    return kExitInput;
  }
  return GrowthGateExit(diff, gate, fail_on, flags.quiet);
}

}  // namespace

CommandAction AddWatchCommand(CLI::App& app) {
  auto flags = std::make_shared<WatchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "watch", "Take snapshots of a pprof URL on an interval and show the groups that grow.");
  cmd->add_option("url", flags->inputs, "e.g. http://127.0.0.1:6060/debug/pprof/goroutine?debug=2")
      ->required();
  // watch also prints a JSON line per tick (jsonl).
  AddCommonFlags(cmd, flags.get(), WithShareFormats({"text", "json", "jsonl", "html"}));
  cmd->add_option("--interval", flags->interval, "Time between snapshots")->capture_default_str();
  cmd->add_option("--count", flags->count, "Stop after N snapshots (0: until Ctrl-C or --duration)")
      ->check(WholeNumber(0));
  cmd->add_option("--duration", flags->duration, "Stop after this long (30s, 10m, 1h)");
  cmd->add_option("--save", flags->save_dir,
                  "Keep each good snapshot, gzipped, in DIR (for gleak diff later); a failed "
                  "one is not kept. With --format html, markdown, sarif or openmetrics the final "
                  "report is also written there: report.html, report.md, report.sarif, "
                  "report.metrics.txt");
  cmd->add_option("--max-failures", flags->max_failures,
                  "Give up (exit 3) after N failed snapshots in a row (0: never give up)")
      ->check(WholeNumber(0))
      ->capture_default_str();
  cmd->add_option("--fail-on-growth", flags->fail_on_growth,
                  "Exit 1 at the end when a growing leak-pattern group grew by N goroutines or P%")
      ->allow_extra_args(false);
  cmd->footer(
      "\nOn a terminal the view redraws in place; piped, it prints a line per snapshot\n"
      "(--format jsonl: a JSON object per snapshot, then the final gleak.diff/v1 document;\n"
      "--format html, markdown, sarif, openmetrics: nothing per snapshot, then the final\n"
      "diff in that format).\n"
      "Ctrl-C, --count or --duration ends the watch and prints the diff of all snapshots.\n\n"
      "Examples:\n"
      "  gleak watch http://127.0.0.1:6060/debug/pprof/goroutine\n"
      "  gleak watch --interval 30s --count 20 --save snaps/ URL\n"
      "  gleak watch --format jsonl --count 10 --interval 5s URL | jq -c '.growing[0]'\n\n" +
      std::string(kExitCodesHelp));
  return [flags] { return RunWatch(*flags); };
}

}  // namespace gleak
