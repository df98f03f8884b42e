// `--format html` (issue 17): the page gleak writes for analyze, diff and
// watch, loaded in Debian's headless Chromium. Each test reads the DOM the
// page's script built (--dump-dom) and the browser's console (every console
// message, an uncaught error or a Content-Security-Policy refusal, is logged
// to standard error as ":CONSOLE"). The view's state comes from the address's
// fragment (#pattern=, #func=, #open=, #sort=...), the hooks the page reads at
// load, so that a filter, a sort or an open stack is set without a click.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/live_server.h"
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

using testing::Dumps;

bool HaveChromium() { return RunShell("command -v chromium >/dev/null 2>&1").exit_code == 0; }

#define GLEAK_REQUIRE_CHROMIUM()                                                           \
  if (!HaveChromium())                                                                     \
  GTEST_SKIP() << "\n\n*** SKIPPED: no chromium on PATH; the HTML tests load the page in " \
                  "headless Chromium (Debian's chromium package, in scripts/dev) ***\n"

struct Loaded {
  std::string dom;                   // the document after the page's script ran
  std::vector<std::string> console;  // what the page said on the console
};

// Loads `page` in headless Chromium with `fragment` (no '#') and returns the DOM.
Loaded Load(const fs::path& page, const std::string& fragment = "") {
  fs::path profile = testing::TempDir();
  std::string url =
      "file://" + fs::absolute(page).string() + (fragment.empty() ? "" : "#" + fragment);
  CommandResult r = RunShell(
      "timeout 120 chromium --headless --disable-gpu --no-sandbox "
      "--no-first-run --user-data-dir=" +
      Quote(profile) + " --enable-logging=stderr --v=0 --dump-dom " + Quote(url));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Loaded loaded;
  loaded.dom = r.out;
  size_t start = 0;
  while (start < r.err.size()) {
    size_t end = r.err.find('\n', start);
    if (end == std::string::npos) end = r.err.size();
    std::string line = r.err.substr(start, end - start);
    if (Has(line, ":CONSOLE")) loaded.console.push_back(line);
    start = end + 1;
  }
  fs::remove_all(profile);
  return loaded;
}

// Every value of `attribute` in the DOM, in document order.
std::vector<std::string> AttributeValues(const std::string& dom, const std::string& attribute) {
  std::vector<std::string> values;
  std::regex re(" " + attribute + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), re); it != std::sregex_iterator();
       ++it) {
    values.push_back((*it)[1]);
  }
  return values;
}

// The group ids of the table's rows, top to bottom.
std::vector<std::string> Rows(const std::string& dom) { return AttributeValues(dom, "data-group"); }

std::string TableAttribute(const std::string& dom, const std::string& attribute) {
  std::smatch m;
  std::regex re("id=\"groups-table\"[^>]* " + attribute + "=\"([^\"]*)\"");
  return std::regex_search(dom, m, re) ? std::string(m[1]) : "";
}

using testing::Count;

// What tests/tools/chromium-drive gave back: the value of each "eval" step,
// and what the page said on the console.
struct Driven {
  std::vector<json> results;
  std::vector<std::string> console;
};

// Runs `steps` (see tests/tools/chromium-drive) in one headless Chromium tab
// through the DevTools protocol: emulated media, real key presses, scripts.
Driven Drive(const json& steps) {
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "steps.json") << steps.dump();
  CommandResult r =
      RunShell("timeout 300 " + Quote(testing::SourceDir() / "tests/tools/chromium-drive") + " " +
               Quote(dir / "steps.json"));
  fs::remove_all(dir);
  Driven driven;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return driven;
  json out = json::parse(r.out);
  for (const json& v : out["results"]) driven.results.push_back(v);
  for (const json& c : out["console"]) driven.console.push_back(c);
  return driven;
}

std::string FileUrl(const fs::path& page, const std::string& fragment = "") {
  return "file://" + fs::absolute(page).string() + (fragment.empty() ? "" : "#" + fragment);
}

// Writes `gleak ARGS --format html -o PAGE` and the same report as JSON.
struct Written {
  fs::path page;
  json report;
};
Written Write(const std::string& command, const std::string& args) {
  Written w;
  w.page = testing::TempDir() / "report.html";
  CommandResult html = RunGleak(command + " --format html -o " + Quote(w.page) + " " + args);
  EXPECT_TRUE(html.exit_code == 0 || html.exit_code == 1) << html.err;
  CommandResult j = RunGleak(command + " --format json " + args);
  w.report = json::parse(j.out);
  return w;
}

const fs::path kLeakserver = Dumps() / "go1.26/leakserver";

TEST(Html, FixturesLoadWithoutConsoleMessagesAndShowEveryGroup) {
  GLEAK_REQUIRE_CHROMIUM();
  for (const fs::path& dump :
       {kLeakserver / "snapshot_3.txt", Dumps() / "go1.26/objects/leak_debug2.txt",
        Dumps() / "go1.26/labels/labels_debug2.txt", Dumps() / "go1.26/zoo/http_debug2.txt",
        Dumps() / "go1.27/chansend/http_debug2.txt"}) {
    SCOPED_TRACE(dump.string());
    Written w = Write("analyze", Quote(dump));
    Loaded page = Load(w.page);
    EXPECT_TRUE(page.console.empty()) << page.console.front();
    ASSERT_TRUE(Has(page.dom, "data-ready=\"true\"")) << "the page's script did not finish";
    size_t groups = w.report["groups"].size();
    EXPECT_EQ(TableAttribute(page.dom, "data-matching"), std::to_string(groups));
    EXPECT_EQ(Rows(page.dom).size(), std::min<size_t>(groups, 500));
    // The summary, and a card per suspect with its fix.
    EXPECT_TRUE(
        Has(page.dom, "<dd>" + std::to_string(w.report["totals"]["goroutines"].get<int>())));
    size_t suspects = 0;
    for (const json& g : w.report["groups"]) {
      if (!g["finding"]["suspect"].get<bool>()) continue;
      ++suspects;
      EXPECT_TRUE(Has(page.dom, "id=\"suspect-" + g["id"].get<std::string>() + "\""));
    }
    EXPECT_EQ(Count(page.dom, "<article class=\"suspect\""), std::min<size_t>(suspects, 50));
    // Blocking objects, when the report has them: a row each.
    for (const json& o : w.report["objects"]) {
      EXPECT_TRUE(Has(page.dom, "id=\"object-" + o["id"].get<std::string>() + "\""));
    }
    // Nothing the page could fetch: no src and no link out of the file.
    EXPECT_FALSE(Has(page.dom, " src=")) << "an element loads something";
    EXPECT_FALSE(std::regex_search(page.dom, std::regex(" href=\"(?!#)")))
        << "a link leaves the page";
  }
}

