// Line shapes taken from real dumps (go-dump-format.md §3-§12 and the committed dumps).
#include "parse/line_grammar.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace gleak {
namespace {

TEST(HeaderLine, PlainAndDecorated) {
  HeaderLine h;
  ASSERT_TRUE(ParseHeaderLine("goroutine 21 [chan send]:", &h));
  EXPECT_EQ(h.id, 21u);
  EXPECT_EQ(h.state, "chan send");

  ASSERT_TRUE(ParseHeaderLine("goroutine 35 [chan receive, 1 minutes, locked to thread]:", &h));
  EXPECT_EQ(h.state, "chan receive");
  EXPECT_EQ(h.wait_minutes, 1u);
  EXPECT_TRUE(h.locked_to_thread);

  ASSERT_TRUE(ParseHeaderLine("goroutine 7 [chan send (leaked)]:", &h));
  EXPECT_EQ(h.state, "chan send");
  EXPECT_TRUE(h.leaked);

  ASSERT_TRUE(
      ParseHeaderLine("goroutine 9 [sync.WaitGroup.Wait (durable), synctest bubble 4]:", &h));
  EXPECT_EQ(h.state, "sync.WaitGroup.Wait");
  EXPECT_TRUE(h.durable);
  EXPECT_EQ(h.synctest_bubble, 4u);

  ASSERT_TRUE(ParseHeaderLine("goroutine 2 gp=0xc000007c00 m=nil [force gc (idle)]:", &h));
  EXPECT_EQ(h.id, 2u);
  EXPECT_EQ(h.state, "force gc (idle)");

  ASSERT_TRUE(ParseHeaderLine("goroutine 0 gp=0x5c0b60 m=0 mp=0x5c1500 [idle]:", &h));
  EXPECT_EQ(h.id, 0u);
}

TEST(HeaderLine, ReasonsKeepTheirOwnParentheses) {
  HeaderLine h;
  ASSERT_TRUE(ParseHeaderLine("goroutine 23 [chan receive (nil chan)]:", &h));
  EXPECT_EQ(h.state, "chan receive (nil chan)");
  ASSERT_TRUE(ParseHeaderLine("goroutine 24 [select (no cases), 10175 minutes]:", &h));
  EXPECT_EQ(h.state, "select (no cases)");
  EXPECT_EQ(h.wait_minutes, 10175u);
}

TEST(HeaderLine, LabelsMayHoldBrackets) {
  HeaderLine h;
  ASSERT_TRUE(ParseHeaderLine(R"(goroutine 1 [running] {job: ingest, q: "a]b"}:)", &h));
  EXPECT_EQ(h.state, "running");
  EXPECT_EQ(h.labels, R"({job: ingest, q: "a]b"})");
  std::map<std::string, std::string> labels;
  ASSERT_TRUE(ForEachLabel(h.labels, [&](std::string_view k, std::string_view v) {
    std::string key, value;
    AppendUnquoted(k, &key);
    AppendUnquoted(v, &value);
    labels[key] = value;
  }));
  EXPECT_EQ(labels["job"], "ingest");
  EXPECT_EQ(labels["q"], "a]b");
}

TEST(HeaderLine, Go126LabelsInsideTheBrackets) {
  // Printed by go1.26.8 with GODEBUG=tracebacklabels=1 (testdata/dumps/go1.26/labels).
  HeaderLine h;
  ASSERT_TRUE(ParseHeaderLine(
      R"(goroutine 21 [chan receive, 2 minutes labels:{"pool": "ingest", "q": "x]y"}]:)", &h));
  EXPECT_EQ(h.state, "chan receive");
  EXPECT_EQ(h.wait_minutes, 2u);
  EXPECT_EQ(h.labels, R"(labels:{"pool": "ingest", "q": "x]y"})");
  int n = 0;
  EXPECT_TRUE(ForEachLabel(h.labels, [&](auto, auto) { ++n; }));
  EXPECT_EQ(n, 2);
  EXPECT_FALSE(ParseHeaderLine(R"(goroutine 21 [chan receive labels:{"pool": "ingest"]:)", &h));
}

TEST(HeaderLine, RejectsLookalikes) {
  HeaderLine h;
  EXPECT_FALSE(ParseHeaderLine("goroutine profile: total 24", &h));
  EXPECT_FALSE(ParseHeaderLine("Goroutine 8 (running) created at:", &h));
  EXPECT_FALSE(ParseHeaderLine("goroutine 8 [chan send", &h));
  EXPECT_FALSE(ParseHeaderLine("goroutine 8 [chan send]", &h));
  EXPECT_FALSE(ParseHeaderLine("goroutine [chan send]:", &h));
}

