// `gleak watch URL`: snapshots on an interval, diffed as they come, so that a
// leak's group climbs to the top while you look.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "base/duration.h"
#include "base/error.h"
#include "base/redact.h"
#include "base/terminal_safe.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/exit_codes.h"
#include "cli/number_flags.h"
#include "cli/share_formats.h"
#include "cli/targets.h"
#include "cli/terminal.h"
#include "diff/diff.h"
#include "input/http_source.h"
#include "pipeline/live_fetch.h"
#include "render/html_report.h"
#include "render/json_diff.h"
#include "render/text_diff.h"
#include "render/watch_view.h"
#include "report/spawn_tree.h"

namespace gleak {
namespace {

std::atomic<bool> g_interrupted{false};

constexpr size_t kTopTracks = 8;       // tracks a tick's view shows
constexpr size_t kRecentTotals = 64;   // totals a tick's sparkline shows
constexpr size_t kMaxTracks = 10'000;  // tracks kept; the ones gone the longest go first

// Ends the watch; a fetch under way stops at once. The handler is installed
// with SA_RESETHAND, so that a second Ctrl-C ends gleak at once, without the
// final report.
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
  std::string targets_file;
  uint64_t parallel = 8;
  uint64_t history = 240;
  std::vector<std::string> fail_on_growth;
};

std::string LeakProfileState(LiveFetch::Proof proof) {
  switch (proof) {
    case LiveFetch::Proof::kServed:
      return "served";
    case LiveFetch::Proof::kNotServed:
      return "not served";
    case LiveFetch::Proof::kNotAsked:
      return "not asked";
    case LiveFetch::Proof::kUnknown:
      break;
  }
  return "unknown";
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
  for (auto now = std::chrono::steady_clock::now(); !g_interrupted && now < deadline;
       now = std::chrono::steady_clock::now()) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        deadline - now, std::chrono::milliseconds(50)));
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

// Ctrl-C and SIGTERM set the flag (OnInterrupt); the handler then resets, so
// a second one ends gleak at once.
void CatchInterrupts() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// What a watch of one target and of several take alike from the flags: the
// pace, the rules (which `options` points at) and the gates.
struct WatchSetup {
  explicit WatchSetup(const WatchFlags& flags)
      : interval(Seconds(flags.interval, "--interval", 7 * 24 * 3600.0)),
        options(ToAnalyzeOptions(flags, &rules)),
        fail_on(ParseFailOn(flags.fail_on, rules)),
        gate(ParseGrowthGate(flags.fail_on_growth)) {
    if (!flags.duration.empty()) {
      duration = Seconds(flags.duration, "--duration", 366 * 24 * 3600.0);
    }
    options.report = ReportOptions{};
  }
  WatchSetup(const WatchSetup&) = delete;
  WatchSetup& operator=(const WatchSetup&) = delete;

  double interval;
  std::optional<double> duration;
  RuleSet rules;
  AnalyzeOptions options;
  std::vector<std::string> fail_on;
  GrowthGate gate;
};

