// `gleak analyze` on the committed real dumps: groups equal what the programs
// created, counts add up, JSON validates against the schema, ids are stable,
// filters and exit codes do what they say.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "classify/rules.h"
#include "cluster/clusterer.h"
#include "input/byte_source.h"
#include "parse/parse_source.h"
#include "pipeline/analyze.h"
#include "pipeline/parallel_input.h"
#include "render/json_report.h"
#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::Dumps;

// Every committed dump.
std::vector<fs::path> AllDumps() { return testing::CommittedDumps(); }

using testing::AnalyzeToJson;

json ExpectedOrNull(const fs::path& dump) {
  fs::path e = dump;
  e.replace_filename(dump.stem().string() + ".expected.json");
  return fs::exists(e) ? json::parse(testing::ReadFile(e)) : json();
}

uint64_t GroupSum(const json& report) {
  uint64_t sum = 0;
  for (const json& g : report["groups"]) sum += g["count"].get<uint64_t>();
  return sum;
}

bool HasFrame(const json& group, const std::string& func) {
  for (const json& f : group["frames"]) {
    if (f["func"] == func) return true;
  }
  return false;
}

TEST(Analyze, CountsAddUpAndJsonValidatesOnEveryDump) {
  fs::path dir = testing::TempDir();
  std::vector<fs::path> dumps = AllDumps();
  ASSERT_GT(dumps.size(), 80u);
  std::string files;
  for (size_t i = 0; i < dumps.size(); ++i) {
    SCOPED_TRACE(dumps[i].string());
    json report = AnalyzeToJson({dumps[i].string()});
    const json& t = report["totals"];
    EXPECT_EQ(GroupSum(report), t["shown_goroutines"].get<uint64_t>());
    EXPECT_EQ(t["shown_goroutines"].get<uint64_t>() + t["hidden_goroutines"].get<uint64_t>() +
                  t["ignored_goroutines"].get<uint64_t>(),
              t["goroutines"].get<uint64_t>());
    EXPECT_EQ(t["goroutines"], report["inputs"][0]["goroutines"]);
    for (const json& g : report["groups"]) {
      EXPECT_FALSE(g["finding"]["pattern"].get<std::string>().empty());
    }
    fs::path out = dir / fmt::format("{}.json", i);
    std::ofstream(out) << report.dump();
    files.append(" ").append(testing::ShellQuoted(out));
  }
  std::string command = testing::ShellQuoted(testing::SourceDir() / "tests/tools/validate-json");
  command.append(" ")
      .append(testing::ShellQuoted(testing::SourceDir() / "docs/schema/report-v1.json"))
      .append(files);
  auto result = testing::RunShell(command);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(fmt::format("{} documents checked, 0 errors", dumps.size())),
            std::string::npos)
      << result.out << result.err;
  fs::remove_all(dir);
}

TEST(Analyze, GroupsEqualWhatTheProgramsCreated) {
  int kinds_checked = 0;
  for (const fs::path& dump : AllDumps()) {
    json expected = ExpectedOrNull(dump);
    if (expected.is_null() || expected["format"] != "traceback") continue;
    SCOPED_TRACE(dump.string());
    json report = AnalyzeToJson({dump.string()});
    for (const json& kind : expected["kinds"]) {
      std::string func = kind["func"];
      uint64_t in_groups = 0;
      std::set<std::string> ids;
      for (const json& g : report["groups"]) {
        if (HasFrame(g, func)) {
          in_groups += g["count"].get<uint64_t>();
          ids.insert(g["id"].get<std::string>());
        }
      }
      EXPECT_EQ(in_groups, kind["count"].get<uint64_t>()) << func;
      // Goroutines parked at one site by one creator make one group.
      if (kind["count"].get<uint64_t>() >= 5) {
        EXPECT_EQ(ids.size(), 1u) << func;
      }
      ++kinds_checked;
    }
  }
  EXPECT_GT(kinds_checked, 200);
}

TEST(Analyze, HealthyProgramHasNoLargeGroupsAndNoSuspects) {
  for (const char* version : {"go1.19", "go1.26"}) {
    fs::path dump = Dumps() / version / "healthy" / "http_debug2.txt";
    ASSERT_TRUE(fs::exists(dump)) << dump;
    json report = AnalyzeToJson({dump.string()});
    EXPECT_EQ(report["totals"]["suspect_groups"], 0) << version;
    for (const json& g : report["groups"]) EXPECT_LT(g["count"].get<uint64_t>(), 10u) << version;
  }
}

TEST(Analyze, FuncLevelIdsAreStableAcrossGoVersions) {
  int compared = 0;
  for (const auto& program : fs::directory_iterator(Dumps() / "go1.26")) {
    fs::path d26 = program.path() / "http_debug2.txt";
    fs::path d19 = Dumps() / "go1.19" / program.path().filename() / "http_debug2.txt";
    if (!fs::exists(d26) || !fs::exists(d19)) continue;
    SCOPED_TRACE(program.path().filename().string());
    AnalyzeOptions options;
    options.cluster.level = GroupingLevel::kFunc;
    json r26 = AnalyzeToJson({d26.string()}, options);
    json r19 = AnalyzeToJson({d19.string()}, options);
    json expected = ExpectedOrNull(d26);
    for (const json& kind : expected["kinds"]) {
      std::string func = kind["func"];
      if (!func.starts_with("main.")) continue;  // the fixture harness's own goroutines differ
      auto id_of = [&](const json& report) {
        for (const json& g : report["groups"]) {
          if (HasFrame(g, func)) return g["id"].get<std::string>();
        }
        return std::string();
      };
      std::string id26 = id_of(r26), id19 = id_of(r19);
      if (id19.empty()) continue;  // a kind only one version can show
      EXPECT_EQ(id26, id19) << func << " in " << program.path().filename();
      ++compared;
    }
  }
  EXPECT_GT(compared, 20);
}

