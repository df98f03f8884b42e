// Dumps as logs hold them: the committed captures of a real `go test` run
// failing goleak, printed plainly, with a GitHub Actions timestamp on every
// line (*_stamped) and as Docker's json-file driver stores them (*_docker)
// give the same goroutines; the producer facts of panics, fatal errors and
// hung tests are kept; go statement wrappers never stand for a group.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cluster/clusterer.h"
#include "input/byte_source.h"
#include "parse/parse_source.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using testing::OwnedGoroutine;
using testing::Parsed;
using testing::ParseFile;

using testing::Dump;

// What two runs of one program share: states, frames and creators, in order
// (not ids or argument values, which differ from run to run).
std::string Shape(const Parsed& parsed) {
  std::string out =
      fmt::format("{} records, {} goroutines\n", parsed.summary.records, parsed.summary.goroutines);
  for (const OwnedGoroutine& g : parsed.records) {
    out += g.state + "\n";
    for (const auto& f : g.frames) out += fmt::format("  {} {}:{}\n", f.func, f.file, f.line);
    if (g.has_created_by) out += "  by " + g.created_by.func + "\n";
  }
  return out;
}

TEST(LogForms, GoleakV13StackHeadersInGoTestV) {
  Parsed plain = ParseFile(Dump("go1.26/goleak13/goleak_v.txt"));
  EXPECT_EQ(plain.summary.producer, DumpProducer::kGoleak);
  ASSERT_EQ(plain.records.size(), 5u);  // no "goroutine N [...]:" line in the whole dump
  for (const OwnedGoroutine& g : plain.records) {
    EXPECT_TRUE(g.flags.has_id);
    EXPECT_FALSE(g.frames.empty());
    EXPECT_TRUE(g.has_created_by);
  }
  EXPECT_EQ(plain.summary.detail.test_name, "TestLeaks");
  EXPECT_TRUE(plain.summary.warnings.empty());
}

TEST(LogForms, TimestampedAndDockerLogsGiveThePlainGoroutines) {
  for (const auto& [plain, wrapped] : std::vector<std::pair<std::string, std::string>>{
           {"go1.26/goleak13/goleak_v.txt", "go1.26/goleak13/goleak_v_stamped.txt"},
           {"go1.26/goleak13/goleak_v.txt", "go1.26/goleak13/goleak_v_docker.txt"},
           // goleak v1.2 headers and goroutine lines, each behind a timestamp
           {"go1.26/goleak/goleak.txt", "go1.26/goleak/goleak_stamped.txt"},
           {"go1.19/goleak/goleak.txt", "go1.19/goleak/goleak_stamped.txt"}}) {
    SCOPED_TRACE(wrapped);
    Parsed a = ParseFile(Dump(plain));
    Parsed b = ParseFile(Dump(wrapped));
    EXPECT_EQ(Shape(b), Shape(a));
    EXPECT_EQ(b.summary.noise_lines, a.summary.noise_lines);
    EXPECT_EQ(b.summary.detail.test_name, "TestLeaks");
    EXPECT_EQ(b.summary.producer, DumpProducer::kGoleak);
  }
  // go test -json: the log lines are test2json's "Output" strings; its
  // other events (run, pass, fail) are lines of no dump.
  Parsed a = ParseFile(Dump("go1.26/goleak13/goleak_v.txt"));
  Parsed b = ParseFile(Dump("go1.26/goleak13/goleak_v_json.txt"));
  EXPECT_EQ(Shape(b), Shape(a));
  {
    EXPECT_EQ(b.summary.detail.test_name, "TestLeaks");
    EXPECT_EQ(b.summary.producer, DumpProducer::kGoleak);
  }
}

// Docker cuts a line longer than 16 KiB into entries without "\n". Every line
// of a real dump cut into two such entries reads as the dump itself.
TEST(LogForms, DockerPartialEntriesAreJoined) {
  std::string text = testing::ReadFile(Dump("go1.26/panicvalues/panic_recovered.txt"));
  std::istringstream in(text);
  std::string line, json;
  auto entry = [&](std::string_view log) {
    json += R"({"log":")";
    for (char c : log) {
      if (c == '"' || c == '\\') json += '\\';
      if (c == '\t') {
        json += "\\t";
      } else if (c == '\n') {
        json += "\\n";
      } else {
        json += c;
      }
    }
    json += R"(","stream":"stderr","time":"2026-12-06T03:40:32.123456789Z"})";
    json += '\n';
  };
  while (std::getline(in, line)) {
    line += '\n';
    size_t half = line.size() / 2;
    entry(std::string_view(line).substr(0, half));
    entry(std::string_view(line).substr(half));
  }
  Parsed a = testing::ParseString(text);
  Parsed b = testing::ParseString(json);
  EXPECT_EQ(Shape(b), Shape(a));
  ASSERT_EQ(b.summary.detail.panics.size(), 2u);
  EXPECT_EQ(b.summary.detail.panics[0].value, a.summary.detail.panics[0].value);
  EXPECT_TRUE(b.summary.detail.panic_recovered());
}

