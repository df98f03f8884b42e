// pprof protobuf profiles end to end: the command line, the JSON report, a
// live pprof endpoint asked for debug=0, and the same program's debug=1
// profile, which must give the same groups with the same counts.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunGleak;

fs::path Dumps() { return testing::SourceDir() / "testdata" / "dumps"; }

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

json AnalyzeJson(const std::string& args, int want_exit = 0) {
  auto r = RunGleak("analyze --format json --min-count 1 " + args);
  EXPECT_EQ(r.exit_code, want_exit) << r.err;
  EXPECT_TRUE(testing::MatchesSchema("report-v1.json", r.out));
  return json::parse(r.out);
}

// Group id -> count, for every group a program kind sits in (frames of
// main.* or of the fixture), leaving out the goroutines that serve the
// request itself, whose stacks depend on what was asked.
std::map<std::string, uint64_t> Groups(const json& report) {
  std::map<std::string, uint64_t> out;
  for (const json& g : report["groups"]) out[g["id"]] = g["count"];
  return out;
}

TEST(Pprof, ProtobufAndDebug1OfOneProgramGiveTheSameGroupsAndCounts) {
  // Captures of one build of each program, a second or two apart; only
  // programs whose goroutines do not change between requests.
  for (const char* version : {"go1.26", "go1.27"}) {
    for (const char* program : {"chansend", "waitgroup", "locks", "labels", "timer", "deep"}) {
      fs::path dir = Dumps() / version / program;
      if (!fs::exists(dir / "http_debug1.txt")) continue;
      SCOPED_TRACE(dir.string());
      json debug1 = AnalyzeJson(Quote(dir / "http_debug1.txt"));
      json proto = AnalyzeJson(Quote(dir / "http_proto.pb.gz"));
      EXPECT_EQ(proto["inputs"][0]["format"], "pprof");
      EXPECT_EQ(proto["inputs"][0]["producer"], "goroutine-profile");
      EXPECT_EQ(proto["inputs"][0]["encoding"], "gzip");
      EXPECT_EQ(Groups(proto), Groups(debug1));
      EXPECT_EQ(proto["totals"]["goroutines"], debug1["totals"]["goroutines"]);
    }
  }
}

TEST(Pprof, LeakProfileGroupsAreProvenLeakedInTheReport) {
  for (const char* version : {"go1.26", "go1.27"}) {
    fs::path dump = Dumps() / version / "waitgroup" / "leak_proto.pb.gz";
    SCOPED_TRACE(dump.string());
    json report = AnalyzeJson(Quote(dump));
    EXPECT_EQ(report["inputs"][0]["producer"], "goroutineleak-profile");
    ASSERT_FALSE(report["groups"].empty());
    for (const json& g : report["groups"]) {
      EXPECT_EQ(g["leaked"], g["count"]) << g.dump();
      EXPECT_TRUE(g["finding"]["suspect"].get<bool>()) << g.dump();
    }
  }
}

TEST(Pprof, ParseCommandPrintsOneLinePerSample) {
  auto r = RunGleak("parse " + Quote(Dumps() / "go1.26" / "chansend" / "writeto_proto.pb.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  uint64_t goroutines = 0, lines = 0;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t nl = r.out.find('\n', start);
    json record = json::parse(r.out.substr(start, nl - start));
    EXPECT_TRUE(record["id"].is_null());
    goroutines += record["count"].get<uint64_t>();
    ++lines;
    start = nl + 1;
  }
  json expected = json::parse(
      testing::ReadFile(Dumps() / "go1.26" / "chansend" / "writeto_proto.expected.json"));
  EXPECT_EQ(goroutines, expected["goroutines"].get<uint64_t>());
  EXPECT_GT(lines, 3u);
}

TEST(Pprof, MaxBytesRefusesALargerProfile) {
  fs::path dump = Dumps() / "go1.26" / "chansend" / "http_proto.pb.gz";
  auto r = RunGleak("analyze --max-bytes 2000 " + Quote(dump));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("larger than 2000 bytes; refusing it (raise --max-bytes)"),
            std::string::npos)
      << r.err;
}

TEST(Pprof, ADebugZeroUrlIsReadAsProtobufWithTheGroupsOfDebugOne) {
  GLEAK_REQUIRE_GO();
  std::string error;
  auto server = testing::LiveServer::Start("leakserver", "-capture series", &error);
  ASSERT_NE(server, nullptr) << error;
  auto work = testing::RunShell("for i in 1 2 3 4 5; do curl -fsS '" + server->Url("/work") +
                                "' >/dev/null || exit 1; done");
  ASSERT_EQ(work.exit_code, 0) << work.err;
  json proto = AnalyzeJson("'" + server->Url("/debug/pprof/goroutine?debug=0") + "'");
  json debug1 = AnalyzeJson("'" + server->Url("/debug/pprof/goroutine?debug=1") + "'");
  EXPECT_EQ(proto["inputs"][0]["format"], "pprof");
  EXPECT_EQ(proto["inputs"][0]["warnings"].size(), 0u) << proto["inputs"][0].dump();
  uint64_t leaking = 0;
  for (const json& g : proto["groups"]) {
    if (g["top_frame"].is_object() && g["top_frame"]["func"] == "main.leakyWork") {
      leaking = g["count"];
    }
  }
  EXPECT_EQ(leaking, 5u) << proto.dump();
  EXPECT_EQ(Groups(proto), Groups(debug1));
}

}  // namespace
}  // namespace gleak
