// `cmake --install` into a fresh prefix, and what a user then has: the binary
// (without its debug info), a man page per command, and completions for bash,
// zsh and fish that complete gleak's commands, options and option values.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using testing::RunShell;
using testing::ShellQuoted;

// Runs of blanks as one space.
std::string Squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool blank = c == ' ' || c == '\n';
    if (blank && !out.empty() && out.back() == ' ') continue;
    out += blank ? ' ' : c;
  }
  return out;
}

// With CI=true a missing tool fails the test rather than skipping it.
bool InCi() { return std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true"; }

using testing::HaveTool;

// One installation shared by the tests of this file.
class Install : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prefix_ = new fs::path(testing::TempDir());
    install_ = new testing::CommandResult(RunShell(
        "cmake --install " + ShellQuoted(GLEAK_BUILD_DIR) + " --prefix " + ShellQuoted(*prefix_)));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*prefix_);
    delete prefix_;
    delete install_;
  }
  void SetUp() override { ASSERT_EQ(install_->exit_code, 0) << install_->out << install_->err; }
  static fs::path Path(const std::string& relative) { return *prefix_ / relative; }

  // Runs a bash completion: COMP_WORDS are `words`, the cursor on the last.
  static std::string BashComplete(const std::string& words) {
    std::string script = "source " + ShellQuoted(Path("share/bash-completion/completions/gleak")) +
                         "; COMP_WORDS=(" + words +
                         "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _gleak; "
                         "printf '%s\\n' \"${COMPREPLY[@]}\"";
    auto r = RunShell("bash -c " + ShellQuoted(script));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return r.out;
  }

  static fs::path* prefix_;
  static testing::CommandResult* install_;
};

fs::path* Install::prefix_ = nullptr;
testing::CommandResult* Install::install_ = nullptr;

TEST_F(Install, TheBinaryRunsAndCarriesNoDebugInfo) {
  auto r = RunShell(ShellQuoted(Path("bin/gleak")) + " --version");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("gleak ", 0), 0u) << r.out;
  // The build tree's binary keeps its debug info (RelWithDebInfo); the
  // installed one is stripped.
  auto sections = RunShell("readelf -S --wide " + ShellQuoted(Path("bin/gleak")));
  ASSERT_EQ(sections.exit_code, 0) << sections.err;
  EXPECT_EQ(sections.out.find(".debug_info"), std::string::npos);
  EXPECT_EQ(sections.out.find(".symtab"), std::string::npos);
}

// libcurl and cpp-httplib (with the TLS libraries under them) are loaded when
// a URL is fetched or gleak serves, not when it starts: linked in, they held
// about 11 MiB of every run's resident memory.
TEST_F(Install, TheBinaryLinksNoNetworkLibrary) {
  auto r = RunShell("readelf -d --wide " + ShellQuoted(Path("bin/gleak")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(NEEDED)"), std::string::npos) << r.out;
  for (const char* library : {"libcurl", "libcpp-httplib", "libssl", "libcrypto", "libgnutls"}) {
    EXPECT_EQ(r.out.find(library), std::string::npos) << library << " is linked:\n" << r.out;
  }
}

// The installed gleak finds its installed HTTP server module (lib/gleak,
// through its run path) and serves metrics with it.
TEST_F(Install, ServesWithItsInstalledHttpServerModule) {
  auto found = RunShell("find " + ShellQuoted(prefix_->string()) + " -name gleak-http-server.so");
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("/gleak/gleak-http-server.so"), std::string::npos) << found.out;
  fs::path dir = testing::TempDir();
  std::string script =
      "pids=\ntrap 'kill $pids 2>/dev/null' EXIT\n" +
      testing::StartServe(Path("bin/gleak").string(), dir,
                          "--interval 1s http://127.0.0.1:1/debug/pprof/goroutine") +
      "exec 3<>/dev/tcp/127.0.0.1/${SERVE#*:}\n"
      "printf 'GET /metrics HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3\n"
      "cat <&3\n";
  auto r = RunShell("bash -c " + ShellQuoted(script));
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("HTTP/1.1 200"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("gleak_target_up"), std::string::npos) << r.out << r.err;
}

TEST_F(Install, EveryCommandHasAManPageMadeFromItsHelp) {
  if (!InCi() && (!HaveTool("man") || !fs::exists(Path("share/man/man1/gleak.1")))) {
    GTEST_SKIP() << "\n\n*** SKIPPED: needs man (man-db) and pages made by help2man ***\n";
  }
  for (const char* page : {"gleak", "gleak-analyze", "gleak-diff", "gleak-parse", "gleak-watch",
                           "gleak-serve", "gleak-rules"}) {
    SCOPED_TRACE(page);
    EXPECT_TRUE(fs::exists(Path(std::string("share/man/man1/") + page + ".1")));
    auto r = RunShell("MANWIDTH=80 MANPAGER=cat LC_ALL=C.UTF-8 man -M " +
                      ShellQuoted(Path("share/man")) + " " + page);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("NAME"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SYNOPSIS"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--help"), std::string::npos) << r.out;
  }
  auto analyze = RunShell("MANWIDTH=80 MANPAGER=cat LC_ALL=C.UTF-8 man -M " +
                          ShellQuoted(Path("share/man")) + " gleak-analyze");
  // The options and the examples of `gleak analyze --help` are all there
  // (man justifies lines: spaces are squeezed before looking).
  EXPECT_NE(Squeezed(analyze.out).find("gleak-analyze - Group the goroutines of dumps"),
            std::string::npos)
      << analyze.out;
  EXPECT_NE(analyze.out.find("--only-suspects"), std::string::npos);
  EXPECT_NE(analyze.out.find("--fail-on chan-send,waitgroup"), std::string::npos);
  EXPECT_NE(analyze.out.find("SEE ALSO"), std::string::npos);
  EXPECT_NE(analyze.out.find("gleak-diff(1)"), std::string::npos);
}

