// Grouping on real dumps: counts are conserved, levels zoom as documented,
// ids are stable, and filters do what they say.
#include "cluster/clusterer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/core.h>

#include "base/intern.h"
#include "cluster/merge.h"
#include "cluster/normalize.h"
#include "input/byte_source.h"
#include "parse/parse_source.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;

using testing::Dump;
using testing::SourceLine;

struct Clustered {
  std::vector<Group> groups;
  uint64_t goroutines = 0;
  uint64_t ignored = 0;
};

Clustered Cluster(const std::vector<fs::path>& paths, ClusterOptions options = {}) {
  Clusterer clusterer(options);
  for (size_t i = 0; i < paths.size(); ++i) {
    auto source = OpenInput(paths[i].string());
    clusterer.set_input(i);
    ParseSource(*source, clusterer);
  }
  return Clustered{clusterer.BuildGroups(), clusterer.goroutines(), clusterer.ignored_goroutines()};
}

uint64_t Sum(const std::vector<Group>& groups) {
  uint64_t n = 0;
  for (const Group& g : groups) n += g.count;
  return n;
}

const Group* FindTop(const std::vector<Group>& groups, const std::string& func) {
  for (const Group& g : groups) {
    if (!g.frames.empty() && g.frames[g.top_frame].func == func) return &g;
  }
  return nullptr;
}

TEST(Clusterer, EveryGoroutineLandsInExactlyOneGroup) {
  std::vector<fs::path> dumps = testing::CommittedDumps();
  ASSERT_GT(dumps.size(), 250u / testing::kCommittedDumpStride);
  for (const fs::path& dump : dumps) {
    for (GroupingLevel level :
         {GroupingLevel::kExact, GroupingLevel::kLine, GroupingLevel::kFunc, GroupingLevel::kTop}) {
      ClusterOptions options;
      options.level = level;
      Clustered c = Cluster({dump}, options);
      EXPECT_EQ(Sum(c.groups), c.goroutines) << dump;
    }
  }
}

TEST(Clusterer, IdenticalWorkersFormOneGroupAndLabelsAreKept) {
  // labels/main.go: 4 ingest workers (pool=ingest shard=7), 3 egress workers
  // (pool=egress region="eu west"), 2 unlabelled; and the 4 goroutines of
  // the fixture's HTTP server, each of its own kind.
  Clustered debug2 = Cluster({Dump("go1.19/labels/http_debug2.txt")});
  std::multiset<uint64_t> counts;
  for (const Group& g : debug2.groups) counts.insert(g.count);
  EXPECT_EQ(counts, (std::multiset<uint64_t>{4, 3, 2, 1, 1, 1, 1}));

  Clustered debug1 = Cluster({Dump("go1.19/labels/http_debug1.txt")});
  std::map<std::string, const Group*> labeled;
  for (const Group& g : debug1.groups) {
    if (!g.label_sets.empty()) labeled[g.frames[g.top_frame].func] = &g;
  }
  ASSERT_EQ(labeled.size(), 2u);
  const Group* ingest = labeled["main.ingestWorker.func1"];
  ASSERT_NE(ingest, nullptr);
  EXPECT_EQ(ingest->count, 4u);
  ASSERT_EQ(ingest->label_sets.size(), 1u);
  EXPECT_EQ(ingest->label_sets[0].count, 4u);
  EXPECT_EQ(ingest->label_sets[0].labels,
            (std::vector<std::pair<std::string, std::string>>{{"pool", "ingest"}, {"shard", "7"}}));
  const Group* egress = labeled["main.egressWorker"];
  ASSERT_NE(egress, nullptr);
  EXPECT_EQ(egress->count, 3u);
  ASSERT_EQ(egress->label_sets.size(), 1u);
  EXPECT_EQ(egress->label_sets[0].labels, (std::vector<std::pair<std::string, std::string>>{
                                              {"pool", "egress"}, {"region", "eu west"}}));
}

