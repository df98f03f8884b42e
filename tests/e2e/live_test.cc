// URLs as inputs and `gleak watch`, against real Go servers on 127.0.0.1:
// testdata/programs/leakserver (leaks one goroutine per /work request) and
// testdata/programs/badserver (stalls, 404s, HTML pages, endless and cut bodies).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::LiveServer;
using testing::RunGleak;
using testing::RunShell;

using testing::StartOrFail;

void Requests(const LiveServer& server, int n) {
  auto r = RunShell("for i in $(seq " + std::to_string(n) + "); do curl -fsS '" +
                    server.Url("/work") + "' >/dev/null || exit 1; done");
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// main.* groups and their counts: the program's own goroutines, which the
// act of fetching a dump does not change.
std::map<std::string, uint64_t> ProgramGroups(const json& report) {
  std::map<std::string, uint64_t> out;
  for (const json& g : report["groups"]) {
    if (g["top_frame"].is_object() &&
        g["top_frame"]["func"].get<std::string>().starts_with("main.")) {
      out[g["id"]] = g["count"];
    }
  }
  return out;
}

// `gleak watch --format jsonl FLAGS` of the server's goroutines while `requests`
// /work requests, `pause` seconds apart, make it leak; one JSON value a line.
std::vector<json> WatchWhileWorking(const LiveServer& server, int requests,
                                    const std::string& pause, const std::string& flags) {
  std::string driver = "(for i in $(seq " + std::to_string(requests) + "); do curl -fsS '" +
                       server.Url("/work") + "' >/dev/null; sleep " + pause + "; done) & ";
  auto r =
      RunShell(driver + "'" + GLEAK_BINARY + "' watch " + flags + " --format jsonl '" +
               server.Url("/debug/pprof/goroutine?debug=2") + "'; status=$?; wait; exit $status");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> lines;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  return lines;
}

TEST(Live, AnalyzeOfAUrlEqualsAnalyzeOfTheSameSnapshotSaved) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  Requests(*server, 7);
  std::string url = server->Url("/debug/pprof/goroutine?debug=2");
  auto live = RunGleak("analyze --format json '" + url + "'");
  ASSERT_EQ(live.exit_code, 0) << live.err;
  fs::path dir = testing::TempDir();
  ASSERT_EQ(RunShell("curl -fsS '" + url + "' -o '" + (dir / "saved.txt").string() + "'").exit_code,
            0);
  auto saved = RunGleak("analyze --format json '" + (dir / "saved.txt").string() + "'");
  json a = json::parse(live.out), b = json::parse(saved.out);
  EXPECT_EQ(ProgramGroups(a), ProgramGroups(b));
  bool leak = false;
  for (const json& g : a["groups"]) {
    if (g["top_frame"]["func"] == "main.leakyWork") leak = g["count"] == 7;
  }
  EXPECT_TRUE(leak) << live.out;
  EXPECT_EQ(a["inputs"][0]["name"], url);
  fs::remove_all(dir);
}

TEST(Live, AUrlWithoutDebugAsksForDebugTwoAndSaysSo) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  auto r = RunGleak("analyze --format json '" + server->Url("/debug/pprof/goroutine") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["inputs"][0]["format"], "traceback");
  EXPECT_TRUE(report["inputs"][0]["name"].get<std::string>().ends_with("?debug=2"));
  EXPECT_NE(r.err.find("no debug= parameter"), std::string::npos) << r.err;
}

// parse opens a URL as analyze does: it asks for debug=2 and takes the same
// --header and --timeout.
TEST(Live, ParseTakesAUrlAsAnalyzeDoes) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  auto r = RunGleak("parse --timeout 30 --header 'X-Gleak-Test: 1' '" +
                    server->Url("/debug/pprof/goroutine") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no debug= parameter"), std::string::npos) << r.err;
  size_t records = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    json record = json::parse(line);
    EXPECT_FALSE(record["id"].is_null()) << "debug=1 has no goroutine ids: " << line;
    ++records;
  }
  EXPECT_GT(records, 5u);
}