TEST(Analyze, HttpServeFixtureShowsThePileUpFirst) {
  json report = AnalyzeToJson({(Dumps() / "go1.26/httpserve/http_debug2.txt").string()});
  ASSERT_FALSE(report["groups"].empty());
  const json& first = report["groups"][0];
  EXPECT_EQ(first["finding"]["pattern"], "http-serve");
  EXPECT_TRUE(HasFrame(first, "net/http.(*conn).serve") ||
              HasFrame(first, "net/http.(*persistConn).readLoop") ||
              HasFrame(first, "net/http.(*persistConn).writeLoop"));
}

TEST(Analyze, MergeFoldsAFleetIntoOneSetOfGroups) {
  std::string a = (Dumps() / "go1.26/chansend/http_debug2.txt").string();
  std::string b = (Dumps() / "go1.26/chansend/http_debug2_trimpath.txt").string();
  AnalyzeOptions merge;
  merge.cluster.per_input = false;
  merge.cluster.level = GroupingLevel::kFunc;
  json merged = AnalyzeToJson({a, a}, merge);
  json single = AnalyzeToJson({a}, merge);
  EXPECT_EQ(merged["groups"].size(), single["groups"].size());
  EXPECT_EQ(merged["groups"][0]["count"].get<uint64_t>(),
            2 * single["groups"][0]["count"].get<uint64_t>());
  EXPECT_EQ(merged["groups"][0]["inputs"].size(), 2u);
  // A -trimpath build of the same code prints other paths; at func level it still merges.
  json mixed = AnalyzeToJson({a, b}, merge);
  EXPECT_EQ(mixed["groups"][0]["inputs"].size(), 2u);
}

TEST(Analyze, ParallelMergeEqualsOneClustererOverAllInputs) {
  std::vector<std::string> inputs;
  for (const char* program : {"chansend", "timer", "context", "waitgroup"}) {
    inputs.push_back((Dumps() / "go1.26" / program / "http_debug2.txt").string());
  }
  inputs.push_back((Dumps() / "go1.26/chansend/http_debug2.txt").string());
  ClusterOptions merged;
  merged.per_input = false;
  Clusterer one(merged);
  for (size_t i = 0; i < inputs.size(); ++i) {
    one.set_input(i);
    auto source = OpenInput(inputs[i]);
    ParseSource(*source, one);
  }
  std::map<std::string, std::pair<uint64_t, size_t>> expected;
  for (const Group& g : one.BuildGroups()) expected[g.id] = {g.count, g.inputs.size()};
  AnalyzeOptions options;
  options.cluster.per_input = false;
  json report = AnalyzeToJson(inputs, options);
  std::map<std::string, std::pair<uint64_t, size_t>> got;
  for (const json& g : report["groups"]) got[g["id"]] = {g["count"], g["inputs"].size()};
  EXPECT_EQ(got, expected);
}

// The CLI, end to end.
using testing::Quote;

TEST(AnalyzeCli, FiltersAndIgnoresDoWhatTheySay) {
  fs::path dump = Dumps() / "go1.26/chansend/http_debug2.txt";
  auto all = json::parse(testing::RunGleak("analyze --format json " + Quote(dump)).out);
  auto filtered = json::parse(
      testing::RunGleak("analyze --format json --filter 'main\\.sendForever' " + Quote(dump)).out);
  ASSERT_EQ(filtered["groups"].size(), 1u);
  EXPECT_EQ(filtered["groups"][0]["count"], 100);
  EXPECT_EQ(filtered["totals"]["ignored_goroutines"],
            all["totals"]["goroutines"].get<uint64_t>() - 100);

  auto excluded = json::parse(
      testing::RunGleak("analyze --format json --exclude 'chansend/main\\.go' " + Quote(dump)).out);
  for (const json& g : excluded["groups"]) EXPECT_FALSE(HasFrame(g, "main.sendForever"));

  auto ignored = json::parse(
      testing::RunGleak("analyze --format json --ignore main.sendForever " + Quote(dump)).out);
  EXPECT_EQ(ignored["totals"]["ignored_goroutines"], 100);

  auto top = json::parse(testing::RunGleak("analyze --format json --top 2 " + Quote(dump)).out);
  EXPECT_EQ(top["groups"].size(), 2u);
  EXPECT_EQ(top["totals"]["hidden_groups"].get<uint64_t>() + 2,
            all["totals"]["groups"].get<uint64_t>());

  auto min =
      json::parse(testing::RunGleak("analyze --format json --min-count 50 " + Quote(dump)).out);
  for (const json& g : min["groups"]) EXPECT_GE(g["count"].get<uint64_t>(), 50u);

  auto bad = testing::RunGleak("analyze --filter '(' " + Quote(dump));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--filter: invalid regular expression '('"), std::string::npos) << bad.err;
}