// The spawn tree: a row per spawn_tree row of the report, indented by depth,
// each linking to its group; per-request spawning said in words. A dump
// without parent ids has no tree section.
TEST(Html, TheSpawnTreeShowsEachGroupUnderItsParent) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(Dumps() / "go1.26/svclongpoll/http_debug2.txt"));
  Loaded page = Load(w.page);
  EXPECT_TRUE(page.console.empty()) << page.console.front();
  ASSERT_TRUE(Has(page.dom, "<section id=\"tree\""));
  std::string tree = page.dom.substr(page.dom.find("<section id=\"tree\""));
  tree = tree.substr(0, tree.find("</section>"));
  const json& rows = w.report["spawn_tree"];
  ASSERT_GT(rows.size(), 3u);
  EXPECT_EQ(Count(tree, "<li data-depth="), rows.size());
  size_t deepest = 0;
  for (const json& r : rows) deepest = std::max<size_t>(deepest, r["depth"].get<size_t>());
  EXPECT_GE(deepest, 3u);
  // Each row is a list item nested in its parent's: as many list items
  // around it as its depth, and in the report's order.
  Driven nested = Drive(json::array(
      {{{"open", FileUrl(w.page)}},
       {{"eval",
         "Array.from(document.querySelectorAll('#tree li[data-depth]')).map(function (li) {"
         "  var d = 0;"
         "  for (var p = li.parentElement.closest('li'); p; p = p.parentElement.closest('li')) d++;"
         "  return [li.getAttribute('data-tree-group'), Number(li.getAttribute('data-depth')), d];"
         "})"}}}));
  ASSERT_EQ(nested.results.size(), 1u);
  ASSERT_EQ(nested.results[0].size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& item = nested.results[0][i];
    EXPECT_EQ(item[0], w.report["groups"][rows[i]["rank"].get<size_t>() - 1]["id"]) << i;
    EXPECT_EQ(item[1], rows[i]["depth"]) << i;
    EXPECT_EQ(item[2], rows[i]["depth"]) << i;
  }
  EXPECT_TRUE(Has(tree, ">main.serveApp</a>")) << tree;
  EXPECT_TRUE(Has(tree, "(shown above)")) << tree;

  Written api = Write("analyze", Quote(Dumps() / "go1.26/svcapi/http_debug2.txt"));
  Loaded api_page = Load(api.page);
  EXPECT_TRUE(Has(api_page.dom, "32 created by 32 goroutines that have exited")) << api_page.dom;
  Written none = Write("analyze", Quote(Dumps() / "go1.26/svcapi/http_debug1.txt"));
  EXPECT_FALSE(Has(Load(none.page).dom, "<section id=\"tree\""));
}

// The tree folds: a node's button hides the groups its goroutines created and
// shows them again; "Collapse all" and "Expand all" do it for every node. The
// table's filters apply to the tree: a label keeps the groups that carry it
// and, dimmed, the groups above them; every other row is hidden.
TEST(Html, TheSpawnTreeFoldsAndFollowsTheFilters) {
  GLEAK_REQUIRE_CHROMIUM();
  // Go 1.27 header labels: main starts ingest workers {pool: ingest} and
  // egress workers {pool: egress} (testdata/programs/labels).
  Written w = Write("analyze", Quote(Dumps() / "go1.27/labels/labels_default.txt"));
  const json& rows = w.report["spawn_tree"];
  const json& groups = w.report["groups"];
  ASSERT_GT(rows.size(), 3u);
  auto visible = [](const std::string& where) {
    return "Array.from(document.querySelectorAll('" + where +
           " li[data-tree-group]')).filter(function (li) { return li.offsetParent !== null; })"
           ".map(function (li) { return li.getAttribute('data-tree-group') + "
           "(li.classList.contains('context') ? ' context' : ''); })";
  };
  const std::string fold = "document.querySelector('#tree button.fold')";
  const std::string kids = "document.getElementById(" + fold + ".getAttribute('aria-controls'))";
  const std::string label = "document.getElementById('f-label')";
  Driven d = Drive(json::array(
      {{{"open", FileUrl(w.page)}},
       {{"eval", visible("#tree")}},
       {{"eval", "[" + fold + ".getAttribute('aria-expanded'), " + kids +
                     ".querySelectorAll('li').length]"}},
       {{"eval",
         fold + ".click(); [" + fold + ".getAttribute('aria-expanded'), " + kids + ".hidden]"}},
       {{"eval", visible("#tree")}},
       {{"eval",
         fold + ".click(); [" + fold + ".getAttribute('aria-expanded'), " + kids + ".hidden]"}},
       {{"eval", "document.getElementById('tree-fold').click(); " + visible("#tree")}},
       {{"eval", "document.getElementById('tree-unfold').click(); " + visible("#tree")}},
       {{"eval", label + ".value = 'pool=egress'; " + label +
                     ".dispatchEvent(new Event('input')); " + visible("#tree")}},
       {{"eval", "document.getElementById('tree-foot').textContent"}},
       {{"eval", "location.hash"}}}));
  EXPECT_TRUE(d.console.empty()) << d.console.front();
  ASSERT_EQ(d.results.size(), 10u);
  std::vector<std::string> all, roots;
  for (const json& r : rows) {
    std::string id = groups[r["rank"].get<size_t>() - 1]["id"];
    all.push_back(id);
    if (r["depth"] == 0) roots.push_back(id);
  }
  EXPECT_EQ(d.results[0], all);
  // The first node with children: open, then folded with its subtree hidden.
  size_t first = 0;
  while (first < rows.size() && rows[first]["children"] == 0) ++first;
  ASSERT_LT(first, rows.size());
  size_t subtree = 0;
  for (size_t i = first + 1; i < rows.size() && rows[i]["depth"] > rows[first]["depth"]; ++i) {
    ++subtree;
  }
  ASSERT_GT(subtree, 0u);
  EXPECT_EQ(d.results[1], json::array({"true", subtree}));
  EXPECT_EQ(d.results[2], json::array({"false", true}));
  std::vector<std::string> folded = all;
  folded.erase(folded.begin() + first + 1, folded.begin() + first + 1 + subtree);
  EXPECT_EQ(d.results[3], folded);
  EXPECT_EQ(d.results[4], json::array({"true", false}));
  EXPECT_EQ(d.results[5], roots);
  EXPECT_EQ(d.results[6], all);
  // Filtered by label: a group is shown when it or a group under it carries
  // pool=egress; those that do not, but are shown, are context.
  std::vector<bool> self(rows.size()), any(rows.size());
  for (size_t i = rows.size(); i-- > 0;) {
    const json& g = groups[rows[i]["rank"].get<size_t>() - 1];
    for (const json& set : g["labels"])
      self[i] = self[i] || set["labels"].value("pool", "") == "egress";
    any[i] = self[i];
    for (size_t j = i + 1; j < rows.size() && rows[j]["depth"] > rows[i]["depth"]; ++j) {
      if (rows[j]["depth"] == rows[i]["depth"].get<size_t>() + 1) any[i] = any[i] || any[j];
    }
  }
  std::vector<std::string> want;
  size_t matching = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    matching += self[i];
    if (any[i]) want.push_back(all[i] + (self[i] ? "" : " context"));
  }
  ASSERT_GT(matching, 0u);
  ASSERT_LT(want.size(), rows.size()) << "the filter keeps every row: it shows nothing";
  EXPECT_NE(std::count_if(want.begin(), want.end(),
                          [](const std::string& s) { return Has(s, " context"); }),
            0);
  EXPECT_EQ(d.results[7], want);
  EXPECT_EQ(d.results[8], fmt::format("{} of {} rows match the filters.", matching, rows.size()));
  EXPECT_EQ(d.results[9], "#label=pool%3Degress");
}

