// `gleak serve --listen HOST:PORT URL…`: polls its targets as watch does and
// serves what it learns to Prometheus (/metrics, OpenMetrics) and to people
// (/, a status page). Each target is a bounded SnapshotTracker; the fleet's
// storage, queries and alerts are Prometheus' work, not gleak's.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "base/duration.h"
#include "base/error.h"
#include "base/redact.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/exit_codes.h"
#include "cli/number_flags.h"
#include "cli/targets.h"
#include "diff/diff.h"
#include "input/http_source.h"
#include "pipeline/live_fetch.h"
#include "render/openmetrics.h"
#include "render/serve_page.h"
#include "report/share_view.h"
#include "serve/http_server.h"

namespace gleak {
namespace {

std::atomic<bool> g_stop{false};

void OnStop(int) {
  g_stop = true;
  InterruptTransfers();
}

struct ServeFlags : CommonFlags {
  std::string listen = "127.0.0.1:9106";
  std::string interval = "30s";
  std::string targets_file;
  uint64_t parallel = 4;
  uint64_t history = 60;
  uint64_t max_series = 50;
};

std::pair<std::string, int> ParseListen(const std::string& text) {
  size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  if (host.starts_with("[") && host.ends_with("]")) host = host.substr(1, host.size() - 2);
  int port = -1;
  if (colon != std::string::npos) {
    std::string digits = text.substr(colon + 1);
    if (!digits.empty() && digits.size() <= 5 &&
        digits.find_first_not_of("0123456789") == std::string::npos) {
      port = std::stoi(digits);
    }
  }
  if (host.empty() || port < 0 || port > 65535) {
    ThrowUsageError(fmt::format("--listen takes HOST:PORT (e.g. 127.0.0.1:9106), got '{}'", text));
  }
  return {host, port};
}

// One target: its tracker and what the pages show, behind the server's lock.
struct Target {
  TargetSpec spec;
  std::string fetch_url;
  std::unique_ptr<SnapshotTracker> tracker;
  std::unique_ptr<LiveFetch> fetch;  // the goroutine profile, or the leak profile beside it
  ServeTarget shown;
};

class Server {
 public:
  Server(const ServeFlags& flags, std::vector<TargetSpec> specs, double interval)
      : flags_(flags),
        interval_(interval),
        fetch_slots_(static_cast<std::ptrdiff_t>(flags.parallel)) {
    options_ = ToAnalyzeOptions(analyze_flags_ = flags, &rules_);
    options_.report = ReportOptions{};
    share_.max_series = flags.max_series;
    status_.tool_version = GLEAK_VERSION;
    status_.started = NowUtc();
    status_.interval_seconds = interval;
    status_.max_series = flags.max_series;
    for (TargetSpec& spec : specs) {
      auto t = std::make_unique<Target>();
      bool added = false;
      t->fetch_url = WithDebugParameter(spec.url, &added);
      t->spec = spec;
      t->fetch = std::make_unique<LiveFetch>(t->fetch_url, !flags.no_leak_profile);
      DiffOptions diff;
      diff.interval_seconds = interval;
      diff.max_history = flags.history;
      diff.max_tracks = 10'000;
      t->tracker = std::make_unique<SnapshotTracker>(diff);
      t->shown.name = spec.name;
      t->shown.url = RedactUrlPasswords(t->fetch_url);
      targets_.push_back(std::move(t));
    }
  }