// The dump's producer judges before any threshold: the runtime's leak profile
// and deadlock detector prove, goleak and a hung test accuse, each group of a
// few goroutines that a count would never flag; the CI gate fires on them.
TEST(AnalyzeCli, ProducersVerdictsMakeSuspectsAndGateCi) {
  struct Case {
    const char* dump;
    const char* signal;
    const char* verdict;
  };
  for (const Case& c : {Case{"go1.26/chansend/leak_debug1.txt", "proof", "leak detector proved"},
                        Case{"go1.26/deadlock/deadlock.txt", "proof", "all goroutines are asleep"},
                        Case{"go1.26/goleak/goleak.txt", "producer", "goleak found"},
                        Case{"go1.26/testtimeout/test_timeout.txt", "producer", "a test hung"}}) {
    fs::path dump = Dumps() / c.dump;
    auto r = testing::RunGleak("analyze --format json --fail-on any " + Quote(dump));
    EXPECT_EQ(r.exit_code, 1) << c.dump << r.err;
    json report = json::parse(r.out);
    EXPECT_NE(report["inputs"][0]["verdict"].get<std::string>().find(c.verdict), std::string::npos)
        << c.dump;
    size_t suspects = 0;
    for (const json& g : report["groups"]) {
      if (!g["finding"]["suspect"].get<bool>()) continue;
      ++suspects;
      EXPECT_EQ(g["finding"]["suspect_signal"], c.signal) << c.dump;
      EXPECT_EQ(g["finding"]["proven"].get<bool>(), std::string(c.signal) == "proof") << c.dump;
    }
    EXPECT_GE(suspects, 2u) << c.dump;
    auto text = testing::RunGleak("analyze " + Quote(dump));
    EXPECT_NE(text.out.find(c.verdict), std::string::npos) << c.dump;
  }
}

// Source without flags: a -trimpath dump's standard-library frames are read
// from the local Go installation, but only when its lines lie in the frames'
// functions: Go 1.19's files are refused for a Go 1.26 dump, and said so.
TEST(AnalyzeCli, SourceFromGorootOnlyWhenTheLinesFit) {
  fs::path dump = Dumps() / "go1.26/chansend/http_debug2_trimpath.txt";
  auto goroot_of = [](const std::string& go) {
    auto r = testing::RunShell("GOTOOLCHAIN=local '" + go + "' env GOROOT 2>/dev/null");
    std::string out = r.out.substr(0, r.out.find('\n'));
    return r.exit_code == 0 ? out : std::string();
  };
  std::string go126 = goroot_of("go"), go119 = goroot_of("/usr/lib/go-1.19/bin/go");
  if (go126.empty() || go119.empty() || go126 == go119) {
    GTEST_SKIP() << "\n\n*** SKIPPED: needs Go 1.26 (go) and Go 1.19 (golang-1.19-go) ***\n";
  }
  auto backgroundRead = [&](const std::string& env) {
    json report =
        json::parse(testing::RunShell(env + " GLEAK_NO_SOURCE= '" + std::string(GLEAK_BINARY) +
                                      "' analyze --format json " + Quote(dump))
                        .out);
    for (const json& g : report["groups"]) {
      if (g["top_frame"]["func"] == "net/http.(*connReader).backgroundRead") return g["finding"];
    }
    return json();
  };
  json fits = backgroundRead("GOROOT='" + go126 + "'");
  ASSERT_FALSE(fits.is_null());
  ASSERT_EQ(fits["source"].size(), 2u) << fits.dump();
  EXPECT_EQ(fits["source"][0]["origin"], "GOROOT");
  EXPECT_EQ(fits["source"][0]["line"], 702);
  json other_version = backgroundRead("GOROOT='" + go119 + "'");
  // Line 698 of Go 1.19's server.go is in another function: the go statement
  // is not quoted (line 702 happens to fall inside backgroundRead there too).
  for (const json& snippet : other_version["source"]) EXPECT_NE(snippet["line"], 698);
  EXPECT_NE(other_version.dump().find("source ignored"), std::string::npos) << other_version.dump();
  auto off = testing::RunShell("GOROOT='" + go126 + "' '" + std::string(GLEAK_BINARY) +
                               "' analyze --no-source --format json " + Quote(dump));
  EXPECT_EQ(off.out.find("\"GOROOT\""), std::string::npos);
}

json GroupWithFrame(const json& report, const std::string& func) {
  for (const json& g : report["groups"]) {
    if (HasFrame(g, func)) return g;
  }
  return json();
}

// A pprof protobuf stack keeps the runtime frames a goroutine parked in
// (runtime.chansend1, chanrecv1, selectgo, block), which debug=1 hides: from
// them gleak tells the wait a traceback would have printed, without source.
TEST(Analyze, PprofRuntimeFramesTellChannelWaits) {
  for (const char* version : {"go1.19", "go1.26", "go1.27"}) {
    json chansend = AnalyzeToJson({(Dumps() / version / "chansend/http_proto.pb.gz").string()});
    json sender = GroupWithFrame(chansend, "main.sendForever");
    ASSERT_FALSE(sender.is_null()) << version;
    EXPECT_EQ(sender["state"], "chan send") << version;
    EXPECT_EQ(sender["finding"]["pattern"], "chan-send") << version;
    EXPECT_EQ(GroupWithFrame(chansend, "main.consumer")["state"], "chan receive") << version;

    json selects = AnalyzeToJson({(Dumps() / version / "selectforever/http_proto.pb.gz").string()});
    json relay = GroupWithFrame(selects, "main.relay");
    EXPECT_EQ(relay["state"], "select") << version;
    json plugin = GroupWithFrame(selects, "main.(*plugin).Run");
    EXPECT_EQ(plugin["state"], "select (no cases)") << version;
    EXPECT_EQ(plugin["finding"]["suspect_signal"], "certain") << version;

    // debug=1 of the same program hides them: no state.
    json debug1 = AnalyzeToJson({(Dumps() / version / "selectforever/http_debug1.txt").string()});
    EXPECT_EQ(GroupWithFrame(debug1, "main.(*plugin).Run")["state"], "") << version;
  }
}