// The tree's fold state is kept in the address: folding a node writes
// fold=ID, "Collapse all" fold=all and a node opened after it unfold=ID, and
// the state goes when everything is open again. A page loaded with such an
// address (a reload, a shared link) folds the same nodes.
TEST(Html, TheSpawnTreesFoldStateIsKeptInTheAddress) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(Dumps() / "go1.27/labels/labels_default.txt"));
  const std::string fold = "document.querySelector('#tree button.fold')";
  const std::string folds =
      "Array.from(document.querySelectorAll('#tree button.fold')).map(function (b) {"
      "  return [b.closest('li').getAttribute('data-tree-group'), b.getAttribute('aria-expanded'),"
      "          document.getElementById(b.getAttribute('aria-controls')).hidden]; })";
  Driven d = Drive(json::array(
      {{{"open", FileUrl(w.page)}},
       {{"eval", folds}},
       {{"eval", fold + ".click(); location.hash"}},
       {{"eval", fold + ".click(); location.hash"}},
       {{"eval", "document.getElementById('tree-fold').click(); location.hash"}},
       {{"eval", fold + ".click(); location.hash"}},
       {{"eval", "document.getElementById('tree-unfold').click(); location.hash"}},
       // A group's link in the tree opens its stack and keeps the tree as it is.
       {{"eval", fold + ".click(); var a = document.querySelector('#tree a.gid'); a.click(); "
                        "a.closest('li').getAttribute('data-tree-group')"}},
       {{"eval", "[location.hash, " + fold + ".getAttribute('aria-expanded')]"}}}));
  EXPECT_TRUE(d.console.empty()) << d.console.front();
  ASSERT_EQ(d.results.size(), 8u);
  const json& nodes = d.results[0];
  ASSERT_GE(nodes.size(), 2u) << "the test needs two nodes that fold";
  std::string first = nodes[0][0];
  for (const json& n : nodes) EXPECT_EQ(n[1], "true") << n;
  EXPECT_EQ(d.results[1], "#fold=" + first);
  EXPECT_EQ(d.results[2], "");
  EXPECT_EQ(d.results[3], "#fold=all");
  EXPECT_EQ(d.results[4], "#fold=all&unfold=" + first);
  EXPECT_EQ(d.results[5], "");
  EXPECT_EQ(d.results[7],
            json::array({"#open=" + d.results[6].get<std::string>() + "&fold=" + first, "false"}));

  // Loaded with the address: the nodes named folded (and their lists hidden),
  // or with fold=all every node but those named; a filter set there too.
  std::string second = nodes[1][0];
  for (const std::string& fragment :
       {"fold=" + second, "fold=all&unfold=" + second, "label=pool%3Degress&fold=" + second}) {
    SCOPED_TRACE(fragment);
    bool all = Has(fragment, "fold=all");
    Driven loaded = Drive(json::array(
        {{{"open", FileUrl(w.page, fragment)}}, {{"eval", folds}}, {{"eval", "location.hash"}}}));
    EXPECT_TRUE(loaded.console.empty()) << loaded.console.front();
    ASSERT_EQ(loaded.results.size(), 2u);
    ASSERT_EQ(loaded.results[0].size(), nodes.size());
    for (const json& n : loaded.results[0]) {
      bool folded = (n[0] == second) != all;
      EXPECT_EQ(n[1], folded ? "false" : "true") << n;
      EXPECT_EQ(n[2], folded) << n;
    }
    EXPECT_EQ(loaded.results[1], "#" + fragment);
  }
}