TEST(Live, MisbehavingServersGiveClearErrorsWithinTheTimeout) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("badserver", "");
  ASSERT_NE(server, nullptr);
  struct Case {
    std::string path, flags, message;
  };
  for (const Case& c : std::vector<Case>{
           {"/missing", "", "the server answered HTTP 404"},
           {"/login", "", "sent an HTML page"},
           {"/stall", "--timeout 2", "no complete answer within the timeouts"},
           {"/endless", "--max-bytes 3000000", "the response is larger than 3000000 bytes"},
           {"/cut", "", "transfer closed with"},
           {"/protected", "", "the server answered HTTP 401 (protected: pass --header"},
           {"/loop", "", "more than 5 redirects"},
       }) {
    SCOPED_TRACE(c.path);
    auto start = std::chrono::steady_clock::now();
    auto r = RunGleak("analyze " + c.flags + " '" + server->Url(c.path) + "'");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find(server->Url(c.path) + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_LT(seconds, 20);
  }
  for (const char* path : {"/ok", "/gzip", "/redirect", "/protected"}) {
    auto r = RunGleak("analyze --format json --header 'Authorization: Bearer s3cret' '" +
                      server->Url(path) + "'");
    EXPECT_EQ(r.exit_code, 0) << path << r.err;
    EXPECT_GT(json::parse(r.out)["totals"]["goroutines"].get<int>(), 3) << path;
  }
}

TEST(Live, OtherSchemesAndDeadServersAreInputErrors) {
  auto ftp = RunGleak("analyze ftp://example.org/dump.txt");
  EXPECT_EQ(ftp.exit_code, 3);
  EXPECT_NE(ftp.err.find("the ftp scheme is not supported"), std::string::npos) << ftp.err;
  auto refused = RunGleak("analyze http://127.0.0.1:1/debug/pprof/goroutine?debug=2");
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("http://127.0.0.1:1/"), std::string::npos) << refused.err;
}

TEST(Live, WatchFlagsTheLeakingGroupAsGrowing) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  // Drive requests while watching: 4 snapshots a second apart.
  std::vector<json> lines = WatchWhileWorking(*server, 60, "0.08", "--count 4 --interval 1s");
  ASSERT_EQ(lines.size(), 5u);  // four ticks and the final diff
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(lines[i]["tick"], i + 1);
    EXPECT_TRUE(lines[i]["ok"].get<bool>()) << lines[i];
  }
  const json& last = lines[3];
  ASSERT_FALSE(last["growing"].empty()) << last;
  EXPECT_EQ(last["growing"][0]["top_frame"], "main.leakyWork");
  EXPECT_GT(last["growing"][0]["growth_since_start"].get<int>(), 10);
  EXPECT_TRUE(last["growing"][0]["suspect"].get<bool>());
  const json& final_diff = lines[4];
  EXPECT_EQ(final_diff["schema"], "gleak.diff/v1");
  EXPECT_EQ(final_diff["snapshots"].size(), 4u);
  EXPECT_EQ(final_diff["groups"][0]["top_frame"]["func"], "main.leakyWork");
  EXPECT_TRUE(final_diff["groups"][0]["monotonic"].get<bool>());
}

TEST(Live, WatchWithMaxGroupsSaysWhatTheOverflowGroupIs) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  std::vector<json> lines =
      WatchWhileWorking(*server, 40, "0.05", "--count 3 --interval 1s --max-groups 2");
  ASSERT_EQ(lines.size(), 4u);  // three ticks and the final diff
  for (size_t i = 0; i < 3; ++i) {
    for (const json& g : lines[i]["growing"]) {
      if (g["pattern"] == "overflow") {
        EXPECT_FALSE(g["suspect"].get<bool>()) << g;
      }
    }
  }
  const json& diff = lines[3];
  EXPECT_TRUE(testing::MatchesSchema("diff-v1.json", diff.dump()));
  bool overflow = false;
  for (const json& g : diff["groups"]) {
    if (!g["overflow"].get<bool>()) continue;
    overflow = true;
    EXPECT_EQ(g["id"], "ffffffffffffffff");
    EXPECT_FALSE(g["suspect"].get<bool>());
    EXPECT_EQ(g["finding"]["pattern"], "overflow");
  }
  EXPECT_TRUE(overflow) << diff;
  for (const json& snapshot : diff["snapshots"]) {
    EXPECT_EQ(snapshot["encoding"], "plain");  // the body's encoding, not the transport ("http")
    ASSERT_FALSE(snapshot["warnings"].empty());
    EXPECT_NE(
        snapshot["warnings"][0]["message"].get<std::string>().find("more than 2 distinct groups"),
        std::string::npos)
        << snapshot["warnings"];
  }
}

