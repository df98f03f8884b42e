// Hostile inputs, as docs/reliability.md describes them: every file in
// testdata/bad/ (and the inputs too large to commit, generated here) with the
// exit code, the message and the partial result that `gleak analyze --format
// json` and `gleak parse` give for it. Then output safety (nothing from a dump
// can drive a terminal; JSON stays valid) and the replay of every fuzzer
// finding under testdata/bad/fuzz/.
//
// No timing asserts: the large inputs have bounded sizes and ctest's timeout
// catches anything worse than linear. Memory is checked where it can be: the
// peak RSS of the gleak child process (not under ASan, whose shadow memory and
// quarantine dwarf what gleak itself uses).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "fuzz/fuzz_targets.h"
#include "input/byte_source.h"
#include "parse/parse_source.h"
#include "pipeline/analyze.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::Has;
using testing::kAsan;
using testing::Quote;
using testing::RunGleak;

using testing::Bad;

struct Analyzed {
  CommandResult run;
  json doc;
  const json& input() const { return doc["inputs"][0]; }
  const json& totals() const { return doc["totals"]; }
  // The group whose representative stack holds `func`, or null.
  const json* GroupWith(const std::string& func) const {
    for (const json& g : doc["groups"]) {
      for (const json& f : g["frames"]) {
        if (f["func"] == func) return &g;
      }
    }
    return nullptr;
  }
};

// `gleak analyze --format json`: whatever the input, standard output is one
// valid JSON document.
Analyzed AnalyzeJson(const std::vector<fs::path>& paths, const std::string& flags = "") {
  std::string args = "analyze --format json " + flags;
  for (const fs::path& p : paths) args.append(" ").append(Quote(p));
  Analyzed a;
  a.run = RunGleak(args);
  try {
    a.doc = json::parse(a.run.out);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "analyze wrote invalid JSON (" << e.what() << "):\n" << a.run.out;
  }
  return a;
}
Analyzed AnalyzeJson(const fs::path& path, const std::string& flags = "") {
  return AnalyzeJson(std::vector<fs::path>{path}, flags);
}
// An input that gives no goroutine gets no report (only its error, exit 3);
// given beside a readable one (crlf.txt: 4 goroutines), it is in that
// report, with what was read of it: input() is its entry.
Analyzed AnalyzeBesideAReadableDump(const fs::path& path) {
  CommandResult alone = RunGleak("analyze --format json " + Quote(path));
  EXPECT_EQ(alone.exit_code, 3);
  EXPECT_EQ(alone.out, "") << "a report of nothing";
  Analyzed a = AnalyzeJson({path, Bad("crlf.txt")});
  a.run.err = alone.err;  // the error it gets alone
  return a;
}

struct ParsedCli {
  CommandResult run;
  std::vector<json> records;
  const json* Id(uint64_t id) const {
    for (const json& r : records) {
      if (r["id"] == id) return &r;
    }
    return nullptr;
  }
};

// `gleak parse`: one valid JSON object per line.
ParsedCli ParseJsonLines(const fs::path& path, const std::string& flags = "") {
  ParsedCli p;
  p.run = RunGleak("parse " + flags + " " + Quote(path));
  std::istringstream lines(p.run.out);
  std::string line;
  while (std::getline(lines, line)) {
    try {
      p.records.push_back(json::parse(line));
    } catch (const json::exception& e) {
      ADD_FAILURE() << "parse wrote an invalid JSON line (" << e.what() << "): " << line;
    }
  }
  return p;
}

std::vector<std::string> Funcs(const json& record) {
  std::vector<std::string> out;
  for (const json& f : record["frames"]) out.push_back(f["func"]);
  return out;
}

bool WarnsAbout(const json& input, const std::string& text, uint64_t line) {
  for (const json& w : input["warnings"]) {
    if (Has(w["message"], text) && (line == 0 ? w["line"].is_null() : w["line"] == line)) {
      return true;
    }
  }
  return false;
}

// Peak resident memory of the largest child process waited for so far, in MiB.
long ChildPeakMiB() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss / 1024;
}

std::string Goroutine(uint64_t id, const std::string& state, const std::string& func, int line) {
  return "goroutine " + std::to_string(id) + " [" + state + "]:\n" + func +
         "(0xc000010000)\n\t/src/app/main.go:" + std::to_string(line) + " +0x25\n\n";
}

// ---- files in testdata/bad/ -------------------------------------------------

TEST(BadInput, EmptyFileHasNoGoroutinesExitThree) {
  Analyzed a = AnalyzeBesideAReadableDump(Bad("empty.txt"));
  EXPECT_EQ(a.run.exit_code, 3);
  EXPECT_TRUE(Has(a.run.err,
                  "empty.txt: no goroutines found (0 lines read, 0 skipped); "
                  "is this a Go goroutine dump?"))
      << a.run.err;
  EXPECT_EQ(a.input()["goroutines"], 0);
  EXPECT_EQ(a.input()["bytes"], 0);
  EXPECT_EQ(a.input()["format"], "unknown");
  EXPECT_TRUE(a.input()["error"].is_null());
  for (const json& g : a.doc["groups"]) EXPECT_EQ(g["inputs"][0]["input"], 1);

  ParsedCli p = ParseJsonLines(Bad("empty.txt"));
  EXPECT_EQ(p.run.exit_code, 3);
  EXPECT_TRUE(p.records.empty());
  EXPECT_TRUE(Has(p.run.err, "no goroutines found (0 lines read, 0 skipped)")) << p.run.err;
}

TEST(BadInput, OnlyNoiseIsSkippedAndCounted) {
  Analyzed a = AnalyzeBesideAReadableDump(Bad("only_noise.txt"));
  EXPECT_EQ(a.run.exit_code, 3);
  // Nine lines, two of them blank: seven skipped as noise.
  EXPECT_TRUE(Has(a.run.err, "only_noise.txt: no goroutines found (9 lines read, 7 skipped)"))
      << a.run.err;
  EXPECT_EQ(a.input()["lines"], 9);
  EXPECT_EQ(a.input()["noise_lines"], 7);
  EXPECT_EQ(a.input()["goroutines"], 0);
  // "panic: ..." in a log line tells who printed a dump, but is no goroutine.
  EXPECT_EQ(a.input()["format"], "unknown");
  EXPECT_EQ(ParseJsonLines(Bad("only_noise.txt")).run.exit_code, 3);
}

TEST(BadInput, BinaryIsNoiseNotACrash) {
  Analyzed a = AnalyzeBesideAReadableDump(Bad("binary.bin"));
  EXPECT_EQ(a.run.exit_code, 3);
  EXPECT_TRUE(Has(a.run.err, "binary.bin: no goroutines found (18 lines read, 18 skipped)"))
      << a.run.err;
  EXPECT_EQ(a.input()["encoding"], "plain");
  EXPECT_EQ(a.input()["bytes"], 4096);
  ParsedCli p = ParseJsonLines(Bad("binary.bin"));
  EXPECT_EQ(p.run.exit_code, 3);
  EXPECT_TRUE(p.records.empty());
}

