// Blocking objects on real dumps: the objects the fixture programs created
// (their addresses are in the expected JSON, taken with %p by the programs)
// are found with their kinds, waiters and directions, where the Go version
// and the capture print them (docs/rules.md, "Blocking objects"); values
// printed with "?" are never used; the evidence folds exactly across ranges
// and only weakens past the caps.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/object_index.h"
#include "input/byte_source.h"
#include "pipeline/analyze.h"
#include "pipeline/parallel_input.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path Dump(const std::string& version, const std::string& program, const std::string& capture) {
  return testing::SourceDir() / "testdata" / "dumps" / version / program / (capture + ".txt");
}

json ExpectedOf(const fs::path& dump) {
  fs::path e = dump;
  e.replace_extension(".expected.json");
  return json::parse(testing::ReadFile(e));
}

Report AnalyzeDump(const fs::path& dump, ObjectLimits limits = {}, size_t threads = 1,
                   uint64_t min_split = uint64_t{16} << 20) {
  AnalyzeOptions options;
  options.inputs = {dump.string()};
  options.cluster.objects = limits;
  options.threads = threads;
  options.min_split_bytes = min_split;
  return Analyze(options);
}

const BlockingObject* FindObject(const Report& r, const std::string& address) {
  for (const BlockingObject& o : r.objects) {
    if (o.address == address) return &o;
  }
  return nullptr;
}

const Group* GroupById(const Report& r, const std::string& id) {
  for (const Group& g : r.groups) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

bool HasFunc(const Group& g, const std::string& func) {
  return std::any_of(g.frames.begin(), g.frames.end(),
                     [&](const StackFrame& f) { return f.func == func; });
}

// Whether the dump form shows a kind's object (docs/rules.md, "Blocking objects"):
// channels only with runtime frames (SIGQUIT, level 2); RLock only there too (its
// address comes from runtime.semacquire1); a WaitGroup in Go 1.19 likewise (its
// Wait prints "?"); mutexes, RWMutex writers and conds in every traceback.
bool Visible(const std::string& version, const std::string& capture, const std::string& kind,
             const std::string& wait) {
  bool level2 = capture == "sigquit";
  if (kind == "chan") return level2;
  if (kind == "rwmutex" && wait == "rlock") return level2;
  if (kind == "waitgroup") return level2 || version != "go1.19";
  return true;
}

struct Capture {
  std::string version, capture;
};
const Capture kObjectCaptures[] = {{"go1.19", "sigquit"},
                                   {"go1.19", "http_debug2"},
                                   {"go1.26", "sigquit"},
                                   {"go1.26", "http_debug2"}};

TEST(Objects, FoundAtTheAddressesTheProgramPrinted) {
  for (const Capture& c : kObjectCaptures) {
    fs::path dump = Dump(c.version, "objaddr", c.capture);
    SCOPED_TRACE(dump.string());
    json expected = ExpectedOf(dump);
    Report r = AnalyzeDump(dump);
    size_t checked = 0;
    for (const json& kind : expected["kinds"]) {
      if (!kind.contains("object")) continue;
      std::string address = kind["object"], object_kind = kind["object_kind"],
                  wait = kind["object_wait"], func = kind["func"];
      SCOPED_TRACE(func + " on " + object_kind + " " + address);
      const BlockingObject* o = FindObject(r, address);
      uint64_t waiting = 0;
      if (o != nullptr) {
        for (const ObjectWaiters& w : o->waiting) {
          const Group* g = GroupById(r, w.group);
          ASSERT_NE(g, nullptr);
          if (HasFunc(*g, func) && w.direction == wait) waiting += w.count;
        }
      }
      if (!Visible(c.version, c.capture, object_kind, wait)) {
        EXPECT_EQ(waiting, 0u) << "this form does not print it; a waiter found here is a guess";
        continue;
      }
      ASSERT_NE(o, nullptr) << "object not found";
      EXPECT_EQ(o->kind, object_kind);
      EXPECT_EQ(waiting, kind["count"].get<uint64_t>());
      ++checked;
    }
    EXPECT_GE(checked, c.capture == "sigquit" ? 11u : 5u);
  }
}

// main.lockAB holds A and waits for B, main.lockBA the reverse; both
// functions keep the held lock live in their arguments.
TEST(Objects, LockOrderCycleFromArguments) {
  for (const Capture& c : kObjectCaptures) {
    fs::path dump = Dump(c.version, "objaddr", c.capture);
    SCOPED_TRACE(dump.string());
    Report r = AnalyzeDump(dump);
    std::set<std::string> in_cycle;
    for (const Group& g : r.groups) {
      if (g.object_facts.lock_cycle) in_cycle.insert(g.frames[g.top_frame].func);
    }
    EXPECT_EQ(in_cycle, (std::set<std::string>{"main.lockAB", "main.lockBA"}));
  }
}

// chansend: 100 senders on one unbuffered channel nobody else holds (SIGQUIT
// prints runtime.chansend's channel; Go 1.19 and 1.26).
TEST(Objects, HundredSendersOnOneChannelNobodyMentions) {
  for (const char* version : {"go1.19", "go1.26"}) {
    fs::path dump = Dump(version, "chansend", "sigquit");
    SCOPED_TRACE(dump.string());
    Report r = AnalyzeDump(dump);
    ASSERT_FALSE(r.objects.empty());
    const BlockingObject& top = r.objects.front();
    EXPECT_EQ(top.kind, "chan");
    EXPECT_EQ(top.waiters, 100u);
    ASSERT_EQ(top.waiting.size(), 1u);
    EXPECT_EQ(top.waiting[0].direction, "send");
    EXPECT_TRUE(top.mentions_known);
    EXPECT_EQ(top.mentioners, 0u);
    const Group* g = GroupById(r, top.waiting[0].group);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->frames[g->top_frame].func, "main.sendForever");
    EXPECT_TRUE(g->object_facts.waits_on_object);
    EXPECT_TRUE(g->object_facts.object_unmentioned_elsewhere);
    EXPECT_TRUE(g->object_facts.all_mentioners_wait);
    EXPECT_FALSE(g->object_facts.lock_cycle);
    EXPECT_EQ(g->object_facts.text.rfind("100 goroutines send on channel " + top.address, 0), 0u)
        << g->object_facts.text;
    ASSERT_EQ(g->objects.size(), 1u);
    EXPECT_EQ(g->objects[0].object, top.id);
    // The 25 abandoned result channels: one object per goroutine.
    size_t per_goroutine = 0;
    for (const Group& h : r.groups) {
      if (h.frames.empty() || h.frames[h.top_frame].func != "main.fetchWithTimeout.func1") continue;
      EXPECT_EQ(h.object_facts.waiting, 25u);
      EXPECT_EQ(h.objects.size() + (h.objects_not_listed > 0 ? 1 : 0) > 1, true);
      ++per_goroutine;
    }
    EXPECT_EQ(per_goroutine, 1u);
  }
}