TEST(Live, WatchSavesSnapshotsForALaterDiff) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  fs::path dir = testing::TempDir();
  Requests(*server, 3);
  auto r =
      RunGleak("watch --count 2 --interval 0.3s --format json --save '" + (dir / "snaps").string() +
               "' '" + server->Url("/debug/pprof/goroutine?debug=2") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> saved;
  for (const auto& e : fs::directory_iterator(dir / "snaps"))
    saved.push_back(testing::ShellQuoted(e.path().string()));
  ASSERT_EQ(saved.size(), 2u);
  std::sort(saved.begin(), saved.end());
  auto diff = RunGleak("diff --format json " + saved[0] + " " + saved[1]);
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_EQ(json::parse(diff.out)["snapshots"][0]["encoding"], "gzip");
  fs::remove_all(dir);
}

// The formats people share, from watch: the final diff on standard output and
// the same bytes kept with the snapshots.
TEST(Live, WatchSavesTheSharedFormatsWithTheSnapshots) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  fs::path dir = testing::TempDir();
  Requests(*server, 3);
  for (const auto& [format, file] :
       std::vector<std::pair<std::string, std::string>>{{"markdown", "report.md"},
                                                        {"sarif", "report.sarif"},
                                                        {"openmetrics", "report.metrics.txt"}}) {
    SCOPED_TRACE(format);
    fs::path snaps = dir / format;
    auto r = RunGleak("watch --count 2 --interval 0.2s --format " + format + " --save '" +
                      snaps.string() + "' '" + server->Url("/debug/pprof/goroutine?debug=2") + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::exists(snaps / file));
    EXPECT_EQ(testing::ReadFile(snaps / file), r.out);
    size_t gz = 0;
    for (const auto& e : fs::directory_iterator(snaps)) gz += e.path().extension() == ".gz";
    EXPECT_EQ(gz, 2u);
  }
  auto md = testing::ReadFile(dir / "markdown" / "report.md");
  EXPECT_NE(md.find("## gleak"), std::string::npos) << md;
  EXPECT_NE(testing::ReadFile(dir / "openmetrics" / "report.metrics.txt").find("# EOF"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(Live, WatchRetriesThenGivesUpWhenTheTargetIsGone) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("badserver", "");
  ASSERT_NE(server, nullptr);
  std::string url = server->Url("/ok");
  server->Stop();  // the target goes away
  auto r =
      RunGleak("watch --count 10 --interval 0.2s --max-failures 3 --format jsonl '" + url + "'");
  EXPECT_EQ(r.exit_code, 3);
  std::istringstream in(r.out);
  std::string line;
  int failed = 0;
  while (std::getline(in, line)) {
    json j = json::parse(line);
    if (j.contains("ok") && !j["ok"].get<bool>()) ++failed;
  }
  EXPECT_EQ(failed, 3) << r.out;
  EXPECT_NE(r.err.find("3 failed snapshots in a row"), std::string::npos) << r.err;
}

// A long watch keeps a bounded history: past --history the per-snapshot
// arrays are thinned (the first and the latest kept, `kept` says which),
// while growth, monotony, min and max still count every snapshot.
TEST(Live, WatchPastHistoryKeepsTheFirstAndLatestAndEveryFigure) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  std::vector<json> lines =
      WatchWhileWorking(*server, 40, "0.04", "--count 12 --interval 60ms --history 4");
  ASSERT_EQ(lines.size(), 13u);  // twelve ticks and the final diff
  const json& diff = lines[12];
  EXPECT_TRUE(testing::MatchesSchema("diff-v1.json", diff.dump()));
  EXPECT_EQ(diff["snapshots_taken"], 12);
  const json& kept = diff["kept"];
  ASSERT_GE(kept.size(), 2u);
  EXPECT_LE(kept.size(), 4u);
  EXPECT_EQ(kept.front(), 1);
  EXPECT_EQ(kept.back(), 12);
  EXPECT_EQ(diff["snapshots"].size(), kept.size());
  EXPECT_EQ(diff["totals"]["goroutines"].size(), kept.size());
  EXPECT_EQ(diff["totals"]["goroutines"].back(), lines[11]["goroutines"]);
  const json& leak = diff["groups"][0];
  EXPECT_EQ(leak["top_frame"]["func"], "main.leakyWork");
  EXPECT_EQ(leak["counts"].size(), kept.size());
  EXPECT_EQ(leak["max_count"], leak["counts"].back());
  EXPECT_EQ(leak["growth"], leak["counts"].back().get<int>() - leak["counts"].front().get<int>());
  // The pace counts the 11 steps between 12 snapshots, not the kept ones.
  EXPECT_DOUBLE_EQ(leak["growth_per_snapshot"].get<double>(), leak["growth"].get<double>() / 11);
  EXPECT_TRUE(leak["suspect"].get<bool>());
}