// The diff's page has the newest snapshot's spawn tree, the same component
// as analyze's: a list item per spawn_tree row of the diff's JSON, nested in
// its parent's, and a row whose count changed says how.
TEST(Html, TheDiffPageShowsTheSpawnTreeWithGrowth) {
  GLEAK_REQUIRE_CHROMIUM();
  auto nesting = [](const fs::path& page) {
    return Drive(json::array(
        {{{"open", FileUrl(page)}},
         {{"eval",
           "Array.from(document.querySelectorAll('#tree li[data-depth]')).map(function (li) {"
           "  var up = [];"
           "  for (var p = li.parentElement.closest('li'); p; p = p.parentElement.closest('li'))"
           "    up.push(p.getAttribute('data-tree-group'));"
           "  return [li.getAttribute('data-tree-group'), up, li.textContent];"
           "})"}}}));
  };
  // Each row's group, and the groups of the rows above it, from the JSON.
  auto expected = [](const json& doc) {
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;
    std::vector<std::string> path;
    for (const json& r : doc["spawn_tree"]) {
      path.resize(r["depth"].get<size_t>());
      std::string id = doc["groups"][r["rank"].get<size_t>() - 1]["id"];
      rows.push_back({id, std::vector<std::string>(path.rbegin(), path.rend())});
      path.push_back(id);
    }
    return rows;
  };
  auto id_of = [](const json& doc, const std::string& func) -> std::string {
    for (const json& g : doc["groups"]) {
      if (!g["top_frame"].is_null() && g["top_frame"]["func"] == func) return g["id"];
    }
    return "";
  };

  // The page of `w` in Chromium, with no console message, nests its rows as
  // the JSON's tree does; its rows ([group, groups above, text]) go to *rows.
  auto nests_as_the_json = [&](const Written& w, json* rows) {
    Driven d = nesting(w.page);
    EXPECT_TRUE(d.console.empty()) << d.console.front();
    ASSERT_EQ(d.results.size(), 1u);
    auto want = expected(w.report);
    ASSERT_EQ(d.results[0].size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(d.results[0][i][0], want[i].first) << i;
      EXPECT_EQ(d.results[0][i][1], want[i].second) << i;
    }
    *rows = d.results[0];
  };

  Written w = Write("diff", Quote(kLeakserver / "snapshot_1.txt") + " " +
                                Quote(kLeakserver / "snapshot_2.txt") + " " +
                                Quote(kLeakserver / "snapshot_3.txt"));
  ASSERT_FALSE(w.report["spawn_tree"].empty());
  json rows = json::array();
  nests_as_the_json(w, &rows);
  std::string leak = id_of(w.report, "main.leakyWork");
  bool leak_seen = false;
  for (const json& row : rows) {
    if (row[0] != leak) continue;
    leak_seen = true;
    // The leak grows by 10 a snapshot; its handlers are gone.
    std::string text = row[2];
    EXPECT_TRUE(Has(text, "30 (10 → 30, +20) main.leakyWork")) << text;
    EXPECT_TRUE(Has(text, "30 created by 30 goroutines that have exited")) << text;
  }
  EXPECT_TRUE(leak_seen);

  // The HTTP server of chanrecv's program runs in its HTTP snapshot, not in
  // its SIGQUIT one: the connection's reader is new under the handler that
  // started it, under the server, under main's goroutine.
  fs::path chanrecv = Dumps() / "go1.26/chanrecv";
  Written grown =
      Write("diff", Quote(chanrecv / "sigquit.txt") + " " + Quote(chanrecv / "http_debug2.txt"));
  json grown_rows = json::array();
  nests_as_the_json(grown, &grown_rows);
  std::string read = id_of(grown.report, "net/http.(*connReader).backgroundRead");
  std::vector<std::string> above = {
      id_of(grown.report, "gleak.test/programs/internal/fixture.(*dumper).ServeHTTP"),
      id_of(grown.report, "gleak.test/programs/internal/fixture.(*F).serve"),
      id_of(grown.report, "gleak.test/programs/internal/fixture.parkMain")};
  bool read_seen = false;
  for (const json& row : grown_rows) {
    if (row[0] != read) continue;
    read_seen = true;
    EXPECT_EQ(row[1], json(above));
    EXPECT_TRUE(Has(row[2].get<std::string>(), "1 (0 → 1, +1)")) << row[2];
  }
  EXPECT_TRUE(read_seen);
}

// WCAG 2 contrast of two "rgb(r, g, b)" colours (getComputedStyle's form).
double Luminance(const std::string& rgb) {
  std::smatch m;
  if (!std::regex_search(rgb, m, std::regex("rgba?\\((\\d+), (\\d+), (\\d+)"))) return -1;
  double channel[3];
  for (int i = 0; i < 3; ++i) {
    double c = std::stod(m[i + 1]) / 255.0;
    channel[i] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2];
}
double Contrast(const std::string& a, const std::string& b) {
  double x = Luminance(a), y = Luminance(b);
  return (std::max(x, y) + 0.05) / (std::min(x, y) + 0.05);
}

