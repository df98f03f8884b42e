// The edges of the command line (issue 14): outputs that cannot be written,
// an output that names an input, numbers out of range, passwords in URLs,
// stdin given twice, NO_COLOR, and gleak watch when its snapshots fail or
// cannot be saved. Each test failed before its fix (docs/reliability.md,
// "Outputs and the command line").
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

// A real Go 1.26 dump (testdata/programs/chansend) with 3 suspect groups.
fs::path Dump() { return testing::SourceDir() / "testdata/dumps/go1.26/chansend/http_debug2.txt"; }

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A URL nothing listens on: every fetch fails at once.
const std::string kDeadUrl = "http://127.0.0.1:1/debug/pprof/goroutine?debug=2";

TEST(Outputs, AFailedWriteExitsThreeWithTheReason) {
  std::string dump = Quote(Dump());
  for (const std::string& args : std::vector<std::string>{
           "analyze -o /dev/full " + dump,
           "analyze " + dump + " >/dev/full",
           "analyze --format json " + dump + " >/dev/full",
           "parse " + dump + " >/dev/full",
           "parse --format text -o /dev/full " + dump,
           "diff " + dump + " " + dump + " >/dev/full",
           "diff --format json -o /dev/full " + dump + " " + dump,
           "rules >/dev/full",
           "rules chan-send >/dev/full",
           "rules --json >/dev/full",
           "--help >/dev/full",
           "analyze --help >/dev/full",
       }) {
    SCOPED_TRACE(args);
    CommandResult r = RunGleak(args);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(Has(r.err, "No space left on device")) << r.err;
    EXPECT_TRUE(Has(r.err, args.find("-o /dev/full") != std::string::npos
                               ? "gleak: error: /dev/full: cannot write"
                               : "gleak: error: standard output: cannot write"))
        << r.err;
  }
  // A closed standard output is a failed write too.
  CommandResult closed = RunGleak("analyze " + dump + " >&-");
  EXPECT_EQ(closed.exit_code, 3);
  EXPECT_TRUE(Has(closed.err, "standard output: cannot write")) << closed.err;
}

TEST(Outputs, AFailedWriteToAFileLeavesTheOldReportWhole) {
  fs::path dir = testing::TempDir();
  fs::path report = dir / "report.txt";
  std::ofstream(report) << "the report of yesterday\n";
  ::chmod(report.c_str(), 0640);
  // A file size limit of 4 KiB: the report (about 10 KiB) cannot be written
  // whole, and the write fails with EFBIG (SIGXFSZ ignored).
  CommandResult r = RunShell("ulimit -f 8; trap '' XFSZ; '" + std::string(GLEAK_BINARY) +
                             "' analyze --top 0 -o " + Quote(report) + " " + Quote(Dump()));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Has(r.err, "report.txt: cannot write: File too large")) << r.err;
  EXPECT_EQ(testing::ReadFile(report), "the report of yesterday\n");
  EXPECT_EQ(FilesIn(dir), std::vector<std::string>{"report.txt"});  // no temporary file left

  // A run that succeeds replaces it whole, keeping its mode.
  CommandResult ok = RunGleak("analyze --top 0 -o " + Quote(report) + " " + Quote(Dump()));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  CommandResult to_stdout = RunGleak("analyze --top 0 " + Quote(Dump()));
  EXPECT_EQ(testing::ReadFile(report), to_stdout.out);
  EXPECT_EQ(fs::status(report).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_EQ(FilesIn(dir), std::vector<std::string>{"report.txt"});

  // -o through a symlink writes the file it points to; the link stays a link.
  fs::create_symlink(report, dir / "latest.txt");
  CommandResult via_link =
      RunGleak("analyze --format json -o " + Quote(dir / "latest.txt") + " " + Quote(Dump()));
  EXPECT_EQ(via_link.exit_code, 0) << via_link.err;
  EXPECT_TRUE(fs::is_symlink(dir / "latest.txt"));
  EXPECT_EQ(json::parse(testing::ReadFile(report))["schema"], "gleak.report/v1");
  fs::remove_all(dir);
}