// locks: 30 goroutines queued on one mutex, 20 on one Cond, in a debug=2 dump
// of either version (sync frames are printed at every level).
TEST(Objects, MutexAndCondInDebug2) {
  for (const char* version : {"go1.19", "go1.26"}) {
    fs::path dump = Dump(version, "locks", "http_debug2");
    SCOPED_TRACE(dump.string());
    Report r = AnalyzeDump(dump);
    std::map<std::string, uint64_t> waiters_by_kind;
    for (const BlockingObject& o : r.objects) waiters_by_kind[o.kind] += o.waiters;
    EXPECT_EQ(waiters_by_kind["mutex"], 30u);
    EXPECT_EQ(waiters_by_kind["cond"], 20u);
    EXPECT_EQ(waiters_by_kind.count("chan"), 0u) << "debug=2 hides the runtime's channel frames";
  }
}

// A byte at a time, as the words were first read: what the sixteen-byte
// scan of ForEachTrustedWord must find on every argument list.
std::vector<uint64_t> TrustedWordsOneByteAtATime(std::string_view args) {
  std::vector<uint64_t> words;
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] != 'x' || args[i - 1] != '0') continue;
    size_t end = i + 1;
    while (end < args.size() && hex(args[end])) ++end;
    size_t n = end - i - 1;
    if (n >= 4 && n <= 16 && (end == args.size() || args[end] != '?')) {
      words.push_back(std::stoull(std::string(args.substr(i + 1, n)), nullptr, 16));
    }
    i = end - 1;
  }
  return words;
}