TEST(Clusterer, TopFrameIsTheFirstFrameInUserCode) {
  // locks/main.go: readers wait on an RWMutex a writer never unlocked; Go
  // 1.19 prints their state as semacquire.
  Clustered c = Cluster({Dump("go1.19/locks/http_debug2.txt")});
  const Group* rlock = FindTop(c.groups, "main.readConfig");
  ASSERT_NE(rlock, nullptr);
  EXPECT_EQ(rlock->count, 20u);
  EXPECT_EQ(rlock->state, "sync.RWMutex.RLock");
  EXPECT_EQ(rlock->frames.front().func, "sync.runtime_SemacquireMutex");
  Clustered w = Cluster({Dump("go1.19/waitgroup/http_debug2.txt")});
  int waiters = 0;
  for (const Group& g : w.groups) {
    if (g.state != "sync.WaitGroup.Wait") continue;
    ++waiters;
    EXPECT_EQ(g.frames.front().func, "sync.runtime_Semacquire");
    EXPECT_TRUE(g.frames[g.top_frame].func.starts_with("main.")) << g.frames[g.top_frame].func;
  }
  EXPECT_EQ(waiters, 3);  // handleBatch, fanOut, waitAll
}

TEST(Clusterer, IdsAreStableAcrossRunsAndLevelsDiffer) {
  fs::path dump = Dump("go1.19/zoo/http_debug2.txt");
  Clustered a = Cluster({dump});
  Clustered b = Cluster({dump});
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (size_t i = 0; i < a.groups.size(); ++i) EXPECT_EQ(a.groups[i].id, b.groups[i].id);
  ClusterOptions func;
  func.level = GroupingLevel::kFunc;
  Clustered f = Cluster({dump}, func);
  EXPECT_NE(a.groups[0].id, f.groups[0].id);
}

TEST(Clusterer, SameCodeInALevelTwoDumpGroupsLikeTheLevelOneDump) {
  // SIGQUIT prints runtime frames (gopark, goexit...) that a debug=2 dump
  // hides; signatures drop them, so the same goroutines get the same ids.
  // Only the fixture's HTTP server (in the debug=2 dump alone) differs.
  for (const char* version : {"go1.19", "go1.26"}) {
    SCOPED_TRACE(version);
    ClusterOptions options;
    options.level = GroupingLevel::kFunc;
    Clustered level1 = Cluster({Dump(std::string(version) + "/zoo/http_debug2.txt")}, options);
    Clustered level2 = Cluster({Dump(std::string(version) + "/zoo/sigquit.txt")}, options);
    std::map<std::string, uint64_t> ids2;
    for (const Group& g : level2.groups) ids2[g.id] = g.count;
    int shared = 0;
    for (const Group& g : level1.groups) {
      std::string top = g.frames[g.top_frame].func;
      if (top.starts_with("gleak.test/programs/internal/fixture.") || top.starts_with("net/http."))
        continue;
      auto it = ids2.find(g.id);
      ASSERT_NE(it, ids2.end()) << top;
      EXPECT_EQ(it->second, g.count) << top;
      ++shared;
    }
    EXPECT_EQ(shared, 9) << level1.groups.size() << " groups at level 1";
  }
}

// Clusterers that read parts of one input under sequence numbers fold into
// the groups of one clusterer reading the parts in sequence order, whichever
// is folded into which: a group's stack is that of its goroutine of the
// lowest sequence (chunks read on several threads rely on it). At the func
// level the zoo program's groups under Go 1.19 and 1.26 are the same groups,
// with other files and lines.
TEST(Clusterer, FoldedPartsKeepTheStackOfTheLowestSequence) {
  ClusterOptions func;
  func.level = GroupingLevel::kFunc;
  const fs::path early = Dump("go1.19/zoo/http_debug2.txt");
  const fs::path late = Dump("go1.26/zoo/http_debug2.txt");
  auto read = [](Clusterer& clusterer, const fs::path& path) {
    auto source = OpenInput(path.string());
    ParseSource(*source, clusterer);
  };
  Clusterer in_order(func);
  read(in_order, early);
  read(in_order, late);
  Clusterer late_part(func);
  late_part.set_sequence(1);
  read(late_part, late);
  Clusterer early_part(func);
  early_part.set_sequence(0);
  read(early_part, early);
  late_part.Absorb(early_part);  // the later part is the one folded into
  auto stacks = [](const std::vector<Group>& groups) {
    std::map<std::string, std::string> by_id;
    for (const Group& g : groups) {
      std::string text = fmt::format("{} {}", g.count, g.state);
      for (const StackFrame& f : g.frames) text += fmt::format(" {}:{}", f.file, f.line);
      by_id[g.id] = text;
    }
    return by_id;
  };
  std::map<std::string, std::string> folded = stacks(late_part.BuildGroups());
  std::map<std::string, std::string> expected = stacks(in_order.BuildGroups());
  EXPECT_EQ(folded, expected);
  // Groups both parts hold, whose stack is the early part's.
  std::map<std::string, std::string> late_alone = stacks(Cluster({late}, func).groups);
  size_t from_early = 0;
  for (const auto& [id, text] : folded) {
    if (late_alone.contains(id) && text.find("/1.19/") != std::string::npos) ++from_early;
  }
  EXPECT_GT(from_early, 3u);
}