TEST(BadInput, NulBytesAroundLinesAreSkippedInsideNamesKept) {
  ParsedCli p = ParseJsonLines(Bad("nul_bytes.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 4u);
  // NUL padding before a header and after one does not hide the goroutine.
  ASSERT_NE(p.Id(1), nullptr);
  EXPECT_EQ(Funcs(*p.Id(1)), std::vector<std::string>{"main.send"});
  ASSERT_NE(p.Id(3), nullptr);
  EXPECT_EQ(Funcs(*p.Id(3)), std::vector<std::string>{"main.lost"});
  EXPECT_EQ((*p.Id(3))["state"], "select");
  // Inside a name a NUL is kept, escaped as \u0000.
  ASSERT_NE(p.Id(2), nullptr);
  EXPECT_EQ((*p.Id(2))["frames"][0]["func"], std::string("main.re\0cv", 10));
  EXPECT_TRUE(Has(p.run.out, "main.re\\u0000cv"));

  Analyzed a = AnalyzeJson(Bad("nul_bytes.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 4);
  EXPECT_EQ(a.input()["noise_lines"], 2);  // the line of NULs and the NULs at the end
  // The NULs at the end have no newline after them: the one warning.
  ASSERT_EQ(a.input()["warnings"].size(), 1u) << a.input()["warnings"];
  EXPECT_TRUE(Has(a.input()["warnings"][0]["message"], "ends without a newline"));
  EXPECT_EQ(a.input()["truncated"], false);  // outside any goroutine
  CommandResult text = RunGleak("analyze " + Quote(Bad("nul_bytes.txt")));
  EXPECT_TRUE(Has(text.out, "main.re?cv")) << text.out;
}

TEST(BadInput, InvalidUtf8BecomesReplacementCharactersInBothOutputs) {
  const std::string fffd = "\xEF\xBF\xBD";
  ParsedCli p = ParseJsonLines(Bad("invalid_utf8.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 3u);
  // Valid UTF-8 passes untouched; each invalid byte or cut sequence becomes U+FFFD.
  EXPECT_EQ(p.records[0]["frames"][0]["func"], "main.caf\xC3\xA9" + fffd + fffd);
  EXPECT_EQ(p.records[0]["frames"][0]["file"], "/src/app/\xE4\xB8\x96\xE7\x95\x8C/main.go");
  EXPECT_EQ(p.records[1]["frames"][0]["func"], "main.trunc" + fffd);  // E2 82: one cut sequence
  EXPECT_EQ(p.records[1]["frames"][0]["file"], "/src/app/bad" + fffd + fffd + ".go");
  EXPECT_EQ(p.records[2]["state"], "chan" + fffd + fffd + fffd + " send");  // a surrogate
  EXPECT_EQ(p.records[2]["created_by"]["func"], "main.start" + fffd + fffd + fffd + fffd + fffd);
  EXPECT_EQ(p.records[2]["labels"]["k" + fffd], "v" + fffd + fffd);
  // Written as analyze writes it: U+FFFD as its UTF-8 bytes, not as the escape \ufffd.
  EXPECT_TRUE(Has(p.run.out, "\"main.trunc" + fffd + "\"")) << p.run.out;
  EXPECT_FALSE(Has(p.run.out, "\\ufffd")) << p.run.out;

  Analyzed a = AnalyzeJson(Bad("invalid_utf8.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 3);
  // gleak analyze replaces exactly as gleak parse does.
  for (const json& record : p.records) {
    EXPECT_NE(a.GroupWith(record["frames"][0]["func"]), nullptr) << record["frames"][0]["func"];
  }
  const json* g = a.GroupWith("main.surrogate" + fffd + fffd + fffd);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ((*g)["creators"][0]["func"], "main.start" + fffd + fffd + fffd + fffd + fffd);
  EXPECT_EQ((*g)["labels"][0]["labels"]["k" + fffd], "v" + fffd + fffd);
}

TEST(BadInput, CrlfAndDoubleCrEndingsParseLikeLf) {
  ParsedCli p = ParseJsonLines(Bad("crlf.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 4u);
  EXPECT_FALSE(Has(p.run.out, "\\r"));
  EXPECT_EQ(p.records[1]["wait_minutes"], 5);
  EXPECT_EQ(p.records[1]["created_by"]["func"], "main.start");
  EXPECT_EQ(p.records[1]["creator_id"], 1);
  // "\r\r\n", a CRLF file converted twice.
  EXPECT_EQ(p.records[2]["state"], "IO wait");
  EXPECT_EQ(Funcs(p.records[2]), std::vector<std::string>{"main.read"});
  EXPECT_EQ(p.records[2]["frames"][0]["line"], 30);
  // The last line ends in a lone "\r" and no "\n": complete, not cut.
  EXPECT_EQ(p.records[3]["frames"][0]["line"], 300);
  EXPECT_EQ(p.records[3]["flags"], json::array());
  Analyzed a = AnalyzeJson(Bad("crlf.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 4);
  EXPECT_EQ(a.input()["truncated"], false);
}

TEST(BadInput, NumbersBeyondTheirRangeWarnAndKeepTheGoroutine) {
  ParsedCli p = ParseJsonLines(Bad("overflow_numbers.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 3u);
  // Goroutine 2^64: no id, minutes taken as 0, line numbers past 2^63-1 as 0,
  // and a creator id past 64 bits is not part of the creator's name.
  const json& first = p.records[0];
  EXPECT_TRUE(first["id"].is_null());
  EXPECT_EQ(first["wait_minutes"], 0);
  EXPECT_EQ(first["frames"][0]["line"], 0);
  EXPECT_EQ(first["created_by"]["func"], "main.start");
  EXPECT_TRUE(first["creator_id"].is_null());
  EXPECT_EQ(first["created_by"]["line"], 0);
  // 2^64-1 still fits; line 2^63 does not, 2^63-1 does.
  const json& second = p.records[1];
  EXPECT_EQ(second["id"], 18446744073709551615u);
  EXPECT_EQ(second["wait_minutes"], 18446744073709551615u);
  EXPECT_EQ(second["frames"][0]["line"], 0);
  EXPECT_EQ(second["frames"][1]["line"], 9223372036854775807u);
  EXPECT_TRUE(Has(p.run.err, "overflow_numbers.txt:1: goroutine id does not fit in 64 bits"));
  EXPECT_TRUE(Has(p.run.err, "overflow_numbers.txt:1: wait minutes do not fit in 64 bits"));
  EXPECT_TRUE(Has(p.run.err, "overflow_numbers.txt:3: line number does not fit in a signed"));
  EXPECT_TRUE(Has(p.run.err, "overflow_numbers.txt:9: line number does not fit in a signed"));
  // debug=1 counts: past 64 bits skipped; 2^64-1 makes the total pass 2^64-1,
  // which holds it there (and every count made from it) rather than wrap.
  EXPECT_TRUE(Has(p.run.err, "overflow_numbers.txt:15: goroutine count does not fit in 64 bits"));
  EXPECT_TRUE(Has(p.run.err,
                  "overflow_numbers.txt: the goroutine counts add up past 2^64 - 1; the totals "
                  "are held at 2^64 - 1"))
      << p.run.err;

  // A debug=1 location whose number runs into text has no line number (the
  // fuzzer found "main.go:0017367992128159875058d85 ..." read as that number).
  testing::Parsed junk = testing::ParseString(
      "1 @ 0x1\n#\t0x1\tmain.g+0x1\t/x/main.go:42junk\n"
      "#\t0x2\tmain.h+0x1\t/x/main.go:0017367992128159875058d85 d7e5\n\n");
  ASSERT_EQ(junk.records.size(), 1u);
  ASSERT_EQ(junk.records[0].frames.size(), 2u);
  EXPECT_EQ(junk.records[0].frames[0].line, 0u);
  EXPECT_EQ(junk.records[0].frames[0].file, "/x/main.go:42junk");
  EXPECT_EQ(junk.records[0].frames[1].line, 0u);

  Analyzed a = AnalyzeJson(Bad("overflow_numbers.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  // Never a total that wrapped around: held at 2^64-1, and so is the group.
  EXPECT_EQ(a.totals()["goroutines"], 18446744073709551615u);
  EXPECT_EQ(a.input()["records"], 3);
  uint64_t largest = 0;
  for (const json& g : a.doc["groups"]) largest = std::max(largest, g["count"].get<uint64_t>());
  EXPECT_EQ(largest, 18446744073709551615u);
  EXPECT_TRUE(WarnsAbout(a.input(), "the goroutine counts add up past 2^64 - 1", 0));
  EXPECT_TRUE(WarnsAbout(a.input(), "goroutine id does not fit in 64 bits", 1));
}

TEST(BadInput, NegativeNumbersAreNotNumbers) {
  ParsedCli p = ParseJsonLines(Bad("negative_numbers.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  // "goroutine -1" is no header, "-3 @" no debug=1 record: both are noise.
  ASSERT_EQ(p.records.size(), 1u);
  const json& g = p.records[0];
  EXPECT_EQ(g["id"], 2);
  EXPECT_EQ(g["wait_minutes"], 0);  // "-5 minutes" is ignored
  // main.minutes has no usable file line (":-3"), so it is no frame.
  EXPECT_EQ(Funcs(g), std::vector<std::string>{"main.caller"});
  EXPECT_EQ(g["created_by"]["func"], "main.start");
  EXPECT_TRUE(g["creator_id"].is_null());

  Analyzed a = AnalyzeJson(Bad("negative_numbers.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 1);
  EXPECT_EQ(a.input()["noise_lines"], 7);
}

TEST(BadInput, HeadersWithoutFramesAreKeptAndWarned) {
  ParsedCli p = ParseJsonLines(Bad("header_no_frames.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 4u);
  for (const json& r : p.records) EXPECT_TRUE(r["frames"].empty());
  EXPECT_EQ(p.records[2]["flags"], json::array({"stack_unavailable"}));
  EXPECT_EQ(p.records[3]["flags"], json::array({"truncated"}));
  EXPECT_TRUE(Has(p.run.err, "header_no_frames.txt:1: goroutine 1 has a header but no frames"));
  EXPECT_TRUE(Has(p.run.err, "header_no_frames.txt:3: goroutine 2 has a header but no frames"));
  EXPECT_TRUE(Has(p.run.err, "header_no_frames.txt:8: the input ends inside goroutine 4"));

  Analyzed a = AnalyzeJson(Bad("header_no_frames.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 4);
  EXPECT_EQ(a.input()["truncated"], true);
  for (const json& g : a.doc["groups"]) EXPECT_TRUE(g["top_frame"].is_null());
}

TEST(BadInput, FramesWithoutAHeaderAreNoise) {
  Analyzed a = AnalyzeBesideAReadableDump(Bad("frames_no_header.txt"));
  EXPECT_EQ(a.run.exit_code, 3);
  EXPECT_TRUE(Has(a.run.err, "frames_no_header.txt: no goroutines found (7 lines read, 6 skipped)"))
      << a.run.err;
  EXPECT_EQ(a.input()["goroutines"], 0);
  EXPECT_EQ(ParseJsonLines(Bad("frames_no_header.txt")).run.exit_code, 3);
}

TEST(BadInput, CreatedByWithoutAFrame) {
  ParsedCli p = ParseJsonLines(Bad("created_by_no_frame.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 3u);
  // Before any header, a `created by` is noise. Right after a header it is
  // the creator of a goroutine with no frames.
  EXPECT_EQ(p.records[0]["id"], 5);
  EXPECT_TRUE(p.records[0]["frames"].empty());
  EXPECT_EQ(p.records[0]["created_by"]["func"], "main.start");
  EXPECT_EQ(p.records[0]["created_by"]["line"], 5);
  EXPECT_TRUE(Has(p.run.err, "created_by_no_frame.txt:4: goroutine 5 has a header but no frames"));
  // `created by` without its file line: function known, no file.
  EXPECT_EQ(p.records[1]["created_by"]["func"], "main.start");
  EXPECT_EQ(p.records[1]["created_by"]["file"], "");
  EXPECT_EQ(p.records[1]["created_by"]["line"], 0);
  // `created by ` with no function is not a creator.
  EXPECT_TRUE(p.records[2]["created_by"].is_null());
  EXPECT_EQ(Funcs(p.records[2]), std::vector<std::string>{"main.send"});

  Analyzed a = AnalyzeJson(Bad("created_by_no_frame.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 3);
}

TEST(BadInput, BracketsInStatesAndLabels) {
  ParsedCli p = ParseJsonLines(Bad("brackets_in_labels.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  // `[chan [send]]` and `[[[[[]]]]]` are no headers: goroutines 1 and 6 are noise.
  ASSERT_EQ(p.records.size(), 4u);
  EXPECT_EQ(p.Id(1), nullptr);
  EXPECT_EQ(p.Id(6), nullptr);
  // `]` and braces inside quoted label values, inside and after the brackets.
  ASSERT_NE(p.Id(2), nullptr);
  EXPECT_EQ((*p.Id(2))["state"], "chan send");
  EXPECT_EQ((*p.Id(2))["labels"], json({{"job", "a]b"}, {"path", "/x/{id}"}}));
  ASSERT_NE(p.Id(3), nullptr);
  EXPECT_EQ((*p.Id(3))["labels"], json({{"job", "x]y"}, {"k}", "v{"}, {"tenant", "a, b: c"}}));
  // An unterminated quote: the labels are dropped with a warning, the goroutine kept.
  ASSERT_NE(p.Id(4), nullptr);
  EXPECT_EQ((*p.Id(4))["labels"], json::object());
  EXPECT_EQ(Funcs(*p.Id(4)), std::vector<std::string>{"main.badlabels"});
  EXPECT_TRUE(Has(p.run.err, "brackets_in_labels.txt:13: labels are malformed; ignored"));
  ASSERT_NE(p.Id(5), nullptr);
  EXPECT_EQ((*p.Id(5))["labels"]["k"], "a\"]}");

  Analyzed a = AnalyzeJson(Bad("brackets_in_labels.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 4);
  EXPECT_EQ(a.input()["noise_lines"], 6);
}

TEST(BadInput, CutMidGoroutineKeepsWhatItHolds) {
  ParsedCli p = ParseJsonLines(Bad("cut_mid_goroutine.txt"));
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[1]["flags"], json::array({"truncated"}));
  EXPECT_EQ(Funcs(p.records[1]), std::vector<std::string>{"main.loop"});
  EXPECT_TRUE(Has(p.run.err,
                  "cut_mid_goroutine.txt:5: the input ends inside goroutine 2: its "
                  "stack is cut short"));
  Analyzed a = AnalyzeJson(Bad("cut_mid_goroutine.txt"));
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.input()["truncated"], true);
  const json* g = a.GroupWith("main.loop");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ((*g)["truncated"], 1);
}

TEST(BadInput, DirectoryIsRefusedByName) {
  fs::path dir = testing::TempDir();
  Analyzed a = AnalyzeBesideAReadableDump(dir);
  EXPECT_EQ(a.run.exit_code, 3);
  EXPECT_TRUE(Has(a.run.err, dir.string() + ": is a directory, not a dump file")) << a.run.err;
  EXPECT_EQ(a.input()["error"], dir.string() + ": is a directory, not a dump file");
  EXPECT_EQ(a.input()["encoding"], "");
  ParsedCli p = ParseJsonLines(dir);
  EXPECT_EQ(p.run.exit_code, 3);
  EXPECT_TRUE(Has(p.run.err, "is a directory, not a dump file"));
  // The other inputs are still analyzed.
  Analyzed both = AnalyzeJson({Bad("crlf.txt"), dir});
  EXPECT_EQ(both.run.exit_code, 3);
  EXPECT_EQ(both.totals()["goroutines"], 4);
  EXPECT_TRUE(both.doc["inputs"][0]["error"].is_null());
  EXPECT_FALSE(both.doc["inputs"][1]["error"].is_null());
  fs::remove_all(dir);
}

TEST(BadInput, GzipBombWithinTheDefaultLimitIsReadAndItsLineSkipped) {
  // 8 KiB that inflate to 8 MiB: two goroutines, then one line of NUL bytes.
  Analyzed a = AnalyzeJson(Bad("gzip_bomb.gz"));
  EXPECT_EQ(a.run.exit_code, 0) << a.run.err;
  EXPECT_EQ(a.input()["encoding"], "gzip");
  EXPECT_EQ(a.input()["compressed_bytes"], fs::file_size(Bad("gzip_bomb.gz")));
  EXPECT_GT(a.input()["bytes"].get<uint64_t>(), uint64_t{8} << 20);
  EXPECT_EQ(a.totals()["goroutines"], 2);
  EXPECT_TRUE(WarnsAbout(a.input(), "line is 8388608 bytes long, over the 1048576-byte limit", 9));
}

TEST(BadInput, GzipBombPastALoweredLimitIsRefusedKeepingWhatWasRead) {
  // analyze's --max-bytes (16 GiB by default) bounds what a gzip input may inflate to.
  Analyzed cli = AnalyzeJson(Bad("gzip_bomb.gz"), "--max-bytes 2097152");
  EXPECT_EQ(cli.run.exit_code, 3);
  EXPECT_TRUE(Has(cli.run.err,
                  "gzip_bomb.gz: gzip input expands beyond 2097152 bytes; refusing "
                  "it (raise --max-bytes)"))
      << cli.run.err;
  EXPECT_EQ(cli.input()["error"],
            Bad("gzip_bomb.gz").string() +
                ": gzip input expands beyond 2097152 bytes; refusing it (raise --max-bytes)");
  EXPECT_EQ(cli.totals()["goroutines"], 2);  // read before the limit
  // gleak parse takes --max-bytes too (16 GiB by default, as analyze), and
  // prints the goroutines read before the limit.
  ParsedCli parsed = ParseJsonLines(Bad("gzip_bomb.gz"), "--max-bytes 2097152");
  EXPECT_EQ(parsed.run.exit_code, 3);
  EXPECT_TRUE(Has(parsed.run.err, "gzip_bomb.gz: gzip input expands beyond 2097152 bytes"));
  EXPECT_EQ(parsed.records.size(), 2u);
  EXPECT_EQ(ParseJsonLines(Bad("gzip_bomb.gz")).run.exit_code, 0);
  EXPECT_EQ(cli.input()["encoding"], "gzip");
  EXPECT_EQ(cli.input()["compressed_bytes"], fs::file_size(Bad("gzip_bomb.gz")));
  EXPECT_GT(cli.input()["bytes"].get<uint64_t>(), 0u);
  EXPECT_LE(cli.input()["bytes"].get<uint64_t>(), 2097152u);
  EXPECT_NE(cli.GroupWith("main.send"), nullptr);

  // The library's own default is InputLimits::max_decompressed_bytes (64 GiB).
  AnalyzeOptions options;
  options.inputs = {Bad("gzip_bomb.gz").string()};
  options.input_limits.max_decompressed_bytes = uint64_t{2} << 20;
  Report report = Analyze(options);
  ASSERT_EQ(report.inputs.size(), 1u);
  EXPECT_TRUE(Has(report.inputs[0].error, "gzip input expands beyond 2097152 bytes; refusing it"))
      << report.inputs[0].error;
  // The two goroutines before the bomb were read and grouped.
  EXPECT_EQ(report.inputs[0].goroutines, 2u);
  EXPECT_EQ(report.totals.goroutines, 2u);
  EXPECT_TRUE(HasInputProblem(report));

  auto source = OpenInput(Bad("gzip_bomb.gz").string(), InputLimits{uint64_t{1} << 20});
  testing::CollectingSink sink;
  try {
    ParseSource(*source, sink);
    ADD_FAILURE() << "a gzip input past the limit was read whole";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_TRUE(Has(e.what(), "expands beyond 1048576 bytes")) << e.what();
  }
}

TEST(BadInput, TruncatedGzipKeepsTheGoroutinesBeforeTheCut) {
  Analyzed a = AnalyzeJson(Bad("truncated.gz"));
  EXPECT_EQ(a.run.exit_code, 3);
  EXPECT_TRUE(Has(a.run.err,
                  "truncated.gz: gzip data ends early (after 34942 decompressed "
                  "bytes): the file is cut or corrupt"))
      << a.run.err;
  EXPECT_FALSE(a.input()["error"].is_null());
  EXPECT_EQ(a.totals()["goroutines"], 245);
  EXPECT_FALSE(a.doc["groups"].empty());
  // The input report says what was read before the cut (it said encoding ""
  // and 0 bytes before): the encoding, the bytes on both sides, the records.
  EXPECT_EQ(a.input()["encoding"], "gzip");
  EXPECT_EQ(a.input()["bytes"], 34942);
  EXPECT_EQ(a.input()["compressed_bytes"], fs::file_size(Bad("truncated.gz")));
  EXPECT_EQ(a.input()["records"], 245);
  EXPECT_EQ(a.input()["goroutines"], 245);
  EXPECT_EQ(a.input()["format"], "traceback");
  EXPECT_GT(a.input()["lines"].get<uint64_t>(), 245u);
  EXPECT_TRUE(testing::MatchesSchema("report-v1.json", a.run.out));
  ParsedCli p = ParseJsonLines(Bad("truncated.gz"));
  EXPECT_EQ(p.run.exit_code, 3);
  EXPECT_EQ(p.records.size(), 245u);
}

TEST(BadInput, GzipMagicWithoutGzipDataIsAnInputError) {
  Analyzed a = AnalyzeBesideAReadableDump(Bad("not_gzip.gz"));
  EXPECT_EQ(a.run.exit_code, 3);
  EXPECT_TRUE(Has(a.run.err, "not_gzip.gz: corrupt gzip data after 0 decompressed bytes"))
      << a.run.err;
  EXPECT_EQ(a.input()["goroutines"], 0);
  EXPECT_EQ(ParseJsonLines(Bad("not_gzip.gz")).run.exit_code, 3);
}

// ---- too large to commit: generated ------------------------------------------

TEST(BadInput, HundredMegabyteLineIsSkippedInBoundedMemory) {
  fs::path dir = testing::TempDir();
  fs::path path = dir / "long_line.txt";
  {
    std::ofstream out(path, std::ios::binary);
    out << Goroutine(1, "chan send", "main.before", 10);
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) out << chunk;
    out << "\n" << Goroutine(2, "chan send", "main.after", 20);
  }
  Analyzed a = AnalyzeJson(path);
  EXPECT_EQ(a.run.exit_code, 0) << a.run.err;
  EXPECT_EQ(a.totals()["goroutines"], 2);
  EXPECT_NE(a.GroupWith("main.before"), nullptr);
  EXPECT_NE(a.GroupWith("main.after"), nullptr);
  EXPECT_TRUE(WarnsAbout(a.input(),
                         "line is 104857600 bytes long, over the 1048576-byte limit; "
                         "skipped",
                         5));
  EXPECT_TRUE(Has(a.run.err, "long_line.txt:5: line is 104857600 bytes long"));
  EXPECT_EQ(a.input()["noise_lines"], 1);
  if (!kAsan) {
    EXPECT_LT(ChildPeakMiB(), 64) << "MiB for a 100 MiB line";
  }

  // --max-line-length lowers the limit.
  ParsedCli p = ParseJsonLines(path, "--max-line-length 64");
  EXPECT_EQ(p.run.exit_code, 0);
  EXPECT_EQ(p.records.size(), 2u);
  EXPECT_TRUE(Has(p.run.err, "over the 64-byte limit; skipped"));
  fs::remove_all(dir);
}

TEST(BadInput, MillionFrameGoroutineIsCappedInBoundedMemory) {
  fs::path dir = testing::TempDir();
  fs::path path = dir / "deep.txt";
  {
    std::ofstream out(path, std::ios::binary);
    out << "goroutine 1 [chan send]:\n";
    for (int i = 0; i < 1'000'000; ++i) {
      out << "main.recurse" << i % 1000 << "(0xc000010000, 0x" << i
          << ")\n\t/src/app/deep.go:" << i + 1 << " +0x25\n";
    }
    out << "\n" << Goroutine(2, "select", "main.after", 20);
  }
  ASSERT_GT(fs::file_size(path), uint64_t{50} << 20);
  ParsedCli p = ParseJsonLines(path);
  EXPECT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0]["frames"].size(), 10'000u);  // ParseLimits::max_frames
  EXPECT_EQ(p.records[0]["frames"][9999]["line"], 10'000);
  EXPECT_EQ(Funcs(p.records[1]), std::vector<std::string>{"main.after"});
  EXPECT_TRUE(Has(p.run.err,
                  "deep.txt:20002: goroutine has more than 10000 frames; the rest "
                  "are dropped"))
      << p.run.err;
  // The dropped frames cost no memory: well under the 55 MiB goroutine.
  if (!kAsan) {
    EXPECT_LT(ChildPeakMiB(), 40) << "MiB for a million-frame goroutine";
  }

  Analyzed a = AnalyzeJson(path);
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.totals()["goroutines"], 2);
  const json* g = a.GroupWith("main.recurse0");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ((*g)["frames"].size(), 10'000u);

  // In-process, a lower cap.
  std::string deep = "goroutine 1 [running]:\n";
  for (int i = 0; i < 100'000; ++i) deep += "main.f(...)\n\t/src/app/f.go:1\n";
  testing::Parsed parsed = testing::ParseString(deep, ParseLimits{.max_frames = 100});
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].frames.size(), 100u);
  fs::remove_all(dir);
}

TEST(BadInput, ManyWarningsAreCountedNotKept) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "goroutine " + std::to_string(i + 1) + " [select]:\n\n";
  text += Goroutine(9999, "select", "main.real", 1);
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "warnings.txt", std::ios::binary) << text;
  Analyzed a = AnalyzeJson(dir / "warnings.txt");
  EXPECT_EQ(a.run.exit_code, 0);
  EXPECT_EQ(a.input()["warnings"].size(), 100u);  // ParseLimits::max_warnings
  EXPECT_EQ(a.input()["warnings_not_listed"], 400);
  EXPECT_EQ(a.totals()["goroutines"], 501);
  fs::remove_all(dir);
}

// ---- limits set on the command line ----------------------------------------

using testing::DeepDump;
using testing::kFiftyFrames;

TEST(Limits, MaxFramesKeepsTheInnermostFramesOfARealDeepStack) {
  Analyzed whole = AnalyzeJson(DeepDump());
  ASSERT_EQ(whole.run.exit_code, 0) << whole.run.err;
  const json* deep = whole.GroupWith("main.deepLeaf");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ((*deep)["frames"].size(), 100u);
  EXPECT_TRUE(whole.input()["warnings"].empty());

  Analyzed cut = AnalyzeJson(DeepDump(), "--max-frames 50");
  ASSERT_EQ(cut.run.exit_code, 0) << cut.run.err;
  EXPECT_EQ(cut.totals()["goroutines"], 11);
  deep = cut.GroupWith("main.deepLeaf");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ((*deep)["count"], 3);
  ASSERT_EQ((*deep)["frames"].size(), 50u);
  // The innermost 50 are kept, as in the full stack.
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_EQ((*deep)["frames"][i]["func"],
              (*whole.GroupWith("main.deepLeaf"))["frames"][i]["func"]);
  }
  // One warning per cut goroutine, at the line of its 51st frame.
  for (uint64_t line : {131, 336, 541}) EXPECT_TRUE(WarnsAbout(cut.input(), kFiftyFrames, line));
  EXPECT_EQ(cut.input()["warnings"].size(), 3u);
  EXPECT_TRUE(Has(cut.run.err, "http_debug2.txt:131: goroutine has more than 50 frames"));
  // Shallow stacks (22 frames) are untouched.
  const json* shallow = cut.GroupWith("main.shallowLeaf");
  ASSERT_NE(shallow, nullptr);
  EXPECT_EQ((*shallow)["frames"].size(), 22u);
  EXPECT_TRUE(testing::MatchesSchema("report-v1.json", cut.run.out));

  ParsedCli parsed = ParseJsonLines(DeepDump(), "--max-frames 50");
  EXPECT_EQ(parsed.run.exit_code, 0);
  ASSERT_EQ(parsed.records.size(), 11u);
  size_t at_fifty = 0;
  for (const json& r : parsed.records) {
    EXPECT_LE(r["frames"].size(), 50u);
    at_fifty += r["frames"].size() == 50;
  }
  EXPECT_EQ(at_fifty, 3u);
  EXPECT_TRUE(Has(parsed.run.err, "http_debug2.txt:541: goroutine has more than 50 frames"));

  CommandResult diff =
      RunGleak("diff --format json --max-frames 50 " + Quote(DeepDump()) + " " + Quote(DeepDump()));
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  json d = json::parse(diff.out);
  EXPECT_TRUE(WarnsAbout(d["snapshots"][1], kFiftyFrames, 336));
  for (const json& g : d["groups"]) EXPECT_LE(g["frames"].size(), 50u);
}

TEST(Limits, MaxWarningsListsTheFirstAndCountsTheRest) {
  Analyzed one = AnalyzeJson(DeepDump(), "--max-frames 50 --max-warnings 1");
  EXPECT_EQ(one.run.exit_code, 0);
  ASSERT_EQ(one.input()["warnings"].size(), 1u);
  EXPECT_TRUE(WarnsAbout(one.input(), kFiftyFrames, 131));
  EXPECT_EQ(one.input()["warnings_not_listed"], 2);

  Analyzed none = AnalyzeJson(DeepDump(), "--max-frames 50 --max-warnings 0");
  EXPECT_TRUE(none.input()["warnings"].empty());
  EXPECT_EQ(none.input()["warnings_not_listed"], 3);

  // analyze (on standard error, in every format) and `gleak parse` say how
  // many were left out.
  CommandResult text = RunGleak("analyze --max-frames 50 --max-warnings 1 " + Quote(DeepDump()));
  EXPECT_TRUE(Has(text.err, "http_debug2.txt: 2 more warnings not listed (--max-warnings)"))
      << text.err;
  ParsedCli parsed = ParseJsonLines(DeepDump(), "--max-frames 50 --max-warnings 1");
  EXPECT_EQ(parsed.records.size(), 11u);
  EXPECT_TRUE(Has(parsed.run.err, "http_debug2.txt: 2 more warnings not shown (--max-warnings)"))
      << parsed.run.err;
  EXPECT_FALSE(Has(parsed.run.err, ":336:")) << parsed.run.err;
}

TEST(Limits, OutOfRangeLimitsAreUsageErrorsOnEveryCommand) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--max-frames 0", "--max-frames: expected a whole number from 1 to 1,000,000, got '0'"},
      {"--max-frames 1000001", "--max-frames: expected a whole number from 1 to 1,000,000"},
      {"--max-warnings 1000001", "--max-warnings: expected a whole number from 0 to 1,000,000"},
      {"--max-warnings -1",
       "--max-warnings: expected a whole number from 0 to 1,000,000, got '-1'"},
      {"--max-bytes 0", "--max-bytes: expected a size of 1 byte or more"},
      {"--max-line-length 63",
       "--max-line-length: expected a whole number from 64 to 1,073,741,824, got '63'"},
  };
  for (const std::string command : {"analyze", "diff", "watch", "parse"}) {
    for (const auto& [flag, message] : bad) {
      SCOPED_TRACE(command + " " + flag);
      std::string inputs = command == "watch"  ? "http://127.0.0.1:1/"
                           : command == "diff" ? Quote(DeepDump()) + " " + Quote(DeepDump())
                                               : Quote(DeepDump());
      CommandResult r = RunGleak(command + " " + flag + " " + inputs);
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_TRUE(Has(r.err, message)) << r.err;
      EXPECT_TRUE(r.out.empty());
    }
  }
}

using testing::Dump;

const json* OverflowGroup(const json& doc) {
  for (const json& g : doc["groups"]) {
    if (g.value("overflow", false)) return &g;
  }
  return nullptr;
}

TEST(Limits, MaxGroupsFoldsTheRestIntoOneOverflowGroup) {
  // A real Go 1.26 dump of 16 goroutines in 16 groups.
  fs::path names = Dump("go1.26/names/http_debug2.txt");
  Analyzed whole = AnalyzeJson(names);
  ASSERT_EQ(whole.totals()["groups"], 16);
  EXPECT_EQ(whole.totals()["overflow_goroutines"], 0);
  EXPECT_EQ(OverflowGroup(whole.doc), nullptr);

  Analyzed capped = AnalyzeJson(names, "--max-groups 2");
  ASSERT_EQ(capped.run.exit_code, 0) << capped.run.err;
  EXPECT_EQ(capped.doc["max_groups"], 2);
  EXPECT_EQ(capped.totals()["goroutines"], 16);
  EXPECT_EQ(capped.totals()["groups"], 3);  // two kept, one overflow
  ASSERT_EQ(capped.doc["groups"].size(), 3u);
  const json* overflow = OverflowGroup(capped.doc);
  ASSERT_NE(overflow, nullptr);
  uint64_t kept = 0;
  for (const json& g : capped.doc["groups"]) {
    if (&g == overflow) continue;
    kept += g["count"].get<uint64_t>();
    // A kept group is the group of the uncapped run with that id, whole.
    bool found = false;
    for (const json& w : whole.doc["groups"]) {
      if (w["id"] == g["id"]) {
        found = true;
        EXPECT_EQ(w["count"], g["count"]);
        EXPECT_EQ(w["frames"], g["frames"]);
      }
    }
    EXPECT_TRUE(found) << g["id"];
  }
  EXPECT_EQ((*overflow)["count"], 16 - kept);
  EXPECT_EQ(capped.totals()["overflow_goroutines"], 16 - kept);
  EXPECT_EQ((*overflow)["id"], "ffffffffffffffff");
  EXPECT_EQ((*overflow)["state"], "overflow");
  EXPECT_TRUE((*overflow)["frames"].empty());
  EXPECT_TRUE((*overflow)["top_frame"].is_null());
  EXPECT_EQ((*overflow)["rank"], 3);  // after every real group
  EXPECT_EQ((*overflow)["finding"]["pattern"], "overflow");
  EXPECT_FALSE((*overflow)["finding"]["suspect"].get<bool>());
  std::string warning = fmt::format(
      "more than 2 distinct groups: {} goroutines of the groups past that are counted in one "
      "overflow group (id ffffffffffffffff), not told apart; raise --max-groups to group them",
      16 - kept);
  EXPECT_TRUE(WarnsAbout(capped.input(), warning, 0)) << capped.input()["warnings"];
  EXPECT_TRUE(Has(capped.run.err, "http_debug2.txt: " + warning)) << capped.run.err;
  EXPECT_TRUE(testing::MatchesSchema("report-v1.json", capped.run.out));

  CommandResult text = RunGleak("analyze --max-groups 2 " + Quote(names));
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_TRUE(Has(text.out, fmt::format("{} goroutines of the groups past --max-groups 2 are "
                                        "counted in one overflow group, not told apart",
                                        16 - kept)))
      << text.out;
  EXPECT_TRUE(Has(text.out, "OVERFLOW: of the groups past --max-groups, not told apart"));
  EXPECT_TRUE(Has(text.out, "     fix  Raise --max-groups"));
  EXPECT_TRUE(Has(text.err, "gleak: warning: " + names.string() + ": " + warning)) << text.err;
  EXPECT_FALSE(Has(text.out, warning)) << text.out;
}

TEST(Limits, OverflowGroupIsNeverASuspectAndHidesNoKeptSuspect) {
  // 162 goroutines; the three chan-send groups (100, 30, 25) are suspects.
  fs::path chansend = Dump("go1.26/chansend/http_debug2.txt");
  Analyzed whole = AnalyzeJson(chansend);
  ASSERT_EQ(whole.doc["suspect_patterns"], json::array({"chan-send"}));
  for (size_t cap : {1, 2, 3, 4}) {
    SCOPED_TRACE(cap);
    Analyzed capped = AnalyzeJson(chansend, fmt::format("--max-groups {}", cap));
    ASSERT_EQ(capped.run.exit_code, 0);
    EXPECT_EQ(capped.totals()["groups"], cap + 1);
    const json* overflow = OverflowGroup(capped.doc);
    ASSERT_NE(overflow, nullptr);
    EXPECT_FALSE((*overflow)["finding"]["suspect"].get<bool>());
    EXPECT_TRUE((*overflow)["finding"]["also_matched"].empty());
    uint64_t suspects = 0;
    for (const json& g : capped.doc["groups"]) {
      if (g["finding"]["suspect"].get<bool>()) suspects += g["count"].get<uint64_t>();
    }
    EXPECT_EQ(capped.totals()["suspect_goroutines"], suspects);
    EXPECT_EQ(suspects + (*overflow)["count"].get<uint64_t>() <= 162, true);
    EXPECT_TRUE(testing::MatchesSchema("report-v1.json", capped.run.out));
  }
}

TEST(Limits, MaxGroupsCapsEachInputOrTheMergedSet) {
  fs::path a = Dump("go1.19/names/http_debug2.txt");
  fs::path b = Dump("go1.26/names/http_debug2.txt");
  // Per input: each input keeps 3 groups and has its own overflow group.
  Analyzed separate = AnalyzeJson({a, b}, "--max-groups 3");
  ASSERT_EQ(separate.run.exit_code, 0) << separate.run.err;
  EXPECT_EQ(separate.totals()["groups"], 8);
  size_t overflows = 0;
  for (const json& g : separate.doc["groups"]) {
    if (!g["overflow"].get<bool>()) continue;
    ++overflows;
    ASSERT_EQ(g["inputs"].size(), 1u);
  }
  EXPECT_EQ(overflows, 2u);
  EXPECT_EQ(separate.totals()["overflow_goroutines"],
            separate.totals()["goroutines"].get<uint64_t>() - 6);

  // --merge: at most 3 groups in all, one overflow group holding both inputs.
  Analyzed merged = AnalyzeJson({a, b}, "--merge --group-by func --max-groups 3");
  ASSERT_EQ(merged.run.exit_code, 0) << merged.run.err;
  EXPECT_EQ(merged.totals()["groups"], 4);
  const json* overflow = OverflowGroup(merged.doc);
  ASSERT_NE(overflow, nullptr);
  uint64_t kept = 0;
  for (const json& g : merged.doc["groups"]) {
    if (&g != overflow) kept += g["count"].get<uint64_t>();
  }
  uint64_t total = merged.totals()["goroutines"];
  EXPECT_EQ((*overflow)["count"], total - kept);
  ASSERT_EQ((*overflow)["inputs"].size(), 2u);  // one share per input, added up
  EXPECT_EQ((*overflow)["inputs"][0]["count"].get<uint64_t>() +
                (*overflow)["inputs"][1]["count"].get<uint64_t>(),
            total - kept);
  for (const json& in : merged.doc["inputs"]) {
    bool warned = false;
    for (const json& w : in["warnings"]) {
      warned |= Has(w["message"], "more than 3 distinct groups in all inputs");
    }
    EXPECT_TRUE(warned) << in["warnings"];
  }
  EXPECT_TRUE(testing::MatchesSchema("report-v1.json", merged.run.out));
}

TEST(Limits, DiffDoesNotCallTheOverflowGroupAGrowingLeak) {
  fs::path dir = Dump("go1.26/leakserver");
  std::string snapshots = Quote(dir / "snapshot_1.txt") + " " + Quote(dir / "snapshot_3.txt");
  json whole = json::parse(RunGleak("diff --format json " + snapshots).out);
  ASSERT_EQ(whole["suspect_patterns"], json::array({"chan-send"}));

  // With 3 groups kept, the growing chan-send group (10 -> 30) is in the overflow group.
  CommandResult r = RunGleak("diff --format json --max-groups 3 " + snapshots);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(testing::MatchesSchema("diff-v1.json", r.out));
  json capped = json::parse(r.out);
  EXPECT_TRUE(capped["suspect_patterns"].empty());
  const json* overflow = OverflowGroup(capped);
  ASSERT_NE(overflow, nullptr);
  EXPECT_EQ((*overflow)["status"], "grown");
  EXPECT_EQ((*overflow)["counts"], json::array({13, 33}));
  EXPECT_EQ((*overflow)["match"], "id");
  EXPECT_FALSE((*overflow)["suspect"].get<bool>());
  EXPECT_EQ((*overflow)["suspect_reason"], "");
  EXPECT_EQ((*overflow)["finding"]["pattern"], "overflow");
  EXPECT_TRUE(WarnsAbout(capped["snapshots"][1], "more than 3 distinct groups: 33 goroutines", 0));

  CommandResult text = RunGleak("diff --max-groups 3 " + snapshots);
  EXPECT_TRUE(Has(text.out, "no leak pattern grows among the groups kept")) << text.out;
  EXPECT_TRUE(Has(text.out,
                  "the overflow group grows by 20: a group past --max-groups grows, unseen; "
                  "raise --max-groups to see which"))
      << text.out;
  EXPECT_TRUE(Has(text.out, "+20 grown  13 → 33  OVERFLOW")) << text.out;
}

TEST(Limits, PastMaxGroupsMemoryStopsGrowing) {
  // 200,000 goroutines (50,000 under the sanitizers), each in a group of its
  // own (its own functions and files): past the cap each one's frames are given back.
  const int goroutines = kAsan ? 50'000 : 200'000;
  fs::path dir = testing::TempDir();
  fs::path path = dir / "groups.txt";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < goroutines; ++i) {
      out << "goroutine " << i + 1 << " [chan receive]:\n";
      for (int d = 0; d < 4; ++d) {
        out << "example.com/app.(*W" << i << ").step" << d << "(0x1)\n\t/src/app/w" << i
            << ".go:" << d + 1 << " +0x1\n";
      }
      out << "created by example.com/app.start" << i << " in goroutine 1\n\t/src/app/s.go:" << i + 1
          << " +0x1\n\n";
    }
  }
  Analyzed a = AnalyzeJson(path, "--max-groups 1000 --top 3");
  ASSERT_EQ(a.run.exit_code, 0) << a.run.err;
  EXPECT_EQ(a.totals()["goroutines"], goroutines);
  EXPECT_EQ(a.totals()["groups"], 1001);
  EXPECT_EQ(a.totals()["overflow_goroutines"], goroutines - 1000);
  if (!kAsan) {
    // The 1,000 groups kept take a few MiB; the 199,000 past them nothing
    // (uncapped, the same input takes over 700 MiB).
    long peak = testing::GleakPeakMiB("analyze --format json --max-groups 1000 " + Quote(path));
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, 48) << "MiB for 200,000 groups capped at 1,000";
  }
  fs::remove_all(dir);
}

TEST(Limits, MaxGroupsOutOfRangeIsAUsageError) {
  for (const std::string command : {"analyze", "diff", "watch"}) {
    SCOPED_TRACE(command);
    std::string inputs = command == "watch" ? "http://127.0.0.1:1/" : Quote(DeepDump());
    if (command == "diff") inputs += " " + Quote(DeepDump());
    CommandResult zero = RunGleak(command + " --max-groups 0 " + inputs);
    EXPECT_EQ(zero.exit_code, 2);
    EXPECT_TRUE(
        Has(zero.err, "--max-groups: expected a whole number from 1 to 10,000,000, got '0'"))
        << zero.err;
  }
  CommandResult parse = RunGleak("parse --max-groups 5 " + Quote(DeepDump()));
  EXPECT_EQ(parse.exit_code, 2);  // parse makes no groups
}

TEST(BadInput, FileStillBeingWrittenFinishes) {
  // A writer appends as fast as it can while gleak reads: gleak reads the file
  // as it was when opened, finishes, and reports what it read.
  fs::path dir = testing::TempDir();
  fs::path path = dir / "growing.txt";
  std::string head;
  for (int i = 0; i < 200; ++i) head += Goroutine(i + 1, "chan send", "main.send", 10);
  std::ofstream(path, std::ios::binary) << head;

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0};
  std::thread writer([&] {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return;
    std::string one = Goroutine(7, "select", "main.appended", 20);
    std::string block;
    while (block.size() < 64 * 1024) block += one;
    uint64_t per_block = block.size() / one.size();
    // Bounded (64 MiB) so that the test ends even if gleak chased the writer.
    for (uint64_t n = 0; !stop && n * block.size() < (uint64_t{64} << 20); ++n) {
      if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
      appended += per_block;
    }
    ::close(fd);
  });
  Analyzed a = AnalyzeJson(path);
  stop = true;
  writer.join();
  EXPECT_EQ(a.run.exit_code, 0) << a.run.err;
  uint64_t read = a.totals()["goroutines"].get<uint64_t>();
  EXPECT_GE(read, 200u);
  EXPECT_LE(read, 200u + appended.load());
  EXPECT_NE(a.GroupWith("main.send"), nullptr);
  fs::remove_all(dir);
}

TEST(BadInput, FileIsReadAsItWasWhenOpened) {
  fs::path dir = testing::TempDir();
  fs::path path = dir / "growing.txt";
  std::string head;
  for (int i = 0; i < 200; ++i) head += Goroutine(i + 1, "chan send", "main.send", 10);
  std::ofstream(path, std::ios::binary) << head;
  std::unique_ptr<ByteSource> source = OpenInput(path.string());
  {
    std::ofstream more(path, std::ios::binary | std::ios::app);
    for (int i = 0; i < 1000; ++i) more << Goroutine(i + 1000, "select", "main.later", 20);
  }
  testing::CollectingSink sink;
  ParseSummary summary = ParseSource(*source, sink);
  EXPECT_EQ(summary.records, 200u);
  EXPECT_EQ(summary.bytes, head.size());
  EXPECT_FALSE(summary.truncated);
  fs::remove_all(dir);
}

// ---- output safety -------------------------------------------------------------

// No byte a terminal acts on: C0 controls but the newline, and DEL. With
// colour, ESC only in gleak's own SGR sequences.
void ExpectTerminalSafe(const std::string& text, bool color, const std::string& what) {
  try {
    fuzz::CheckTerminalSafe(text, color, what);
  } catch (const fuzz::InvariantViolation& e) {
    ADD_FAILURE() << e.what() << "\n" << text;
  }
}

const char* const kHostileFiles[] = {"escape_sequences.txt", "nul_bytes.txt", "invalid_utf8.txt",
                                     "crlf.txt", "brackets_in_labels.txt"};

TEST(OutputSafety, TextOutputCarriesNoControlBytesFromTheDump) {
  for (const char* name : kHostileFiles) {
    SCOPED_TRACE(name);
    std::string path = Quote(Bad(name));
    CommandResult plain = RunGleak("analyze --full " + path);
    EXPECT_EQ(plain.exit_code, 0) << plain.err;
    ExpectTerminalSafe(plain.out, false, "gleak analyze");
    ExpectTerminalSafe(plain.err, false, "gleak analyze (stderr)");
    CommandResult color = RunGleak("analyze --color always --full " + path);
    ExpectTerminalSafe(color.out, true, "gleak analyze --color always");
    CommandResult records = RunGleak("parse --format text " + path);
    EXPECT_EQ(records.exit_code, 0) << records.err;
    ExpectTerminalSafe(records.out, false, "gleak parse --format text");
    ExpectTerminalSafe(records.err, false, "gleak parse (stderr)");
  }
  CommandResult text = RunGleak("analyze --full " + Quote(Bad("escape_sequences.txt")));
  // Each control byte became '?'; the printable rest stays readable.
  EXPECT_TRUE(Has(text.out, "main.?]0;pwned?evil?[31m")) << text.out;
  EXPECT_TRUE(Has(text.out, "chan?[2J send")) << text.out;
  CommandResult records = RunGleak("parse --format text " + Quote(Bad("escape_sequences.txt")));
  EXPECT_TRUE(Has(records.out, "main.?]0;pwned?evil?[31m")) << records.out;
  EXPECT_TRUE(Has(records.out, "/src/app/?[1mmain.go???:10")) << records.out;
}

// C1 controls (U+0080..U+009F, UTF-8 "\xC2\x80".."\xC2\x9F") must not reach
// the terminal either: xterm acts on U+009B as CSI.
TEST(OutputSafety, TextOutputCarriesNoC1Controls) {
  std::string path = Quote(Bad("escape_sequences.txt"));
  for (const std::string& args : {"analyze --full " + path, "parse --format text " + path}) {
    CommandResult r = RunGleak(args);
    for (size_t i = 0; i + 1 < r.out.size(); ++i) {
      unsigned char a = static_cast<unsigned char>(r.out[i]);
      unsigned char b = static_cast<unsigned char>(r.out[i + 1]);
      EXPECT_FALSE(a == 0xC2 && b >= 0x80 && b <= 0x9F) << args << ": C1 control at " << i;
    }
  }
}

// With --source-root, the file paths of a hostile dump must not make the
// report quote any file the reader can read (/etc/passwd, ROOT/../../x): only
// *.go files, never through `..`.
TEST(OutputSafety, SourceRootQuotesNoFileOutsideGoSource) {
  fs::path dir = testing::TempDir();
  fs::path secret = dir / "secret.txt";
  std::ofstream(secret) << "line one\nTOP-SECRET-LINE\nline three\n";
  fs::create_directories(dir / "root");
  std::string dump =
      "goroutine 1 [chan send]:\nmain.f()\n\t" + secret.string() +
      ":2 +0x1\ncreated by main.g in goroutine 1\n\t/src/../../secret.txt:2 +0x1\n\n";
  std::ofstream(dir / "dump.txt") << dump;
  CommandResult r = RunGleak("analyze --full --source-root " + Quote(dir / "root") + " " +
                             Quote(dir / "dump.txt"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(Has(r.out, "TOP-SECRET-LINE")) << r.out;
  fs::remove_all(dir);
}

TEST(OutputSafety, JsonEscapesControlBytesAndStaysValid) {
  const std::string evil = "main.\x1b]0;pwned\aevil\x1b[31m";
  for (const char* name : kHostileFiles) {
    SCOPED_TRACE(name);
    // Raw JSON text: no control byte at all but the newlines between lines
    // (pretty-printing adds spaces only); AnalyzeJson/ParseJsonLines check validity.
    Analyzed a = AnalyzeJson(Bad(name));
    ParsedCli p = ParseJsonLines(Bad(name));
    for (const std::string* out : {&a.run.out, &p.run.out}) {
      for (char c : *out) {
        unsigned char u = static_cast<unsigned char>(c);
        ASSERT_FALSE(u < 0x20 && c != '\n') << "raw control byte " << int{u} << " in JSON";
      }
    }
  }
  // Escaped, not lost: the names decode back to the bytes of the dump.
  Analyzed a = AnalyzeJson(Bad("escape_sequences.txt"));
  EXPECT_NE(a.GroupWith(evil), nullptr);
  EXPECT_TRUE(Has(a.run.out, "\\u001b]0;pwned\\u0007evil\\u001b[31m")) << a.run.out;
  ParsedCli p = ParseJsonLines(Bad("escape_sequences.txt"));
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0]["frames"][0]["func"], evil);
  EXPECT_EQ(p.records[0]["frames"][0]["file"], "/src/app/\x1b[1mmain.go\b\b\x7f");
  EXPECT_EQ(p.records[0]["created_by"]["file"], "/src/app/\rmain.go");
  EXPECT_EQ(p.records[0]["labels"]["k\x1b]0;owned\a"],
            "v\xEF\xBF\xBD"
            "31m");
  EXPECT_TRUE(Has(p.run.out, "\\u001b]0;pwned\\u0007evil\\u001b[31m")) << p.run.out;
  // Both write a backspace as \b, as nlohmann does.
  EXPECT_TRUE(Has(a.run.out, "main.go\\b\\b\x7f")) << a.run.out;
  EXPECT_TRUE(Has(p.run.out, "main.go\\b\\b\x7f")) << p.run.out;
}

// ---- every file here has a test; fuzzer findings replay -------------------------

TEST(BadInput, EveryFileInTestdataBadHasATest) {
  const std::set<std::string> covered = {"README.md",
                                         "empty.txt",
                                         "only_noise.txt",
                                         "binary.bin",
                                         "nul_bytes.txt",
                                         "invalid_utf8.txt",
                                         "crlf.txt",
                                         "markup_in_names.txt",  // tests/e2e/formats_test.cc
                                         "overflow_numbers.txt",
                                         "negative_numbers.txt",
                                         "header_no_frames.txt",
                                         "frames_no_header.txt",
                                         "created_by_no_frame.txt",
                                         "brackets_in_labels.txt",
                                         "escape_sequences.txt",
                                         "bidi_and_c1.txt",  // tests/e2e/edges_test.cc
                                         "cut_mid_goroutine.txt",
                                         "gzip_bomb.gz",
                                         "truncated.gz",
                                         "not_gzip.gz",
                                         "html_injection.txt",  // tests/e2e/html_test.cc
                                         "fuzz"};
  for (const auto& entry : fs::directory_iterator(testing::SourceDir() / "testdata" / "bad")) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(covered.contains(name)) << "testdata/bad/" << name << " has no test";
  }
}

// testdata/bad/fuzz/AWAITING_FIX: "TARGET/FILE  why" for findings whose fix is
// outside src/parse, src/input and src/render/json_escape.cc and not applied
// yet. Those are skipped here (loudly); tests/fuzz/run still replays them.
std::map<std::string, std::string> AwaitingFix() {
  std::map<std::string, std::string> out;
  std::ifstream in(testing::SourceDir() / "testdata" / "bad" / "fuzz" / "AWAITING_FIX");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find_first_of(" \t");
    size_t why = line.find_first_not_of(" \t", space);
    out[line.substr(0, space)] = why == std::string::npos ? "" : line.substr(why);
  }
  return out;
}

void ReplayFuzzFindings(const std::string& target, fuzz::FuzzTarget run) {
  fs::path dir = testing::SourceDir() / "testdata" / "bad" / "fuzz" / target;
  std::map<std::string, std::string> awaiting = AwaitingFix();
  std::vector<fs::path> files;
  if (fs::is_directory(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  size_t skipped = 0;
  for (const fs::path& file : files) {
    std::string key = target + "/" + file.filename().string();
    if (auto it = awaiting.find(key); it != awaiting.end()) {
      std::cerr << "\n*** SKIPPED testdata/bad/fuzz/" << key << ": awaiting a fix: " << it->second
                << "\n";
      ++skipped;
      continue;
    }
    SCOPED_TRACE(key);
    std::string bytes = testing::ReadFile(file);
    try {
      run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "testdata/bad/fuzz/" << key << " fails again: " << e.what();
    }
  }
  if (skipped > 0) {
    std::cerr << "*** " << skipped << " " << target
              << " finding(s) awaiting a fix (testdata/bad/fuzz/AWAITING_FIX)\n";
  }
}

TEST(FuzzFindings, ParserInputsReplayClean) { ReplayFuzzFindings("parser", fuzz::FuzzParser); }
TEST(FuzzFindings, RuleFilesReplayClean) { ReplayFuzzFindings("rules", fuzz::FuzzRules); }
TEST(FuzzFindings, AnalyzeInputsReplayClean) { ReplayFuzzFindings("analyze", fuzz::FuzzAnalyze); }

TEST(FuzzFindings, RuleFileFindingsAreUsageErrorsOnTheCommandLine) {
  std::map<std::string, std::string> awaiting = AwaitingFix();
  fs::path dir = testing::SourceDir() / "testdata" / "bad" / "fuzz" / "rules";
  if (!fs::is_directory(dir)) return;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string key = "rules/" + entry.path().filename().string();
    if (awaiting.contains(key)) continue;
    SCOPED_TRACE(key);
    CommandResult r = RunGleak("rules --rules " + Quote(entry.path()));
    // Loaded (0) or refused as a usage error naming the file (2); never a crash.
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r.exit_code << ": " << r.err;
    if (r.exit_code == 2) {
      EXPECT_TRUE(Has(r.err, entry.path().string())) << r.err;
    }
  }
}

}  // namespace
}  // namespace gleak