// Ctrl-C stops a fetch that is waiting on the network at once, not when the
// fetch gives up (--timeout 60: the stall timeout, 15 s, ends a fetch that is
// not interrupted), and the watch still prints its report. The error names
// the interrupted fetch: the signal came while the fetch was under way. Once
// with the fetch on the main thread (one target), once on worker threads
// (several targets), where the signal does not wake the fetch's poll itself.
TEST(Live, CtrlCStopsAFetchUnderWayAtOnce) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("badserver", "");
  ASSERT_NE(server, nullptr);
  const std::string stall = testing::Quote(server->Url("/stall"));
  for (const std::string& targets : {stall, stall + " " + stall}) {
    SCOPED_TRACE(targets);
    fs::path dir = testing::TempDir();
    auto r =
        RunShell(testing::Quote(GLEAK_BINARY) + " watch --timeout 60 --format jsonl " + targets +
                 " >" + testing::Quote(dir / "out") + " 2>" + testing::Quote(dir / "err") +
                 " & pid=$!; sleep 1; start=$(date +%s%N); kill -INT $pid; wait $pid; "
                 "rc=$?; end=$(date +%s%N); echo \"$rc $(( (end - start) / 1000000 ))\"");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The tick's failure, in the final diff (and on stderr for one target).
    const std::string said = testing::ReadFile(dir / "out") + testing::ReadFile(dir / "err");
    int rc = -1, ms = -1;
    std::istringstream(r.out) >> rc >> ms;
    EXPECT_EQ(rc, 3) << r.out << said;  // no snapshot could be taken: an input error
    EXPECT_TRUE(testing::Has(said, "/stall: interrupted")) << said;
    EXPECT_GE(ms, 0) << r.out;
    EXPECT_LT(ms, 500) << "the watch took " << ms << " ms to stop after Ctrl-C";
    fs::remove_all(dir);
  }
}

