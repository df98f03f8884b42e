// gleak on a terminal and in a script: usage for a bare `gleak`, "did you mean"
// for a mistyped command or option, warnings on standard error in every format,
// no report when no input could be read, and a note when '-' waits on a terminal.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gleak/gleak.h"
#include "support/live_server.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using testing::RunGleak;
using testing::ShellQuoted;

using testing::Bad;
using testing::DeepDump;
using testing::Has;
using testing::kFiftyFrames;

TEST(Usage, BareGleakPrintsTheUsageOnStandardErrorAndExitsTwo) {
  auto r = RunGleak("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Has(r.err, "Usage: gleak")) << r.err;
  for (const char* command : {"analyze", "diff", "parse", "watch", "rules"}) {
    EXPECT_TRUE(Has(r.err, command)) << command;
  }
}

TEST(Usage, AMistypedCommandGetsTheNearestOne) {
  auto r = RunGleak("analyse " + ShellQuoted(DeepDump()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Has(r.err, "gleak: error: unknown command 'analyse'; did you mean 'analyze'?"))
      << r.err;
  EXPECT_TRUE(Has(RunGleak("dif a b").err, "did you mean 'diff'?"));
  EXPECT_TRUE(Has(RunGleak("wacth x").err, "did you mean 'watch'?"));
  // Nothing near: the commands, the hidden one left out.
  auto far = RunGleak("frobnicate x");
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_TRUE(Has(far.err,
                  "unknown command 'frobnicate' (the commands: analyze, diff, parse, "
                  "watch, serve, rules)"))
      << far.err;
}

TEST(Usage, AMistypedOptionGetsTheNearestOne) {
  auto r = RunGleak("analyze --fromat json " + ShellQuoted(DeepDump()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Has(r.err, "unknown option '--fromat' for 'gleak analyze'; did you mean '--format'?"))
      << r.err;
  EXPECT_TRUE(Has(RunGleak("diff --fail-on-grwoth=5 a b").err, "did you mean '--fail-on-growth'?"));
  EXPECT_TRUE(
      Has(RunGleak("--verison").err, "unknown option '--verison'; did you mean '--version'?"));
  // An option of another command is no typo of this one's: CLI11's own message.
  auto other = RunGleak("parse --interval 5m x");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_FALSE(Has(other.err, "did you mean")) << other.err;
}

TEST(Warnings, GoToStandardErrorInEveryFormatAndNeverIntoTheReport) {
  fs::path dir = testing::TempDir();
  for (const char* format : {"text", "json"}) {
    SCOPED_TRACE(format);
    std::string args =
        std::string("analyze --max-frames 50 --format ") + format + " " + ShellQuoted(DeepDump());
    auto r = RunGleak(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(Has(r.out, "warning: ")) << r.out;
    EXPECT_TRUE(Has(r.err, "gleak: warning: " + DeepDump().string() + ":131: " + kFiftyFrames))
        << r.err;
    EXPECT_TRUE(Has(r.err, ":336: ")) << r.err;

    // With -o the terminal still sees them, and the file does not hold them.
    fs::path file = dir / (std::string("report.") + format);
    auto o = RunGleak(args + " -o " + ShellQuoted(file));
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out, "");
    EXPECT_TRUE(Has(o.err, kFiftyFrames)) << o.err;
    EXPECT_FALSE(Has(testing::ReadFile(file), "warning: "));

    auto quiet = RunGleak(args + " --quiet");
    EXPECT_EQ(quiet.err, "");
  }
  // The text report says how many there were, and where.
  auto text = RunGleak("analyze --max-frames 50 --max-warnings 1 " + ShellQuoted(DeepDump()));
  EXPECT_TRUE(Has(text.out, "http_debug2.txt: 3 warnings while reading, on standard error"))
      << text.out;
  EXPECT_TRUE(Has(text.err, "http_debug2.txt: 2 more warnings not listed (--max-warnings)"))
      << text.err;
  fs::remove_all(dir);
}

TEST(NoInput, NoReportWhenNoInputCouldBeRead) {
  fs::path dir = testing::TempDir();
  for (const char* format : {"text", "json"}) {
    SCOPED_TRACE(format);
    auto r = RunGleak(std::string("analyze --format ") + format + " " +
                      ShellQuoted(Bad("empty.txt")) + " " + ShellQuoted(Bad("only_noise.txt")));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(Has(r.err, "empty.txt: no goroutines found")) << r.err;
    EXPECT_TRUE(Has(r.err, "only_noise.txt: no goroutines found")) << r.err;

    auto missing =
        RunGleak(std::string("analyze --format ") + format + " " +
                 ShellQuoted(dir / "missing.txt") + " -o " + ShellQuoted(dir / "report"));
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_EQ(missing.out, "");
    EXPECT_FALSE(fs::exists(dir / "report"));  // -o writes nothing either

    // A diff of which one snapshot gave nothing would show every group as new.
    auto diff = RunGleak(std::string("diff --format ") + format + " " + ShellQuoted(DeepDump()) +
                         " " + ShellQuoted(Bad("empty.txt")));
    EXPECT_EQ(diff.exit_code, 3);
    EXPECT_EQ(diff.out, "");
    EXPECT_TRUE(Has(diff.err, "empty.txt: no goroutines found")) << diff.err;
  }
  // One input that reads is a report, with the other's error in it (exit 3).
  auto some = RunGleak("analyze " + ShellQuoted(Bad("empty.txt")) + " " + ShellQuoted(DeepDump()));
  EXPECT_EQ(some.exit_code, 3);
  EXPECT_TRUE(Has(some.out, "11 goroutines")) << some.out;
  fs::remove_all(dir);
}

TEST(Usage, StandardInputOnATerminalGetsANote) {
  // gleak analyze - under a pseudo-terminal: the note, then the dump typed
  // (here: written) and Ctrl-D; in a pipe, no note.
  std::string script = R"(
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen([sys.argv[1], 'analyze', '--format', 'json', '-'], stdin=slave,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
os.write(master, b'\x04')
out, err = p.communicate(timeout=60)
sys.stdout.write(err.decode())
sys.exit(p.returncode)
)";
  auto r = testing::RunShell("python3 -c " + ShellQuoted(script) + " " + ShellQuoted(GLEAK_BINARY));
  EXPECT_EQ(r.exit_code, 3) << r.err;  // nothing typed: no goroutines
  EXPECT_TRUE(Has(r.out,
                  "gleak: note: reading a dump from standard input, which is this "
                  "terminal: paste it and end with Ctrl-D"))
      << r.out << r.err;
  auto piped = RunGleak("analyze -", testing::ReadFile(DeepDump()));
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err, "");
}

// Runs `gleak ARGS...` with its standard output (or its standard error) on a
// pseudo-terminal of `columns` columns, as a person at that terminal sees it.
std::string CommandOnTerminal(size_t columns, const std::vector<std::string>& argv,
                              bool standard_error) {
  std::string script = R"(
import fcntl, os, pty, struct, subprocess, sys, termios
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, int(sys.argv[1]), 0, 0))
on_err = sys.argv[2] == 'err'
p = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL if on_err else slave,
                     stderr=slave if on_err else subprocess.DEVNULL)