TEST(HeaderLine, IdBeyond64BitsIsFlagged) {
  HeaderLine h;
  ASSERT_TRUE(ParseHeaderLine("goroutine 99999999999999999999999 [chan send]:", &h));
  EXPECT_TRUE(h.id_overflow);
}

TEST(FunctionLine, NamesArgsAndInlining) {
  FunctionLine f;
  ASSERT_TRUE(ParseFunctionLine("main.(*Server).handle(0xc000010000)", &f));
  EXPECT_EQ(f.func, "main.(*Server).handle");
  EXPECT_EQ(f.args, "0xc000010000");
  EXPECT_FALSE(f.inlined);
  ASSERT_TRUE(ParseFunctionLine("sync.(*Mutex).Lock(...)", &f));
  EXPECT_EQ(f.func, "sync.(*Mutex).Lock");
  EXPECT_TRUE(f.inlined);
  ASSERT_TRUE(ParseFunctionLine("main.Map[...]({0xc0000377b8?, 0x3, 0x0}, 0x7113a0?, 0x0)", &f));
  EXPECT_EQ(f.func, "main.Map[...]");
  ASSERT_TRUE(ParseFunctionLine("panic({0x691160, 0xc000092f60})", &f));
  EXPECT_EQ(f.func, "panic");
  ASSERT_TRUE(ParseFunctionLine("gopkg.in/yaml%2ev2.handleErr(0x1)", &f));
  EXPECT_EQ(f.func, "gopkg.in/yaml%2ev2.handleErr");
  EXPECT_FALSE(ParseFunctionLine("\t/tmp/x/main.go:12 +0x1d", &f));
  EXPECT_FALSE(ParseFunctionLine("created by main.main", &f));
  EXPECT_FALSE(ParseFunctionLine("INFO something happened (twice)", &f));
}

TEST(FileLine, SuffixesAndPaths) {
  FileLine f;
  ASSERT_TRUE(ParseFileLine("\t/tmp/x/leaks/main.go:38 +0x5d", &f));
  EXPECT_EQ(f.file, "/tmp/x/leaks/main.go");
  EXPECT_EQ(f.line, 38u);
  ASSERT_TRUE(
      ParseFileLine("\t/usr/lib/go-1.19/src/runtime/proc.go:363 +0xd6 fp=0xc00003afb0 "
                    "sp=0xc00003af90 pc=0x43b256",
                    &f));
  EXPECT_EQ(f.file, "/usr/lib/go-1.19/src/runtime/proc.go");
  EXPECT_EQ(f.line, 363u);
  ASSERT_TRUE(
      ParseFileLine("\t/tmp/x/leaks/main.go:138 fp=0xc00011ffe0 sp=0xc00011ffc8 pc=0x1", &f));
  EXPECT_EQ(f.line, 138u);
  ASSERT_TRUE(ParseFileLine("\tC:/Users/x/pprof.go:12 +0x1", &f));
  EXPECT_EQ(f.file, "C:/Users/x/pprof.go");
  ASSERT_TRUE(ParseFileLine("        /path with spaces/a.go:7", &f));
  EXPECT_EQ(f.file, "/path with spaces/a.go");
  EXPECT_EQ(f.line, 7u);
  ASSERT_TRUE(ParseFileLine("\t/a.go:99999999999999999999999 +0x1", &f));
  EXPECT_TRUE(f.line_overflow);
  EXPECT_FALSE(ParseFileLine("/tmp/x.go:1", &f));
  EXPECT_FALSE(ParseFileLine("\t/tmp/x.go", &f));
}

// The shortcut for the common form must read a line as the full grammar
// does: the same file and line, on every file line Go printed in a committed
// dump and on forms near the common one.
TEST(FileLine, TheCommonFormReadsAsTheFullGrammarReadsIt) {
  std::vector<std::string> lines = {"\tx:1 +0x1",
                                    "\t:12 +0x1",
                                    "\t/a.go:12 +0x",
                                    "\t/a.go:12 0x1d",
                                    "\t/a.go:12  +0x1d",
                                    "\t/a.go:12 +0x1d ",
                                    "\t /a.go:12 +0x1d",
                                    "\t/a.go: +0x1d",
                                    "\t/a.go:1a +0x1d",
                                    "\t/a:b.go:12 +0x1d",
                                    "\t/a.go:0012 +0xAB",
                                    "\tC:/x.go:7 +0xff",
                                    "\t/a.go:123456789012345678 +0x1",
                                    "\t/a.go:1234567890123456789 +0x1",
                                    " /a.go:12 +0x1d",
                                    "\t/a go/b.go:3 +0x1",
                                    "\t/a.go:12 +0x1d+0x2",
                                    "\t/a.go:12 x+0x1d"};
  for (const auto& dump : testing::CommittedDumps()) {
    std::istringstream in(testing::ReadFile(dump));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.starts_with('\t')) lines.push_back(line);
    }
  }
  size_t common = 0;
  for (const std::string& line : lines) {
    FileLine shortcut, full;
    bool in_full = grammar_detail::ParseFileLineInFull(line, &full);
    if (!ParseCommonFileLine(line, &shortcut)) continue;
    ++common;
    ASSERT_TRUE(in_full) << ::testing::PrintToString(line);
    EXPECT_EQ(shortcut.file, full.file) << ::testing::PrintToString(line);
    EXPECT_EQ(shortcut.line, full.line) << ::testing::PrintToString(line);
    EXPECT_EQ(shortcut.line_overflow, full.line_overflow) << ::testing::PrintToString(line);
  }
  EXPECT_GT(common, 10000u);  // 14,886 in the sanitizer tree's share of the dumps
}