TEST(Objects, TrustedWordsAreThoseAByteAtATimeScanFinds) {
  std::vector<std::string> lists = {
      "0x1234",
      "0x123",
      "x0x12345",
      "0x0123456789abcdef",
      "0x0123456789abcdef0",
      "0x0123456789abcdef?",
      "{0xc000010000, 0xc000020000?}, 0xc000030000",
      "0xc0000100000xc000020000",
      std::string(15, ' ') + "0xc000010000",
      std::string(250, '{') + "0xc000010000, 0xc000020000",
      "0xABCDEF12, 0xabcdef12",
  };
  // Every place a value may take in the scan's 32-byte steps: its "0" at the
  // end of one step and its "x" at the start of the next, its digits running
  // on past a step, runs of exactly 4 and 16 digits and one of 17.
  for (size_t offset = 0; offset < 70; ++offset) {
    for (std::string_view value :
         {"0xc000010000", "0x1234", "0x0123456789abcdef", "0x0123456789abcdef0", "0xc000010000?"}) {
      lists.push_back(std::string(offset, ' ') + std::string(value) + ", 0x" +
                      std::string(offset, 'a'));
    }
  }
  size_t words = 0;
  for (const auto& dump : testing::CommittedDumps()) {
    std::istringstream in(testing::ReadFile(dump));
    std::string line;
    while (std::getline(in, line)) {
      size_t open = line.rfind('(');
      if (open == std::string::npos || !line.ends_with(')') || line.starts_with('\t')) continue;
      lists.push_back(line.substr(open + 1, line.size() - open - 2));
    }
  }
  for (const std::string& args : lists) {
    std::vector<uint64_t> found;
    ForEachTrustedWord(args, [&](uint64_t w) { found.push_back(w); });
    ASSERT_EQ(found, TrustedWordsOneByteAtATime(args)) << args;
    words += found.size();
  }
  EXPECT_GT(words, 10000u);
}

TEST(Objects, DoubtfulValuesAreNeverRead) {
  std::vector<uint64_t> words;
  ForEachTrustedWord("0xc000010000?, 0xc000020000, {0xc000030000?, 0x1}, 0xc000040000)",
                     [&](uint64_t w) { words.push_back(w); });
  EXPECT_EQ(words, (std::vector<uint64_t>{0xc000020000, 0xc000040000}));

  Frame chansend1{"runtime.chansend1", "chan.go", 161, "0x2454259ec0b8?, 0xffffffffffffffff?",
                  false};
  BlockingWait wait;
  EXPECT_FALSE(FindBlockingWait(std::span<const Frame>(&chansend1, 1), &wait));
  Frame inlined{"sync.(*Mutex).Lock", "mutex.go", 46, "", true};
  EXPECT_FALSE(FindBlockingWait(std::span<const Frame>(&inlined, 1), &wait));

  // The same real dump with runtime.chansend's channel marked doubtful, as
  // Go prints a register value it may have lost: the channel is gone.
  fs::path dump = Dump("go1.26", "chansend", "sigquit");
  std::string text = testing::ReadFile(dump);
  Report before = AnalyzeDump(dump);
  ASSERT_FALSE(before.objects.empty());
  std::string address = before.objects.front().address;
  std::string marked = text;
  const std::string call = std::string("runtime.chansend(").append(address).append(",");
  for (size_t at = marked.find(call); at != std::string::npos; at = marked.find(call, at + 1)) {
    marked.insert(at + call.size() - 1, 1, '?');  // after the address
  }
  fs::path copy = testing::TempDir() / "chansend_marked.txt";
  {
    std::ofstream out(copy);
    out << marked;
  }
  Report after = AnalyzeDump(copy);
  EXPECT_EQ(FindObject(after, address), nullptr);

  // And in every committed dump, a channel or mutex reported is printed
  // somewhere without "?" (derived addresses of RWMutex, WaitGroup and Cond
  // never appear as such).
  for (const auto& e :
       fs::recursive_directory_iterator(testing::SourceDir() / "testdata" / "dumps")) {
    if (e.path().extension() != ".txt") continue;
    std::string dump_text = testing::ReadFile(e.path());
    for (const BlockingObject& o : AnalyzeDump(e.path()).objects) {
      if (o.kind != "chan" && o.kind != "mutex") continue;
      bool trusted = dump_text.find("(" + o.address + ",") != std::string::npos ||
                     dump_text.find("(" + o.address + ")") != std::string::npos;
      EXPECT_TRUE(trusted) << e.path() << ": " << o.address;
    }
  }
}

