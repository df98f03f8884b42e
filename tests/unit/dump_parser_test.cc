// The parser on real dumps printed by the fixture programs of
// testdata/programs (Go 1.19, 1.26 and 1.27: panics, fatal errors, signal
// tracebacks, count profiles, names of every shape) and on variants of them
// that real life produces: CRLF endings, log prefixes, interleaved noise,
// cut files.
#include "parse/dump_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Dump;
using testing::OwnedGoroutine;
using testing::Parsed;
using testing::ParseFile;
using testing::ParseString;
using testing::ReadFile;
using testing::SourceLine;

json Expected(const fs::path& dump) {
  fs::path e = dump;
  e.replace_filename(dump.stem().string() + ".expected.json");
  return json::parse(ReadFile(e));
}

// An oracle independent of the parser: goroutine header lines, less the g0
// stacks and the repeated thread sections of GOTRACEBACK=crash.
uint64_t CountHeaderLines(const std::string& text) {
  static const std::regex header(
      R"(^\s*goroutine ([0-9]+) (gp=\S+ m=\S+ (mp=\S+ )?)?\[.*\]( \{.*\})?:\s*$)");
  std::istringstream in(text);
  std::string line;
  uint64_t count = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "-----") break;
    std::smatch m;
    if (std::regex_match(line, m, header) && m[1] != "0") ++count;
  }
  return count;
}

const OwnedGoroutine* WithTopFrame(const Parsed& p, const std::string& func,
                                   size_t* index = nullptr) {
  for (size_t i = 0; i < p.records.size(); ++i) {
    if (!p.records[i].frames.empty() && p.records[i].frames[0].func == func) {
      if (index) *index = i;
      return &p.records[i];
    }
  }
  return nullptr;
}

TEST(DumpParser, EveryCommittedDumpYieldsOneRecordPerHeader) {
  size_t files = 0, tracebacks = 0, profiles = 0;
  std::set<std::string> versions;
  for (const fs::path& dump : testing::CommittedDumps()) {
    SCOPED_TRACE(dump.string());
    std::string text = ReadFile(dump);
    Parsed parsed = ParseFile(dump);
    ++files;
    versions.insert(dump.parent_path().parent_path().filename().string());
    if (parsed.summary.format == DumpFormat::kCountProfile) {
      ++profiles;
      EXPECT_EQ(parsed.summary.goroutines, parsed.summary.profile_total);
      continue;
    }
    ++tracebacks;
    if (size_t headers = CountHeaderLines(text); headers > 0) {
      EXPECT_EQ(parsed.summary.records, headers);
    } else {
      // goleak v1.3 and log-wrapped forms (timestamps, docker, go test -json)
      // print no plain header line: their program counted the goroutines.
      nlohmann::json expected = nlohmann::json::parse(ReadFile(testing::ExpectedOf(dump)));
      EXPECT_EQ(parsed.summary.goroutines, expected["goroutines"].get<uint64_t>());
    }
    EXPECT_FALSE(parsed.summary.truncated);
    for (const auto& g : parsed.records) {
      EXPECT_FALSE(g.state.empty());
      for (const auto& f : g.frames) EXPECT_FALSE(f.func.empty());
    }
  }
  EXPECT_GT(files, 250u / testing::kCommittedDumpStride);
  EXPECT_GT(tracebacks, 150u / testing::kCommittedDumpStride);
  EXPECT_GT(profiles, 50u / testing::kCommittedDumpStride);
  EXPECT_EQ(versions, (std::set<std::string>{"go1.19", "go1.26", "go1.27"}));
}