// Light and dark by the reader's setting: Chromium emulates
// prefers-color-scheme through the DevTools protocol, and the colours the page
// computes for its text, links, muted text, badges, fields and buttons differ
// between the two and keep a contrast of at least 4.5:1 (WCAG AA for text)
// against the background they sit on.
TEST(Html, DarkModeHasItsOwnColoursAndKeepsContrast) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(kLeakserver / "snapshot_3.txt"));
  // [selector, text colour, the first background that is not transparent].
  const std::string colours =
      "['html', 'h1', '.sub', 'a.gid', '.badge.bad', '.suspect .count', '.stat dt', '#f-func',"
      " '#f-pattern', 'button.expand', 'button.sort', 'td.func code', '.file', '.fix']"
      ".map(function (sel) {"
      "  var e = document.querySelector(sel);"
      "  if (!e) return [sel, null, null];"
      "  var bg = 'rgba(0, 0, 0, 0)';"
      "  for (var p = e; p && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg); p = p.parentElement)"
      "    bg = getComputedStyle(p).backgroundColor;"
      "  return [sel, getComputedStyle(e).color, bg];"
      "})";
  Driven d = Drive(json::array({{{"open", FileUrl(w.page)}},
                                {{"eval", "matchMedia('(prefers-color-scheme: dark)').matches"}},
                                {{"eval", colours}},
                                {{"media", "dark"}},
                                {{"open", FileUrl(w.page)}},
                                {{"eval", "matchMedia('(prefers-color-scheme: dark)').matches"}},
                                {{"eval", colours}}}));
  EXPECT_TRUE(d.console.empty()) << d.console.front();
  ASSERT_EQ(d.results.size(), 4u);
  EXPECT_EQ(d.results[0], false);
  EXPECT_EQ(d.results[2], true);
  const json& light = d.results[1];
  const json& dark = d.results[3];
  ASSERT_EQ(light.size(), dark.size());
  // The page itself: a light background in light mode, a dark one in dark.
  EXPECT_GT(Luminance(light[0][2]), 0.8) << light[0];
  EXPECT_LT(Luminance(dark[0][2]), 0.05) << dark[0];
  for (size_t i = 0; i < light.size(); ++i) {
    SCOPED_TRACE(light[i][0].get<std::string>());
    ASSERT_TRUE(light[i][1].is_string()) << "the page has no such element";
    EXPECT_NE(light[i][1], dark[i][1]) << "the same text colour in light and dark";
    EXPECT_NE(light[i][2], dark[i][2]) << "the same background in light and dark";
    EXPECT_GE(Contrast(light[i][1], light[i][2]), 4.5) << light[i];
    EXPECT_GE(Contrast(dark[i][1], dark[i][2]), 4.5) << dark[i];
  }
}

// The keyboard: Tab (a real key press, through the DevTools protocol) reaches
// every filter, every sort heading, the tree's fold buttons and the table's
// stack buttons; Enter and Space on a focused button fold and unfold a tree
// node and open and close a stack, and the focus stays on the button.
TEST(Html, TheKeyboardReachesEveryControlAndTogglesNodes) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(Dumps() / "go1.27/labels/labels_default.txt"));
  const std::string focused =
      "(function (e) { return e.id || (e.getAttribute('data-sort') ? 'sort:' + "
      "e.getAttribute('data-sort') : e.className + ':' + (e.getAttribute('aria-controls') || "
      "e.getAttribute('href') || '')); })(document.activeElement)";
  json steps = json::array({{{"open", FileUrl(w.page)}}});
  const size_t kPresses = 160;
  for (size_t i = 0; i < kPresses; ++i) {
    steps.push_back({{"key", "Tab"}});
    steps.push_back({{"eval", focused}});
  }
  const std::string fold = "document.querySelector('#tree button.fold')";
  const std::string expand = "document.querySelector('#group-rows button.expand')";
  const std::string fold_state =
      "[" + fold + ".getAttribute('aria-expanded'), document.getElementById(" + fold +
      ".getAttribute('aria-controls')).hidden, document.activeElement === " + fold + "]";
  const std::string stack_state =
      "[" + expand +
      ".getAttribute('aria-expanded'), document.querySelectorAll('tr.stack-row')"
      ".length, document.activeElement === " +
      expand + "]";
  for (const char* key : {"Enter", "Space"}) {
    steps.push_back({{"eval", fold + ".focus(); " + fold_state}});
    steps.push_back({{"key", key}});
    steps.push_back({{"eval", fold_state}});
    steps.push_back({{"key", key}});
    steps.push_back({{"eval", fold_state}});
    steps.push_back({{"eval", expand + ".focus(); " + stack_state}});
    steps.push_back({{"key", key}});
    steps.push_back({{"eval", stack_state}});
    steps.push_back({{"key", key}});
    steps.push_back({{"eval", stack_state}});
  }
  Driven d = Drive(steps);
  EXPECT_TRUE(d.console.empty()) << d.console.front();
  ASSERT_EQ(d.results.size(), kPresses + 12);
  std::set<std::string> reached;
  for (size_t i = 0; i < kPresses; ++i) reached.insert(d.results[i].get<std::string>());
  std::vector<std::string> want = {"f-pattern",  "f-state",   "f-func",     "f-label",
                                   "f-suspects", "tree-fold", "tree-unfold"};
  for (const char* column : {"rank", "count", "state", "pattern", "func", "wait", "labels"}) {
    want.push_back(std::string("sort:") + column);
  }
  for (const std::string& id : want) {
    EXPECT_TRUE(reached.contains(id)) << id << " is not reached with Tab";
  }
  size_t folds = 0, stacks = 0;
  for (const std::string& r : reached) {
    folds += r.starts_with("fold:tree-kids-");
    stacks += r.starts_with("expand:stack-");
  }
  EXPECT_EQ(stacks, w.report["groups"].size()) << "a stack button is not reached with Tab";
  size_t with_children = 0;
  for (const json& r : w.report["spawn_tree"]) with_children += r["children"] > 0;
  EXPECT_EQ(folds, with_children) << "a fold button is not reached with Tab";
  for (size_t k = 0; k < 2; ++k) {
    size_t at = kPresses + 6 * k;
    SCOPED_TRACE(k == 0 ? "Enter" : "Space");
    EXPECT_EQ(d.results[at], json::array({"true", false, true}));
    EXPECT_EQ(d.results[at + 1], json::array({"false", true, true}));
    EXPECT_EQ(d.results[at + 2], json::array({"true", false, true}));
    EXPECT_EQ(d.results[at + 3], json::array({"false", 0, true}));
    EXPECT_EQ(d.results[at + 4], json::array({"true", 1, true}));
    EXPECT_EQ(d.results[at + 5], json::array({"false", 0, true}));
  }
}