  // Polls every target on the interval's grid until Stop, each on a thread
  // of its own; at most --parallel fetches run at once.
  void Start() {
    for (auto& t : targets_) threads_.emplace_back([this, target = t.get()] { Poll(target); });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  HttpAnswer Metrics() {
    std::ostringstream out;
    RenderServeMetrics(Snapshot(), out);
    return {200, "application/openmetrics-text; version=1.0.0; charset=utf-8", out.str()};
  }

  HttpAnswer Page() {
    std::ostringstream out;
    RenderServePage(Snapshot(), out);
    return {200, "text/html; charset=utf-8", out.str()};
  }

 private:
  ServeStatus Snapshot() {
    std::lock_guard lock(mu_);
    ServeStatus status = status_;
    for (const auto& t : targets_) status.targets.push_back(t->shown);
    return status;
  }

  void Poll(Target* target) {
    const auto step = std::chrono::milliseconds(static_cast<int64_t>(interval_ * 1000));
    auto next = std::chrono::steady_clock::now();
    while (!g_stop) {
      auto started = std::chrono::steady_clock::now();
      fetch_slots_.acquire();
      const bool settled = target->fetch->proof() != LiveFetch::Proof::kUnknown;
      Report report = target->fetch->Fetch(options_);
      if (!settled && target->fetch->proof() != LiveFetch::Proof::kUnknown && !flags_.quiet &&
          !target->fetch->Note().empty()) {
        PrintNote(fmt::format("{}: {}", target->spec.name, target->fetch->Note()));
      }
      fetch_slots_.release();
      double took =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const InputReport& input = report.inputs.front();
      std::string error = !input.error.empty()    ? input.error
                          : input.goroutines == 0 ? "the answer held no goroutines"
                                                  : "";
      if (g_stop) break;
      std::optional<ShareView> view;
      if (error.empty()) {
        // The tracker is this thread's alone; only what is shown is shared.
        target->tracker->Add(std::move(report));
        DiffReport diff = target->tracker->Current();
        diff.tool_version = GLEAK_VERSION;
        view = BuildShareView(diff, share_);
        // Proven from the first snapshot: a group the runtime proved leaked
        // counts whether or not it grew yet.
        view->proven_groups = 0;
        for (const Track& t : diff.tracks) {
          view->proven_groups += t.group.finding.proven && t.counts.back() > 0;
        }
      }
      {
        std::lock_guard lock(mu_);
        ServeTarget& s = target->shown;
        s.polled = true;
        s.leak_profile = target->fetch->proof() == LiveFetch::Proof::kServed;
        ++s.polls;
        s.last_poll_seconds = took;
        if (error.empty()) {
          s.up = true;
          s.failures_in_a_row = 0;
          s.last_success_unix =
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
          s.snapshots = target->tracker->snapshots();
          s.view = std::move(view);
        } else {
          s.up = false;
          ++s.failures;
          ++s.failures_in_a_row;
          s.last_error = error;
        }
      }
      if (!error.empty() && !flags_.quiet) {
        fmt::print(stderr, "gleak: warning: {}: {}\n", target->spec.name, error);
      }
      // The next slot of the grid: one a slow poll overran is skipped.
      next += step;
      auto now = std::chrono::steady_clock::now();
      if (next <= now) next += step * ((now - next) / step + 1);
      std::unique_lock lock(mu_);
      wake_.wait_until(lock, next, [this] { return stopping_; });
      if (stopping_) break;
    }
  }

  const ServeFlags& flags_;
  double interval_;
  CommonFlags analyze_flags_;
  RuleSet rules_;
  AnalyzeOptions options_;
  ShareOptions share_;
  std::counting_semaphore<1024> fetch_slots_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ServeStatus status_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::vector<std::thread> threads_;
};

double Seconds(const std::string& text, const char* flag) {
  std::optional<double> s = ParseDuration(text);
  if (!s || *s < 0.05 || *s > 7 * 24 * 3600.0) {
    ThrowUsageError(
        fmt::format("{} takes a duration from 50ms to 168h (10s, 5m, 1h), got '{}'", flag, text));
  }
  return *s;
}

int RunServe(const ServeFlags& flags) {
  std::vector<TargetSpec> specs = ReadTargets(flags.inputs, flags.targets_file, "serve");
  if (specs.empty()) ThrowUsageError("serve needs a URL to poll, or --targets FILE");
  const size_t count = specs.size();
  double interval = Seconds(flags.interval, "--interval");
  auto [host, port] = ParseListen(flags.listen);

  Server server(flags, std::move(specs), interval);
  HttpServer http;
  http.Get("/metrics", [&server] { return server.Metrics(); });
  http.Get("/", [&server] { return server.Page(); });
  int bound = http.Bind(host, port);

  struct sigaction action {};
  action.sa_handler = OnStop;
  action.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends gleak at once
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::atomic<bool> served{false}, failed{false};
  std::thread listener([&] {
    failed = !http.Run();
    served = true;
  });
  if (!flags.quiet) {
    PrintNote(
        fmt::format("serving http://{}:{}/metrics and the status page at /; polling {} "
                    "target{} every {:g}s (Ctrl-C stops)",
                    host.find(':') != std::string::npos ? "[" + host + "]" : host, bound, count,
                    count == 1 ? "" : "s", interval));
  }
  server.Start();
  while (!g_stop && !served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  while (!served) {
    http.Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  listener.join();
  server.Stop();
  if (failed && !g_stop) {
    PrintError(fmt::format("--listen {}: the server stopped", flags.listen));
    return kExitInput;
  }
  return kExitOk;
}

}  // namespace

CommandAction AddServeCommand(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Poll pprof URLs on an interval and serve their growing groups to Prometheus (/metrics).");
  cmd->add_option("url", flags->inputs,
                  "Targets, e.g. http://10.0.0.7:6060/debug/pprof/goroutine (debug=2 is added)");
  AddCommonFlags(cmd, flags.get(), {});
  AddLeakProfileFlag(cmd, flags.get());
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT to serve /metrics and the status page on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--targets", flags->targets_file,
                  "File of targets, one a line: URL, or URL NAME (NAME is the target label); "
                  "# starts a comment");
  cmd->add_option("--interval", flags->interval, "Time between polls of each target")
      ->capture_default_str();
  cmd->add_option("--parallel", flags->parallel, "Fetches running at once, over all targets")
      ->check(WholeNumber(1, 1024))
      ->capture_default_str();
  cmd->add_option("--history", flags->history,
                  "Snapshots each target's diff keeps counts of (thinned past it; growth counts "
                  "every snapshot)")
      ->check(WholeNumber(2))
      ->capture_default_str();
  cmd->add_option("--max-series", flags->max_series,
                  "Groups per target with a series of their own in /metrics; the rest add up in "
                  "one series labelled other")
      ->check(WholeNumber(1, 10'000))
      ->capture_default_str();
  cmd->footer(
      "\nA long-running exporter: each target is polled as `gleak watch` polls it, and what\n"
      "it learns is served at /metrics (OpenMetrics, for Prometheus to scrape) and at / (a\n"
      "status page). Every series has a target label; groups are bounded per target by\n"
      "--max-series. Scrape health per target: gleak_target_up, gleak_target_polls_total,\n"
      "gleak_target_poll_failures_total. docs/live.md lists the metrics and\n"
      "docs/alerts.yml has alerting rules (a proven leak, a suspect group growing for\n"
      "30 minutes, a target that fails). SIGINT or SIGTERM stops it.\n\n"
      "Examples:\n"
      "  gleak serve --listen 127.0.0.1:9106 http://127.0.0.1:6060/debug/pprof/goroutine\n"
      "  gleak serve --listen 0.0.0.0:9106 --interval 1m --targets fleet.txt\n"
      "  curl -s http://127.0.0.1:9106/metrics | grep gleak_group_growth\n\n" +
      std::string(kExitCodesHelp));
  return [flags] { return RunServe(*flags); };
}

}  // namespace gleak