// names/main.go: Map sends on a channel nobody receives from.
TEST(DumpParser, Go119StatesFramesAndCreators) {
  fs::path dump = Dump("go1.19/names/http_debug2.txt");
  Parsed p = ParseFile(dump);
  EXPECT_EQ(p.summary.format, DumpFormat::kTraceback);
  EXPECT_EQ(p.summary.producer, DumpProducer::kStack);
  ASSERT_EQ(p.records.size(), Expected(dump)["goroutines"].get<size_t>());
  const OwnedGoroutine* map = WithTopFrame(p, "main.Map[...]");
  ASSERT_NE(map, nullptr);
  EXPECT_TRUE(map->flags.has_id);
  EXPECT_EQ(map->state, "chan send");
  ASSERT_EQ(map->frames.size(), 1u);
  EXPECT_EQ(map->frames[0].file, "/tmp/gleak-fixtures/1.19/names/main.go");
  EXPECT_EQ(map->frames[0].line, SourceLine("names/main.go", "out <- fn(v)"));
  EXPECT_EQ(map->created_by.func, "main.main");
  EXPECT_EQ(map->created_by.line, SourceLine("names/main.go", "go Map("));
  EXPECT_FALSE(map->flags.has_creator_id);  // "in goroutine N" came with Go 1.21

  // locks/main.go: 30 goroutines queue on a mutex; Go 1.19 says semacquire.
  Parsed locks = ParseFile(Dump("go1.19/locks/http_debug2.txt"));
  int mutex_waiters = 0;
  for (const auto& g : locks.records) {
    if (g.HasFrame("sync.(*Mutex).Lock")) {
      ++mutex_waiters;
      EXPECT_EQ(g.state, "semacquire");
    }
  }
  EXPECT_EQ(mutex_waiters, 30);
}

TEST(DumpParser, Go119CutsDeepStacksWithoutAMarker) {
  // deep/main.go: 3 goroutines block 150 calls deep. Go 1.19 stops after 100
  // physical frames, hidden runtime frames included: 97 are printed, and no
  // marker says that more were left out (go-dump-format.md 6.1).
  Parsed p = ParseFile(Dump("go1.19/deep/http_debug2.txt"));
  int cut = 0;
  for (const auto& g : p.records) {
    if (g.flags.stack_maybe_cut) {
      ++cut;
      EXPECT_TRUE(g.HasFrame("main.deepLeaf"));
      EXPECT_EQ(g.frames.size(), 97u);
      EXPECT_FALSE(g.flags.frames_elided);
    }
  }
  EXPECT_EQ(cut, 3);
}

TEST(DumpParser, WaitMinutesAndLockedThreads) {
  // context/main.go, captured after 62 s of waiting: every kind the program
  // says has waited shows ", 1 minutes"; nothing else does.
  fs::path dump = Dump("go1.19/context/waited.txt");
  uint64_t want = 0;
  json expected = Expected(dump);
  for (const json& kind : expected["kinds"]) {
    if (kind["min_wait_minutes"].get<int>() >= 1) want += kind["count"].get<uint64_t>();
  }
  ASSERT_GT(want, 70u);
  Parsed p = ParseFile(dump);
  uint64_t waited = 0;
  for (const auto& g : p.records) {
    if (g.flags.wait_minutes == 1) ++waited;
    EXPECT_LE(g.flags.wait_minutes, 1u);
  }
  EXPECT_EQ(waited, want);

  // zoo/main.go: one goroutine called runtime.LockOSThread.
  Parsed zoo = ParseFile(Dump("go1.19/zoo/http_debug2.txt"));
  int locked = 0;
  for (const auto& g : zoo.records) {
    if (!g.flags.locked_to_thread) continue;
    ++locked;
    EXPECT_EQ(g.frames[0].func, "main.lockedWait");
    EXPECT_EQ(g.state, "chan receive");
  }
  EXPECT_EQ(locked, 1);
}

TEST(DumpParser, CountProfileRecordsCarryCountsAndLabels) {
  // labels/main.go: 4 ingest workers labelled pool=ingest shard=7, 3 egress
  // workers inheriting pool=egress region="eu west", 2 unlabelled.
  fs::path dump = Dump("go1.19/labels/http_debug1.txt");
  Parsed p = ParseFile(dump);
  EXPECT_EQ(p.summary.format, DumpFormat::kCountProfile);
  EXPECT_EQ(p.summary.producer, DumpProducer::kGoroutineProfile);
  EXPECT_EQ(p.summary.profile_total, Expected(dump)["goroutines"].get<uint64_t>());
  EXPECT_EQ(p.summary.goroutines, p.summary.profile_total);
  const OwnedGoroutine* ingest = WithTopFrame(p, "main.ingestWorker.func1");
  ASSERT_NE(ingest, nullptr);
  EXPECT_EQ(ingest->flags.count, 4u);
  EXPECT_FALSE(ingest->flags.has_id);
  EXPECT_EQ(ingest->labels,
            (std::map<std::string, std::string>{{"pool", "ingest"}, {"shard", "7"}}));
  EXPECT_EQ(ingest->frames[0].line, SourceLine("labels/main.go", "<-ingestQueue"));
  const OwnedGoroutine* egress = WithTopFrame(p, "main.egressWorker");
  ASSERT_NE(egress, nullptr);
  EXPECT_EQ(egress->flags.count, 3u);
  EXPECT_EQ(egress->labels,
            (std::map<std::string, std::string>{{"pool", "egress"}, {"region", "eu west"}}));
  const OwnedGoroutine* plain = WithTopFrame(p, "main.plainWorker");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->flags.count, 2u);
  EXPECT_TRUE(plain->labels.empty());
}