TEST(Html, TheFragmentFiltersByPatternStateFunctionAndLabel) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(Dumps() / "go1.26/labels/labels_debug2.txt"));
  const json& groups = w.report["groups"];
  auto expect = [&](const std::string& fragment, auto keep) {
    SCOPED_TRACE(fragment);
    std::vector<std::string> want;
    for (const json& g : groups)
      if (keep(g)) want.push_back(g["id"]);
    ASSERT_FALSE(want.empty());
    ASSERT_LT(want.size(), groups.size()) << "the filter keeps every group: it shows nothing";
    Loaded page = Load(w.page, fragment);
    EXPECT_TRUE(page.console.empty()) << page.console.front();
    EXPECT_EQ(Rows(page.dom), want);
    EXPECT_EQ(TableAttribute(page.dom, "data-matching"), std::to_string(want.size()));
  };
  expect("pattern=chan-recv", [](const json& g) { return g["finding"]["pattern"] == "chan-recv"; });
  expect("state=chan%20receive", [](const json& g) { return g["state"] == "chan receive"; });
  expect("func=main.", [](const json& g) {
    for (const json& f : g["frames"])
      if (f["func"].get<std::string>().find("main.") != std::string::npos) return true;
    return false;
  });
  expect("label=pool%3Dingest", [](const json& g) {
    for (const json& set : g["labels"])
      if (set["labels"].value("pool", "") == "ingest") return true;
    return false;
  });
}

TEST(Html, AStackOpensFromTheFragmentAndShowsEveryFrame) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(kLeakserver / "snapshot_3.txt"));
  const json& g = w.report["groups"][1];
  std::string id = g["id"];
  Loaded closed = Load(w.page);
  EXPECT_FALSE(Has(closed.dom, "id=\"stack-")) << "a stack is open without being asked";
  EXPECT_TRUE(Has(closed.dom, "aria-controls=\"stack-" + id + "\" title=\"Show the stack\""));
  Loaded open = Load(w.page, "open=" + id);
  EXPECT_TRUE(open.console.empty()) << open.console.front();
  size_t at = open.dom.find("id=\"stack-" + id + "\"");
  ASSERT_NE(at, std::string::npos);
  std::string stack = open.dom.substr(at, open.dom.find("</tr>", at) - at);
  for (const json& f : g["frames"]) {
    EXPECT_TRUE(Has(stack, f["func"].get<std::string>())) << f;
    EXPECT_TRUE(
        Has(stack, f["file"].get<std::string>() + ":" + std::to_string(f["line"].get<int>())));
  }
  // One stack open (the tree's fold buttons are open too: not counted here).
  EXPECT_EQ(Count(open.dom, "class=\"expand\" aria-expanded=\"true\""), 1u);
}

TEST(Html, TheFragmentSortsTheRows) {
  GLEAK_REQUIRE_CHROMIUM();
  // Groups of 100, 30, 25, 3 and 1 goroutines.
  Written w = Write("analyze", Quote(Dumps() / "go1.26/chansend/http_debug2.txt"));
  const std::vector<json> ranked(w.report["groups"].begin(), w.report["groups"].end());
  ASSERT_GT(ranked.size(), 5u);
  auto ids = [](const std::vector<json>& list) {
    std::vector<std::string> out;
    for (const json& g : list) out.push_back(g["id"]);
    return out;
  };
  // Fewest goroutines first; ties in rank order.
  std::vector<json> by_count = ranked;
  std::stable_sort(by_count.begin(), by_count.end(), [](const json& a, const json& b) {
    return a["count"].get<int>() < b["count"].get<int>();
  });
  ASSERT_NE(ids(by_count), ids(ranked));
  Loaded count_page = Load(w.page, "sort=count-asc");
  EXPECT_TRUE(count_page.console.empty()) << count_page.console.front();
  EXPECT_EQ(Rows(count_page.dom), ids(by_count));
  EXPECT_TRUE(Has(count_page.dom,
                  "aria-sort=\"ascending\"><button type=\"button\" class=\"sort\" "
                  "data-sort=\"count\""));
  // By the function the goroutines block in, Z to A.
  std::vector<json> by_func = ranked;
  std::stable_sort(by_func.begin(), by_func.end(), [](const json& a, const json& b) {
    return a["top_frame"]["func"].get<std::string>() > b["top_frame"]["func"].get<std::string>();
  });
  ASSERT_NE(ids(by_func), ids(ranked));
  EXPECT_EQ(Rows(Load(w.page, "sort=func-desc").dom), ids(by_func));
  // The default is the report's rank.
  EXPECT_EQ(Rows(Load(w.page).dom), ids(ranked));
}