// In debug=1 a `select {}` is told by its source line, and is as certain a
// leak as the state `select (no cases)` of a traceback.
TEST(Analyze, SelectWithNoCasesInSourceIsCertainInDebug1) {
  AnalyzeOptions with_source;
  with_source.source_root = (testing::SourceDir() / "testdata" / "programs").string();
  for (const char* version : {"go1.19", "go1.26", "go1.27"}) {
    std::string dump = (Dumps() / version / "selectforever/http_debug1.txt").string();
    json plugin = GroupWithFrame(AnalyzeToJson({dump}, with_source), "main.(*plugin).Run");
    ASSERT_FALSE(plugin.is_null()) << version;
    EXPECT_EQ(plugin["finding"]["pattern"], "select-forever") << version;
    EXPECT_EQ(plugin["finding"]["suspect_signal"], "certain") << version;
    json main_goroutine = GroupWithFrame(AnalyzeToJson({dump}, with_source), "main.main");
    EXPECT_FALSE(main_goroutine["finding"]["suspect"].get<bool>()) << version;
    json stack_only = GroupWithFrame(AnalyzeToJson({dump}), "main.(*plugin).Run");
    EXPECT_FALSE(stack_only["finding"]["suspect"].get<bool>()) << version;
  }
}

// "goroutineleak profile: total 0" is the runtime's clean answer, not an
// input without goroutines: exit 0 and say so, also under a CI gate.
TEST(AnalyzeCli, AnEmptyLeakProfileIsTheCleanAnswer) {
  for (const char* version : {"go1.26", "go1.27"}) {
    fs::path dump = Dumps() / version / "leakclean/leak_debug1.txt";
    auto r = testing::RunGleak("analyze --fail-on any " + Quote(dump));
    EXPECT_EQ(r.exit_code, 0) << version << r.err;
    EXPECT_NE(r.out.find("found no leaked goroutines"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("no goroutines found"), std::string::npos) << r.err;
    json report = json::parse(testing::RunGleak("analyze --format json " + Quote(dump)).out);
    EXPECT_EQ(report["inputs"][0]["goroutines"], 0);
    EXPECT_EQ(report["inputs"][0]["producer"], "goroutineleak-profile");
  }
}

// "fatal error: no goroutines (main called runtime.Goexit) - deadlock!" is
// all Go prints of that crash: an answer with no goroutine (none leaked), not
// an input gleak could not read.
TEST(AnalyzeCli, AGoexitDeadlockIsAnAnswerWithoutGoroutines) {
  for (const char* version : {"go1.19", "go1.26", "go1.27"}) {
    fs::path dump = Dumps() / version / "crashes/goexit_deadlock.txt";
    auto r = testing::RunGleak("analyze --fail-on any " + Quote(dump));
    EXPECT_EQ(r.exit_code, 0) << version << r.err;
    EXPECT_TRUE(testing::Has(r.out, "main called runtime.Goexit and no goroutine was left"))
        << r.out;
    EXPECT_FALSE(testing::Has(r.err, "no goroutines found")) << r.err;
    json report = json::parse(testing::RunGleak("analyze --format json " + Quote(dump)).out);
    EXPECT_EQ(report["inputs"][0]["goroutines"], 0);
    EXPECT_EQ(report["inputs"][0]["producer"], "fatal-error");
    EXPECT_EQ(report["inputs"][0]["fatal_error"],
              "no goroutines (main called runtime.Goexit) - deadlock!");
  }
  // A file of anything else without goroutines is still no dump (exit 3).
  fs::path other = testing::TempDir() / "notes.txt";
  std::ofstream(other) << "fatal error: concurrent map writes\n";
  EXPECT_EQ(testing::RunGleak("analyze " + Quote(other)).exit_code, 3);
}

TEST(AnalyzeCli, FailOnGatesTheExitCode) {
  fs::path leaky = Dumps() / "go1.26/chansend/http_debug2.txt";
  fs::path healthy = Dumps() / "go1.26/healthy/http_debug2.txt";
  EXPECT_EQ(testing::RunGleak("analyze --fail-on chan-send " + Quote(leaky)).exit_code, 1);
  EXPECT_EQ(testing::RunGleak("analyze --fail-on any " + Quote(leaky)).exit_code, 1);
  EXPECT_EQ(testing::RunGleak("analyze --fail-on waitgroup,mutex " + Quote(leaky)).exit_code, 0);
  EXPECT_EQ(testing::RunGleak("analyze " + Quote(leaky)).exit_code, 0);
  EXPECT_EQ(testing::RunGleak("analyze --fail-on any " + Quote(healthy)).exit_code, 0);
  auto unknown = testing::RunGleak("analyze --fail-on chan-sned " + Quote(leaky));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown pattern 'chan-sned'"), std::string::npos) << unknown.err;
  // Raising the threshold above the group size clears the gate.
  EXPECT_EQ(testing::RunGleak("analyze --fail-on chan-send --suspect-count 1000 " + Quote(leaky))
                .exit_code,
            0);
}

TEST(AnalyzeCli, ColourOnlyWhenAskedAndNeverWithNoColor) {
  fs::path dump = Dumps() / "go1.26/chansend/http_debug2.txt";
  EXPECT_EQ(testing::RunGleak("analyze " + Quote(dump)).out.find('\x1b'), std::string::npos);
  EXPECT_NE(testing::RunGleak("analyze --color always " + Quote(dump)).out.find("\x1b["),
            std::string::npos);
  auto no_color =
      testing::RunShell("NO_COLOR=1 '" + std::string(GLEAK_BINARY) + "' analyze " + Quote(dump));
  EXPECT_EQ(no_color.out.find('\x1b'), std::string::npos);
}

TEST(AnalyzeCli, InputErrorsExitThreeButStillReportTheRest) {
  fs::path dump = Dumps() / "go1.26/chansend/http_debug2.txt";
  auto r = testing::RunGleak("analyze --format json /nonexistent.txt " + Quote(dump));
  EXPECT_EQ(r.exit_code, 3);
  auto report = json::parse(r.out);
  EXPECT_EQ(report["inputs"][0]["error"],
            "/nonexistent.txt: cannot open: No such file or directory");
  EXPECT_GT(report["inputs"][1]["goroutines"].get<uint64_t>(), 100u);
  EXPECT_NE(r.err.find("/nonexistent.txt: cannot open"), std::string::npos);
}

// Golden text reports: what a person reads, pinned. GLEAK_UPDATE_GOLDEN=1 rewrites them.
void CheckGolden(const fs::path& dir, const std::string& file, const std::string& args,
                 const std::string& golden_name) {
  auto r = testing::RunShell("cd '" + dir.string() + "' && '" + GLEAK_BINARY + "' analyze " + args +
                             " " + file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path golden = testing::SourceDir() / "testdata" / "golden" / golden_name;
  if (std::getenv("GLEAK_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary) << r.out;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " (run with GLEAK_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(r.out, testing::ReadFile(golden)) << "golden " << golden_name;
}

TEST(AnalyzeGolden, ZooGo119) {
  CheckGolden(Dumps() / "go1.19/zoo", "http_debug2.txt", "--top 0", "zoo_go1.19.txt");
}

TEST(AnalyzeGolden, CountProfileWithLabels) {
  CheckGolden(Dumps() / "go1.19/labels", "http_debug1.txt", "--top 0", "labels_debug1_go1.19.txt");
}

TEST(AnalyzeGolden, CrashDumpWithSystemGoroutines) {
  CheckGolden(Dumps() / "go1.19/zoo", "crash.txt", "--top 0 --full", "zoo_crash_go1.19.txt");
}

// A file read in byte ranges on several threads gives the very report that
// one thread reading it whole gives: every count, id, sample, creator, label
// set, warning (and its line number) and input figure.
AnalyzeOptions SplitInto(size_t threads, uint64_t min_split_bytes = 1) {
  AnalyzeOptions options;
  options.threads = threads;
  options.min_split_bytes = min_split_bytes;
  options.max_split_threads = threads;  // as many as asked, past the machine's cores too
  return options;
}

TEST(ParallelRead, SameReportAsOneThreadOnEveryDump) {
  std::vector<fs::path> dumps = AllDumps();
  ASSERT_GT(dumps.size(), 80u);
  size_t split = 0;
  for (const fs::path& dump : dumps) {
    SCOPED_TRACE(dump.string());
    json whole = AnalyzeToJson({dump.string()}, SplitInto(1));
    for (size_t threads : {2, 3, 16}) {
      SCOPED_TRACE(threads);
      EXPECT_EQ(AnalyzeToJson({dump.string()}, SplitInto(threads)), whole);
    }
    ClusteredInput parts;
    if (ClusterFileInParts(dump.string(), SplitPolicy{16, 1}, ClusterOptions{}, 0, ParseLimits{},
                           &parts)) {
      ++split;
    }
  }
  // Nearly every dump has blank lines to cut at (one-goroutine dumps may not).
  EXPECT_GT(split, dumps.size() * 9 / 10);
}

// What a read of one input gave, as text to compare.
std::string Describe(const ClusteredInput& read) {
  json j;
  const ParseSummary& s = read.summary;
  j["summary"] = {s.records,
                  s.goroutines,
                  s.bytes,
                  s.lines,
                  s.noise_lines,
                  s.duplicate_goroutines,
                  s.truncated,
                  s.warnings_dropped,
                  static_cast<int>(s.format),
                  static_cast<int>(s.producer),
                  s.profile_total};
  for (const Diagnostic& w : s.warnings) j["warnings"].push_back({w.line, w.message});
  j["totals"] = {read.goroutines, read.ignored};
  for (const Group& g : read.groups) {
    json labels;
    for (const LabelSet& set : g.label_sets) labels.push_back({set.labels, set.count});
    json creators;
    for (const Creator& c : g.creators) creators.push_back({c.frame.func, c.frame.line, c.count});
    j["groups"].push_back({g.id, g.count, g.sample_ids, g.creator_ids, labels, creators,
                           g.min_wait_minutes, g.max_wait_minutes, g.truncated});
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A range that begins in another context than the default (after the
// "-----" of a crash dump's thread sections, behind a log prefix) is read
// again from the right one. Cut dumps that have such places at every blank
// line, one cut at a time.
TEST(ParallelRead, SameRecordsWhereverADumpIsCut) {
  size_t dumps_checked = 0;
  size_t cuts_checked = 0;
  std::vector<fs::path> dumps = AllDumps();
  // The hostile inputs: warnings with line numbers, noise, cut records.
  for (const auto& e : fs::directory_iterator(testing::SourceDir() / "testdata" / "bad")) {
    if (e.path().extension() == ".txt") dumps.push_back(e.path());
  }
  for (const fs::path& dump : dumps) {
    std::string text = testing::ReadFile(dump);
    bool has_context = text.find("\n-----\n") != std::string::npos ||
                       text.find("\n    goroutine ") != std::string::npos ||
                       dump.parent_path().filename() == "bad";
    if (!has_context) continue;
    SCOPED_TRACE(dump.string());
    auto source = OpenInput(dump.string());
    Clusterer clusterer(ClusterOptions{});
    std::string whole =
        Describe(ClusterSource(*source, clusterer, nullptr, nullptr, ParseLimits{}));
    for (size_t at = text.find("\n\n"); at != std::string::npos; at = text.find("\n\n", at + 1)) {
      std::vector<uint64_t> cuts{0, at + 2, text.size()};
      ASSERT_EQ(
          Describe(ClusterFileRanges(dump.string(), cuts, ClusterOptions{}, 0, ParseLimits{})),
          whole)
          << "cut at byte " << at + 2;
      ++cuts_checked;
    }
    ++dumps_checked;
  }
  EXPECT_GE(dumps_checked, 15u);
  EXPECT_GT(cuts_checked, 100u);
}

// Past --max-groups each range would pick its own overflow: such an input is
// read again whole, so the overflow group holds what one read puts there.
TEST(ParallelRead, PastTheGroupCapTheReportIsStillThatOfOneRead) {
  size_t capped = 0;
  for (const fs::path& dump : AllDumps()) {
    SCOPED_TRACE(dump.string());
    AnalyzeOptions one = SplitInto(1);
    one.cluster.max_groups = 3;
    json whole = AnalyzeToJson({dump.string()}, one);
    // In chunks on two threads, in ranges on five (under the heap budget).
    for (size_t threads : {2, 5}) {
      AnalyzeOptions many = SplitInto(threads);
      many.cluster.max_groups = 3;
      EXPECT_EQ(AnalyzeToJson({dump.string()}, many), whole) << threads << " threads";
    }
    if (whole["totals"].value("overflow_goroutines", 0) > 0) ++capped;
  }
  EXPECT_GT(capped, 50u);
}

TEST(ParallelRead, SameReportAtEveryGroupingLevelAndWhenMerged) {
  // Every third committed dump (still every Go version, format and producer;
  // CommittedDumps already skips as many under the sanitizers): each input is
  // cut in two, so the whole corpus would start a thousand threads per level
  // for little more coverage.
  std::vector<fs::path> dumps = AllDumps();
  std::vector<std::string> inputs;
  for (size_t i = 0; i < dumps.size(); i += 3 / testing::kCommittedDumpStride) {
    inputs.push_back(dumps[i].string());
  }
  ASSERT_GT(inputs.size(), 100u);
  for (GroupingLevel level :
       {GroupingLevel::kExact, GroupingLevel::kLine, GroupingLevel::kFunc, GroupingLevel::kTop}) {
    SCOPED_TRACE(std::string(GroupingLevelName(level)));
    AnalyzeOptions one = SplitInto(1);
    one.cluster.level = level;
    one.cluster.per_input = false;
    AnalyzeOptions many = SplitInto(2 * inputs.size());
    many.cluster.level = level;
    many.cluster.per_input = false;
    EXPECT_EQ(AnalyzeToJson(inputs, many), AnalyzeToJson(inputs, one));
  }
}

TEST(ParallelRead, GzipAndStdinAreNotCutIntoRanges) {
  fs::path dump = Dumps() / "go1.26" / "chansend" / "http_debug2.txt";
  ClusteredInput parts;
  EXPECT_TRUE(ClusterFileInParts(dump.string(), SplitPolicy{4, 1}, ClusterOptions{}, 0,
                                 ParseLimits{}, &parts));
  EXPECT_FALSE(ClusterFileInParts(dump.string(), SplitPolicy{4, uint64_t{1} << 30},
                                  ClusterOptions{}, 0, ParseLimits{}, &parts))
      << "a file smaller than two ranges of the minimum is read whole";
  fs::path dir = testing::TempDir();
  fs::path gz = dir / "dump.txt.gz";
  ASSERT_EQ(testing::RunShell("gzip -c '" + dump.string() + "' > '" + gz.string() + "'").exit_code,
            0);
  EXPECT_FALSE(ClusterFileInParts(gz.string(), SplitPolicy{4, 1}, ClusterOptions{}, 0,
                                  ParseLimits{}, &parts));
  EXPECT_FALSE(
      ClusterFileInParts("-", SplitPolicy{4, 1}, ClusterOptions{}, 0, ParseLimits{}, &parts));
  EXPECT_EQ(AnalyzeToJson({gz.string()}, SplitInto(4))["groups"],
            AnalyzeToJson({dump.string()}, SplitInto(4))["groups"]);
  // On several threads a gzip file is inflated on one while the others parse
  // its chunks: the same report, raw and inflated byte counts included.
  EXPECT_EQ(AnalyzeToJson({gz.string()}, SplitInto(4)), AnalyzeToJson({gz.string()}, SplitInto(1)));
  fs::remove_all(dir);
}

// A file is read in one range a thread, and in two a thread (so that a
// thread slowed by another process does not hold up the end) only while each
// range holds four times the smallest one: every range meets each distinct
// stack for the first time again, which on a 77 MB dump of 8,000 groups in
// four ranges on two threads took 6 % more instructions than two ranges.
TEST(ParallelRead, RangesPastOneAThreadOnlyWhenLarge) {
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  SplitPolicy two;  // the defaults: 16 MiB ranges at the least, two a thread
  two.threads = 2;
  EXPECT_EQ(RangesFor(20 * kMiB, two), 1u) << "smaller than two of the smallest ranges";
  EXPECT_EQ(RangesFor(77 * kMiB, two), 2u);
  EXPECT_EQ(RangesFor(127 * kMiB, two), 2u);
  EXPECT_EQ(RangesFor(200 * kMiB, two), 3u);
  EXPECT_EQ(RangesFor(794 * kMiB, two), 4u);
  SplitPolicy eight = two;
  eight.threads = 8;
  EXPECT_EQ(RangesFor(77 * kMiB, eight), 4u) << "no more ranges than 16 MiB ones";
  EXPECT_EQ(RangesFor(794 * kMiB, eight), 12u);
  EXPECT_EQ(RangesFor(4096 * kMiB, eight), 16u);
  SplitPolicy one = two;
  one.threads = 1;
  EXPECT_EQ(RangesFor(794 * kMiB, one), 1u);
  SplitPolicy tiny = two;  // what the tests use to cut small dumps
  tiny.min_part_bytes = 1;
  EXPECT_EQ(RangesFor(35248, tiny), 4u);
}

// Where chunks are read (two threads, or no heap budget), a file is cut into
// chunks of a quarter of the smallest range, at most 64 a thread: a thread
// slowed by another process holds the end up by one small chunk.
TEST(ParallelRead, ChunksOfAQuarterOfTheSmallestRange) {
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  SplitPolicy two;
  two.threads = 2;
  EXPECT_EQ(ChunksFor(20 * kMiB, two), 1u) << "read whole, as RangesFor says";
  EXPECT_EQ(ChunksFor(77 * kMiB, two), 19u);
  EXPECT_EQ(ChunksFor(200 * kMiB, two), 50u);
  EXPECT_EQ(ChunksFor(794 * kMiB, two), 128u) << "64 a thread at most";
  SplitPolicy eight = two;
  eight.threads = 8;
  EXPECT_EQ(ChunksFor(794 * kMiB, eight), 198u);
  SplitPolicy tiny = two;
  tiny.min_part_bytes = 1;
  EXPECT_EQ(ChunksFor(35248, tiny), 128u);
  EXPECT_EQ(ChunksFor(100, tiny), 100u);
}

// The report of `input` read with `split` is one thread's at the line and
// func levels (at func, a group's stack and state are those of its first
// goroutine, whichever thread read it).
void ExpectTheReportOfOneRead(const std::string& input, AnalyzeOptions split) {
  AnalyzeOptions one = SplitInto(1);
  for (GroupingLevel level : {GroupingLevel::kLine, GroupingLevel::kFunc}) {
    SCOPED_TRACE(std::string(GroupingLevelName(level)));
    one.cluster.level = level;
    split.cluster.level = level;
    EXPECT_EQ(AnalyzeToJson({input}, split), AnalyzeToJson({input}, one));
  }
}

// A plain file read in chunks on two threads gives the report one thread
// reading it whole gives, at every grouping level (a group's stack and state
// are those of its first goroutine, whichever thread read it); a file with a
// chunk that ends in another context than the default (a crash dump's thread
// sections, a log prefix) is read in ranges instead, with the same report.
TEST(ParallelRead, PlainFileReadInChunksGivesTheReportOfOneRead) {
  std::vector<fs::path> dumps = AllDumps();
  for (const auto& e : fs::directory_iterator(testing::SourceDir() / "testdata" / "bad")) {
    if (e.path().extension() == ".txt") dumps.push_back(e.path());
  }
  size_t chunked = 0;
  for (const fs::path& dump : dumps) {
    SCOPED_TRACE(dump.string());
    // The smallest range one byte: 64 chunks a thread, nearly every record
    // in a chunk of its own.
    ExpectTheReportOfOneRead(dump.string(), SplitInto(2));
    ClusteredInput read;
    if (ClusterFileInChunks(dump.string(), SplitPolicy{2, 1}, ClusterOptions{}, 0, ParseLimits{},
                            &read)) {
      ++chunked;
    }
  }
  // Most dumps are read in chunks (321 of 423); crash dumps, goleak reports
  // and test logs end a chunk in another context, and are read in ranges.
  EXPECT_GT(chunked, dumps.size() * 7 / 10);
}

AnalyzeOptions InChunksOf(size_t threads, size_t chunk_bytes) {
  AnalyzeOptions options = SplitInto(threads);
  options.gzip_chunk_bytes = chunk_bytes;
  return options;
}

// A gzip file read in chunks on several threads gives the report one thread
// reading it whole gives, at every grouping level (a group's stack and state
// are those of its first goroutine, whichever thread read it); the inputs
// that must be read whole (a chunk ending in another context, a pprof
// profile, a cut or hostile gzip stream) are, with the same report.
TEST(ParallelRead, GzipReadInChunksGivesTheReportOfOneRead) {
  std::vector<fs::path> dumps = AllDumps();
  for (const auto& e : fs::directory_iterator(testing::SourceDir() / "testdata" / "bad")) {
    if (e.is_regular_file()) dumps.push_back(e.path());
  }
  fs::path dir = testing::TempDir();
  size_t chunked = 0;
  for (size_t i = 0; i < dumps.size(); ++i) {
    const fs::path& dump = dumps[i];
    SCOPED_TRACE(dump.string());
    // A gzip file already (pprof profiles, hostile gzip) is read as it is.
    const bool gzipped = dump.extension() == ".gz";
    fs::path gz = gzipped ? dump : dir / (std::to_string(i) + ".gz");
    if (!gzipped) {
      ASSERT_EQ(
          testing::RunShell("gzip -c '" + dump.string() + "' > '" + gz.string() + "'").exit_code,
          0);
    }
    // 256 bytes: nearly every record a chunk of its own.
    ExpectTheReportOfOneRead(gz.string(), InChunksOf(3, 256));
    ClusteredInput read;
    SplitPolicy policy{3, 1};
    policy.chunk_bytes = 256;
    if (ClusterGzipFileInChunks(gz.string(), policy, ClusterOptions{}, 0, ParseLimits{}, &read)) {
      ++chunked;
    }
    if (!gzipped) fs::remove(gz);
  }
  // Nearly every dump is read in chunks.
  EXPECT_GT(chunked, dumps.size() * 8 / 10);
  fs::remove_all(dir);
}

// A gzip stream cut short is read again on one thread: the same records
// before the cut, the same error.
TEST(ParallelRead, ACutGzipStreamGivesWhatOneReadGives) {
  fs::path dump = Dumps() / "go1.27" / "svcapi" / "http_debug2.txt";
  fs::path dir = testing::TempDir();
  fs::path gz = dir / "cut.txt.gz";
  std::string whole = testing::RunShell("gzip -c '" + dump.string() + "'").out;
  ASSERT_GT(whole.size(), 5000u);
  std::ofstream(gz, std::ios::binary) << whole.substr(0, whole.size() * 2 / 3);
  json one = AnalyzeToJson({gz.string()}, SplitInto(1));
  EXPECT_FALSE(one["inputs"][0].value("error", "").empty()) << one["inputs"];
  EXPECT_GT(one["totals"]["goroutines"].get<uint64_t>(), 0u);
  EXPECT_EQ(AnalyzeToJson({gz.string()}, InChunksOf(2, 256)), one);
  ClusteredInput read;
  SplitPolicy policy{2, 1};
  policy.chunk_bytes = 256;
  EXPECT_FALSE(
      ClusterGzipFileInChunks(gz.string(), policy, ClusterOptions{}, 0, ParseLimits{}, &read));
  fs::remove_all(dir);
}

// Larger dumps from the bench generator: thousands of goroutines, a unique
// label set per goroutine in debug=1 (so label sets are sampled), elided
// frames; cut into 64 KiB ranges.
TEST(ParallelRead, SameReportOnGeneratedDumps) {
  GLEAK_REQUIRE_GO();
  fs::path dir = testing::TempDir();
  std::string d1 = (dir / "unique_debug1.txt").string();
  std::string d2 = (dir / "mix_debug2.txt").string();
  testing::CommandResult gen =
      testing::RunShell("cd '" + (testing::SourceDir() / "bench" / "gen").string() +
                        "' && GOFLAGS=-mod=mod go run . -q -n 3000 -labels unique -debug1 '" + d1 +
                        "' && GOFLAGS=-mod=mod go run . -q -n 3000 -seed 3 -debug2 '" + d2 + "'");
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  for (const std::string& dump : {d1, d2}) {
    SCOPED_TRACE(dump);
    json whole = AnalyzeToJson({dump}, SplitInto(1));
    ASSERT_GE(whole["totals"]["goroutines"].get<uint64_t>(), 3000u);
    for (size_t threads : {2, 7}) {
      SCOPED_TRACE(threads);
      EXPECT_EQ(AnalyzeToJson({dump}, SplitInto(threads, 64 * 1024)), whole);
    }
    // Past the cap on groups, with groups interleaved all through the dump.
    AnalyzeOptions one = SplitInto(1);
    one.cluster.max_groups = 10;
    AnalyzeOptions many = SplitInto(7, 64 * 1024);
    many.cluster.max_groups = 10;
    json capped = AnalyzeToJson({dump}, one);
    EXPECT_GT(capped["totals"]["overflow_goroutines"].get<uint64_t>(), 0u);
    EXPECT_EQ(AnalyzeToJson({dump}, many), capped);
  }
  // Every goroutine carries its own label set: 8 are listed per group, and
  // they are the same 8 however the file is cut.
  json unique = AnalyzeToJson({d1}, SplitInto(7, 64 * 1024));
  size_t full_groups = 0;
  for (const json& g : unique["groups"]) {
    if (!g.contains("labels") || g["labels"].size() != 8) continue;
    ++full_groups;
    // The goroutines of the sets not listed are counted, so the listed and the
    // rest add up to the group (every goroutine here has labels).
    uint64_t listed = 0;
    for (const json& set : g["labels"]) listed += set["count"].get<uint64_t>();
    EXPECT_GT(g["labels_not_listed"].get<uint64_t>(), 0u);
    EXPECT_EQ(listed + g["labels_not_listed"].get<uint64_t>(), g["count"].get<uint64_t>());
  }
  EXPECT_GT(full_groups, 0u) << unique.dump().substr(0, 2000);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gleak