// A second Ctrl-C ends gleak at once, by the signal, when the first one could
// not: here the final report cannot be written, because the reader of gleak's
// output (a pager, a stuck pipe) has stopped reading.
TEST(Live, ASecondCtrlCEndsAWatchTheFirstCouldNotEnd) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("leakserver", "-capture series");
  ASSERT_NE(server, nullptr);
  Requests(*server, 3);
  fs::path dir = testing::TempDir();
  const std::string url = server->Url("/debug/pprof/goroutine?debug=2");
  const std::string save = (dir / "snaps").string();
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  // The smallest pipe: the HTML page is far larger, so writing it blocks.
  ASSERT_GT(fcntl(out[1], F_SETPIPE_SZ, 4096), 0) << std::strerror(errno);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    int err = open((dir / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, 2);
    close(out[0]);
    execl(GLEAK_BINARY, GLEAK_BINARY, "watch", "--no-leak-profile", "--interval", "60s", "--format",
          "html", "--save", save.c_str(), url.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  ASSERT_GT(pid, 0);
  // Waits up to `seconds` for gleak to end; its wait status, or -1 if it runs on.
  auto ended_within = [pid](double seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    int status = 0;
    do {
      if (waitpid(pid, &status, WNOHANG) == pid) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return -1;
  };
  // The first snapshot is saved: the watch is under way, waiting for the next tick.
  auto snapshot_saved = [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(save, ec)) {
      if (e.path().filename().string().starts_with("snapshot-0001-")) return true;
    }
    return false;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!snapshot_saved() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(snapshot_saved()) << testing::ReadFile(dir / "err");
  kill(pid, SIGINT);
  int first = ended_within(1.0);
  EXPECT_EQ(first, -1) << "the watch ended on the first Ctrl-C, status " << first
                       << ": the report was not blocked";
  auto start = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  int second = first != -1 ? first : ended_within(5.0);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (second == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  close(out[0]);
  ASSERT_NE(second, -1) << "the watch still ran 5 s after the second Ctrl-C";
  EXPECT_TRUE(WIFSIGNALED(second) && WTERMSIG(second) == SIGINT)
      << "not ended by the second Ctrl-C: wait status " << second;
  EXPECT_LT(ms, 500);
  fs::remove_all(dir);
}

// A fetch that overran the interval does not make the missed ticks up in a
// burst: the next tick waits for the interval's next slot.
TEST(Live, WatchKeepsItsPaceAfterASlowFetch) {
  GLEAK_REQUIRE_GO();
  auto server = StartOrFail("badserver", "");
  ASSERT_NE(server, nullptr);
  // Each fetch stalls until the 1 s timeout; ticks every 0.3 s would come at
  // once after each (3 s in all); on the grid they start at 0, 1.2 and 2.4 s.
  // (Not 0.25 s: a fetch that ends a hair before 1 s meets the slot at 1 s.)
  auto start = std::chrono::steady_clock::now();
  auto r = RunGleak(
      "watch --count 3 --interval 0.3s --timeout 1 --max-failures 0 "
      "--format jsonl '" +
      server->Url("/stall") + "'");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_GE(seconds, 3.3) << r.out;
}

// The goroutine-leak profile fetched live: leakserver built with Go 1.27.3
// (served by default), Go 1.26 with GOEXPERIMENT=goroutineleakprofile (served)
// and plain Go 1.26 (404: said, and the goroutine profile read instead).
struct LeakProfileCase {
  const char* name;
  const char* build_env;
  bool served;
};

class LiveLeakProfile : public ::testing::TestWithParam<LeakProfileCase> {};

TEST_P(LiveLeakProfile, AnalyzeAndWatchOfAUrlMarkTheProvenGroupsWhenServed) {
  GLEAK_REQUIRE_GO();
  const LeakProfileCase& c = GetParam();
  std::string error;
  auto server = LiveServer::Start("leakserver", "-capture series", &error, c.build_env);
  ASSERT_NE(server, nullptr) << error;
  Requests(*server, 6);
  const std::string url = server->Url("/debug/pprof/goroutine");
  // --no-leak-profile reads the goroutine profile: no proof. (First: once the
  // runtime's leak detector has run, the goroutine profile too marks the
  // goroutines it found leaked.)
  auto plain = RunGleak("analyze --no-leak-profile --format json '" + url + "'");
  EXPECT_EQ(json::parse(plain.out)["totals"]["proven_groups"], 0) << plain.err;
  EXPECT_FALSE(testing::Has(plain.err, "goroutineleak")) << plain.err;
  auto analyze = RunGleak("analyze --format json '" + url + "'");
  ASSERT_EQ(analyze.exit_code, 0) << analyze.err;
  json report = json::parse(analyze.out);
  const json* leak = nullptr;
  for (const json& g : report["groups"]) {
    if (g["top_frame"].is_object() && g["top_frame"]["func"] == "main.leakyWork") leak = &g;
  }
  ASSERT_NE(leak, nullptr) << analyze.out;
  EXPECT_EQ((*leak)["count"], 6);
  EXPECT_EQ((*leak)["finding"]["proven"].get<bool>(), c.served) << *leak;
  EXPECT_EQ(report["totals"]["proven_groups"], c.served ? 1 : 0);
  EXPECT_EQ(testing::Has(report["inputs"][0]["name"], "/debug/pprof/goroutineleak?debug=2"),
            c.served);
  EXPECT_TRUE(testing::Has(analyze.err, c.served ? "the target serves the goroutine-leak profile"
                                                 : "does not serve /debug/pprof/goroutineleak"))
      << analyze.err;
  // watch: proven from the first tick, before any growth.
  auto watch = RunGleak("watch --count 2 --interval 0.2s --format jsonl '" + url + "'");
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  json first = json::parse(watch.out.substr(0, watch.out.find('\n')));
  EXPECT_EQ(first["leak_profile"], c.served ? "served" : "not served") << first;
  if (c.served) {
    ASSERT_FALSE(first["growing"].empty()) << first;
    EXPECT_EQ(first["growing"][0]["top_frame"], "main.leakyWork");
    EXPECT_TRUE(first["growing"][0]["proven"].get<bool>());
    EXPECT_EQ(first["growing"][0]["growth_since_start"], 0);
  } else {
    EXPECT_TRUE(first["growing"].empty()) << first;
  }
}

INSTANTIATE_TEST_SUITE_P(
    GoVersions, LiveLeakProfile,
    ::testing::Values(LeakProfileCase{"go1_27_3", "GOTOOLCHAIN=go1.27.3", true},
                      LeakProfileCase{"go1_26_experiment",
                                      "GOTOOLCHAIN=local GOEXPERIMENT=goroutineleakprofile", true},
                      LeakProfileCase{"go1_26", "GOTOOLCHAIN=local", false}),
    [](const ::testing::TestParamInfo<LeakProfileCase>& info) { return info.param.name; });

// A watch of several targets (two leaking instances of one service and a
// healthy service): a line per target per tick with its name, a fleet line
// naming the group that grows on both leaking ones, then each target's diff.
TEST(Live, WatchOfSeveralTargetsTellsTheGroupGrowingOnSeveral) {
  GLEAK_REQUIRE_GO();
  auto a = StartOrFail("leakserver", "-capture series");
  auto b = StartOrFail("leakserver", "-capture series");
  auto healthy = StartOrFail("healthy", "-capture http_debug2");
  ASSERT_TRUE(a && b && healthy);
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "targets") << "# two instances of one service\n"
                                 << a->Url("/debug/pprof/goroutine") << " api-1\n"
                                 << b->Url("/debug/pprof/goroutine") << " api-2\n";
  std::string driver;
  for (const LiveServer* s : {a.get(), b.get()}) {
    driver += "(for i in $(seq 25); do curl -fsS '" + s->Url("/work") +
              "' >/dev/null; sleep 0.08; done) & ";
  }
  auto r = RunShell(driver + "'" + GLEAK_BINARY +
                    "' watch --no-leak-profile --count 4 --interval 0.6s --parallel 2 "
                    "--format jsonl --targets " +
                    testing::Quote(dir / "targets") + " '" +
                    healthy->Url("/debug/pprof/goroutine") + "'; status=$?; wait; exit $status");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 4u * 4 + 3) << r.out;  // per tick 3 targets and a fleet line; 3 diffs
  std::set<std::string> names;
  for (size_t i = 0; i < 3; ++i) names.insert(lines[i]["target"].get<std::string>());
  // The command line's URLs first, then the file's.
  EXPECT_EQ(names, (std::set<std::string>{"api-1", "api-2", healthy->Url("").substr(7)}));
  const json& fleet = lines[4 * 4 - 1];
  ASSERT_TRUE(fleet.contains("fleet")) << fleet;
  ASSERT_EQ(fleet["fleet"].size(), 1u) << fleet;
  EXPECT_EQ(fleet["fleet"][0]["top_frame"], "main.leakyWork");
  EXPECT_EQ(fleet["fleet"][0]["targets"], (json{"api-1", "api-2"}));
  EXPECT_TRUE(fleet["fleet"][0]["suspect"].get<bool>());
  for (size_t i = 16; i < 19; ++i) {
    EXPECT_EQ(lines[i]["schema"], "gleak.diff/v1");
    EXPECT_TRUE(testing::MatchesSchema("diff-v1.json", lines[i].dump()));
  }
  // json and html stay one target's.
  auto html = RunGleak("watch --format html --count 1 '" + a->Url("/debug/pprof/goroutine") +
                       "' '" + b->Url("/debug/pprof/goroutine") + "'");
  EXPECT_EQ(html.exit_code, 2);
  EXPECT_TRUE(testing::Has(html.err, "watch of several targets writes text or jsonl")) << html.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gleak
