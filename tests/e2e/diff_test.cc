// `gleak diff` on the committed snapshot series of a real leaking server
// (testdata/programs/leakserver: one goroutine leaked per /work request,
// 10 requests between snapshots), and live on the same server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunGleak;

fs::path Series(const std::string& version) {
  return testing::SourceDir() / "testdata/dumps" / version / "leakserver";
}

using testing::Quote;

json Diff(const std::string& args, int expected_exit = 0) {
  auto r = RunGleak("diff --format json " + args);
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  return json::parse(r.out);
}

const json* Track(const json& diff, const std::string& func) {
  for (const json& g : diff["groups"]) {
    for (const json& f : g["frames"]) {
      if (f["func"] == func) return &g;
    }
  }
  return nullptr;
}

void ExpectLeakOnTopAndTheRestSteady(const json& diff, const json& expected) {
  const json& first = diff["groups"][0];
  const json* leak = Track(diff, expected["leaking"]["func"]);
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(&first, leak) << "the leaking group must rank first";
  EXPECT_EQ((*leak)["counts"], expected["leaking"]["counts"]);
  const auto& counts = expected["leaking"]["counts"];
  EXPECT_EQ((*leak)["growth"], counts.back().get<int>() - counts.front().get<int>());
  EXPECT_EQ((*leak)["status"], "grown");
  EXPECT_TRUE((*leak)["monotonic"].get<bool>());
  EXPECT_TRUE((*leak)["suspect"].get<bool>());
  EXPECT_EQ((*leak)["finding"]["pattern"], "chan-send");
  EXPECT_EQ(diff["suspect_patterns"], json::array({"chan-send"}));
  for (const json& steady : expected["steady"]) {
    const json* t = Track(diff, steady["func"]);
    ASSERT_NE(t, nullptr) << steady["func"];
    EXPECT_EQ((*t)["status"], "steady") << steady["func"];
    EXPECT_FALSE((*t)["suspect"].get<bool>()) << steady["func"];
  }
  int growing = 0;
  for (const json& g : diff["groups"]) growing += g["growth"].get<int>() > 0;
  EXPECT_EQ(growing, 1) << "exactly the leaking group grows";
  EXPECT_EQ(diff["totals"]["top_explaining"], 1);
}