int RunWatchOne(const WatchFlags& flags, std::string url) {
  bool added = false;
  url = WithDebugParameter(url, &added);
  const std::string shown_url = RedactUrlPasswords(url);  // the password is never shown
  WatchSetup setup(flags);
  const double interval = setup.interval;
  const std::optional<double>& duration = setup.duration;
  AnalyzeOptions& options = setup.options;
  const std::vector<std::string>& fail_on = setup.fail_on;
  const GrowthGate& gate = setup.gate;
  if (!flags.save_dir.empty()) MakeSaveFolder(flags.save_dir);

  bool live = flags.format == "text" && isatty(fileno(stdout)) && flags.output.empty();
  Output output(flags);
  TextStyle style = output.style();
  if (added && !flags.quiet) {
    PrintNote(fmt::format("the URL had no debug= parameter; asking for debug=2: {}", shown_url));
  }

  CatchInterrupts();

  // Each tick diffs only its own snapshot against the tracks so far; the
  // history is thinned past --history, so that a watch of weeks stays small.
  DiffOptions diff_options;
  diff_options.interval_seconds = interval;
  diff_options.max_history = flags.history;
  diff_options.max_tracks = kMaxTracks;
  SnapshotTracker tracker(diff_options);
  uint64_t previous_total = 0;
  LiveFetch fetch(url, !flags.no_leak_profile);
  if (!flags.quiet && !fetch.Note().empty()) PrintNote(fetch.Note());
  WatchTick tick;
  tick.url = shown_url;
  tick.interval_seconds = interval;
  WatchSummary summary;
  summary.url = shown_url;
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
    const bool settled = fetch.proof() != LiveFetch::Proof::kUnknown;
    Report report = fetch.Fetch(one);
    if (!settled && fetch.proof() != LiveFetch::Proof::kUnknown && !flags.quiet && !live &&
        !fetch.Note().empty()) {
      PrintNote(fetch.Note());
    }
    tick.leak_profile = LeakProfileState(fetch.proof());
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
      uint64_t total = report.totals.goroutines;
      if (tracker.snapshots() == 0) previous_total = total;
      tick.since_previous = static_cast<int64_t>(total) - static_cast<int64_t>(previous_total);
      previous_total = total;
      tracker.Add(std::move(report));
      tick.totals.push_back(total);
      if (tick.totals.size() > kRecentTotals) tick.totals.erase(tick.totals.begin());
      tick.diff = tracker.Current(kTopTracks);
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
    // The next tick on the interval's grid; slots a slow fetch overran are
    // skipped, not made up in a burst against a process that just stopped
    // the world for the dump.
    const auto step = std::chrono::milliseconds(static_cast<int64_t>(interval * 1000));
    next += step;
    auto now = std::chrono::steady_clock::now();
    if (next <= now) next += step * ((now - next) / step + 1);
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
  DiffReport diff = tracker.Current();
  AddDiffSpawnTree(&diff);
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

// One target of a watch of several.
struct Watched {
  TargetSpec spec;
  std::unique_ptr<LiveFetch> fetch;
  std::unique_ptr<SnapshotTracker> tracker;
  WatchTick tick;
  WatchSummary summary;
  uint64_t failures = 0;
  uint64_t previous_total = 0;
  bool gave_up = false;
};

// One tick of one target: fetch, then match its snapshot against its tracks.
void PollTarget(Watched* w, const AnalyzeOptions& options, const WatchFlags& flags, uint64_t n,
                const std::string& time, bool live) {
  const bool settled = w->fetch->proof() != LiveFetch::Proof::kUnknown;
  Report report = w->fetch->Fetch(options);
  if (!settled && w->fetch->proof() != LiveFetch::Proof::kUnknown && !flags.quiet && !live &&
      !w->fetch->Note().empty()) {
    PrintNote(fmt::format("{}: {}", w->spec.name, w->fetch->Note()));
  }
  WatchTick& tick = w->tick;
  tick.tick = n;
  tick.time = time;
  tick.leak_profile = LeakProfileState(w->fetch->proof());
  const InputReport& input = report.inputs.front();
  std::string error = !input.error.empty()    ? input.error
                      : input.goroutines == 0 ? "the answer held no goroutines"
                                              : "";
  w->summary.ticks = n;
  if (!error.empty()) {
    tick.ok = false;
    tick.error = error;
    tick.failures_in_a_row = ++w->failures;
    ++w->summary.failed;
    if (w->summary.failures.size() < WatchSummary::kMaxListed) {
      w->summary.failures.push_back(WatchFailure{n, time, error});
    } else {
      ++w->summary.failures_not_listed;
    }
    if (flags.max_failures > 0 && w->failures >= flags.max_failures) w->gave_up = true;
    return;
  }
  w->failures = 0;
  tick.ok = true;
  tick.error.clear();
  tick.failures_in_a_row = 0;
  uint64_t total = report.totals.goroutines;
  if (w->tracker->snapshots() == 0) w->previous_total = total;
  tick.since_previous = static_cast<int64_t>(total) - static_cast<int64_t>(w->previous_total);
  w->previous_total = total;
  w->tracker->Add(std::move(report));
  tick.totals.push_back(total);
  if (tick.totals.size() > kRecentTotals) tick.totals.erase(tick.totals.begin());
  tick.diff = w->tracker->Current(kTopTracks);
}

// The groups that grow (or are proven) on two targets or more, by group id.
std::vector<FleetGroup> SharedGroups(const std::vector<WatchTick>& ticks) {
  std::map<std::string, FleetGroup> by_id;
  for (const WatchTick& t : ticks) {
    if (!t.ok) continue;
    for (const Track& track : t.diff.tracks) {
      const Group& g = track.group;
      bool proven = g.finding.proven && !track.counts.empty() && track.counts.back() > 0;
      if ((track.growth <= 0 && !proven) || g.overflow) continue;
      FleetGroup& f = by_id[track.id];
      f.id = track.id;
      f.pattern = g.finding.pattern;
      if (!g.frames.empty()) f.function = g.frames[g.top_frame].func;
      f.targets.push_back(t.target);
      f.growth += track.growth;
      f.suspect |= track.suspect;
      f.proven |= proven;
    }
  }
  std::vector<FleetGroup> out;
  for (auto& [id, f] : by_id) {
    if (f.targets.size() >= 2) out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const FleetGroup& a, const FleetGroup& b) {
    if (a.targets.size() != b.targets.size()) return a.targets.size() > b.targets.size();
    if (a.growth != b.growth) return a.growth > b.growth;
    return a.id < b.id;
  });
  if (out.size() > kTopTracks) out.resize(kTopTracks);
  return out;
}

