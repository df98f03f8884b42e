// The gleak binary as a user and a script meet it: help, version, exit codes,
// error messages that name the input, stdin and gzip inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using testing::Quote;
using testing::RunGleak;

// names/main.go under Go 1.19: 16 goroutines, among them main.Map[...]
// sending on a channel nobody receives from.
fs::path RealDump() { return testing::Dump("go1.19/names/http_debug2.txt"); }

TEST(Cli, HelpTeachesCommandsInputsAndExitCodes) {
  auto r = RunGleak("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("parse"), std::string::npos);
  EXPECT_NE(r.out.find("Exit codes:"), std::string::npos);
  EXPECT_NE(r.out.find("debug=2"), std::string::npos);
  auto sub = RunGleak("parse --help");
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--format"), std::string::npos);
  EXPECT_NE(sub.out.find("jq"), std::string::npos);
}

TEST(Cli, VersionPrintsTheVersion) {
  auto r = RunGleak("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.starts_with("gleak 0.")) << r.out;
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunGleak("").exit_code, 2);
  EXPECT_EQ(RunGleak("frobnicate").exit_code, 2);
  EXPECT_EQ(RunGleak("parse").exit_code, 2);
  auto r = RunGleak("parse --format xml x.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("xml"), std::string::npos) << r.err;
}

TEST(Cli, ParseEmitsOneJsonLinePerGoroutine) {
  auto r = RunGleak("parse " + Quote(RealDump()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  bool saw_send = false;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    ++n;
    EXPECT_TRUE(j.contains("frames"));
    if (j["frames"].size() == 1 && j["frames"][0]["func"] == "main.Map[...]") {
      saw_send = true;
      EXPECT_EQ(j["state"], "chan send");
      EXPECT_EQ(j["frames"][0]["line"], testing::SourceLine("names/main.go", "out <- fn(v)"));
      EXPECT_EQ(j["created_by"]["func"], "main.main");
    }
  }
  EXPECT_EQ(n, 16);
  EXPECT_TRUE(saw_send);
}

// Label values print as Go 1.27 prints them in headers: bare when plain, else
// quoted, so that a value with a space does not read as two labels.
TEST(Cli, TextQuotesLabelValuesWithSpaces) {
  auto r = RunGleak("analyze " + Quote(testing::Dump("go1.26/labels/http_debug1.txt")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pool=egress region=\"eu west\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pool=ingest shard=7"), std::string::npos) << r.out;
}

TEST(Cli, StdinAndGzipGiveTheSameRecords) {
  auto plain = RunGleak("parse " + Quote(RealDump()));
  fs::path dir = testing::TempDir();
  fs::path gz = dir / "dump.gz";
  ASSERT_EQ(std::system(("gzip -c " + Quote(RealDump()) + " > " + Quote(gz)).c_str()), 0);
  auto gzipped = RunGleak("parse " + Quote(gz));
  auto piped = RunGleak("parse -", testing::ReadFile(RealDump()));
  ASSERT_EQ(gzipped.exit_code, 0) << gzipped.err;
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  auto strip_input = [](std::string s) {
    std::string out;
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      j.erase("input");
      out += j.dump() + "\n";
    }
    return out;
  };
  EXPECT_EQ(strip_input(gzipped.out), strip_input(plain.out));
  EXPECT_EQ(strip_input(piped.out), strip_input(plain.out));
  EXPECT_NE(piped.out.find("\"input\":\"<stdin>\""), std::string::npos);
  fs::remove_all(dir);
}

TEST(Cli, InputsThatHoldNoGoroutinesExitThreeAndSaySo) {
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "empty.txt");
  std::ofstream(dir / "notes.txt") << "just some text\nnothing to see\n";
  auto empty = RunGleak("parse " + Quote(dir / "empty.txt"));
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.err.find("empty.txt: no goroutines found"), std::string::npos) << empty.err;
  auto notes = RunGleak("parse " + Quote(dir / "notes.txt"));
  EXPECT_EQ(notes.exit_code, 3);
  EXPECT_NE(notes.err.find("2 lines read, 2 skipped"), std::string::npos) << notes.err;
  fs::remove_all(dir);
}

TEST(Cli, UnreadableInputsExitThreeNamingThem) {
  fs::path dir = testing::TempDir();
  auto missing = RunGleak("parse " + Quote(dir / "nope.txt"));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("nope.txt: cannot open: No such file or directory"), std::string::npos)
      << missing.err;
  auto directory = RunGleak("parse " + Quote(dir));
  EXPECT_EQ(directory.exit_code, 3);
  EXPECT_NE(directory.err.find("is a directory"), std::string::npos) << directory.err;
  std::ofstream(dir / "bad.gz", std::ios::binary) << "\x1f\x8b\x08\x00garbage-not-deflate";
  auto corrupt = RunGleak("parse " + Quote(dir / "bad.gz"));
  EXPECT_EQ(corrupt.exit_code, 3);
  EXPECT_NE(corrupt.err.find("bad.gz"), std::string::npos) << corrupt.err;
  fs::remove_all(dir);
}

// Where RealDump() holds main.Map[...]'s goroutine: its header line
// ("goroutine N [chan send]"), the header's line number, its id, and the
// offset of the file line of its frame.
struct MapGoroutine {
  std::string header, id;
  size_t header_line_number = 0;
  size_t file_line_at = std::string::npos;
};

MapGoroutine FindMapGoroutine(const std::string& text) {
  MapGoroutine m;
  size_t func = text.find("\nmain.Map[...](");
  if (func == std::string::npos) return m;
  size_t header = text.rfind("\ngoroutine ", func) + 1;
  m.header = text.substr(header, text.find(']', header) + 1 - header);
  m.id = m.header.substr(10, m.header.find(' ', 10) - 10);
  m.header_line_number = std::count(text.begin(), text.begin() + header, '\n') + 1;
  m.file_line_at = text.find('\n', func + 1) + 1;
  return m;
}

TEST(Cli, OneBadInputDoesNotHideTheGoodOnes) {
  MapGoroutine m = FindMapGoroutine(testing::ReadFile(RealDump()));
  ASSERT_EQ(m.header, "goroutine " + m.id + " [chan send]");
  auto r = RunGleak("parse --format text /nonexistent/dump.txt " + Quote(RealDump()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find(m.header), std::string::npos) << r.out;
}

TEST(Cli, CutDumpWarnsWithTheLineAndStillPrintsRecords) {
  std::string text = testing::ReadFile(RealDump());
  MapGoroutine m = FindMapGoroutine(text);
  ASSERT_NE(m.file_line_at, std::string::npos);
  text = text.substr(0, m.file_line_at + 3);  // inside the file line of main.Map[...]
  auto r = RunGleak("parse -", text);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find(fmt::format("warning: <stdin>:{}: the input ends inside goroutine {}",
                                   m.header_line_number, m.id)),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("\"truncated\""), std::string::npos);
}

TEST(Cli, TextOutputCannotCarryTerminalEscapes) {
  std::string dump =
      "goroutine 5 [chan send]:\n"
      "main.evil\x1b[2J\x1b]0;pwned\x07()\n"
      "\t/tmp/x.go:3 +0x1\n";
  auto r = RunGleak("parse --format text -", dump);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  auto j = RunGleak("parse -", dump);
  EXPECT_NE(j.out.find("\\u001b"), std::string::npos) << j.out;
}

}  // namespace
}  // namespace gleak