TEST(Clusterer, FuncLevelMergesWhatLineLevelSplits) {
  // zoo/main.go starts main.(*task).Run from three go statements.
  fs::path dump = Dump("go1.19/zoo/http_debug2.txt");
  Clustered line = Cluster({dump});
  ClusterOptions func;
  func.level = GroupingLevel::kFunc;
  Clustered by_func = Cluster({dump}, func);
  const Group* run = FindTop(by_func.groups, "main.(*task).Run");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->count, 3u);
  EXPECT_EQ(run->creators.size(), 3u);
  EXPECT_LT(by_func.groups.size(), line.groups.size());
}

TEST(Clusterer, IgnoreFilterAndExclude) {
  fs::path dump = Dump("go1.19/zoo/http_debug2.txt");
  ClusterOptions ignore;
  ignore.ignore_funcs = {"main.readPipe"};
  Clustered ignored = Cluster({dump}, ignore);
  EXPECT_EQ(ignored.ignored, 1u);
  EXPECT_EQ(FindTop(ignored.groups, "main.readPipe"), nullptr);
  EXPECT_EQ(Sum(ignored.groups) + ignored.ignored, ignored.goroutines);

  ClusterOptions filter;
  filter.filters = {std::make_shared<Pattern>("^main\\.(many|struct)Args", "--filter")};
  Clustered filtered = Cluster({dump}, filter);
  for (const Group& g : filtered.groups) {
    std::string top = g.frames[g.top_frame].func;
    EXPECT_TRUE(top == "main.manyArgs" || top == "main.structArgs") << top;
  }
  EXPECT_EQ(filtered.groups.size(), 2u);

  ClusterOptions exclude;
  exclude.excludes = {std::make_shared<Pattern>(
      fmt::format("zoo/main\\.go:({}|{})$", SourceLine("zoo/main.go", "syscall.Read(fd, buf)"),
                  SourceLine("zoo/main.go", "rw.Lock()")),
      "--exclude")};
  Clustered excluded = Cluster({dump}, exclude);
  EXPECT_EQ(excluded.ignored, 2u);
  EXPECT_EQ(FindTop(excluded.groups, "main.writeLocked"), nullptr);
}

TEST(Clusterer, InputsAreSeparateUnlessMerged) {
  fs::path dump = Dump("go1.19/zoo/http_debug2.txt");
  Clustered separate = Cluster({dump, dump});
  Clustered single = Cluster({dump});
  EXPECT_EQ(separate.groups.size(), 2 * single.groups.size());
  ClusterOptions merge;
  merge.per_input = false;
  Clustered merged = Cluster({dump, dump}, merge);
  ASSERT_EQ(merged.groups.size(), single.groups.size());
  for (const Group& g : merged.groups) {
    ASSERT_EQ(g.inputs.size(), 2u);
    EXPECT_EQ(g.inputs[0].count + g.inputs[1].count, g.count);
  }
}

// Forwards records with their stack key erased: the clusterer then walks
// every frame, as it does for a stack it has not seen.
class WithoutStackKeys : public RecordSink {
 public:
  explicit WithoutStackKeys(RecordSink& next) : next_(next) {}
  void OnGoroutine(const Goroutine& g) override {
    Goroutine copy = g;
    copy.stack_key = {};
    next_.OnGoroutine(copy);
  }

 private:
  RecordSink& next_;
};

std::string Describe(const std::vector<Group>& groups) {
  std::string out;
  for (const Group& g : groups) {
    out += fmt::format("{} {} {} {}", g.id, g.count, g.state, g.frames.size());
    for (uint64_t id : g.sample_ids) out += fmt::format(" s{}", id);
    for (const Creator& c : g.creators)
      out += fmt::format(" c{}:{}={}", c.frame.func, c.frame.line, c.count);
    for (const LabelSet& l : g.label_sets) out += fmt::format(" l{}={}", l.labels.size(), l.count);
    for (const InputShare& i : g.inputs) out += fmt::format(" i{}={}", i.input, i.count);
    out += "\n";
  }
  return out;
}