int RunWatchFleet(const WatchFlags& flags, std::vector<TargetSpec> specs) {
  if (flags.format != "text" && flags.format != "jsonl") {
    ThrowUsageError(fmt::format(
        "watch of several targets writes text or jsonl, not --format {} (it takes one target)",
        flags.format));
  }
  if (!flags.save_dir.empty()) ThrowUsageError("--save takes one target; watch got several");
  WatchSetup setup(flags);
  const double interval = setup.interval;
  const std::optional<double>& duration = setup.duration;
  AnalyzeOptions& options = setup.options;
  const std::vector<std::string>& fail_on = setup.fail_on;
  const GrowthGate& gate = setup.gate;
  bool live = flags.format == "text" && isatty(fileno(stdout)) && flags.output.empty();
  Output output(flags);
  TextStyle style = output.style();

  std::vector<std::unique_ptr<Watched>> targets;
  for (TargetSpec& spec : specs) {
    auto w = std::make_unique<Watched>();
    bool added = false;
    std::string url = WithDebugParameter(spec.url, &added);
    w->fetch = std::make_unique<LiveFetch>(url, !flags.no_leak_profile);
    DiffOptions diff_options;
    diff_options.interval_seconds = interval;
    diff_options.max_history = flags.history;
    diff_options.max_tracks = kMaxTracks;
    w->tracker = std::make_unique<SnapshotTracker>(diff_options);
    w->tick.target = spec.name;
    w->tick.url = RedactUrlPasswords(url);
    w->tick.interval_seconds = interval;
    w->summary.url = w->tick.url;
    w->spec = std::move(spec);
    targets.push_back(std::move(w));
  }

  CatchInterrupts();

  FleetTick fleet;
  fleet.interval_seconds = interval;
  const auto start = std::chrono::steady_clock::now();
  auto next = start;
  const auto step = std::chrono::milliseconds(static_cast<int64_t>(interval * 1000));
  bool all_gave_up = false;
  for (uint64_t n = 1; !g_interrupted; ++n) {
    const std::string time = NowUtc();
    // At most --parallel fetches at once; a target that gave up is left out.
    std::atomic<size_t> next_target{0};
    auto worker = [&] {
      for (size_t i = next_target++; i < targets.size() && !g_interrupted; i = next_target++) {
        if (!targets[i]->gave_up) PollTarget(targets[i].get(), options, flags, n, time, live);
      }
    };
    std::vector<std::thread> workers;
    size_t threads = std::min<size_t>(flags.parallel, targets.size());
    for (size_t i = 0; i < threads; ++i) workers.emplace_back(worker);
    for (std::thread& t : workers) t.join();
    if (g_interrupted) break;
    fleet.tick = n;
    fleet.time = time;
    fleet.targets.clear();
    for (const auto& w : targets) fleet.targets.push_back(w->tick);
    fleet.shared = SharedGroups(fleet.targets);
    if (flags.format == "jsonl") {
      RenderFleetJsonLines(fleet, output.stream());
    } else if (!live) {
      RenderFleetLines(fleet, output.stream());
    }
    output.stream().flush();
    output.ThrowIfFailed();
    all_gave_up =
        std::all_of(targets.begin(), targets.end(), [](const auto& w) { return w->gave_up; });
    if (all_gave_up) break;
    bool last = (flags.count > 0 && n >= flags.count) ||
                (duration &&
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() +
                         interval >
                     *duration);
    if (last) break;
    next += step;
    auto now = std::chrono::steady_clock::now();
    if (next <= now) next += step * ((now - next) / step + 1);
    if (live) {
      RenderFleetScreen(
          fleet,
          fmt::format("next snapshots in {:g}s · Ctrl-C ends and prints each target's report",
                      interval),
          style, output.stream());
      output.stream().flush();
    }
    SleepUntil(next);
  }

  if (live) output.stream() << "\x1b[H\x1b[J";
  int code = kExitOk;
  bool any_gave_up = false, none_read = true;
  for (const auto& w : targets) {
    DiffReport diff = w->tracker->Current();
    AddDiffSpawnTree(&diff);
    diff.tool_version = GLEAK_VERSION;
    w->summary.gave_up = w->gave_up;
    diff.watch = w->summary;
    if (flags.format == "text") {
      output.stream() << "== " << TerminalSafe(w->spec.name) << " ==\n";
      TextStyle final_style = style;
      final_style.max_groups = 10;
      RenderTextDiff(diff, final_style, output.stream());
    } else {
      RenderJsonDiff(diff, output.stream(), true);
    }
    any_gave_up |= w->gave_up;
    if (!diff.snapshots.empty()) {
      none_read = false;
      code = std::max(code, GrowthGateExit(diff, gate, fail_on, flags.quiet));
    }
  }
  output.Commit();
  for (const auto& w : targets) {
    if (w->gave_up) {
      PrintError(fmt::format("{}: {} failed snapshots in a row; gave up (last: {})", w->spec.name,
                             w->failures, w->tick.error));
    }
  }
  if (any_gave_up || none_read) return kExitInput;
  return code;
}