TEST(CreatedByLine, WithAndWithoutParent) {
  CreatedByLine c;
  ASSERT_TRUE(ParseCreatedByLine("created by main.setup", &c));
  EXPECT_EQ(c.func, "main.setup");
  EXPECT_FALSE(c.has_creator_id);
  ASSERT_TRUE(ParseCreatedByLine("created by main.main in goroutine 1", &c));
  EXPECT_EQ(c.func, "main.main");
  EXPECT_TRUE(c.has_creator_id);
  EXPECT_EQ(c.creator_id, 1u);
}

TEST(Markers, ElisionAncestorRegisters) {
  uint64_t n = 7;
  EXPECT_TRUE(ParseElisionLine("...additional frames elided...", &n));
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(ParseElisionLine("...12 frames elided...", &n));
  EXPECT_EQ(n, 12u);
  EXPECT_TRUE(ParseAncestorLine("[originating from goroutine 24]:", &n));
  EXPECT_EQ(n, 24u);
  EXPECT_TRUE(IsRegisterLine("rax    0x0"));
  EXPECT_TRUE(IsRegisterLine("rflags 0x202"));
  EXPECT_TRUE(IsRegisterLine("r10    0x7f36702edd98"));
  EXPECT_FALSE(IsRegisterLine("main.main()"));
  EXPECT_FALSE(IsRegisterLine("created by main.main"));
}

TEST(CountProfile, HeaderRecordAndFrames) {
  ProfileHeaderLine p;
  ASSERT_TRUE(ParseProfileHeaderLine("goroutine profile: total 24", &p));
  EXPECT_EQ(p.total, 24u);
  EXPECT_FALSE(p.leak_profile);
  ASSERT_TRUE(ParseProfileHeaderLine("goroutineleak profile: total 3", &p));
  EXPECT_TRUE(p.leak_profile);

  uint64_t count = 0;
  bool overflow = false;
  ASSERT_TRUE(ParseCountRecordLine("5 @ 0x437556 0x40619b 0x405cd8", &count, &overflow));
  EXPECT_EQ(count, 5u);
  EXPECT_FALSE(ParseCountRecordLine("5 goroutines", &count, &overflow));

  CountFrameLine f;
  ASSERT_TRUE(ParseCountFrameLine(
      "#\t0x4701eb\tsync.(*Cond).Wait+0x8b\t\t\t/usr/lib/go-1.19/src/sync/cond.go:70", &f));
  EXPECT_EQ(f.func, "sync.(*Cond).Wait");
  EXPECT_EQ(f.file, "/usr/lib/go-1.19/src/sync/cond.go");
  EXPECT_EQ(f.line, 70u);
  ASSERT_TRUE(ParseCountFrameLine("#\t0x46b241", &f));
  EXPECT_EQ(f.func, "0x46b241");
}

TEST(Labels, DebugOneQuotedForm) {
  std::map<std::string, std::string> labels;
  ASSERT_TRUE(ForEachLabel(R"({"pool":"ingest", "shard":"7"})", [&](auto k, auto v) {
    std::string key, value;
    AppendUnquoted(k, &key);
    AppendUnquoted(v, &value);
    labels[key] = value;
  }));
  EXPECT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels["pool"], "ingest");
  EXPECT_EQ(labels["shard"], "7");
  EXPECT_FALSE(ForEachLabel(R"({"unterminated: x})", [](auto, auto) {}));
}

TEST(Unquote, GoEscapes) {
  std::string out;
  AppendUnquoted(R"("a\"b\\c\n\x41\u00e9\101")", &out);
  EXPECT_EQ(out,
            "a\"b\\c\nA\xc3\xa9"
            "A");
}