// The shortcut for repeated stacks (Goroutine::stack_key) lands every
// goroutine in the group the full walk gives, at every level, with --ignore,
// and with inputs kept apart or merged.
TEST(Clusterer, RepeatedStacksTakeTheShortcutToTheSameGroups) {
  std::vector<fs::path> dumps = testing::CommittedDumps();
  ASSERT_GT(dumps.size(), 80u);
  std::vector<ClusterOptions> variants;
  for (GroupingLevel level :
       {GroupingLevel::kExact, GroupingLevel::kLine, GroupingLevel::kFunc, GroupingLevel::kTop}) {
    ClusterOptions o;
    o.level = level;
    variants.push_back(o);
  }
  variants.push_back(ClusterOptions{});
  variants.back().ignore_funcs = {"main.main", "runtime.gopark"};
  variants.push_back(ClusterOptions{});
  variants.back().per_input = false;
  size_t repeats = 0;
  for (const ClusterOptions& options : variants) {
    Clusterer keyed(options);
    Clusterer walked(options);
    WithoutStackKeys unkeyed(walked);
    // Two inputs of three dumps each: a stack seen in one input is new in the next.
    for (size_t i = 0; i < dumps.size(); ++i) {
      keyed.set_input(i / 3 % 2);
      walked.set_input(i / 3 % 2);
      auto a = OpenInput(dumps[i].string());
      ParseSource(*a, keyed);
      auto b = OpenInput(dumps[i].string());
      ParseSource(*b, unkeyed);
    }
    EXPECT_EQ(keyed.goroutines(), walked.goroutines());
    EXPECT_EQ(keyed.ignored_goroutines(), walked.ignored_goroutines());
    std::vector<Group> groups = keyed.BuildGroups();
    EXPECT_EQ(Describe(groups), Describe(walked.BuildGroups()));
    repeats += keyed.goroutines() - groups.size();
  }
  EXPECT_GT(repeats, 1000u);  // the shortcut was taken, many times

  // Stacks that differ only in their text, not in any length or line: each
  // dump followed by itself with "main." renamed "mbin.".
  for (size_t i = 0; i < dumps.size(); i += 7) {
    std::string text = testing::ReadFile(dumps[i]);
    std::string renamed = text;
    for (size_t at = renamed.find("main."); at != std::string::npos; at = renamed.find("main.", at))
      renamed[at + 1] = 'b';
    Clusterer keyed(ClusterOptions{});
    Clusterer walked(ClusterOptions{});
    WithoutStackKeys unkeyed(walked);
    auto a = MemorySource("both", text + "\n\n" + renamed);
    ParseSource(*a, keyed);
    auto b = MemorySource("both", text + "\n\n" + renamed);
    ParseSource(*b, unkeyed);
    EXPECT_EQ(Describe(keyed.BuildGroups()), Describe(walked.BuildGroups())) << dumps[i];
  }
}

// ---- the cap on distinct groups ----------------------------------------------

const Group* Overflow(const std::vector<Group>& groups) {
  for (const Group& g : groups) {
    if (g.overflow) return &g;
  }
  return nullptr;
}

TEST(Clusterer, PastMaxGroupsNewGroupsGoToOneOverflowGroup) {
  // 162 goroutines in 8 groups; the first goroutines of the dump start 4 of them.
  fs::path dump = Dump("go1.26/chansend/http_debug2.txt");
  Clustered whole = Cluster({dump});
  ASSERT_EQ(whole.groups.size(), 8u);
  EXPECT_EQ(Overflow(whole.groups), nullptr);
  for (size_t cap : {1, 3, 7, 8, 100}) {
    SCOPED_TRACE(cap);
    ClusterOptions options;
    options.max_groups = cap;
    Clustered capped = Cluster({dump}, options);
    EXPECT_EQ(capped.goroutines, 162u);
    EXPECT_EQ(Sum(capped.groups), 162u);
    size_t kept = std::min<size_t>(cap, 8);
    ASSERT_EQ(capped.groups.size(), kept + (cap < 8 ? 1 : 0));
    // The groups kept are the first ones made, whole: a goroutine of a kept
    // group that comes after the cap still joins it.
    for (size_t i = 0; i < kept; ++i) {
      EXPECT_EQ(capped.groups[i].id, whole.groups[i].id);
      EXPECT_EQ(capped.groups[i].count, whole.groups[i].count);
      EXPECT_EQ(capped.groups[i].frames.size(), whole.groups[i].frames.size());
    }
    const Group* overflow = Overflow(capped.groups);
    if (cap >= 8) {
      EXPECT_EQ(overflow, nullptr);
      continue;
    }
    ASSERT_NE(overflow, nullptr);
    uint64_t rest = 0;
    for (size_t i = kept; i < 8; ++i) rest += whole.groups[i].count;
    EXPECT_EQ(overflow->count, rest);
    EXPECT_EQ(overflow->id, kOverflowGroupId);
    EXPECT_EQ(overflow->func_id, kOverflowGroupId);
    EXPECT_EQ(overflow->state, kOverflowState);
    EXPECT_TRUE(overflow->frames.empty());
    EXPECT_TRUE(overflow->creators.empty());
    EXPECT_FALSE(overflow->sample_ids.empty());
    ASSERT_EQ(overflow->inputs.size(), 1u);
    EXPECT_EQ(overflow->inputs[0].count, rest);
  }
}