int RunWatch(const WatchFlags& flags) {
  if (flags.inputs.empty() && flags.targets_file.empty()) {
    ThrowUsageError("watch takes a URL (several, or --targets FILE, for a fleet)");
  }
  std::vector<TargetSpec> specs = ReadTargets(flags.inputs, flags.targets_file, "watch");
  if (specs.empty()) ThrowUsageError("--targets " + flags.targets_file + ": no target in it");
  if (specs.size() == 1) return RunWatchOne(flags, specs.front().url);
  return RunWatchFleet(flags, std::move(specs));
}

}  // namespace

CommandAction AddWatchCommand(CLI::App& app) {
  auto flags = std::make_shared<WatchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "watch", "Take snapshots of a pprof URL on an interval and show the groups that grow.");
  cmd->add_option("url", flags->inputs,
                  "e.g. http://127.0.0.1:6060/debug/pprof/goroutine?debug=2; several: each is "
                  "polled every tick, and the groups that grow on several are told");
  cmd->add_option("--targets", flags->targets_file,
                  "File of targets, one a line: URL, or URL NAME; # starts a comment");
  cmd->add_option("--parallel", flags->parallel,
                  "With several targets: fetches running at once in a tick")
      ->check(WholeNumber(1, 1024))
      ->capture_default_str();
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
  cmd->add_option("--history", flags->history,
                  "Snapshots the final report keeps counts of; past N every other one is "
                  "dropped (the first and the latest always stay), so that a watch of days "
                  "keeps its memory flat. First, last, min, max and pace count every snapshot")
      ->check(WholeNumber(2))
      ->capture_default_str();
  AddLeakProfileFlag(cmd, flags.get());
  cmd->add_option("--fail-on-growth", flags->fail_on_growth,
                  "Exit 1 at the end when a growing leak-pattern group grew by N goroutines or P%")
      ->allow_extra_args(false);
  cmd->footer(
      "\nOn a terminal the view redraws in place; piped, it prints a line per snapshot\n"
      "(--format jsonl: a JSON object per snapshot, then the final gleak.diff/v1 document;\n"
      "--format html, markdown, sarif, openmetrics: nothing per snapshot, then the final\n"
      "diff in that format).\n"
      "Ctrl-C, --count or --duration ends the watch and prints the diff of the snapshots\n"
      "(Ctrl-C stops a fetch under way at once; a second Ctrl-C quits without the diff).\n"
      "Each tick diffs only its new snapshot against the groups' tracks, so memory and\n"
      "time per tick stay flat over days (--history bounds the counts kept). A tick\n"
      "whose fetch overran the interval is not made up: the next one keeps the grid.\n\n"
      "Several targets (URL URL… or --targets FILE) are polled together every tick,\n"
      "at most --parallel at once: a row per target, and the groups growing on several\n"
      "targets first (the same group id: the same stack in the same build). Their\n"
      "output is text or jsonl (a line per target per tick, with \"target\", and a\n"
      "\"fleet\" line); the end prints each target's diff. --save takes one target.\n\n"
      "Examples:\n"
      "  gleak watch http://127.0.0.1:6060/debug/pprof/goroutine\n"
      "  gleak watch --interval 1m --targets fleet.txt\n"
      "  gleak watch --interval 30s --count 20 --save snaps/ URL\n"
      "  gleak watch --format jsonl --count 10 --interval 5s URL | jq -c '.growing[0]'\n\n" +
      std::string(kExitCodesHelp));
  return [flags] { return RunWatch(*flags); };
}

}  // namespace gleak