TEST(LogForms, ThePanickingGoroutineIsFlagged) {
  Parsed parsed = ParseFile(Dump("go1.26/panicvalues/panic_goroutine.txt"));
  ASSERT_TRUE(parsed.summary.detail.has_crashed_goroutine);
  size_t crashed = 0;
  for (const OwnedGoroutine& g : parsed.records) {
    if (!g.flags.crashed) continue;
    ++crashed;
    EXPECT_EQ(g.flags.id, parsed.summary.detail.crashed_goroutine);
    EXPECT_TRUE(g.HasFrame("main.crashWorker"));
  }
  EXPECT_EQ(crashed, 1u);
  // A deadlock's first goroutine waits: nothing crashed.
  Parsed deadlock = ParseFile(Dump("go1.26/deadlock/deadlock.txt"));
  EXPECT_FALSE(deadlock.summary.detail.has_crashed_goroutine);
  for (const OwnedGoroutine& g : deadlock.records) EXPECT_FALSE(g.flags.crashed);
}

TEST(LogForms, ProducerFactsInTextAndJson) {
  testing::CommandResult r = testing::RunGleak(
      "analyze --format json '" + Dump("go1.26/testtimeout/test_timeout.txt").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(testing::MatchesSchema("report-v1.json", r.out));
  nlohmann::json input = nlohmann::json::parse(r.out)["inputs"][0];
  EXPECT_EQ(input["test_name"], "TestHangs");
  EXPECT_EQ(input["test_timeout"], "2s");
  EXPECT_EQ(input["test_timeout_seconds"], 2.0);
  EXPECT_TRUE(input["crashed_goroutine"].is_number());
  EXPECT_TRUE(input["fatal_error"].is_null());
  r = testing::RunGleak("analyze '" + Dump("go1.26/panicvalues/panic_recovered.txt").string() +
                        "'");
  EXPECT_NE(r.out.find("    panic: cleanup failed after: first failure, after a panic recovered: "
                       "first failure · goroutine 1 crashed"),
            std::string::npos)
      << r.out;
}

// Go 1.21+ prints a go statement's wrapper (`net/http.(*Server).Serve.gowrap3`)
// at the bottom of level-2 stacks; a stack wholly in the standard library is
// shown by its outermost function, which must be `(*conn).serve`, not it.
TEST(LogForms, GoStatementWrappersAreNeverTheTopFrame) {
  Clusterer clusterer{ClusterOptions{}};
  auto source = OpenInput(Dump("go1.26/httpserve/sigquit.txt").string());
  ParseSource(*source, clusterer);
  std::vector<Group> groups = clusterer.BuildGroups();
  bool conn_serve = false;
  for (const Group& g : groups) {
    if (g.frames.empty()) continue;
    const std::string& top = g.frames[g.top_frame].func;
    EXPECT_EQ(top.find(".gowrap"), std::string::npos) << top;
    if (top == "net/http.(*conn).serve") {
      conn_serve = true;
      EXPECT_EQ(g.count, 20u);  // the idle keep-alive connections of the program
    }
  }
  EXPECT_TRUE(conn_serve);
}

// A debug=1 record of goroutines that had not run yet has no frame: they are
// counted all the same (testdata/programs/notrun).
TEST(LogForms, CountRecordsWithoutFramesAreCounted) {
  for (const char* name : {"go1.26/notrun/notrun_debug1.txt", "go1.19/notrun/notrun_debug1.txt"}) {
    SCOPED_TRACE(name);
    Parsed parsed = ParseFile(Dump(name));
    uint64_t frameless = 0;
    for (const OwnedGoroutine& g : parsed.records) {
      if (g.frames.empty()) frameless += g.flags.count;
    }
    EXPECT_EQ(frameless, 5u);
    EXPECT_EQ(parsed.summary.goroutines, parsed.summary.profile_total);
    testing::CommandResult r =
        testing::RunGleak("analyze --format json '" + Dump(name).string() + "'");
    EXPECT_EQ(nlohmann::json::parse(r.out)["totals"]["goroutines"], 9);
    r = testing::RunGleak("analyze --min-count 1 '" + Dump(name).string() + "'");
    EXPECT_NE(r.out.find("#1       5 goroutines"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("   stack  none printed: goroutines that had not started yet"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace gleak