TEST_F(Install, BashCompletesCommandsOptionsAndValues) {
  EXPECT_EQ(BashComplete("gleak ana"), "analyze\n");
  std::string top = BashComplete("gleak ''");
  for (const char* word : {"analyze", "diff", "parse", "watch", "serve", "rules", "--version"}) {
    EXPECT_NE(top.find(std::string(word) + "\n"), std::string::npos) << word << " in " << top;
  }
  EXPECT_EQ(top.find("completion"), std::string::npos);  // hidden
  EXPECT_EQ(BashComplete("gleak analyze --only"), "--only-suspects\n");
  EXPECT_EQ(BashComplete("gleak analyze --color ''"), "auto\nalways\nnever\n");
  EXPECT_EQ(BashComplete("gleak analyze --format = j"), "json\n");
  EXPECT_EQ(BashComplete("gleak diff --group-by f"), "func\n");
  EXPECT_EQ(BashComplete("gleak watch --col"), "--color\n");
  // A file argument completes as a file.
  fs::path dir = testing::TempDir();
  std::ofstream(dir / "dump-one.txt") << "x";
  EXPECT_EQ(BashComplete("gleak analyze " + ShellQuoted(dir.string() + "/dump-o")),
            (dir / "dump-one.txt").string() + "\n");
  fs::remove_all(dir);
}

TEST_F(Install, ZshAndFishCompletionsParseAndFishCompletes) {
  if (!InCi() && (!HaveTool("zsh") || !HaveTool("fish"))) {
    GTEST_SKIP() << "\n\n*** SKIPPED: needs zsh and fish (apt-get install zsh fish) ***\n";
  }
  fs::path zsh = Path("share/zsh/site-functions/_gleak");
  fs::path fish = Path("share/fish/vendor_completions.d/gleak.fish");
  auto zr = RunShell("zsh -n " + ShellQuoted(zsh));
  EXPECT_EQ(zr.exit_code, 0) << zr.err;
  EXPECT_NE(testing::ReadFile(zsh).find("'--color=[Colour]:value:(auto always never)'"),
            std::string::npos);
  auto fr = RunShell("fish -n " + ShellQuoted(fish));
  EXPECT_EQ(fr.exit_code, 0) << fr.err;
  auto complete = [&](const std::string& line) {
    auto r = RunShell("fish --no-config -c " + ShellQuoted("source " + ShellQuoted(fish) +
                                                           "; complete -C " + ShellQuoted(line)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(complete("gleak ana"),
            "analyze\tGroup the goroutines of dumps and report the groups, "
            "most suspicious first\n");
  EXPECT_NE(complete("gleak analyze --form").find("--format\t"), std::string::npos);
  EXPECT_EQ(complete("gleak diff --color "), "always\tColour\nauto\tColour\nnever\tColour\n");
}

}  // namespace
}  // namespace gleak