TEST(Clusterer, FramesGivenBackPastTheCapDoNotConfuseLaterGroups) {
  // Past the cap, each record's new frames are forgotten again. A later
  // record of a kept group must still find its group, at every level.
  std::string text;
  auto add = [&](int id, const std::string& func, int line) {
    text += "goroutine " + std::to_string(id) + " [chan send]:\n" + func +
            "(0x1)\n\t/src/app/main.go:" + std::to_string(line) +
            " +0x1\nmain.run()\n\t/src/app/main.go:9 +0x1\n\n";
  };
  add(1, "main.kept", 10);
  for (int i = 0; i < 50; ++i) add(100 + i, "main.new" + std::to_string(i), 20 + i);
  add(2, "main.kept", 10);
  for (GroupingLevel level :
       {GroupingLevel::kExact, GroupingLevel::kLine, GroupingLevel::kFunc, GroupingLevel::kTop}) {
    SCOPED_TRACE(GroupingLevelName(level));
    ClusterOptions options;
    options.level = level;
    options.max_groups = 1;
    Clusterer clusterer(options);
    auto source = MemorySource("mem", text);
    ParseSource(*source, clusterer);
    std::vector<Group> groups = clusterer.BuildGroups();
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].frames.front().func, "main.kept");
    EXPECT_EQ(groups[0].count, 2u);
    EXPECT_EQ(groups[0].sample_ids, (std::vector<uint64_t>{1, 2}));
    EXPECT_TRUE(groups[1].overflow);
    EXPECT_EQ(groups[1].count, 50u);
  }
}

TEST(Clusterer, EachInputHasItsOwnOverflowGroupUnlessMerged) {
  fs::path dump = Dump("go1.26/names/http_debug2.txt");  // 16 goroutines, 16 groups
  ClusterOptions options;
  options.max_groups = 4;
  Clustered separate = Cluster({dump, dump}, options);
  // The cap is on the clusterer: input 0 fills it, input 1 only overflows.
  ASSERT_EQ(separate.groups.size(), 6u);
  std::vector<const Group*> overflows;
  for (const Group& g : separate.groups) {
    if (g.overflow) overflows.push_back(&g);
  }
  ASSERT_EQ(overflows.size(), 2u);
  EXPECT_EQ(overflows[0]->count, 12u);
  EXPECT_EQ(overflows[1]->count, 16u);
  EXPECT_EQ(overflows[1]->inputs.front().input, 1u);

  options.per_input = false;
  Clustered merged = Cluster({dump, dump}, options);
  ASSERT_EQ(merged.groups.size(), 5u);
  const Group* overflow = Overflow(merged.groups);
  ASSERT_NE(overflow, nullptr);
  EXPECT_EQ(overflow->count, 24u);  // 12 of input 0, 12 of input 1
  ASSERT_EQ(overflow->inputs.size(), 2u);
  EXPECT_EQ(overflow->inputs[0].count, 12u);
  EXPECT_EQ(overflow->inputs[1].count, 12u);
}

