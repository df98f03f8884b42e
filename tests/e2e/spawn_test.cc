// The spawn tree (parent ids, Go 1.21+) and grouping and filtering by pprof
// label, on the committed real dumps: the tree's counts are checked against a
// plain reading of each dump's `goroutine N` and `in goroutine M` lines.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/analyze.h"
#include "render/json_report.h"
#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::Dumps;

using testing::AnalyzeToJson;

// What a plain reading of a traceback says: each goroutine's parent id.
struct Parents {
  std::set<uint64_t> ids;
  std::vector<uint64_t> parent_of_each;  // one per goroutine with a parent id
};

Parents ReadParents(const fs::path& dump) {
  static const std::regex header(R"(^goroutine (\d+) (gp=\S+ m=\S+ (mp=\S+ )?)?\[)");
  static const std::regex created(R"(^created by .* in goroutine (\d+)$)");
  Parents p;
  std::istringstream in(testing::ReadFile(dump));
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, header)) p.ids.insert(std::stoull(m[1]));
    if (std::regex_search(line, m, created)) p.parent_of_each.push_back(std::stoull(m[1]));
  }
  return p;
}

const json* FindGroupWithFrame(const json& report, const std::string& func) {
  for (const json& g : report["groups"]) {
    for (const json& f : g["frames"]) {
      if (f["func"] == func) return &g;
    }
  }
  return nullptr;
}