TEST(DumpParser, SignalDumpsKeepSystemGoroutinesAndSkipRegisters) {
  Parsed p = ParseFile(Dump("go1.19/chansend/sigquit.txt"));
  EXPECT_EQ(p.summary.producer, DumpProducer::kSignal);
  EXPECT_GT(p.summary.noise_lines, 15u);  // the signal preamble and the registers
  bool force_gc = false;
  for (const auto& g : p.records) {
    if (g.state == "force gc (idle)") {
      force_gc = true;
      EXPECT_EQ(g.frames.front().func, "runtime.gopark");
      EXPECT_EQ(g.frames.back().func, "runtime.goexit");
      EXPECT_EQ(g.frames.front().line, 363u);  // runtime/proc.go of go1.19.8
    }
  }
  EXPECT_TRUE(force_gc);
}

TEST(DumpParser, CrashThreadSectionsAreNotCountedTwice) {
  for (const char* dump :
       {"go1.19/zoo/crash.txt", "go1.26/zoo/crash.txt", "go1.27/zoo/crash.txt"}) {
    SCOPED_TRACE(dump);
    std::string text = ReadFile(Dump(dump));
    Parsed crash = ParseString(text);
    ASSERT_NE(text.find("\n-----\n"), std::string::npos);
    EXPECT_EQ(crash.summary.records, CountHeaderLines(text));
    EXPECT_GT(crash.summary.duplicate_goroutines, 0u);
    std::set<uint64_t> ids;
    for (const auto& g : crash.records) EXPECT_TRUE(ids.insert(g.flags.id).second) << g.flags.id;
  }
}

TEST(DumpParser, ProducersAreDetected) {
  for (const char* version : {"go1.19", "go1.26", "go1.27"}) {
    SCOPED_TRACE(version);
    fs::path dir = Dump(version);
    EXPECT_EQ(ParseFile(dir / "testtimeout/test_timeout.txt").summary.producer,
              DumpProducer::kTestTimeout);
    EXPECT_EQ(ParseFile(dir / "names/http_debug2.txt").summary.producer, DumpProducer::kStack);
    EXPECT_EQ(ParseFile(dir / "chansend/sigquit.txt").summary.producer, DumpProducer::kSignal);
    EXPECT_EQ(ParseFile(dir / "deadlock/deadlock.txt").summary.producer, DumpProducer::kFatalError);
    // Every crash of crashes/main.go: a panic or a fatal error, by its first words.
    int crashes = 0;
    for (const auto& e : fs::directory_iterator(dir / "crashes")) {
      if (e.path().extension() != ".txt") continue;
      SCOPED_TRACE(e.path().filename().string());
      std::string text = ReadFile(e.path());
      DumpProducer want =
          text.starts_with("panic: ") ? DumpProducer::kPanic : DumpProducer::kFatalError;
      EXPECT_EQ(ParseFile(e.path()).summary.producer, want);
      ++crashes;
    }
    EXPECT_EQ(crashes, 19);
  }
}