// The controls themselves: a driver page (test code, written next to the
// report) loads the report in a frame and clicks, chooses and types in it the
// way a reader does, logging the rows after each step into its own DOM.
// --allow-file-access-from-files lets the two file: pages reach each other.
TEST(Html, ClicksAndTypingFilterSortAndOpenStacks) {
  GLEAK_REQUIRE_CHROMIUM();
  Written w = Write("analyze", Quote(Dumps() / "go1.26/chansend/http_debug2.txt"));
  const std::string driver = R"(<!DOCTYPE html><html><body><pre id="log"></pre>
<iframe id="frame" src="report.html"></iframe>
<script>
var log = document.getElementById('log');
document.getElementById('frame').addEventListener('load', function () {
  var d = this.contentDocument, w = this.contentWindow;
  function say(key, value) { log.textContent += key + ' ' + value + '\n'; }
  function rows() {
    return Array.prototype.map.call(d.querySelectorAll('tr[data-group]'),
                                    function (r) { return r.getAttribute('data-group'); }).join(',');
  }
  try {
    d.querySelectorAll('button.expand')[1].click();
    say('opened', d.querySelectorAll('tr.stack-row').length + ' ' + w.location.hash);
    d.querySelectorAll('button.expand')[1].click();
    say('closed', d.querySelectorAll('tr.stack-row').length);
    var pattern = d.getElementById('f-pattern');
    pattern.value = 'chan-send';
    pattern.dispatchEvent(new Event('change'));
    say('pattern', rows() + ' ' + w.location.hash);
    pattern.value = '';
    pattern.dispatchEvent(new Event('change'));
    var func = d.getElementById('f-func');
    func.value = 'SENDFOREVER';
    func.dispatchEvent(new Event('input'));
    say('func', rows());
    func.value = '';
    func.dispatchEvent(new Event('input'));
    d.querySelector('button[data-sort="count"]').click();
    say('count1', rows());
    d.querySelector('button[data-sort="count"]').click();
    say('count2', rows());
  } catch (e) {
    say('error', e);
  }
});
</script></body></html>
)";
  std::ofstream(w.page.parent_path() / "driver.html") << driver;
  fs::path profile = testing::TempDir();
  CommandResult r = RunShell(
      "timeout 120 chromium --headless --disable-gpu --no-sandbox "
      "--no-first-run --allow-file-access-from-files --user-data-dir=" +
      Quote(profile) + " --dump-dom " +
      Quote("file://" + (w.page.parent_path() / "driver.html").string()));
  fs::remove_all(profile);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> log;
  size_t from = r.out.find("<pre id=\"log\">");
  ASSERT_NE(from, std::string::npos) << r.out;
  std::string text = r.out.substr(from + 14, r.out.find("</pre>") - from - 14);
  const std::regex line("(\\w+) ([^\\n]*)\\n");
  for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) {
    log[(*it)[1]] = (*it)[2];
  }
  ASSERT_FALSE(log.contains("error")) << log["error"];
  const json& groups = w.report["groups"];
  std::string second = groups[1]["id"];
  EXPECT_EQ(log["opened"], "1 #open=" + second);
  EXPECT_EQ(log["closed"], "0");
  auto ids = [&](auto keep) {
    std::vector<std::pair<int, std::string>> list;
    for (const json& g : groups)
      if (keep(g)) list.emplace_back(g["count"].get<int>(), g["id"].get<std::string>());
    return list;
  };
  auto join = [](const std::vector<std::pair<int, std::string>>& list) {
    std::string out;
    for (const auto& [count, id] : list) out += (out.empty() ? "" : ",") + id;
    return out;
  };
  auto sends = ids([](const json& g) { return g["finding"]["pattern"] == "chan-send"; });
  ASSERT_FALSE(sends.empty());
  ASSERT_LT(sends.size(), groups.size());
  EXPECT_EQ(log["pattern"], join(sends) + " #pattern=chan-send");
  auto senders = ids([](const json& g) {
    for (const json& f : g["frames"]) {
      std::string name = f["func"];
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      if (name.find("sendforever") != std::string::npos) return true;
    }
    return false;
  });
  ASSERT_FALSE(senders.empty());
  ASSERT_LT(senders.size(), groups.size());
  EXPECT_EQ(log["func"], join(senders));
  // The first click on a number sorts it largest first, the second reverses.
  auto all = ids([](const json&) { return true; });
  std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first; });
  EXPECT_EQ(log["count1"], join(all));
  std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first < b.first; });
  EXPECT_EQ(log["count2"], join(all));
}

TEST(Html, SuspectsShowWhyEvidenceFixAndTheirSource) {
  GLEAK_REQUIRE_CHROMIUM();
  fs::path programs = testing::SourceDir() / "testdata/programs";
  Written w = Write("analyze", "--rewrite /tmp/gleak-fixtures/1.26=" + Quote(programs) + " " +
                                   Quote(kLeakserver / "snapshot_3.txt"));
  const json& g = w.report["groups"][0];
  ASSERT_TRUE(g["finding"]["suspect"].get<bool>());
  ASSERT_FALSE(g["finding"]["source"].empty()) << "the fixture's source was not found";
  Loaded page = Load(w.page);
  EXPECT_TRUE(page.console.empty()) << page.console.front();
  size_t at = page.dom.find("id=\"suspect-" + g["id"].get<std::string>() + "\"");
  ASSERT_NE(at, std::string::npos);
  std::string card = page.dom.substr(at, page.dom.find("</article>", at) - at);
  EXPECT_TRUE(Has(card, "Why: </strong>" + g["finding"]["suspect_reason"].get<std::string>()));
  EXPECT_TRUE(Has(card, "Fix: </strong>"));
  for (const json& e : g["finding"]["evidence"]) {
    EXPECT_TRUE(Has(card, "<span class=\"kind\">" + e["kind"].get<std::string>()));
  }
  // The line where the goroutines block is marked in the snippet.
  const json& s = g["finding"]["source"][0];
  EXPECT_TRUE(Has(card, "<span class=\"src-line hit\"><span class=\"ln\" aria-hidden=\"true\">" +
                            std::to_string(s["line"].get<int>()) + "</span>"))
      << card;
}

TEST(Html, DiffDrawsTheCountsPerSnapshot) {
  GLEAK_REQUIRE_CHROMIUM();
  std::string args = Quote(kLeakserver / "snapshot_1.txt") + " " +
                     Quote(kLeakserver / "snapshot_2.txt") + " " +
                     Quote(kLeakserver / "snapshot_3.txt");
  Written w = Write("diff", args);
  Loaded page = Load(w.page);
  EXPECT_TRUE(page.console.empty()) << page.console.front();
  ASSERT_TRUE(Has(page.dom, "data-ready=\"true\""));
  EXPECT_TRUE(Has(page.dom, "<h1>gleak diff</h1>"));
  // One line for all goroutines and one per group that grew, with a point per snapshot.
  size_t grew = 0;
  for (const json& g : w.report["groups"]) grew += g["growth"].get<int>() > 0;
  ASSERT_GT(grew, 0u);
  EXPECT_EQ(Count(page.dom, "<polyline points=") - Count(page.dom, "<svg class=\"spark\""),
            1 + grew);
  EXPECT_EQ(Count(page.dom, "<circle "), 3 * (1 + grew));
  // The totals' points: 19, 29 and 39 goroutines.
  const json& totals = w.report["totals"]["goroutines"];
  for (size_t i = 0; i < totals.size(); ++i) {
    EXPECT_TRUE(Has(page.dom, "all goroutines: " + std::to_string(totals[i].get<int>()) +
                                  " in snapshot " + std::to_string(i + 1)));
  }
  // The growing suspect's card has its counts.
  const json& top = w.report["groups"][0];
  ASSERT_TRUE(top["suspect"].get<bool>());
  EXPECT_TRUE(Has(page.dom, "10 → 20 → 30 (+20)"));
  // Sorted by growth by default; by function name on request.
  Loaded by_func = Load(w.page, "sort=func-asc&state=chan%20receive");
  std::vector<std::string> funcs;
  for (const std::string& id : Rows(by_func.dom)) {
    for (const json& g : w.report["groups"])
      if (g["id"] == id) funcs.push_back(g["top_frame"]["func"]);
  }
  ASSERT_GT(funcs.size(), 1u);
  EXPECT_TRUE(std::is_sorted(funcs.begin(), funcs.end())) << ::testing::PrintToString(funcs);
}