// Every plain traceback of Go 1.21+ (no thread sections repeating goroutines,
// no ancestor sections): the goroutines whose parent is not in the dump are
// exactly those counted as spawned by exited parents, the others are linked
// to their parent's group, and the links agree from both ends.
TEST(SpawnTree, CountsMatchTheParentIdsOfEveryTraceback) {
  size_t checked = 0, with_exited = 0;
  for (const char* version : {"go1.26", "go1.27"}) {
    for (const auto& e : fs::recursive_directory_iterator(Dumps() / version)) {
      if (e.path().extension() != ".txt") continue;
      std::string text = testing::ReadFile(e.path());
      if (text.find("in goroutine ") == std::string::npos ||
          text.find("originating from goroutine") != std::string::npos ||
          text.find("goroutine profile:") != std::string::npos) {
        continue;
      }
      SCOPED_TRACE(e.path().string());
      json report = AnalyzeToJson({e.path().string()});
      if (report["inputs"][0]["duplicate_goroutines"].get<uint64_t>() > 0) continue;
      if (report["totals"]["ignored_goroutines"].get<uint64_t>() > 0) continue;
      Parents plain = ReadParents(e.path());
      // Inside logs, or goleak's own "Goroutine N in state" form: not a plain read.
      if (plain.ids.size() != report["totals"]["goroutines"].get<uint64_t>()) continue;
      uint64_t exited = 0, linked = 0;
      std::set<uint64_t> exited_ids;
      for (uint64_t parent : plain.parent_of_each) {
        if (plain.ids.count(parent)) {
          ++linked;
        } else {
          ++exited;
          exited_ids.insert(parent);
        }
      }
      uint64_t spawned_by_exited = 0, parent_links = 0, child_links = 0;
      std::map<std::string, const json*> by_id;
      for (const json& g : report["groups"]) by_id[g["id"]] = &g;
      for (const json& g : report["groups"]) {
        spawned_by_exited += g["spawned_by_exited"].get<uint64_t>();
        EXPECT_LE(g["exited_parents"].get<uint64_t>(), g["spawned_by_exited"].get<uint64_t>());
        for (const json& l : g["parent_groups"]) {
          parent_links += l["count"].get<uint64_t>();
          ASSERT_TRUE(by_id.count(l["id"])) << l;
          // The parent group lists this group as a child, with the same count.
          bool found = false;
          for (const json& c : (*by_id[l["id"]])["child_groups"]) {
            found |= c["id"] == g["id"] && c["count"] == l["count"];
          }
          EXPECT_TRUE(found) << g["id"] << " under " << l["id"];
        }
        for (const json& l : g["child_groups"]) child_links += l["count"].get<uint64_t>();
      }
      EXPECT_EQ(spawned_by_exited, exited);
      EXPECT_EQ(parent_links, linked);
      EXPECT_EQ(child_links, linked);
      if (exited > 0) ++with_exited;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40u);
  EXPECT_GT(with_exited, 2u);
}

// svcapi's client side makes a Transport per request: each request's
// goroutine starts a connection's readLoop and writeLoop and returns, so they
// hang under 32 parents that have exited; the server's connections hang
// under the one goroutine that serves.
TEST(SpawnTree, PerRequestSpawningShowsAsExitedParents) {
  json report = AnalyzeToJson({(Dumps() / "go1.26/svcapi/http_debug2.txt").string()});
  const json* read = FindGroupWithFrame(report, "net/http.(*persistConn).readLoop");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ((*read)["count"], 32);
  EXPECT_EQ((*read)["spawned_by_exited"], 32);
  EXPECT_EQ((*read)["exited_parents"], 32);
  EXPECT_TRUE((*read)["parent_groups"].empty());
  const json* conns = FindGroupWithFrame(report, "net/http.(*conn).serve");
  const json* serve = FindGroupWithFrame(report, "main.serveAPI");
  ASSERT_NE(conns, nullptr);
  ASSERT_NE(serve, nullptr);
  EXPECT_EQ((*conns)["spawned_by_exited"], 0);
  ASSERT_EQ((*conns)["parent_groups"].size(), 1u);
  EXPECT_EQ((*conns)["parent_groups"][0]["id"], (*serve)["id"]);
  EXPECT_EQ((*conns)["parent_groups"][0]["count"], (*conns)["count"]);
}

// A dump without parent ids (debug=1) has no tree, and says so in the view.
TEST(SpawnTree, NoParentIdsNoLinks) {
  json report = AnalyzeToJson({(Dumps() / "go1.26/svcapi/http_debug1.txt").string()});
  for (const json& g : report["groups"]) {
    EXPECT_TRUE(g["parent_groups"].empty());
    EXPECT_TRUE(g["child_groups"].empty());
    EXPECT_EQ(g["spawned_by_exited"], 0);
  }
  auto r = testing::RunGleak("analyze --view tree --no-source " +
                             (Dumps() / "go1.26/svcapi/http_debug1.txt").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no parent ids in this dump"), std::string::npos) << r.out;
}

// The text view: the long-poll handlers under the goroutine that serves
// them, three levels below the program's main goroutine, and a group with
// several parent groups shown in full once.
TEST(SpawnTree, TextViewIndentsChildrenUnderParents) {
  auto r = testing::RunGleak("analyze --view tree --no-source --color never " +
                             (Dumps() / "go1.26/svclongpoll/http_debug2.txt").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::map<std::string, size_t> indent;  // function -> column of its row's '#'
  size_t repeats = 0;
  while (std::getline(in, line)) {
    size_t hash = line.find('#');
    if (hash == std::string::npos) continue;
    for (const char* f : {"fixture.parkMain", "main.serveApp", "main.longPoll", "main.events"}) {
      if (line.find(f) != std::string::npos && !indent.count(f)) indent[f] = hash;
    }
    repeats += line.find("(shown above)") != std::string::npos;
  }
  ASSERT_EQ(indent.size(), 4u) << r.out;
  EXPECT_LT(indent["fixture.parkMain"], indent["main.serveApp"]);
  EXPECT_LT(indent["main.serveApp"], indent["main.longPoll"]);
  EXPECT_EQ(indent["main.longPoll"], indent["main.events"]);
  EXPECT_GE(repeats, 1u) << r.out;  // backgroundRead, under both handlers
  // Per-request spawning, in the view.
  auto api = testing::RunGleak("analyze --view tree --no-source --color never " +
                               (Dumps() / "go1.26/svcapi/http_debug2.txt").string());
  EXPECT_NE(api.out.find("32 created by 32 goroutines that have exited"), std::string::npos)
      << api.out;
  auto json_tree = testing::RunGleak("analyze --view tree --format json " +
                                     (Dumps() / "go1.26/svcapi/http_debug2.txt").string());
  EXPECT_EQ(json_tree.exit_code, 2);
}

// Each row of the JSON spawn tree says how many rows lie directly under it
// (those that follow it one level deeper, before the next row at its depth or
// above): what the HTML page folds and Markdown nests. A repeated row has none.
TEST(SpawnTree, EachRowCountsTheRowsDirectlyUnderIt) {
  size_t rows_with_children = 0;
  for (const char* dump :
       {"go1.26/svclongpoll/http_debug2.txt", "go1.26/svcapi/http_debug2.txt",
        "go1.27/labels/labels_default.txt", "go1.26/leakserver/snapshot_3.txt"}) {
    SCOPED_TRACE(dump);
    auto r = testing::RunGleak("analyze --format json --no-source " + (Dumps() / dump).string());
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    const json tree = json::parse(r.out)["spawn_tree"];
    ASSERT_FALSE(tree.empty());
    for (size_t i = 0; i < tree.size(); ++i) {
      size_t depth = tree[i]["depth"], under = 0;
      for (size_t j = i + 1; j < tree.size() && tree[j]["depth"].get<size_t>() > depth; ++j) {
        under += tree[j]["depth"].get<size_t>() == depth + 1;
      }
      EXPECT_EQ(tree[i]["children"].get<size_t>(), under) << "row " << i;
      if (tree[i]["repeat"].get<bool>()) {
        EXPECT_EQ(under, 0u) << "row " << i;
      }
      rows_with_children += under > 0;
    }
  }
  EXPECT_GE(rows_with_children, 4u);
}

// A diff's spawn tree (JSON spawn_tree) is the newest snapshot's: the same
// links, with the same counts, as `analyze` gives for that snapshot alone,
// its roots most growth first; each row says its count in the first snapshot
// and its growth.
json DiffJson(const std::string& args) {
  auto r = testing::RunGleak("diff --format json --no-source " + args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  return json::parse(r.out);
}

// Each row of a spawn_tree as "depth parent-id child-id count" (a root's
// parent "-"), the rows' group ids taken from the document's groups.
std::multiset<std::string> Links(const json& doc) {
  std::multiset<std::string> links;
  std::vector<std::string> path;
  for (const json& r : doc["spawn_tree"]) {
    size_t depth = r["depth"];
    std::string id = doc["groups"][r["rank"].get<size_t>() - 1]["id"];
    path.resize(depth);
    links.insert(std::to_string(depth) + " " + (depth ? path.back() : "-") + " " + id + " " +
                 std::to_string(r["count"].get<uint64_t>()) + (r["repeat"] ? " repeat" : ""));
    path.push_back(id);
  }
  return links;
}

const json* TreeRow(const json& doc, const std::string& func) {
  for (const json& r : doc["spawn_tree"]) {
    const json& g = doc["groups"][r["rank"].get<size_t>() - 1];
    if (!g["top_frame"].is_null() && g["top_frame"]["func"] == func) return &r;
  }
  return nullptr;
}

TEST(SpawnTree, DiffGivesTheNewestSnapshotsTreeWithGrowth) {
  const fs::path series = Dumps() / "go1.26/leakserver";
  json diff =
      DiffJson((series / "snapshot_1.txt").string() + " " + (series / "snapshot_3.txt").string());
  json newest = AnalyzeToJson({(series / "snapshot_3.txt").string()});
  ASSERT_FALSE(diff["spawn_tree"].empty());
  EXPECT_EQ(Links(diff), Links(newest));
  EXPECT_EQ(diff["spawn_sample_level"], 0);
  size_t roots = 0;
  int64_t last_growth = INT64_MAX;
  for (const json& r : diff["spawn_tree"]) {
    const json& g = diff["groups"][r["rank"].get<size_t>() - 1];
    ASSERT_FALSE(r["old_count"].is_null());
    EXPECT_EQ(r["growth"].get<int64_t>(),
              r["count"].get<int64_t>() - r["old_count"].get<int64_t>());
    if (r["depth"] != 0) continue;
    ++roots;
    // A root's counts are its group's, first and newest; roots in the diff's order.
    EXPECT_EQ(r["old_count"], g["counts"].front());
    EXPECT_EQ(r["count"], g["counts"].back());
    EXPECT_LE(g["growth"].get<int64_t>(), last_growth);
    last_growth = g["growth"].get<int64_t>();
  }
  EXPECT_GE(roots, 2u);
  // The leak (one goroutine per /work request, its handler gone) leads, and
  // the steady pool stays under main's goroutine.
  const json* leak = TreeRow(diff, "main.leakyWork");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(leak, &diff["spawn_tree"][0]);
  EXPECT_EQ((*leak)["old_count"], 10);
  EXPECT_EQ((*leak)["count"], 30);
  EXPECT_EQ((*leak)["growth"], 20);
  const json* pool = TreeRow(diff, "main.worker");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ((*pool)["depth"], 1);
  EXPECT_EQ((*pool)["old_count"], 4);
  EXPECT_EQ((*pool)["growth"], 0);

  // chanrecv's program serves its dump over HTTP: in that snapshot, not in
  // its SIGQUIT one, the server's goroutines are new under main's, each under
  // the group that created it, with what that group created then (none).
  const fs::path chanrecv = Dumps() / "go1.26/chanrecv";
  json grown =
      DiffJson((chanrecv / "sigquit.txt").string() + " " + (chanrecv / "http_debug2.txt").string());
  EXPECT_EQ(Links(grown), Links(AnalyzeToJson({(chanrecv / "http_debug2.txt").string()})));
  const json* serve = TreeRow(grown, "gleak.test/programs/internal/fixture.(*F).serve");
  const json* read = TreeRow(grown, "net/http.(*connReader).backgroundRead");
  ASSERT_NE(serve, nullptr);
  ASSERT_NE(read, nullptr);
  EXPECT_GT(read, serve);
  EXPECT_GE((*read)["depth"].get<size_t>(), 2u);
  EXPECT_EQ((*serve)["depth"], 1);
  for (const json* r : {serve, read}) {
    EXPECT_EQ((*r)["old_count"], 0);
    EXPECT_EQ((*r)["count"], 1);
    EXPECT_EQ((*r)["growth"], 1);
  }

  // A first snapshot without parent ids (debug=1) tells no old count below a root.
  json from_debug1 = DiffJson((series / "snapshot_3_debug1.txt").string() + " " +
                              (series / "snapshot_3.txt").string());
  EXPECT_EQ(Links(from_debug1), Links(newest));
  const json* pool_again = TreeRow(from_debug1, "main.worker");
  ASSERT_NE(pool_again, nullptr);
  EXPECT_TRUE((*pool_again)["old_count"].is_null());
  EXPECT_TRUE((*pool_again)["growth"].is_null());
  EXPECT_FALSE(from_debug1["spawn_tree"][0]["old_count"].is_null());
}

// `gleak diff --view tree`: the same tree in text, children indented under
// their parents, a changed row with its first and newest counts.
TEST(SpawnTree, DiffTextViewShowsTheTreeWithGrowth) {
  const fs::path series = Dumps() / "go1.26/leakserver";
  auto r = testing::RunGleak("diff --view tree --no-source --color never " +
                             (series / "snapshot_1.txt").string() + " " +
                             (series / "snapshot_3.txt").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::map<std::string, size_t> indent;
  std::string leak;
  while (std::getline(in, line)) {
    size_t hash = line.find('#');
    if (hash == std::string::npos) continue;
    for (const char* f : {"fixture.parkMain", "main.worker", "main.leakyWork"}) {
      if (line.find(f) != std::string::npos && !indent.count(f)) indent[f] = hash;
    }
    if (line.find("main.leakyWork") != std::string::npos) leak = line;
  }
  ASSERT_EQ(indent.size(), 3u) << r.out;
  EXPECT_LT(indent["fixture.parkMain"], indent["main.worker"]);
  EXPECT_EQ(indent["main.leakyWork"], indent["fixture.parkMain"]);
  EXPECT_NE(leak.find("(10 → 30, +20)"), std::string::npos) << leak;
  EXPECT_NE(r.out.find("30 created by 30 goroutines that have exited"), std::string::npos) << r.out;
  auto as_json =
      testing::RunGleak("diff --view tree --format json " + (series / "snapshot_1.txt").string() +
                        " " + (series / "snapshot_3.txt").string());
  EXPECT_EQ(as_json.exit_code, 2);
}

// Past the cap on kept ids the tree is sampled by id hash: the same sample
// whatever the number of threads, flagged in the report, with the counts
// estimated.
TEST(SpawnTree, SampledPastTheCapAndTheSameAtAnyThreads) {
  GLEAK_REQUIRE_GO();
  fs::path dir = testing::TempDir();
  std::string dump = (dir / "service_debug2.txt").string();
  testing::CommandResult gen = testing::RunShell(
      "cd '" + (testing::SourceDir() / "bench" / "gen").string() +
      "' && GOFLAGS=-mod=mod go run . -q -shape service -n 4000 -debug2 '" + dump + "'");
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  AnalyzeOptions one;
  one.threads = 1;
  json exact = AnalyzeToJson({dump}, one);
  EXPECT_EQ(exact["spawn_sample_level"], 0);
  one.cluster.spawn.max_entries = 500;
  json sampled = AnalyzeToJson({dump}, one);
  EXPECT_GT(sampled["spawn_sample_level"].get<int>(), 0);
  for (size_t threads : {2, 5}) {
    AnalyzeOptions many = one;
    many.threads = threads;
    many.min_split_bytes = 64 * 1024;
    many.max_split_threads = threads;
    EXPECT_EQ(AnalyzeToJson({dump}, many), sampled) << threads;
    many.cluster.spawn.max_entries = SpawnLimits{}.max_entries;
    EXPECT_EQ(AnalyzeToJson({dump}, many), exact) << threads;
  }
}

// --by-label splits groups by a label's value in every dump form that
// carries labels (debug=1 `# labels:`, protobuf, Go 1.27 headers), and
// --label keeps only the goroutines with a label.
TEST(ByLabel, SplitsAndFiltersInEveryForm) {
  for (const char* dump : {"go1.27/labels/labels_default.txt", "go1.26/labels/http_debug1.txt",
                           "go1.26/labels/http_proto.pb.gz"}) {
    SCOPED_TRACE(dump);
    std::string path = (Dumps() / dump).string();
    AnalyzeOptions by_pool;
    by_pool.cluster.by_label = "pool";
    json report = AnalyzeToJson({path}, by_pool);
    std::map<std::string, uint64_t> workers;  // pool -> goroutines in the chan receive groups
    for (const json& g : report["groups"]) {
      ASSERT_TRUE(g["by_label"].is_object()) << g;
      EXPECT_EQ(g["by_label"]["key"], "pool");
      std::string pool = g["by_label"]["value"].is_null() ? "(none)" : g["by_label"]["value"];
      if (g["state"] == "chan receive" || g["state"] == "") {
        for (const char* f : {"main.ingestWorker", "main.egressWorker", "main.plainWorker"}) {
          for (const json& fr : g["frames"]) {
            if (fr["func"] == f) workers[pool + " " + f] += g["count"].get<uint64_t>();
          }
        }
      }
    }
    EXPECT_EQ(workers["ingest main.ingestWorker"], 4u);
    EXPECT_EQ(workers["egress main.egressWorker"], 3u);
    EXPECT_EQ(workers["(none) main.plainWorker"], 2u);
    // Without --by-label groups are as before.
    json plain = AnalyzeToJson({path});
    for (const json& g : plain["groups"]) EXPECT_TRUE(g["by_label"].is_null());

    AnalyzeOptions egress;
    egress.cluster.label_filters = {{"pool", "egress"}, {"region", "eu west"}};
    json kept = AnalyzeToJson({path}, egress);
    EXPECT_EQ(kept["totals"]["shown_goroutines"], 3);
    EXPECT_EQ(kept["totals"]["ignored_goroutines"].get<uint64_t>() + 3,
              kept["totals"]["goroutines"].get<uint64_t>());
    egress.cluster.label_filters = {{"pool", "egress"}, {"region", "eu"}};
    EXPECT_EQ(AnalyzeToJson({path}, egress)["totals"]["shown_goroutines"], 0);
  }
  auto text = testing::RunGleak("analyze --no-source --color never --by-label region " +
                                (Dumps() / "go1.27/labels/labels_default.txt").string());
  EXPECT_NE(text.out.find("   label  region=\"eu west\""), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("   label  no region label"), std::string::npos) << text.out;
  auto bad = testing::RunGleak("analyze --label pool " +
                               (Dumps() / "go1.26/labels/http_debug1.txt").string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--label takes KEY=VALUE"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace gleak