TEST(Diff, CommittedSeriesShowsTheLeakGrowingAndTheRestSteady) {
  for (const char* version : {"go1.26", "go1.19"}) {
    SCOPED_TRACE(version);
    fs::path dir = Series(version);
    json expected = json::parse(testing::ReadFile(dir / "series.expected.json"));
    json diff = Diff(Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_2.txt") + " " +
                     Quote(dir / "snapshot_3.txt") + " --interval 1m");
    ExpectLeakOnTopAndTheRestSteady(diff, expected);
    const json* leak = Track(diff, "main.leakyWork");
    EXPECT_DOUBLE_EQ((*leak)["growth_per_snapshot"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ((*leak)["growth_per_minute"].get<double>(), 10.0);
    EXPECT_EQ(diff["totals"]["goroutines"], expected["goroutines"]);
  }
}

TEST(Diff, JsonValidatesAgainstTheSchema) {
  fs::path dir = Series("go1.26");
  fs::path tmp = testing::TempDir();
  std::ofstream(tmp / "d.json")
      << Diff(Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_3.txt")).dump();
  std::ofstream(tmp / "x.json")
      << Diff(Quote(dir / "snapshot_3_debug1.txt") + " " + Quote(dir / "snapshot_3.txt")).dump();
  auto r = testing::RunShell(Quote(testing::SourceDir() / "tests/tools/validate-json") + " " +
                             Quote(testing::SourceDir() / "docs/schema/diff-v1.json") + " " +
                             Quote(tmp / "d.json") + " " + Quote(tmp / "x.json"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 documents checked, 0 errors"), std::string::npos) << r.out << r.err;
  fs::remove_all(tmp);
}

TEST(Diff, GroupIdsAreAnalyzesIds) {
  fs::path dir = Series("go1.26");
  json diff = Diff(Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_2.txt"));
  json report = json::parse(RunGleak("analyze --format json " + Quote(dir / "snapshot_2.txt")).out);
  for (const json& g : report["groups"]) {
    bool found = false;
    for (const json& t : diff["groups"]) found |= t["id"] == g["id"];
    EXPECT_TRUE(found) << g["id"];
  }
}

TEST(Diff, ARedeployThatMovedLinesStillMatchesByFunction) {
  fs::path before = Series("go1.26") / "snapshot_1.txt";
  fs::path after = testing::SourceDir() / "testdata/dumps/go1.26/leakserver_moved/snapshot_1.txt";
  json diff = Diff(Quote(before) + " " + Quote(after));
  const json* leak = Track(diff, "main.leakyWork");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ((*leak)["match"], "func");
  EXPECT_EQ((*leak)["counts"], json::array({10, 30}));
  EXPECT_NE((*leak)["ids"][0], (*leak)["ids"][1]);
  EXPECT_EQ(diff["groups"][0]["id"], (*leak)["id"]);
  auto text = RunGleak("diff " + Quote(before) + " " + Quote(after));
  EXPECT_NE(text.out.find("matched by function names (lines moved)"), std::string::npos)
      << text.out;
}

TEST(Diff, DebugOneAndDebugTwoOfOneMomentCompareByCounts) {
  fs::path dir = Series("go1.26");
  json diff = Diff(Quote(dir / "snapshot_3_debug1.txt") + " " + Quote(dir / "snapshot_3.txt"));
  const json* leak = Track(diff, "main.leakyWork");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ((*leak)["counts"], json::array({30, 30}));
  EXPECT_EQ((*leak)["match"], "shape");
  EXPECT_EQ(diff["totals"]["grown"].get<int>() + diff["totals"]["new"].get<int>(), 0);
}

TEST(Diff, NewAndGoneGroups) {
  fs::path a = testing::SourceDir() / "testdata/dumps/go1.26/healthy/http_debug2.txt";
  fs::path b = testing::SourceDir() / "testdata/dumps/go1.26/chansend/http_debug2.txt";
  json diff = Diff(Quote(a) + " " + Quote(b));
  const json* send = Track(diff, "main.sendForever");
  ASSERT_NE(send, nullptr);
  EXPECT_EQ((*send)["status"], "new");
  EXPECT_EQ((*send)["growth_percent"], nullptr);
  EXPECT_EQ((*send)["ids"][0], nullptr);
  const json* pool = Track(diff, "main.poolWorker");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ((*pool)["status"], "gone");
  EXPECT_GT(diff["totals"]["gone"].get<int>(), 0);
  EXPECT_GT(diff["totals"]["new"].get<int>(), 0);
}

TEST(Diff, GrowthGatesTheExitCode) {
  fs::path dir = Series("go1.26");
  std::string series = Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_3.txt");
  EXPECT_EQ(RunGleak("diff --fail-on-growth 10 " + series).exit_code, 1);
  EXPECT_EQ(RunGleak("diff --fail-on-growth 20 " + series).exit_code, 1);
  EXPECT_EQ(RunGleak("diff --fail-on-growth 21 " + series).exit_code, 0);
  EXPECT_EQ(RunGleak("diff --fail-on-growth 150% " + series).exit_code, 1);  // 10 -> 30 is +200%
  EXPECT_EQ(RunGleak("diff --fail-on-growth 250% " + series).exit_code, 0);
  EXPECT_EQ(RunGleak("diff --fail-on-growth 10 --fail-on waitgroup " + series).exit_code, 0);
  EXPECT_EQ(RunGleak("diff --fail-on-growth 10 --fail-on chan-send " + series).exit_code, 1);
  EXPECT_EQ(RunGleak("diff --fail-on any " + series).exit_code, 1);
  EXPECT_EQ(RunGleak("diff " + series).exit_code, 0);
  auto bad = RunGleak("diff --fail-on-growth lots " + series);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--fail-on-growth takes"), std::string::npos) << bad.err;
  EXPECT_EQ(RunGleak("diff " + Quote(dir / "snapshot_1.txt")).exit_code, 2);
  EXPECT_EQ(RunGleak("diff --interval soon " + series).exit_code, 2);
}

TEST(Diff, TextCollapsesTheSteadyCrowd) {
  fs::path dir = Series("go1.26");
  auto r = RunGleak("diff " + Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_2.txt") +
                    " " + Quote(dir / "snapshot_3.txt"));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("#1     +20 grown  10 → 20 → 30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GROWING chan-send"), std::string::npos);
  EXPECT_NE(r.out.find("steady (9 goroutines in each snapshot)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("#2 "), std::string::npos) << "only the leak is listed";
}

TEST(DiffLive, ThreeSnapshotsOfARunningServer) {
  GLEAK_REQUIRE_GO();
  fs::path out = testing::TempDir();
  auto regen = testing::RunShell(Quote(testing::SourceDir() / "testdata/regen") +
                                 " --only leakserver:series --out " + Quote(out));
  ASSERT_EQ(regen.exit_code, 0) << regen.out << regen.err;
  fs::path dir;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    if (e.path().filename() == "series.expected.json") dir = e.path().parent_path();
  }
  ASSERT_FALSE(dir.empty()) << regen.out;
  json expected = json::parse(testing::ReadFile(dir / "series.expected.json"));
  json diff = Diff(Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_2.txt") + " " +
                   Quote(dir / "snapshot_3.txt"));
  ExpectLeakOnTopAndTheRestSteady(diff, expected);
  fs::remove_all(out);
}

}  // namespace
}  // namespace gleak