os.close(slave)
out = b''
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
p.wait()
sys.stdout.write(out.decode().replace('\r\n', '\n'))
)";
  std::string command = "python3 -c " + ShellQuoted(script) + " " + std::to_string(columns) +
                        (standard_error ? " err" : " out");
  for (const std::string& a : argv) command.append(" ").append(ShellQuoted(a));
  auto r = testing::RunShell(command);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

std::string OnTerminal(size_t columns, const std::vector<std::string>& args,
                       bool standard_error = false) {
  std::vector<std::string> argv{GLEAK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return CommandOnTerminal(columns, argv, standard_error);
}

TEST(Progress, AUrlFetchShowsProgressOnATerminalNeverInAPipe) {
  GLEAK_REQUIRE_GO();
  std::string error;
  auto server = testing::LiveServer::Start("badserver", "", &error);
  ASSERT_NE(server, nullptr) << error;
  // /stall sends "goroutine 1 [running]:\n" (23 bytes), then nothing.
  std::string url = server->Url("/stall");
  std::string err = OnTerminal(100, {"analyze", "--timeout", "2", url}, true);
  EXPECT_TRUE(Has(err, "\r\x1b[Kgleak: fetching " + url + ": 23 B in ")) << err;
  // Erased before the error, which starts a clean line.
  EXPECT_TRUE(Has(err, "B/s)\r\x1b[Kgleak: error: " + url)) << err;

  auto piped = RunGleak("analyze --timeout 2 " + ShellQuoted(url));
  EXPECT_EQ(piped.exit_code, 3);
  EXPECT_FALSE(Has(piped.err, "fetching")) << piped.err;
  EXPECT_FALSE(Has(piped.err, "\r")) << piped.err;
  std::string quiet = OnTerminal(100, {"analyze", "--quiet", "--timeout", "2", url}, true);
  EXPECT_FALSE(Has(quiet, "fetching")) << quiet;
}

TEST(Progress, ReadingShowsProgressOnATerminalNeverInAPipe) {
  // Standard input that stops for a while after a dump: the read takes more
  // than the half second after which the line shows.
  std::string dump = testing::Quote(DeepDump());
  std::string slow = "{ cat " + dump + "; sleep 1.5; } | " + ShellQuoted(GLEAK_BINARY) +
                     " analyze --format json -o /dev/null -";
  std::string err = CommandOnTerminal(100, {"sh", "-c", slow}, true);
  auto expected = RunGleak("analyze --format json " + dump);
  uint64_t goroutines = nlohmann::json::parse(expected.out)["totals"]["goroutines"];
  // Bytes so far, no total (a pipe's size is not known), goroutines, rate.
  EXPECT_TRUE(Has(err, "\r\x1b[Kgleak: reading ")) << err;
  // The goroutines parsed before the pause: all but the last, whose record
  // ends only with the input.
  EXPECT_TRUE(Has(err, fmt::format(" KiB, {} goroutines, ", goroutines - 1))) << err;
  EXPECT_FALSE(Has(err, " of ")) << err;
  // Erased when the read ends: nothing follows the last erase.
  EXPECT_TRUE(err.ends_with("\r\x1b[K")) << err;

  auto piped = testing::RunShell(slow + " 2>&1");
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_FALSE(Has(piped.out, "reading")) << piped.out;
  std::string quiet =
      CommandOnTerminal(100,
                        {"sh", "-c",
                         "{ cat " + dump + "; sleep 1; } | " + ShellQuoted(GLEAK_BINARY) +
                             " analyze --quiet -o /dev/null -"},
                        true);
  EXPECT_EQ(quiet, "");
}

size_t CodePoints(const std::string& line) {
  size_t n = 0;
  for (char c : line) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

TEST(Text, AtEightyColumnsProseWrapsAndTheWholeFixShows) {
  // The fix of chan-send, as `gleak rules` prints it: 196 characters.
  auto rules = RunGleak("rules chan-send");
  size_t at = rules.out.find("Fix:\n  ");
  ASSERT_NE(at, std::string::npos) << rules.out;
  at += 7;
  std::string fix = rules.out.substr(at, rules.out.find('\n', at) - at);
  ASSERT_GT(fix.size(), 150u);

  std::string out = OnTerminal(80, {"analyze", "--color", "never",
                                    testing::Dump("go1.26/chansend/http_debug2.txt").string()});
  std::istringstream lines(out);
  std::string line, shown;
  bool in_fix = false;
  size_t fixes = 0;
  while (std::getline(lines, line)) {
    EXPECT_LE(CodePoints(line), 80u) << line;
    if (line.rfind("     fix  ", 0) == 0) {
      if (fixes++ == 0) shown = line.substr(10);
      in_fix = fixes == 1;
    } else if (in_fix && line.rfind("          ", 0) == 0 && line[10] != ' ') {
      shown += " " + line.substr(10);
    } else {
      in_fix = false;
    }
  }
  EXPECT_EQ(fixes, 3u);  // one per suspect group
  EXPECT_EQ(shown, fix) << out;
  // A table row is still cut, not wrapped: a frame line stays one line.
  EXPECT_NE(out.find("      at  main.sendForever"), std::string::npos) << out;
}

// Lines of `text` wider than `columns`, but for a line of one word (a URL
// in an example), which must stay whole to be copied.
std::vector<std::string> LinesWiderThan(const std::string& text, size_t columns) {
  std::vector<std::string> wide;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t start = line.find_first_not_of(' ');
    bool one_word = start != std::string::npos && line.find(' ', start) == std::string::npos;
    if (CodePoints(line) > columns && !one_word) wide.push_back(line);
  }
  return wide;
}

TEST(Help, WrapsAtTheTerminalWidthAndAtEightyColumnsInAPipe) {
  for (std::string command : {"", "analyze", "diff", "watch", "parse", "rules"}) {
    std::vector<std::string> args;
    if (!command.empty()) args.push_back(command);
    args.push_back("--help");
    std::string narrow = OnTerminal(60, args);
    std::string wide = OnTerminal(200, args);
    EXPECT_EQ(LinesWiderThan(narrow, 60), std::vector<std::string>{}) << narrow;
    // Wrapping moves words, never drops or cuts one.
    EXPECT_EQ(testing::Unwrapped(narrow), testing::Unwrapped(wide)) << narrow;
    auto piped = RunGleak(command + " --help");
    EXPECT_EQ(piped.exit_code, 0);
    EXPECT_EQ(LinesWiderThan(piped.out, 80), std::vector<std::string>{}) << piped.out;
    EXPECT_EQ(testing::Unwrapped(piped.out), testing::Unwrapped(wide)) << piped.out;
  }
}

// The commands are a library: a test runs one in-process, as main does.
int RunInProcess(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return gleak::RunGleak(static_cast<int>(argv.size()), argv.data());
}

TEST(InProcess, ACommandRunsAsALibraryCallAndReturnsItsExitCode) {
  fs::path out = testing::TempDir() / "report.json";
  std::string dump = testing::Dump("go1.26/chansend/http_debug2.txt").string();
  EXPECT_EQ(RunInProcess({"gleak", "analyze", "--format", "json", "-o", out.string(), dump}), 0);
  auto subprocess = RunGleak("analyze --format json " + ShellQuoted(dump));
  EXPECT_EQ(testing::ReadFile(out), subprocess.out);
  // The exit codes a CI job sees: findings, usage, input.
  EXPECT_EQ(RunInProcess({"gleak", "analyze", "--fail-on", "any", "-o", out.string(), dump}), 1);
  EXPECT_EQ(RunInProcess({"gleak", "analyze", "--no-such-flag", dump}), 2);
  EXPECT_EQ(RunInProcess({"gleak", "analyze", "-o", out.string(), "/no/such/dump.txt"}), 3);
}

}  // namespace
}  // namespace gleak