TEST(Outputs, AnOutputThatIsAnInputIsRefusedAndTheInputKept) {
  fs::path dir = testing::TempDir();
  fs::path dump = dir / "x.txt";
  fs::copy_file(Dump(), dump);
  fs::create_symlink(dump, dir / "link.txt");
  fs::create_hard_link(dump, dir / "hard.txt");
  std::string original = testing::ReadFile(dump);
  fs::path s1 = dir / "s1.txt";
  fs::copy_file(Dump(), s1);
  struct Case {
    std::string args, input;
  };
  for (const Case& c : std::vector<Case>{
           {"analyze -o " + Quote(dump) + " " + Quote(dump), dump.string()},
           {"analyze --format json -o " + Quote(dir / "link.txt") + " " + Quote(dump),
            dump.string()},
           {"analyze -o " + Quote(dir / "hard.txt") + " " + Quote(dir / "." / "x.txt"),
            (dir / "." / "x.txt").string()},
           {"parse -o " + Quote(dump) + " " + Quote(dump), dump.string()},
           {"diff -o " + Quote(dump) + " " + Quote(s1) + " " + Quote(dump), dump.string()},
           {"analyze -o " + Quote(dump) + " - <" + Quote(dump), "'-' (standard input)"},
       }) {
    SCOPED_TRACE(c.args);
    CommandResult r = RunShell(testing::ShellQuoted(GLEAK_BINARY).append(" ").append(c.args));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(Has(r.err, "is the input " + c.input + ": gleak does not write over what it reads"))
        << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(testing::ReadFile(dump), original);
  }
  // The rule file is read too.
  std::ofstream(dir / "rules.json") << R"({"schema": "gleak.rules/v1", "rules": []})";
  CommandResult rules = RunGleak("analyze --rules " + Quote(dir / "rules.json") + " -o " +
                                 Quote(dir / "rules.json") + " " + Quote(dump));
  EXPECT_EQ(rules.exit_code, 2) << rules.err;
  EXPECT_TRUE(Has(testing::ReadFile(dir / "rules.json"), "gleak.rules/v1"));
  fs::remove_all(dir);
}

TEST(Outputs, AnOutputThatCannotBeMadeIsNamed) {
  fs::path dir = testing::TempDir();
  CommandResult missing =
      RunGleak("analyze -o " + Quote(dir / "no" / "such" / "report.txt") + " " + Quote(Dump()));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_TRUE(Has(missing.err, "report.txt: cannot write: No such file or directory"))
      << missing.err;
  CommandResult folder = RunGleak("parse -o " + Quote(dir) + " " + Quote(Dump()));
  EXPECT_EQ(folder.exit_code, 3);
  EXPECT_TRUE(Has(folder.err, "cannot write: it is a directory")) << folder.err;
  fs::remove_all(dir);
}

