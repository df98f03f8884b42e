// pprof protobuf input: recognised by content, read into count records like
// debug=1, goroutine-leak profiles marked leaked. Real profiles come from
// testdata/dumps (written by runtime/pprof and net/http/pprof, see
// testdata/programs/README.md); the few hand-encoded messages here are
// hostile or foreign inputs no Go program writes.
#include "parse/pprof_proto.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <map>
#include <string>

#include "base/error.h"
#include "input/byte_source.h"
#include "parse/parse_source.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using testing::CollectingSink;
using testing::Parsed;

using testing::Dumps;

// The profile's bytes after gzip, read through the input module.
std::string Inflated(const fs::path& path) {
  auto source = OpenInput(path.string());
  std::string out;
  char buffer[65536];
  while (size_t n = source->Read(buffer, sizeof buffer)) out.append(buffer, n);
  return out;
}

Parsed ParseBytes(const std::string& bytes, const ParseLimits& limits = {},
                  size_t max_read = SIZE_MAX) {
  auto source = MemorySource("profile.pb", bytes, max_read);
  CollectingSink sink;
  Parsed parsed;
  parsed.summary = ParseSource(*source, sink, limits);
  parsed.records = std::move(sink.records);
  return parsed;
}

// ---- a minimal protobuf writer for hand-made messages ----

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string VarintField(uint32_t field, uint64_t v) { return Varint(field << 3 | 0) + Varint(v); }
std::string LenField(uint32_t field, const std::string& payload) {
  return Varint(field << 3 | 2) + Varint(payload.size()) + payload;
}

// A profile of one sample type `type` with `count` goroutines in main.f.
std::string HandMadeProfile(const std::string& type, int64_t count) {
  std::string p;
  p += LenField(1, VarintField(1, 1) + VarintField(2, 2));  // sample_type {type unit}
  p += LenField(2, LenField(1, Varint(1)) + LenField(2, Varint(static_cast<uint64_t>(count))));
  p += LenField(4, VarintField(1, 1) + LenField(4, VarintField(1, 7) + VarintField(2, 12)));
  p += LenField(5, VarintField(1, 7) + VarintField(2, 3) + VarintField(4, 4));
  for (const char* s : {"", type.c_str(), "count", "main.f", "/src/main.go"}) p += LenField(6, s);
  return p;
}

// ---- recognising ----

TEST(PprofProto, EveryCommittedProfileIsRecognisedAndNoTextDumpIs) {
  size_t profiles = 0, texts = 0;
  for (const auto& entry : fs::recursive_directory_iterator(Dumps())) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".pb.gz")) {
      std::string bytes = Inflated(entry.path());
      EXPECT_TRUE(LooksLikePprofProto(std::string_view(bytes).substr(0, kPprofSniffBytes)))
          << entry.path();
      ++profiles;
    } else if (name.ends_with(".txt")) {
      std::string bytes = Inflated(entry.path());
      EXPECT_FALSE(LooksLikePprofProto(std::string_view(bytes).substr(0, kPprofSniffBytes)))
          << entry.path();
      ++texts;
    }
  }
  EXPECT_GE(profiles, 20u);
  EXPECT_GE(texts, 100u);
  // Text that happens to start with a valid field tag is still text.
  for (const char* text : {"\ngoroutine 1 [running]:\n", "Z\x03\x08\x01\x10",
                           "2026-12-06T03:44:10Z goroutine 1 [running]:\n", ""}) {
    EXPECT_FALSE(LooksLikePprofProto(text)) << text;
  }
}

