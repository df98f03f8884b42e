// Every committed dump under testdata/dumps was printed by a real Go program
// that also wrote down what it had started (<capture>.expected.json). The
// parser must find exactly that: the goroutine total, and for each kind of
// goroutine its count, state, creator, wait minutes, leak and durable markers
// and labels.
#include <gtest/gtest.h>

#include <set>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::OwnedGoroutine;
using testing::Parsed;

fs::path DumpsDir() { return testing::SourceDir() / "testdata" / "dumps"; }

std::vector<std::string> ListDumps() {
  std::vector<std::string> dumps;
  if (!fs::exists(DumpsDir())) return dumps;
  for (const auto& entry : fs::recursive_directory_iterator(DumpsDir())) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".expected.json")) {
      fs::path dump = testing::DumpOf(entry.path());
      // A snapshot series' own file lists its snapshots, each with its own
      // expected.json; the diff tests check the series as a whole.
      if (!fs::exists(dump) && json::parse(testing::ReadFile(entry.path())).contains("snapshots")) {
        continue;
      }
      dumps.push_back(fs::relative(dump, DumpsDir()).string());
    }
  }
  std::sort(dumps.begin(), dumps.end());
  return dumps;
}

bool IsSystemGoroutine(const OwnedGoroutine& g) {
  // The runtime starts its own goroutines from runtime.* functions; they are
  // printed only at traceback level 2 and never counted by NumGoroutine.
  return g.has_created_by && g.created_by.func.starts_with("runtime.");
}

// The panic chain, fatal error, test and crashed goroutine the program
// reported (its "producer" object); a dump without one has none of them.
void CheckProducer(const ProducerDetail& got, const json& expected) {
  // The crash zoo's programs do not write what their lines say yet: for
  // them only the parsing is checked here (the panics are checked by the
  // dump parser's own tests).
  static const std::set<std::string> kNoProducerFacts = {"crashes", "zoo", "cgo", "synctest"};
  if (!expected.contains("producer") && kNoProducerFacts.contains(expected.value("program", "")))
    return;
  json producer = expected.value("producer", json::object());
  std::vector<std::string> values = producer.value("panic_values", std::vector<std::string>{});
  if (values.empty() && producer.contains("test_timeout_seconds")) {
    // The testing package's panic; its value ends with the running time.
    values = {"test timed out after "};
  }
  ASSERT_EQ(got.panics.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    // A value ending in a space is the start of what Go prints (a struct's
    // type before its address); the others are the whole value.
    if (values[i].ends_with(' ')) {
      EXPECT_TRUE(got.panics[i].value.starts_with(values[i])) << got.panics[i].value;
    } else {
      EXPECT_EQ(got.panics[i].value, values[i]);
    }
  }
  EXPECT_EQ(got.panic_recovered(), producer.value("panic_recovered", false));
  EXPECT_EQ(got.fatal_error, producer.value("fatal_error", ""));
  EXPECT_EQ(got.test_name, producer.value("test_name", ""));
  if (producer.contains("test_timeout_seconds")) {
    EXPECT_TRUE(got.has_test_timeout_seconds);
    EXPECT_EQ(got.test_timeout_seconds, producer["test_timeout_seconds"].get<double>());
  } else {
    EXPECT_FALSE(got.has_test_timeout_seconds);
  }
  // A test timeout's crashed goroutine is the testing alarm, whose id the
  // test cannot know; every other dump names the one it expects, or none.
  if (!producer.contains("test_timeout_seconds")) {
    EXPECT_EQ(got.has_crashed_goroutine, producer.contains("crashed_goroutine"));
    EXPECT_EQ(got.crashed_goroutine, producer.value("crashed_goroutine", uint64_t{0}));
  }
}