TEST(Inputs, StandardInputGivenTwiceIsAUsageError) {
  for (const std::string& command :
       std::vector<std::string>{"analyze - -", "parse - -", "diff - -", "analyze x - y -"}) {
    SCOPED_TRACE(command);
    CommandResult r = RunGleak(command, testing::ReadFile(Dump()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(Has(r.err, "'-' (standard input) is given more than once")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 200);
  }
}

TEST(Numbers, NegativeAndMalformedCountsAreUsageErrorsWithReadableBounds) {
  struct Case {
    std::string command, flag, message;
  };
  std::string dump = Quote(Dump());
  for (const Case& c : std::vector<Case>{
           {"analyze", "--suspect-count -1",
            "--suspect-count: expected a whole number of 0 or "
            "more, got '-1'"},
           {"analyze", "--suspect-wait -5", "--suspect-wait: expected a whole number of 0 or more"},
           {"analyze", "--min-count -1", "--min-count: expected a whole number of 0 or more"},
           {"analyze", "--min-wait -1", "--min-wait: expected a whole number of 0 or more"},
           {"analyze", "--top -1", "--top: expected a whole number from 0 to 2,147,483,647"},
           {"diff", "--top -1", "--top: expected a whole number from 0 to 2,147,483,647"},
           {"analyze", "--threads -1", "--threads: expected a whole number from 0 to 1,024"},
           {"analyze", "--max-groups 1e3",
            "--max-groups: expected a whole number from 1 to "
            "10,000,000, got '1e3'"},
           {"parse", "--max-frames +5",
            "--max-frames: expected a whole number from 1 to 1,000,000"},
           {"analyze", "--suspect-count 99999999999999999999999",
            "--suspect-count: expected a whole number of 0 or more"},
           {"watch", "--count -1", "--count: expected a whole number of 0 or more, got '-1'"},
           {"watch", "--max-failures -1", "--max-failures: expected a whole number of 0 or more"},
           {"analyze", "--timeout -1",
            "--timeout: expected a number of seconds from 0.001 to 86400"},
           {"watch", "--fail-on-growth lots", "--fail-on-growth takes a number of goroutines"},
           {"watch", "--fail-on-growth nan%", "--fail-on-growth takes a number of goroutines"},
       }) {
    SCOPED_TRACE(c.command + " " + c.flag);
    // Bounded, so that the watch ends even where the flag is misread.
    std::string bounded = c.flag.starts_with("--count") ? "--max-failures 1 " : "--count 1 ";
    std::string inputs = c.command == "watch"  ? "--interval 0.01s " + bounded + kDeadUrl
                         : c.command == "diff" ? dump + " " + dump
                                               : dump;
    CommandResult r = RunGleak(c.command + " " + c.flag + " " + inputs);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(Has(r.err, c.message)) << r.err;
    EXPECT_LT(r.err.size(), 300u) << r.err;  // no 300-digit bound
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(Numbers, MaxBytesTakesUnits) {
  fs::path bomb = testing::SourceDir() / "testdata/bad/gzip_bomb.gz";
  for (const std::string& size : std::vector<std::string>{"2M", "2m", "2MiB", "2048K", "2097152"}) {
    SCOPED_TRACE(size);
    CommandResult r = RunGleak("analyze --format json --max-bytes " + size + " " + Quote(bomb));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(Has(r.err, "gzip input expands beyond 2097152 bytes")) << r.err;
  }
  EXPECT_EQ(RunGleak("analyze --max-bytes 1G " + Quote(bomb)).exit_code, 0);
  for (const std::string& size :
       std::vector<std::string>{"2MB", "1.5G", "G", "-1K", "0", "16777216T"}) {
    SCOPED_TRACE(size);
    CommandResult r = RunGleak("parse --max-bytes " + size + " " + Quote(bomb));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(Has(r.err, "--max-bytes: expected a size of 1 byte or more")) << r.err;
  }
  CommandResult help = RunGleak("analyze --help");
  EXPECT_TRUE(Has(help.out, "--max-bytes SIZE=16G")) << help.out;
  EXPECT_TRUE(Has(testing::Unwrapped(help.out), "64K, 512M, 1G, 2T, or 64KiB, 512MiB, 1GiB"))
      << help.out;
}

TEST(Watch, MaxFailuresZeroNeverGivesUp) {
  CommandResult r =
      RunGleak("watch --count 3 --interval 0.01s --max-failures 0 --format jsonl " + kDeadUrl);
  EXPECT_EQ(r.exit_code, 3);  // no snapshot could be taken
  std::istringstream in(r.out);
  std::string line;
  int failed = 0;
  while (std::getline(in, line)) {
    json j = json::parse(line);
    if (j.contains("ok") && !j["ok"].get<bool>()) ++failed;
  }
  EXPECT_EQ(failed, 3) << r.out;
  EXPECT_FALSE(Has(r.err, "giving up")) << r.err;
  EXPECT_TRUE(Has(r.err, "no snapshot could be taken in 3 tries")) << r.err;
}

TEST(Watch, FailedSnapshotsAreToldOnStandardErrorAndInTheJson) {
  CommandResult r = RunGleak("watch --count 2 --interval 0.01s --format json " + kDeadUrl);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(Has(
      r.err, "gleak: warning: snapshot 1 failed (1 in a row): " + kDeadUrl + ": Failed to connect"))
      << r.err;
  EXPECT_TRUE(Has(r.err, "snapshot 2 failed (2 in a row)")) << r.err;
  EXPECT_TRUE(Has(r.err, "gleak: error: " + kDeadUrl + ": no snapshot could be taken in 2 tries"))
      << r.err;
  json doc = json::parse(r.out);
  EXPECT_TRUE(testing::MatchesSchema("diff-v1.json", r.out));
  EXPECT_EQ(doc["watch"]["ticks"], 2);
  EXPECT_EQ(doc["watch"]["failed_ticks"], 2);
  EXPECT_EQ(doc["watch"]["gave_up"], false);
  ASSERT_EQ(doc["watch"]["failures"].size(), 2u);
  EXPECT_TRUE(Has(doc["watch"]["failures"][1]["error"], "Failed to connect"));
  EXPECT_EQ(doc["watch"]["failures"][1]["tick"], 2);
  // --quiet keeps the warnings off standard error, not the error.
  CommandResult quiet = RunGleak("watch -q --count 1 --format json " + kDeadUrl);
  EXPECT_FALSE(Has(quiet.err, "warning")) << quiet.err;
  EXPECT_TRUE(Has(quiet.err, "no snapshot could be taken in 1 try")) << quiet.err;
  // The text report says it too.
  CommandResult text = RunGleak("watch --count 1 " + kDeadUrl);
  EXPECT_TRUE(Has(text.out, "1 of 1 snapshot failed")) << text.out;
}

TEST(Watch, ASaveFolderThatCannotBeMadeIsAClearError) {
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "file") << "not a folder\n";
  for (const fs::path& save : {dir / "file" / "snaps", dir / "file"}) {
    SCOPED_TRACE(save);
    CommandResult r = RunGleak("watch --count 1 --save " + Quote(save) + " " + kDeadUrl);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(Has(r.err, "gleak: error: --save " + save.string() + ": cannot make the folder"))
        << r.err;
    EXPECT_FALSE(Has(r.err, "internal error")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;  // it stops before the first snapshot
  }
  fs::remove_all(dir);
}

TEST(Urls, APasswordInAUrlIsNeverShown) {
  const std::string url = "http://bob:hunter2@127.0.0.1:1/debug/pprof/goroutine";
  const std::string shown = "http://bob:***@127.0.0.1:1/debug/pprof/goroutine";
  for (const std::string& args : std::vector<std::string>{
           "analyze --format json '" + url + "'",
           "analyze '" + url + "'",
           "parse '" + url + "'",
           "diff --format json '" + url + "' '" + url + "?debug=1'",
           "watch --count 1 --format json '" + url + "'",
           "watch --count 1 --format jsonl '" + url + "'",
           "watch --count 1 '" + url + "'",
       }) {
    SCOPED_TRACE(args);
    CommandResult r = RunGleak(args);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_FALSE(Has(r.out + r.err, "hunter2")) << r.out << r.err;
    EXPECT_TRUE(Has(r.out + r.err, shown)) << r.out << r.err;
  }
  // The name of a failed input in the JSON report (beside one that reads:
  // an input that gives nothing alone gets no report).
  json report = json::parse(RunGleak("analyze --format json '" + url + "' " + Quote(Dump())).out);
  EXPECT_TRUE(report["inputs"][0]["name"].get<std::string>().starts_with(shown));
  EXPECT_TRUE(Has(report["inputs"][0]["error"], shown));
}

TEST(Color, AnExplicitColorAlwaysOverridesNoColorAndHelpSaysSo) {
  std::string dump = Quote(Dump());
  std::string gleak = testing::ShellQuoted(GLEAK_BINARY);
  CommandResult always = RunShell("NO_COLOR=1 " + gleak + " analyze --color always " + dump);
  EXPECT_TRUE(Has(always.out, "\x1b[")) << always.out.substr(0, 200);
  CommandResult auto_color = RunShell("NO_COLOR=1 " + gleak + " analyze --color auto " + dump);
  EXPECT_FALSE(Has(auto_color.out, "\x1b["));
  for (const std::string& command : std::vector<std::string>{"analyze", "diff", "watch"}) {
    CommandResult help = RunGleak(command + " --help");
    EXPECT_TRUE(
        Has(testing::Unwrapped(help.out), "an explicit always colours even with NO_COLOR set"))
        << help.out;
  }
}

// --- against real servers on 127.0.0.1 (testdata/programs/badserver) ---

std::unique_ptr<testing::LiveServer> StartBadServer() {
  std::string error;
  auto server = testing::LiveServer::Start("badserver", "", &error);
  EXPECT_NE(server, nullptr) << error;
  return server;
}

TEST(LiveEdges, WatchKeepsOnlyTheSnapshotsThatSucceeded) {
  GLEAK_REQUIRE_GO();
  auto server = StartBadServer();
  ASSERT_NE(server, nullptr);
  fs::path dir = testing::TempDir();
  // /cut closes the connection in the middle of the body: every tick fails,
  // and nothing is kept, not even a partial file.
  CommandResult cut = RunGleak("watch --count 2 --interval 0.01s --format json --save " +
                               Quote(dir / "cut") + " '" + server->Url("/cut") + "'");
  EXPECT_EQ(cut.exit_code, 3);
  EXPECT_TRUE(Has(cut.err, "snapshot 2 failed")) << cut.err;
  EXPECT_TRUE(FilesIn(dir / "cut").empty());
  // /ok: each good snapshot is kept, and only those.
  CommandResult ok = RunGleak("watch --count 2 --interval 0.01s --format json --save " +
                              Quote(dir / "ok") + " '" + server->Url("/ok") + "'");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  std::vector<std::string> saved = FilesIn(dir / "ok");
  ASSERT_EQ(saved.size(), 2u);
  for (const std::string& name : saved) EXPECT_TRUE(name.ends_with(".txt.gz")) << name;
  fs::remove_all(dir);
}

TEST(LiveEdges, WatchWhoseOutputCannotBeWrittenStops) {
  GLEAK_REQUIRE_GO();
  auto server = StartBadServer();
  ASSERT_NE(server, nullptr);
  for (const std::string& format : std::vector<std::string>{"text", "json", "jsonl"}) {
    SCOPED_TRACE(format);
    CommandResult r = RunGleak("watch --count 2 --interval 0.01s --format " + format + " '" +
                               server->Url("/ok") + "' >/dev/full");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(Has(r.err, "standard output: cannot write: No space left on device")) << r.err;
  }
}

TEST(LiveEdges, APasswordInAUrlThatAnswersIsNeverShown) {
  GLEAK_REQUIRE_GO();
  auto server = StartBadServer();
  ASSERT_NE(server, nullptr);
  std::string url = server->Url("/ok");
  std::string with_password = "http://bob:hunter2@" + url.substr(std::string("http://").size());
  std::string shown = "http://bob:***@" + url.substr(std::string("http://").size());
  CommandResult analyze = RunGleak("analyze --format json '" + with_password + "'");
  EXPECT_EQ(analyze.exit_code, 0) << analyze.err;
  EXPECT_EQ(json::parse(analyze.out)["inputs"][0]["name"], shown);
  CommandResult parse = RunGleak("parse '" + with_password + "'");
  EXPECT_EQ(parse.exit_code, 0) << parse.err;
  EXPECT_FALSE(Has(parse.out + parse.err, "hunter2"));
  EXPECT_TRUE(Has(parse.out, "\"input\":\"" + shown + "\""));
  CommandResult missing =
      RunGleak("analyze '" + with_password.substr(0, with_password.size() - 3) + "/missing'");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_FALSE(Has(missing.out + missing.err, "hunter2")) << missing.err;
  EXPECT_TRUE(Has(missing.err, "the server answered HTTP 404")) << missing.err;
}

}  // namespace
}  // namespace gleak