TEST(DumpParser, StackUnavailableAndAncestors) {
  // crashes/main.go: two goroutines spin on other threads while main panics.
  for (const char* dump :
       {"go1.19/crashes/stack_unavailable.txt", "go1.26/crashes/stack_unavailable.txt"}) {
    SCOPED_TRACE(dump);
    Parsed p = ParseFile(Dump(dump));
    int unavailable = 0;
    for (const auto& g : p.records) {
      if (g.flags.stack_unavailable) {
        ++unavailable;
        EXPECT_TRUE(g.frames.empty());
        EXPECT_EQ(g.state, "running");
        EXPECT_EQ(g.created_by.func, "main.startSpinners");
        EXPECT_EQ(g.created_by.line, SourceLine("crashes/main.go", "go spin()"));
      }
    }
    EXPECT_EQ(unavailable, 2);
  }

  // names/main.go under GODEBUG=tracebackancestors=5: level1 starts level2,
  // which starts level3.
  Parsed a = ParseFile(Dump("go1.19/names/ancestors.txt"));
  const OwnedGoroutine* level1 = WithTopFrame(a, "main.level1");
  const OwnedGoroutine* level2 = WithTopFrame(a, "main.level2");
  ASSERT_NE(level1, nullptr);
  ASSERT_NE(level2, nullptr);
  ASSERT_EQ(level2->frames.size(), 1u);
  EXPECT_EQ(level2->created_by.func, "main.level1");
  EXPECT_EQ(level2->created_by.line, SourceLine("names/main.go", "go level2()"));
  ASSERT_GE(level2->ancestors.size(), 2u);
  EXPECT_EQ(level2->ancestors[0].id, level1->flags.id);
  EXPECT_EQ(level2->ancestors[0].frames[0].func, "main.level1");
  EXPECT_TRUE(level2->ancestors[0].frames[0].inlined);
  EXPECT_EQ(level2->ancestors[0].created_by, "main.main");
  EXPECT_EQ(level2->ancestors[1].id, 1u);
}

// The variants below start from one real dump: zoo/main.go's goroutines
// under Go 1.19, among them one blocked in main.manyArgs.
const char* kZoo = "go1.19/zoo/http_debug2.txt";

TEST(DumpParser, CrlfPrefixesAndInterleavedLogsDoNotChangeTheRecords) {
  std::string text = ReadFile(Dump(kZoo));
  Parsed plain = ParseString(text);
  ASSERT_EQ(plain.records.size(), 15u);

  std::string crlf, prefixed, noisy;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    crlf += line + "\r\n";
    prefixed += "app-1  | " + line + "\n";
    noisy += line + "\n";
    if (++n % 9 == 0) noisy += "2026/11/22 19:40:01 INFO request served path=/x\n";
  }
  for (const std::string* variant : {&crlf, &prefixed, &noisy}) {
    Parsed p = ParseString(*variant);
    ASSERT_EQ(p.records.size(), plain.records.size());
    for (size_t i = 0; i < p.records.size(); ++i) {
      EXPECT_EQ(p.records[i].state, plain.records[i].state);
      ASSERT_EQ(p.records[i].frames.size(), plain.records[i].frames.size()) << i;
      for (size_t k = 0; k < p.records[i].frames.size(); ++k) {
        EXPECT_EQ(p.records[i].frames[k].func, plain.records[i].frames[k].func);
        EXPECT_EQ(p.records[i].frames[k].line, plain.records[i].frames[k].line);
      }
      EXPECT_EQ(p.records[i].created_by.func, plain.records[i].created_by.func);
    }
  }
  EXPECT_GT(ParseString(noisy).summary.noise_lines, 10u);
}

// The dump text and where main.manyArgs's frame is in it: its file line's
// "zoo/main.go:NN " and the index and id of its record.
struct ManyArgs {
  std::string text;
  std::string location;
  size_t index = 0;
  uint64_t id = 0;
};

ManyArgs FindManyArgs(const std::string& text) {
  ManyArgs m;
  Parsed p = ParseString(text);
  const OwnedGoroutine* g = WithTopFrame(p, "main.manyArgs", &m.index);
  if (g == nullptr) return m;
  m.id = g->flags.id;
  m.location = "zoo/main.go:" + std::to_string(g->frames[0].line) + " ";
  m.text = text;
  return m;
}

TEST(DumpParser, DumpCutMidFrameKeepsWhatItHoldsAndWarns) {
  ManyArgs m = FindManyArgs(ReadFile(Dump(kZoo)));
  ASSERT_FALSE(m.location.empty());
  size_t at = m.text.find(m.location);
  ASSERT_NE(at, std::string::npos);
  // Cut inside the file line of main.manyArgs's frame.
  Parsed p = ParseString(m.text.substr(0, at + 3));
  EXPECT_TRUE(p.summary.truncated);
  ASSERT_EQ(p.records.size(), m.index + 1);
  const auto& last = p.records.back();
  EXPECT_EQ(last.flags.id, m.id);
  EXPECT_TRUE(last.flags.truncated);
  ASSERT_EQ(last.frames.size(), 1u);
  EXPECT_EQ(last.frames[0].func, "main.manyArgs");
  ASSERT_FALSE(p.summary.warnings.empty());
  EXPECT_NE(p.summary.warnings.back().message.find("ends inside goroutine " + std::to_string(m.id)),
            std::string::npos);
  EXPECT_GT(p.summary.warnings.back().line, 0u);
}

