// URLs as inputs and `gleak watch`, against real Go servers on 127.0.0.1:
// testdata/programs/leakserver (leaks one goroutine per /work request) and
// testdata/programs/badserver (stalls, 404s, HTML pages, endless and cut bodies).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

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

std::unique_ptr<LiveServer> StartOrFail(const std::string& program, const std::string& args) {
  std::string error;
  auto server = LiveServer::Start(program, args, &error);
  EXPECT_NE(server, nullptr) << error;
  return server;
}

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

}  // namespace
}  // namespace gleak