TEST(PprofProto, GzipOrNotAndInAnyReadSizeGiveTheSameRecords) {
  fs::path path = Dumps() / "go1.26" / "labels" / "http_proto.pb.gz";
  Parsed gz = testing::ParseFile(path);
  Parsed plain = ParseBytes(Inflated(path));
  Parsed trickle = ParseBytes(Inflated(path), {}, 7);
  EXPECT_EQ(gz.summary.encoding, "gzip");
  EXPECT_EQ(plain.summary.encoding, "plain");
  ASSERT_GT(gz.records.size(), 3u);
  for (const Parsed* p : {&plain, &trickle}) {
    ASSERT_EQ(p->records.size(), gz.records.size());
    EXPECT_EQ(p->summary.goroutines, gz.summary.goroutines);
    EXPECT_EQ(p->summary.format, DumpFormat::kPprofProto);
    for (size_t i = 0; i < gz.records.size(); ++i) {
      EXPECT_EQ(p->records[i].flags.count, gz.records[i].flags.count);
      EXPECT_EQ(p->records[i].labels, gz.records[i].labels);
      ASSERT_EQ(p->records[i].frames.size(), gz.records[i].frames.size());
      for (size_t k = 0; k < gz.records[i].frames.size(); ++k) {
        EXPECT_EQ(p->records[i].frames[k].func, gz.records[i].frames[k].func);
        EXPECT_EQ(p->records[i].frames[k].line, gz.records[i].frames[k].line);
      }
    }
  }
}

// ---- reading ----

TEST(PprofProto, RecordsAreCountRecordsWithFramesInnermostFirstAndLabels) {
  Parsed p = testing::ParseFile(Dumps() / "go1.26" / "labels" / "http_proto.pb.gz");
  EXPECT_EQ(p.summary.producer, DumpProducer::kGoroutineProfile);
  bool ingest = false;
  for (const auto& g : p.records) {
    EXPECT_FALSE(g.flags.has_id);
    EXPECT_TRUE(g.state.empty());
    EXPECT_FALSE(g.flags.leaked);
    if (!g.HasFrame("main.ingestWorker")) continue;
    ingest = true;
    EXPECT_EQ(g.flags.count, 4u);
    EXPECT_EQ(g.labels, (std::map<std::string, std::string>{{"pool", "ingest"}, {"shard", "7"}}));
    // The stack starts in the runtime, where the goroutine parked, and
    // names the program's files and lines.
    ASSERT_GE(g.frames.size(), 2u);
    EXPECT_EQ(g.frames.front().func, "runtime.gopark");
    bool main_file = false;
    for (const auto& f : g.frames) main_file |= f.file.ends_with("labels/main.go") && f.line > 0;
    EXPECT_TRUE(main_file);
  }
  EXPECT_TRUE(ingest);
}

TEST(PprofProto, InlinedCallsAreExpandedCalleeFirst) {
  // chansend's main.sendForever is inlined into its caller's goroutine body.
  Parsed p = testing::ParseFile(Dumps() / "go1.26" / "chansend" / "http_proto.pb.gz");
  size_t inlined = 0;
  for (const auto& g : p.records) {
    for (size_t i = 0; i + 1 < g.frames.size(); ++i) {
      if (!g.frames[i].inlined) continue;
      ++inlined;
      // An inlined frame's caller sits in the same location: the next frame.
      EXPECT_FALSE(g.frames[i + 1].func.empty());
    }
  }
  EXPECT_GT(inlined, 0u);
}

TEST(PprofProto, GoroutineLeakProfilesMarkEveryRecordLeaked) {
  for (const char* version : {"go1.26", "go1.27"}) {
    fs::path path = Dumps() / version / "chansend" / "leak_proto.pb.gz";
    SCOPED_TRACE(path.string());
    Parsed p = testing::ParseFile(path);
    EXPECT_EQ(p.summary.producer, DumpProducer::kGoroutineLeakProfile);
    ASSERT_FALSE(p.records.empty());
    for (const auto& g : p.records) EXPECT_TRUE(g.flags.leaked);
  }
}