TEST(MergeGroups, KeepsTheFirstGroupsAndFoldsTheRestAndTheOverflows) {
  // Each input clustered on its own, as Analyze does before it merges.
  uint64_t total = 0;
  auto parts_of = [&](const ClusterOptions& options) {
    std::vector<std::vector<Group>> parts;
    total = 0;
    for (const char* dump :
         {"go1.19/chansend/http_debug2.txt", "go1.26/chansend/http_debug2.txt"}) {
      Clusterer clusterer(options);
      clusterer.set_input(parts.size());
      auto source = OpenInput(Dump(dump).string());
      ParseSource(*source, clusterer);
      parts.push_back(clusterer.BuildGroups());
      total += clusterer.goroutines();
    }
    return parts;
  };
  ClusterOptions options;
  options.per_input = false;
  options.level = GroupingLevel::kFunc;  // the two Go releases share groups
  std::vector<Group> uncapped = MergeGroups(parts_of(options), options);
  ASSERT_GT(uncapped.size(), 4u);
  EXPECT_EQ(Overflow(uncapped), nullptr);

  // Parts that overflowed already: their overflow groups merge into one.
  ClusterOptions small = options;
  small.max_groups = 2;
  std::vector<std::vector<Group>> capped_parts = parts_of(small);
  for (const auto& part : capped_parts) ASSERT_NE(Overflow(part), nullptr);
  std::set<std::string> kept_ids;
  for (const auto& part : capped_parts) {
    for (const Group& g : part) {
      if (!g.overflow) kept_ids.insert(g.id);
    }
  }
  for (size_t cap : {1, 2, 3, 10}) {
    SCOPED_TRACE(cap);
    small.max_groups = cap;
    std::vector<Group> merged = MergeGroups(capped_parts, small);
    ASSERT_EQ(merged.size(), std::min(cap, kept_ids.size()) + 1);
    EXPECT_EQ(Sum(merged), total);
    // The first groups of the first part are kept as they merge.
    for (size_t i = 0; i < cap && i < 2; ++i) EXPECT_EQ(merged[i].id, capped_parts[0][i].id);
    const Group* overflow = Overflow(merged);
    ASSERT_NE(overflow, nullptr);
    EXPECT_EQ(&merged.back(), overflow);
    EXPECT_TRUE(overflow->frames.empty());
    EXPECT_TRUE(overflow->creators.empty());
    // One share per input, added up, never one per folded group.
    ASSERT_EQ(overflow->inputs.size(), 2u);
    EXPECT_EQ(overflow->inputs[0].count + overflow->inputs[1].count, overflow->count);
    EXPECT_LE(overflow->sample_ids.size(), options.sample_ids);
    EXPECT_TRUE(std::is_sorted(overflow->sample_ids.begin(), overflow->sample_ids.end()));
  }
}

TEST(StringInterner, RollbackForgetsWhatCameAfterTheMark) {
  StringInterner strings;
  uint32_t a = strings.Intern("main.a");
  StringInterner::Mark mark = strings.mark();
  size_t bytes = strings.bytes();
  strings.Intern("main.b");
  strings.Intern(std::string(40'000, 'x'));  // a block of its own
  for (int i = 0; i < 20'000; ++i) strings.Intern("main.f" + std::to_string(i));  // new blocks
  strings.Rollback(mark);
  EXPECT_EQ(strings.size(), 1u);
  EXPECT_EQ(strings.bytes(), bytes);
  EXPECT_EQ(strings.Get(a), "main.a");
  EXPECT_EQ(strings.Intern("main.a"), a);
  uint32_t b = strings.Intern("main.b");  // interned anew, at the next id
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(strings.Get(b), "main.b");
  EXPECT_EQ(strings.Intern("main.f7"), 2u);
}

TEST(NormalizeState, SemacquireIsNamedByItsFrames) {
  std::vector<Frame> wg = {{"sync.runtime_Semacquire", "", 0, "", false},
                           {"sync.(*WaitGroup).Wait", "", 0, "", false}};
  EXPECT_EQ(NormalizeState("semacquire", wg), "sync.WaitGroup.Wait");
  EXPECT_EQ(NormalizeState("sync.WaitGroup.Wait", wg), "sync.WaitGroup.Wait");
  std::vector<Frame> fd = {{"internal/poll.(*fdMutex).rwlock", "", 0, "", false}};
  EXPECT_EQ(NormalizeState("semacquire", fd), "semacquire");
  EXPECT_EQ(NormalizeState("chan send (nil chan)", fd), "chan send (nil chan)");
  EXPECT_EQ(NormalizeState("", wg), "sync.WaitGroup.Wait");
}

}  // namespace
}  // namespace gleak
