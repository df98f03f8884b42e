// pprof protobuf profiles end to end: the command line, the JSON report, a
// live pprof endpoint asked for debug=0, and the same program's debug=1
// profile, which must give the same groups with the same counts.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_targets.h"
#include "input/http_source.h"
#include "pipeline/analyze.h"
#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Quote;
using testing::RunGleak;

using testing::Dumps;

// The report of `gleak analyze`; checked against the JSON schema when asked
// (the check starts a Python process: a few times per test file is enough).
json FullReport(const std::string& args, bool check_schema = false) {
  auto r = RunGleak("analyze --format json --min-count 1 " + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (check_schema) {
    EXPECT_TRUE(testing::MatchesSchema("report-v1.json", r.out));
  }
  return json::parse(r.out);
}

// Group id -> count of the program's own goroutines. The fixture's (main
// parked by it, its pprof server, the handler writing the profile) are left
// out: their stacks name fixture.go, whose lines moved when the protobuf
// captures were added after the debug=1 ones were made, and the handler's
// stack depends on what was asked.
std::map<std::string, uint64_t> Groups(const json& report) {
  std::map<std::string, uint64_t> out;
  for (const json& g : report["groups"]) {
    bool fixture = false;
    for (const json& f : g["frames"]) {
      fixture |= f["func"].get<std::string>().starts_with("gleak.test/programs/internal/fixture.");
    }
    if (!fixture) out[g["id"]] = g["count"];
  }
  return out;
}

TEST(Pprof, ProtobufAndDebug1OfOneProgramGiveTheSameGroupsAndCounts) {
  // Captures of one build of each program, a second or two apart; only
  // programs whose goroutines do not change between requests.
  size_t compared = 0;
  for (const char* version : {"go1.19", "go1.26"}) {
    for (const char* program : {"chansend", "waitgroup", "locks", "labels", "timer", "deep"}) {
      fs::path dir = Dumps() / version / program;
      if (!fs::exists(dir / "http_debug1.txt")) continue;
      SCOPED_TRACE(dir.string());
      json debug1 = FullReport(Quote(dir / "http_debug1.txt"));
      json proto = FullReport(Quote(dir / "http_proto.pb.gz"), program == std::string("labels"));
      EXPECT_EQ(proto["inputs"][0]["format"], "pprof");
      EXPECT_EQ(proto["inputs"][0]["producer"], "goroutine-profile");
      EXPECT_EQ(proto["inputs"][0]["encoding"], "gzip");
      EXPECT_EQ(Groups(proto), Groups(debug1));
      EXPECT_EQ(proto["totals"]["goroutines"], debug1["totals"]["goroutines"]);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 12u);
}

TEST(Pprof, LeakProfileGroupsAreProvenLeakedInTheReport) {
  for (const char* version : {"go1.26", "go1.27"}) {
    fs::path dump = Dumps() / version / "waitgroup" / "leak_proto.pb.gz";
    SCOPED_TRACE(dump.string());
    // With the source, every group gets its pattern (a count profile has no
    // states), and the runtime's proof makes each a proven suspect.
    json report = FullReport(
        "--source-root " + Quote(testing::SourceDir() / "testdata/programs") + " " + Quote(dump),
        true);
    EXPECT_EQ(report["inputs"][0]["producer"], "goroutineleak-profile");
    ASSERT_GE(report["groups"].size(), 4u);
    for (const json& g : report["groups"]) {
      EXPECT_EQ(g["leaked"], g["count"]) << g.dump();
      EXPECT_TRUE(g["finding"]["suspect"].get<bool>()) << g.dump();
      EXPECT_TRUE(g["finding"]["proven"].get<bool>()) << g.dump();
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
  // Not gzipped, so that the profile's own bound refuses it, not gzip's.
  fs::path dir = testing::TempDir();
  fs::path dump = dir / "profile.pb";
  ASSERT_EQ(testing::RunShell("gzip -dc " + Quote(Dumps() / "go1.26/chansend/http_proto.pb.gz") +
                              " >" + Quote(dump))
                .exit_code,
            0);
  EXPECT_EQ(RunGleak("analyze " + Quote(dump)).exit_code, 0);
  auto r = RunGleak("analyze --max-bytes 2000 " + Quote(dump));
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("larger than 2000 bytes; refusing it (raise --max-bytes)"),
            std::string::npos)
      << r.err;
}

// A large plain file is read in ranges on several threads, cut at blank
// lines; a protobuf profile is one message and must be read whole.
TEST(Pprof, AnUncompressedProfileIsNeverCutIntoRanges) {
  fs::path dir = testing::TempDir();
  size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(Dumps())) {
    if (!entry.path().string().ends_with(".pb.gz")) continue;
    fs::path plain = dir / "profile.pb";
    ASSERT_EQ(testing::RunShell("gzip -dc " + Quote(entry.path()) + " >" + Quote(plain)).exit_code,
              0);
    AnalyzeOptions options;
    options.threads = 4;
    options.min_split_bytes = 1;  // split anything that can be split
    options.inputs = {plain.string()};
    Report split = Analyze(options);
    options.inputs = {entry.path().string()};
    Report whole = Analyze(options);
    SCOPED_TRACE(entry.path().string());
    ASSERT_TRUE(split.inputs[0].error.empty()) << split.inputs[0].error;
    EXPECT_EQ(split.inputs[0].format, "pprof");
    EXPECT_EQ(split.totals.goroutines, whole.totals.goroutines);
    EXPECT_EQ(split.groups.size(), whole.groups.size());
    ++checked;
  }
  EXPECT_GE(checked, 40u);
  fs::remove_all(dir);
}

TEST(Pprof, UrlsKeepAnExplicitDebugAndGoroutineLeakDefaultsToDebugTwo) {
  bool added = false;
  EXPECT_EQ(WithDebugParameter("http://h/debug/pprof/goroutine?debug=0", &added),
            "http://h/debug/pprof/goroutine?debug=0");
  EXPECT_FALSE(added);
  EXPECT_EQ(WithDebugParameter("http://h/debug/pprof/goroutineleak?debug=0", &added),
            "http://h/debug/pprof/goroutineleak?debug=0");
  EXPECT_FALSE(added);
  // Every goroutine, the leaked ones marked (leaked), with states and ids:
  // more than the protobuf leak profile holds (README, Inputs).
  EXPECT_EQ(WithDebugParameter("http://h/debug/pprof/goroutineleak", &added),
            "http://h/debug/pprof/goroutineleak?debug=2");
  EXPECT_TRUE(added);
}

TEST(Pprof, ADebugZeroUrlIsReadAsProtobufWithTheGroupsOfDebugOne) {
  GLEAK_REQUIRE_GO();
  std::string error;
  auto server = testing::LiveServer::Start("leakserver", "-capture series", &error);
  ASSERT_NE(server, nullptr) << error;
  auto work = testing::RunShell("for i in 1 2 3 4 5; do curl -fsS '" + server->Url("/work") +
                                "' >/dev/null || exit 1; done");
  ASSERT_EQ(work.exit_code, 0) << work.err;
  json proto = FullReport(testing::ShellQuoted(server->Url("/debug/pprof/goroutine?debug=0")));
  json debug1 = FullReport(testing::ShellQuoted(server->Url("/debug/pprof/goroutine?debug=1")));
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

// The pprof fuzzer's target holds on every committed profile and on every
// finding committed under testdata/bad/fuzz/pprof/.
TEST(Pprof, FuzzTargetHoldsOnCommittedProfilesAndFindings) {
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::recursive_directory_iterator(Dumps())) {
    if (entry.path().string().ends_with(".pb.gz")) inputs.push_back(entry.path());
  }
  fs::path findings = testing::SourceDir() / "testdata" / "bad" / "fuzz" / "pprof";
  if (fs::is_directory(findings)) {
    for (const auto& entry : fs::directory_iterator(findings)) inputs.push_back(entry.path());
  }
  ASSERT_GE(inputs.size(), 40u);
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.string());
    std::string bytes = testing::ReadFile(input);
    if (input.string().ends_with(".pb.gz")) {
      auto source = OpenInput(input.string());
      bytes.clear();
      char buffer[65536];
      while (size_t n = source->Read(buffer, sizeof buffer)) bytes.append(buffer, n);
      bytes.push_back('\x81');  // config: max_frames 3, reads of 1 byte
    }
    try {
      fuzz::FuzzPprof(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

}  // namespace
}  // namespace gleak