// Checks a parsed dump against what its program reported.
void CheckAgainstExpected(const fs::path& dump, const fs::path& expected_path) {
  SCOPED_TRACE(dump.string());
  ASSERT_TRUE(fs::exists(dump));
  json expected = json::parse(testing::ReadFile(expected_path));
  Parsed parsed = testing::ParseFile(dump);
  // Count profiles, debug=1 text or pprof protobuf, print no states and no
  // `created by`.
  const bool pprof = expected.at("format") == "pprof";
  const bool debug1 = expected.at("format") == "debug1" || pprof;
  if (expected.at("goroutines") == 0 && !debug1) {
    // A crash that prints no goroutine (main called runtime.Goexit): no
    // traceback to tell a format by.
    EXPECT_EQ(parsed.summary.format, DumpFormat::kUnknown);
  } else {
    EXPECT_EQ(parsed.summary.format, pprof    ? DumpFormat::kPprofProto
                                     : debug1 ? DumpFormat::kCountProfile
                                              : DumpFormat::kTraceback);
  }
  EXPECT_FALSE(parsed.summary.truncated);

  const bool system_included = expected.value("system_goroutines_included", false);
  uint64_t total = 0;
  for (const auto& g : parsed.records) {
    if (system_included && IsSystemGoroutine(g)) continue;
    total += g.flags.count;
  }
  EXPECT_EQ(total, expected.at("goroutines").get<uint64_t>());

  for (const json& kind : expected.at("kinds")) {
    std::string func = kind.at("func");
    SCOPED_TRACE(kind.at("name").get<std::string>() + " / " + func);
    uint64_t count = 0;
    for (const auto& g : parsed.records) {
      if (!g.HasFrame(func)) continue;
      count += g.flags.count;
      std::string state = kind.value("state", "");
      if (!debug1 && !state.empty()) {
        EXPECT_EQ(g.state, state);
      }
      std::string created_by = kind.value("created_by", "");
      if (!debug1 && !created_by.empty()) {
        EXPECT_EQ(g.created_by.func, created_by);
      }
      EXPECT_GE(g.flags.wait_minutes, kind.value("min_wait_minutes", 0u));
      if (!debug1 || pprof) {
        EXPECT_EQ(g.flags.leaked, kind.value("leaked", false));
        EXPECT_EQ(g.flags.durable, kind.value("durable", false));
      }
      if (kind.contains("labels") && kind["labels"].is_object()) {
        for (const auto& [key, value] : kind["labels"].items()) {
          auto it = g.labels.find(key);
          ASSERT_NE(it, g.labels.end()) << "label " << key;
          EXPECT_EQ(it->second, value.get<std::string>());
        }
      }
    }
    EXPECT_EQ(count, kind.at("count").get<uint64_t>());
  }
  CheckProducer(parsed.summary.detail, expected);
}

class CommittedDump : public ::testing::TestWithParam<std::string> {};

TEST_P(CommittedDump, ParsesToWhatItsProgramStarted) {
  fs::path dump = DumpsDir() / GetParam();
  fs::path expected = testing::ExpectedOf(dump);
  CheckAgainstExpected(dump, expected);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CommittedDump, ::testing::ValuesIn(ListDumps()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CommittedDump);

TEST(CommittedDumps, EveryGoGenerationIsCommitted) {
  std::vector<std::string> dumps = ListDumps();
  auto count = [&](const std::string& prefix) {
    return std::count_if(dumps.begin(), dumps.end(),
                         [&](const std::string& d) { return d.starts_with(prefix); });
  };
  EXPECT_GE(count("go1.26/"), 90);
  EXPECT_GE(count("go1.19/"), 75);
  EXPECT_GE(count("go1.27/"), 90);
}

bool HaveGo() { return std::system("command -v go >/dev/null 2>&1") == 0; }

TEST(LiveGo, RegeneratedDumpParsesToWhatItsProgramStarted) {
  if (!HaveGo()) {
    GTEST_SKIP() << "\n\n*** SKIPPED: no Go toolchain on PATH; this test builds and runs a real "
                    "Go program and parses its dump. Install Go to run it. ***\n";
  }
  fs::path out = testing::TempDir();
  std::string command = testing::ShellQuoted(testing::SourceDir() / "testdata" / "regen");
  command.append(" --only chansend:http_debug2 --out ").append(testing::ShellQuoted(out));
  testing::CommandResult result = testing::RunShell(command);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<fs::path> dumps;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.path().filename() == "http_debug2.txt") dumps.push_back(entry.path());
  }
  ASSERT_EQ(dumps.size(), 1u) << result.out << result.err;
  fs::path expected = dumps[0];
  expected.replace_filename("http_debug2.expected.json");
  CheckAgainstExpected(dumps[0], expected);
  fs::remove_all(out);
}

}  // namespace
}  // namespace gleak