// Past the caps the evidence weakens (objects dropped, mentions unknown) but
// says nothing stronger than without caps; and ranges fold as one read does.
TEST(Objects, CapsOnlyWeakenAndRangesFoldExactly) {
  ObjectLimits tiny;
  tiny.max_object_weight = 3;
  tiny.max_mention_weight = 6;
  tiny.bloom_bits = 1 << 10;
  size_t weakened = 0;
  for (const Capture& c : kObjectCaptures) {
    for (const char* program : {"objaddr", "chansend", "locks", "waitgroup"}) {
      fs::path dump = Dump(c.version, program, c.capture);
      if (!fs::exists(dump)) continue;
      SCOPED_TRACE(dump.string());
      Report full = AnalyzeDump(dump);
      Report capped = AnalyzeDump(dump, tiny);
      weakened += capped.objects.size() < full.objects.size() || capped.objects_not_listed > 0;
      for (const BlockingObject& o : capped.objects) {
        const BlockingObject* f = FindObject(full, o.address);
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(o.waiters, f->waiters);
        if (o.mentions_known) {
          EXPECT_EQ(o.mentioners, f->mentioners);
          EXPECT_EQ(o.unblocked_mentioners, f->unblocked_mentioners);
        }
      }
      for (const Group& g : capped.groups) {
        const Group* f = GroupById(full, g.id);
        ASSERT_NE(f, nullptr);
        if (g.object_facts.object_unmentioned_elsewhere) {
          EXPECT_TRUE(f->object_facts.object_unmentioned_elsewhere);
        }
        if (g.object_facts.all_mentioners_wait) {
          EXPECT_TRUE(f->object_facts.all_mentioners_wait);
        }
        if (g.object_facts.lock_cycle) {
          EXPECT_TRUE(f->object_facts.lock_cycle);
        }
      }
      // Cut at every blank line: the same objects as one read, also past the caps.
      std::string text = testing::ReadFile(dump);
      for (const ObjectLimits& limits : {ObjectLimits{}, tiny}) {
        AnalyzeOptions whole_options;
        whole_options.cluster.objects = limits;
        auto source = OpenInput(dump.string());
        Clusterer clusterer(whole_options.cluster);
        ObjectIndex index(limits);
        ClusteredInput whole = ClusterSource(*source, clusterer, &index, nullptr, ParseLimits{});
        std::vector<Group> whole_groups = whole.groups;
        std::vector<BlockingObject> whole_objects;
        uint64_t whole_dropped = 0;
        std::vector<ObjectEvidence> one;
        one.push_back(std::move(whole.objects));
        AttachObjects(std::move(one), false, limits, &whole_groups, &whole_objects, &whole_dropped);
        size_t cuts = 0;
        for (size_t at = text.find("\n\n"); at != std::string::npos && cuts < 40;
             at = text.find("\n\n", at + 1), ++cuts) {
          std::vector<uint64_t> points{0, at + 2, text.size()};
          ClusteredInput parts =
              ClusterFileRanges(dump.string(), points, whole_options.cluster, 0, ParseLimits{});
          std::vector<Group> groups = parts.groups;
          std::vector<BlockingObject> objects;
          uint64_t dropped = 0;
          std::vector<ObjectEvidence> merged;
          merged.push_back(std::move(parts.objects));
          AttachObjects(std::move(merged), false, limits, &groups, &objects, &dropped);
          ASSERT_EQ(objects.size(), whole_objects.size()) << "cut at " << at;
          EXPECT_EQ(dropped, whole_dropped);
          for (size_t i = 0; i < objects.size(); ++i) {
            EXPECT_EQ(objects[i].id, whole_objects[i].id);
            EXPECT_EQ(objects[i].text, whole_objects[i].text);
            EXPECT_EQ(objects[i].sample_ids, whole_objects[i].sample_ids);
            EXPECT_EQ(objects[i].mentions_known, whole_objects[i].mentions_known);
          }
        }
      }
    }
  }
  EXPECT_GT(weakened, 0u) << "the tiny caps were never reached";
}

}  // namespace
}  // namespace gleak