TEST(PprofProto, MaxFramesKeepsTheInnermostAndWarns) {
  Parsed whole = testing::ParseFile(Dumps() / "go1.26" / "deep" / "http_proto.pb.gz");
  Parsed cut = testing::ParseFile(Dumps() / "go1.26" / "deep" / "http_proto.pb.gz",
                                  ParseLimits{.max_frames = 5});
  ASSERT_EQ(whole.records.size(), cut.records.size());
  bool long_stack = false;
  for (size_t i = 0; i < whole.records.size(); ++i) {
    EXPECT_LE(cut.records[i].frames.size(), 5u);
    long_stack |= whole.records[i].frames.size() > 5;
    for (size_t k = 0; k < cut.records[i].frames.size(); ++k) {
      EXPECT_EQ(cut.records[i].frames[k].func, whole.records[i].frames[k].func);
    }
  }
  EXPECT_TRUE(long_stack);
  ASSERT_FALSE(cut.summary.warnings.empty());
  EXPECT_NE(cut.summary.warnings[0].message.find("more than 5 frames"), std::string::npos);
}

// ---- what is not a goroutine profile, or not whole ----

TEST(PprofProto, AProfileOfAnotherKindIsAnInputErrorThatSaysSo) {
  try {
    ParseBytes(HandMadeProfile("inuse_space", 3));
    FAIL() << "a heap profile was read as goroutines";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("profile.pb: a pprof profile of 'inuse_space' samples, "
                                         "not a goroutine profile"),
              std::string::npos)
        << e.what();
  }
  Parsed goroutines = ParseBytes(HandMadeProfile("goroutine", 3));
  ASSERT_EQ(goroutines.records.size(), 1u);
  EXPECT_EQ(goroutines.records[0].flags.count, 3u);
  EXPECT_EQ(goroutines.records[0].frames[0].func, "main.f");
  EXPECT_EQ(goroutines.records[0].frames[0].file, "/src/main.go");
  EXPECT_EQ(goroutines.records[0].frames[0].line, 12u);
}

TEST(PprofProto, ACutProfileIsAnInputErrorNamingTheByte) {
  std::string bytes = Inflated(Dumps() / "go1.26" / "chansend" / "http_proto.pb.gz");
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1}) {
    try {
      ParseBytes(bytes.substr(0, cut));
      FAIL() << "cut at " << cut << " of " << bytes.size() << " was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_TRUE(std::string(e.what()).starts_with("profile.pb: byte ")) << e.what();
      EXPECT_NE(std::string(e.what()).find("cut short"), std::string::npos) << e.what();
    }
  }
}

TEST(PprofProto, ProfilesPastMaxProfileBytesAreRefused) {
  std::string bytes = Inflated(Dumps() / "go1.26" / "chansend" / "http_proto.pb.gz");
  EXPECT_NO_THROW(ParseBytes(bytes, ParseLimits{.max_profile_bytes = bytes.size()}));
  try {
    ParseBytes(bytes, ParseLimits{.max_profile_bytes = 1000});
    FAIL() << "read past the limit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("larger than 1000 bytes"), std::string::npos) << e.what();
  }
}

TEST(PprofProto, ASampleWithoutFramesIsCountedAndBadCountsAreSkipped) {
  std::string p;
  p += LenField(11, VarintField(1, 1) + VarintField(2, 2));  // period_type goroutine/count
  p += LenField(1, VarintField(1, 1) + VarintField(2, 2));
  p += LenField(2, LenField(2, Varint(2)));  // no location: 2 goroutines
  // A count of 0, and a label so that it is a sample of its own.
  p += LenField(2, LenField(2, Varint(0)) + LenField(3, VarintField(1, 1) + VarintField(2, 2)));
  p += LenField(2, LenField(2, Varint(2)));  // the first again: folded
  for (const char* s : {"", "goroutine", "count"}) p += LenField(6, s);
  Parsed parsed = ParseBytes(p);
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].flags.count, 4u);
  EXPECT_TRUE(parsed.records[0].frames.empty());
  EXPECT_EQ(parsed.summary.goroutines, 4u);
  ASSERT_EQ(parsed.summary.warnings.size(), 1u);
  EXPECT_NE(parsed.summary.warnings[0].message.find("has count 0; skipped"), std::string::npos);
}

}  // namespace
}  // namespace gleak