// Go ends every dump with a newline, so a last line without one may be cut
// anywhere ("main.go:78" read as "main.go:7"): it is taken as cut, with a
// warning, even when it looks whole (issue 14). The records are all kept.
TEST(DumpParser, LastLineWithoutNewlineIsTakenAsCut) {
  std::string text = ReadFile(Dump(kZoo));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  Parsed p = ParseString(text);
  EXPECT_TRUE(p.summary.truncated);
  EXPECT_EQ(p.records.size(), 15u);
  bool warned = false;
  for (const Diagnostic& d : p.summary.warnings) {
    warned = warned || d.message.find("ends without a newline") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST(DumpParser, HostileBytesNeverCrashAndYieldNothing) {
  std::string binary;
  for (int i = 0; i < 100000; ++i) binary.push_back(static_cast<char>((i * 7919) % 256));
  Parsed p = ParseString(binary);
  EXPECT_EQ(p.summary.records, 0u);
  EXPECT_GT(p.summary.noise_lines, 0u);

  Parsed empty = ParseString("");
  EXPECT_EQ(empty.summary.records, 0u);
  EXPECT_EQ(empty.summary.format, DumpFormat::kUnknown);
}

TEST(DumpParser, NulBytesInsideADumpAreNoise) {
  std::string text = ReadFile(Dump(kZoo));
  size_t blank = text.find("\n\n");
  text.insert(blank + 1, std::string("\0\0garbage\0\n", 11));
  Parsed p = ParseString(text);
  EXPECT_EQ(p.records.size(), 15u);
  EXPECT_GE(p.summary.noise_lines, 1u);
}

TEST(DumpParser, OverlongLineIsSkippedWithAWarningNamingIt) {
  std::string text = ReadFile(Dump(kZoo));
  size_t blank = text.find("\n\n");
  text.insert(blank + 1, std::string(10 << 20, 'A') + "\n");
  Parsed p = ParseString(text);
  EXPECT_EQ(p.records.size(), 15u);
  ASSERT_FALSE(p.summary.warnings.empty());
  EXPECT_NE(p.summary.warnings[0].message.find("10485760 bytes long"), std::string::npos);
  EXPECT_GT(p.summary.warnings[0].line, 1u);
}

TEST(DumpParser, OverflowingNumbersWarnAndKeepTheGoroutine) {
  ManyArgs m = FindManyArgs(ReadFile(Dump(kZoo)));
  ASSERT_FALSE(m.location.empty());
  std::string text = m.text;
  std::string huge = "184467440737095516160000";
  std::string header = "goroutine " + std::to_string(m.id) + " [";
  text.replace(text.find(header), header.size() - 2, "goroutine " + huge);
  text.replace(text.find(m.location), m.location.size() - 1, "zoo/main.go:" + huge);
  Parsed p = ParseString(text);
  ASSERT_EQ(p.records.size(), 15u);
  EXPECT_FALSE(p.records[m.index].flags.has_id);
  EXPECT_EQ(p.records[m.index].frames[0].func, "main.manyArgs");
  EXPECT_EQ(p.records[m.index].frames[0].line, 0u);
  ASSERT_GE(p.summary.warnings.size(), 2u);
  EXPECT_NE(p.summary.warnings[0].message.find("id does not fit"), std::string::npos);
  EXPECT_NE(p.summary.warnings[1].message.find("line number does not fit"), std::string::npos);
}

TEST(DumpParser, FramesBeyondTheLimitAreDroppedWithAWarning) {
  Parsed p = ParseFile(Dump("go1.19/deep/http_debug2.txt"), ParseLimits{.max_frames = 10});
  EXPECT_EQ(p.records.size(),
            Expected(Dump("go1.19/deep/http_debug2.txt"))["goroutines"].get<size_t>());
  for (const auto& g : p.records) EXPECT_LE(g.frames.size(), 10u);
  bool warned = false;
  for (const auto& w : p.summary.warnings)
    warned |= w.message.find("more than 10 frames") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace gleak