// testdata/bad/html_injection.txt: function names, files, a label and a
// creator holding <script>, event handlers, quotes, "<!--", control
// characters, U+2028/2029 and a NUL. None of it may become markup.
TEST(Html, AHostileDumpStaysInert) {
  GLEAK_REQUIRE_CHROMIUM();
  fs::path bad = testing::SourceDir() / "testdata/bad/html_injection.txt";
  Written w = Write("analyze", Quote(bad));
  ASSERT_EQ(w.report["groups"].size(), 3u);
  // In the file: the data's '<' are escaped, so the two script elements are
  // the page's own, and so are the two element ends.
  std::string file = testing::ReadFile(w.page);
  EXPECT_EQ(Count(file, "<script"), 2u);
  EXPECT_EQ(Count(file, "</script"), 2u);
  EXPECT_FALSE(Has(file, "<!--"));
  EXPECT_FALSE(Has(file, "\xE2\x80\xA8"));
  EXPECT_TRUE(Has(file, "\\u2028"));
  std::string open;
  for (const json& g : w.report["groups"])
    open += (open.empty() ? "" : ",") + g["id"].get<std::string>();
  Loaded page = Load(w.page, "open=" + open);
  EXPECT_TRUE(page.console.empty()) << page.console.front();
  ASSERT_TRUE(Has(page.dom, "data-ready=\"true\""));
  EXPECT_EQ(Count(page.dom, "<script"), 2u);
  // What the script drew: the elements it made, none from the dump.
  size_t start = page.dom.find("<main id=\"app\">"), end = page.dom.find("</main>");
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::string app = page.dom.substr(start, end - start);
  EXPECT_GT(app.size(), 5000u);
  EXPECT_FALSE(Has(app, "<script"));
  EXPECT_FALSE(Has(app, "<img"));
  EXPECT_FALSE(Has(app, "<svg"));
  EXPECT_FALSE(std::regex_search(app, std::regex("<[a-z][^>]*\\son[a-z]+=")))
      << "an element has an event handler";
  // The names are there, as text.
  EXPECT_TRUE(Has(page.dom, "main.&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(Has(page.dom, "\"&gt;&lt;img src=x onerror=alert(2)&gt;.go:10"));
  EXPECT_TRUE(Has(page.dom, "main.&lt;svg/onload=alert(3)&gt;"));
  EXPECT_TRUE(Has(page.dom, "who=&lt;/script&gt;&lt;script&gt;alert('label')&lt;/script&gt;"));
  EXPECT_TRUE(Has(page.dom, "main.worker'\"`&lt;!--"));
}

TEST(Html, SameInputSameBytes) {
  for (const std::string& command : {std::string("analyze"), std::string("diff")}) {
    std::string args = command == "analyze" ? Quote(Dumps() / "go1.26/zoo/http_debug2.txt")
                                            : Quote(kLeakserver / "snapshot_1.txt") + " " +
                                                  Quote(kLeakserver / "snapshot_3.txt");
    CommandResult a = RunGleak(command + " --format html " + args);
    CommandResult b = RunGleak(command + " --format html -j 1 " + args);
    ASSERT_EQ(a.exit_code, b.exit_code) << command;
    EXPECT_GT(a.out.size(), 10000u);
    EXPECT_TRUE(a.out == b.out) << command << ": two runs gave different pages";
  }
}

TEST(Html, WatchWritesThePageAndKeepsItWithTheSnapshots) {
  GLEAK_REQUIRE_GO();
  GLEAK_REQUIRE_CHROMIUM();
  std::string error;
  auto server = testing::LiveServer::Start("leakserver", "-capture series", &error);
  ASSERT_NE(server, nullptr) << error;
  fs::path dir = testing::TempDir();
  fs::path page = dir / "out.html";
  CommandResult r =
      RunGleak("watch --count 2 --interval 0.3s --format html -o " + Quote(page) + " --save " +
               Quote(dir / "snaps") + " '" + server->Url("/debug/pprof/goroutine?debug=2") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::ReadFile(page), testing::ReadFile(dir / "snaps" / "report.html"));
  Loaded loaded = Load(page);
  EXPECT_TRUE(loaded.console.empty()) << loaded.console.front();
  ASSERT_TRUE(Has(loaded.dom, "data-ready=\"true\""));
  EXPECT_TRUE(Has(loaded.dom, "<h1>gleak watch</h1>"));
  EXPECT_TRUE(Has(loaded.dom, "2 snapshots tried, 0 failed"));
  EXPECT_EQ(Count(loaded.dom, "<figure class=\"chart\""), 1u);
  // The newest snapshot's spawn tree: the server's pool under main's goroutine.
  ASSERT_TRUE(Has(loaded.dom, "<section id=\"tree\"")) << loaded.dom;
  std::string tree = loaded.dom.substr(loaded.dom.find("<section id=\"tree\""));
  tree = tree.substr(0, tree.find("</section>"));
  size_t worker = tree.find(">main.worker</a>");
  ASSERT_NE(worker, std::string::npos) << tree;
  size_t item = tree.rfind("<li data-depth=\"", worker);
  ASSERT_NE(item, std::string::npos);
  EXPECT_EQ(tree.substr(item, 18), "<li data-depth=\"1\"") << tree;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gleak