// The name grammar of go-dump-format.md §4.1: an import path whose last
// element escapes `.` as %2e, then the name: a function, or a method with a
// `(*T)` or `T` receiver; `[...]` after a generic type, function or (Go 1.27)
// method; closures `.funcN` and `.N`, go/defer wrappers `.gowrapN` and
// `.deferwrapN`, `.init.N`, package-level closures `glob..funcN`, method
// values `-fm`, range bodies `-rangeN`.
const std::regex& FunctionNameGrammar() {
  static const std::regex grammar(
      R"(^([A-Za-z0-9_%~.\-]+/)*[A-Za-z0-9_%~\-]+\.)"
      R"(((\(\*[A-Za-z_][A-Za-z0-9_]*(\[\.\.\.\])?\)|[A-Za-z_][A-Za-z0-9_]*(\[\.\.\.\])?)\.)?)"
      R"([A-Za-z_][A-Za-z0-9_]*(\[\.\.\.\])?)"
      R"((\.\.?func[0-9]+|\.[0-9]+|\.gowrap[0-9]+|\.deferwrap[0-9]+|-fm|-range[0-9]+)*$)");
  return grammar;
}

TEST(FunctionLine, GrammarOfNamesTakesEveryShapeTheSpecificationNames) {
  for (const char* name :
       {"main.main", "main.init.0", "main.(*Server).handle", "main.Pair.send", "main.Map[...]",
        "main.(*Queue[...]).Pop", "main.Spawn[...].func1", "main.nested.func1.1",
        "main.(*Box).Put[...]", "main.Table[...].Lookup[...]", "main.main.gowrap2",
        "gleak.test/programs/zoo/dotted%2ev2.Block", "net/http.(*Server).Serve.gowrap3",
        "main.(*T).M-fm", "main.f-range1", "main.glob..func1", "runtime.gcenable.gowrap1"}) {
    EXPECT_TRUE(std::regex_match(name, FunctionNameGrammar())) << name;
  }
  for (const char* name : {"main", "main.", "main.(*T.M", "main.f[int]", "main.f func1"}) {
    EXPECT_FALSE(std::regex_match(name, FunctionNameGrammar())) << name;
  }
}

// Every function and creator name every committed dump holds (Go 1.19, 1.26
// and 1.27, every capture) is read by the parser and fits the grammar.
// What does not fit would be a new name form, for docs/go-dump-notes.md.
TEST(FunctionLine, EveryCommittedFunctionNameFitsTheGrammar) {
  std::set<std::string> names;
  size_t function_lines = 0;
  std::set<std::string> versions;
  for (const auto& dump : testing::CommittedDumps()) {
    std::istringstream in(testing::ReadFile(dump));
    std::string previous, line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      // goleak's output indents every line by spaces
      size_t indent = line.find_first_not_of(' ');
      std::string_view text =
          indent == std::string::npos ? "" : std::string_view(line).substr(indent);
      FileLine file;
      CreatedByLine created;
      if (ParseFileLine(text, &file) && !previous.empty() &&
          !std::string_view(previous).starts_with("created by ")) {
        FunctionLine function;
        std::string function_text = previous;
        ASSERT_TRUE(ParseFunctionLine(function_text, &function)) << dump << ": " << previous;
        if (function.func != "panic") names.insert(std::string(function.func));
        ++function_lines;
        versions.insert(dump.parent_path().parent_path().filename().string());
      }
      if (ParseCreatedByLine(text, &created)) names.insert(std::string(created.func));
      if (text.starts_with("#\t0x")) {  // debug=1: "#\t0x4d5b3a\tmain.f+0x3a\t/path:12"
        std::string_view rest = text.substr(2);
        rest.remove_prefix(rest.find('\t') + 1);
        rest = rest.substr(0, rest.find('\t'));
        names.insert(std::string(rest.substr(0, rest.rfind("+0x"))));
      }
      previous = std::string(text);
    }
  }
  EXPECT_GT(function_lines, 20000u);
  EXPECT_EQ(versions, (std::set<std::string>{"go1.19", "go1.26", "go1.27"}));
  EXPECT_GT(names.size(), 250u);
  for (const std::string& name : names) {
    EXPECT_TRUE(std::regex_match(name, FunctionNameGrammar())) << name;
  }
  // The Go 1.27 shapes are among them.
  EXPECT_EQ(names.count("main.(*Box).Put[...]"), 1u);
  EXPECT_EQ(names.count("main.Table[...].Lookup[...]"), 1u);
  EXPECT_EQ(names.count("gleak.test/programs/zoo/dotted%2ev2.Block"), 1u);
}

}  // namespace
}  // namespace gleak
