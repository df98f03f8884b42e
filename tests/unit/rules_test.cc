// The rule file: the built-in rules load, user files extend and override
// them, and every mistake in a rule file is reported with the rule and field.
#include "classify/rules.h"

#include <gtest/gtest.h>

#include <set>

#include "base/error.h"
#include "base/pattern.h"
#include "classify/classifier.h"

namespace gleak {
namespace {

std::string UsageError(const std::string& text) {
  try {
    RuleSet::Parse(text, "my.rules.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kUsage);
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return {};
}

// Pattern turns texts away by the literal start of an anchored expression
// before RE2 runs: it must never turn away a text RE2 matches.
TEST(Pattern, LiteralPrefixNeverHidesAMatch) {
  struct Case {
    const char* expression;
    const char* text;
    bool matches;
  };
  const Case cases[] = {
      {"^net/http\\.\\(\\*conn\\)\\.serve$", "net/http.(*conn).serve", true},
      {"^net/http\\.\\(\\*conn\\)\\.serve$", "net/http.(*conn)xserve", false},
      {"^net/http\\.\\(\\*conn\\)", "net/httpx(*conn)", false},
      {"^a|b", "b", true},    // the ^ anchors the first alternative only
      {"^ab?c", "ac", true},  // a quantifier takes the last literal
      {"^ab*", "a", true},
      {"^ab{0,1}c", "ac", true},
      {"^ab+", "abbb", true},
      {"^(a|b)c", "bc", true},
      {"^a(b|c)", "ac", true},
      {"^x[|]y|z", "z", true},   // a | in a class, then one outside
      {"^x[]|]y", "x|y", true},  // a leading ] belongs to the class
      {"^x\\|y", "x|y", true},   // an escaped |
      {"^x\\|y", "y", false},
      {"^chan send", "chan send (nil chan)", true},
      {"^chan send", "chan receive", false},
      {"^a\\db", "a1b", true},  // \d is no literal
      {"^a.c", "abc", true},
      {"^(?i)abc", "ABC", true},
      {"^", "", true},
      {"^abc", "ab", false},
      {"abc", "xabc", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Pattern(c.expression, "test").Matches(c.text), c.matches)
        << c.expression << " on " << c.text;
  }
}

TEST(Rules, BuiltinRulesCoverEveryRequiredPattern) {
  RuleSet rules = RuleSet::Builtin();
  std::set<std::string> ids;
  for (const Rule& r : rules.rules()) ids.insert(r.id);
  for (const char* id : {"chan-send", "timer", "context", "waitgroup", "http-serve",
                         "defer-spawned", "mutex", "chan-recv", "select-forever", "cond", "io"}) {
    EXPECT_TRUE(ids.count(id)) << id;
    const Rule* rule = rules.Find(id);
    ASSERT_NE(rule, nullptr);
    EXPECT_FALSE(rule->benign) << id;
    EXPECT_FALSE(rule->fix.empty()) << id;
    EXPECT_FALSE(rule->explanation.empty()) << id;
  }
}

TEST(Rules, MistakesNameTheFileRuleAndField) {
  EXPECT_EQ(UsageError("{\"rules\": [\n  {\"id\": \"x\",,}\n]}").substr(0, 22),
            "my.rules.json:2:14: no");
  EXPECT_NE(
      UsageError(R"({"rules": [{"id": "slow", "when": [{"state": "(", "confidence": "high"}]}]})")
          .find("my.rules.json: rule 'slow': field 'state': "),
      std::string::npos);
  EXPECT_NE(UsageError(R"({"rules": [{"id": "x", "when": [{"stat": "a", "confidence": "high"}]}]})")
                .find("rule 'x': field 'stat': is not a clause field"),
            std::string::npos);
  EXPECT_NE(UsageError(R"({"rules": [{"id": "x", "priorty": 3, "when": []}]})")
                .find("rule 'x': field 'priorty': is not a rule field"),
            std::string::npos);
  EXPECT_NE(
      UsageError(R"({"rules": [{"id": "x", "when": [{"state": "a", "confidence": "sure"}]}]})")
          .find("field 'confidence': must be"),
      std::string::npos);
  EXPECT_NE(UsageError(
                R"({"rules": [{"title": "no id", "when": [{"state": "a", "confidence": "low"}]}]})")
                .find("rule #1: field 'id': is required"),
            std::string::npos);
  EXPECT_NE(UsageError(R"({"rules": [{"id": "x", "when": [{"confidence": "low"}]}]})")
                .find("needs at least one condition"),
            std::string::npos);
  EXPECT_NE(UsageError(R"({"format": "gleak.rules/v9", "rules": []})").find("unknown format"),
            std::string::npos);
}

TEST(Rules, UserRulesOverrideAddAndDisable) {
  RuleSet rules = RuleSet::Builtin();
  size_t before = rules.rules().size();
  rules.Override(RuleSet::Parse(R"({"rules": [
      {"id": "chan-send", "title": "mine", "priority": 60,
       "when": [{"state": "^chan send$", "confidence": "low", "reason": "r"}]},
      {"id": "grpc-stream", "priority": 88,
       "when": [{"any_frame": "^google\\.golang\\.org/grpc\\.", "confidence": "medium"}]},
      {"id": "io", "disabled": true}]})",
                                "user"));
  EXPECT_EQ(rules.rules().size(), before);  // one added, one removed
  EXPECT_EQ(rules.Find("chan-send")->title, "mine");
  EXPECT_NE(rules.Find("grpc-stream"), nullptr);
  EXPECT_EQ(rules.Find("io"), nullptr);
}

Group GroupOf(std::string state, std::vector<std::string> funcs, uint64_t count) {
  Group g;
  g.id = "0000000000000000";
  g.count = count;
  g.state = std::move(state);
  for (std::string& f : funcs) g.frames.push_back(StackFrame{f, "/src/app/x.go", 10, false});
  return g;
}

TEST(Classifier, PriorityPicksOnePatternAndListsTheOthers) {
  std::vector<Group> groups = {
      GroupOf("IO wait", {"internal/poll.runtime_pollWait", "net/http.(*conn).serve"}, 40),
      GroupOf("chan send", {"main.produce"}, 3),
      GroupOf("semacquire", {"sync.runtime_Semacquire", "sync.(*WaitGroup).Wait", "main.wait"}, 12),
      GroupOf("chan receive (nil chan)", {"main.nilRecv"}, 1),
      GroupOf("weird new state", {"main.x"}, 500),
  };
  groups[2].state = "sync.WaitGroup.Wait";  // as the clusterer normalizes it
  Classify(RuleSet::Builtin(), ClassifyOptions{}, nullptr, &groups);
  EXPECT_EQ(groups[0].finding.pattern, "http-serve");
  EXPECT_EQ(groups[0].finding.also_matched, std::vector<std::string>{"io"});
  // 40 server connections idle between requests: what healthy keep-alive
  // clients leave, so their number alone makes no suspect.
  EXPECT_FALSE(groups[0].finding.suspect);
  EXPECT_EQ(groups[1].finding.pattern, "chan-send");
  EXPECT_FALSE(groups[1].finding.suspect);  // 3 < --suspect-count 10
  EXPECT_EQ(groups[2].finding.pattern, "waitgroup");
  EXPECT_EQ(groups[2].finding.confidence, Confidence::kHigh);
  EXPECT_TRUE(groups[3].finding.suspect);  // a nil channel can never proceed
  EXPECT_EQ(groups[4].finding.pattern, "unclassified");
  EXPECT_FALSE(groups[4].finding.suspect);
}

TEST(Classifier, LeakedMarkerIsProofAndWaitCountsOnlyWhereItMeansSomething) {
  std::vector<Group> groups = {GroupOf("chan send", {"main.a"}, 2), GroupOf("sleep", {"main.b"}, 1),
                               GroupOf("chan receive", {"main.c"}, 1)};
  groups[0].leaked = 2;
  groups[1].max_wait_minutes = 60;
  groups[2].max_wait_minutes = 60;
  Classify(RuleSet::Builtin(), ClassifyOptions{}, nullptr, &groups);
  EXPECT_TRUE(groups[0].finding.proven);
  EXPECT_TRUE(groups[0].finding.suspect);
  EXPECT_TRUE(groups[1].finding.suspect);   // a timer loop asleep for an hour
  EXPECT_FALSE(groups[2].finding.suspect);  // an idle worker waiting an hour is normal
}

// Healthy services show these shapes by the hundred; a count makes no
// suspect of them, a long wait or a stuck handler does.
TEST(Classifier, IdleShapesNeedMoreThanACount) {
  std::vector<Group> groups = {
      GroupOf("IO wait",
              {"internal/poll.runtime_pollWait", "net/http.(*connReader).Read",
               "net/http.(*conn).serve"},
              200),
      GroupOf("IO wait",
              {"internal/poll.runtime_pollWait", "net/http.(*connReader).Read",
               "net/http.(*conn).serve"},
              3),
      GroupOf("chan send",
              {"main.handle", "net/http.HandlerFunc.ServeHTTP", "net/http.serverHandler.ServeHTTP",
               "net/http.(*conn).serve"},
              30),
      GroupOf("select",
              {"main.longPoll", "net/http.HandlerFunc.ServeHTTP",
               "net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve"},
              30),
      GroupOf("select", {"net/http.(*persistConn).writeLoop"}, 64),
      GroupOf("select", {"net/http.(*persistConn).readLoop"}, 20),
      GroupOf("chan receive", {"main.worker"}, 500),
      GroupOf("select", {"database/sql.(*Tx).awaitDone"}, 40),
  };
  groups[1].max_wait_minutes = 90;  // idle past any usual idle timeout
  Classify(RuleSet::Builtin(), ClassifyOptions{}, nullptr, &groups);
  EXPECT_FALSE(groups[0].finding.suspect);
  EXPECT_TRUE(groups[1].finding.suspect);
  EXPECT_EQ(groups[1].finding.suspect_signal, "wait");
  EXPECT_EQ(groups[2].finding.pattern, "http-serve");  // a handler stuck on a send
  EXPECT_TRUE(groups[2].finding.suspect);
  EXPECT_EQ(groups[2].finding.suspect_signal, "count");
  EXPECT_EQ(groups[3].finding.pattern, "http-serve");  // a long poll within its timeout
  EXPECT_FALSE(groups[3].finding.suspect);
  EXPECT_FALSE(groups[4].finding.suspect);          // idle pooled client connections
  EXPECT_TRUE(groups[5].finding.suspect);           // bodies never read or closed
  EXPECT_FALSE(groups[6].finding.suspect);          // an idle pool
  EXPECT_EQ(groups[7].finding.pattern, "context");  // database/sql knowledge
  EXPECT_FALSE(groups[7].finding.suspect);
}

std::vector<ProducerVerdict> VerdictOf(DumpProducer producer, std::string_view line) {
  return {JudgeProducer(producer, line)};
}

Group InInput(Group g) {
  g.inputs = {InputShare{0, g.count}};
  return g;
}

TEST(Classifier, ProducersJudgeBeforeAnyThreshold) {
  auto groups_of = [] {
    return std::vector<Group>{InInput(GroupOf("chan receive", {"main.poll"}, 1)),
                              InInput(GroupOf("running", {"main.busy"}, 1)),
                              InInput(GroupOf("weird new state", {"main.x"}, 1))};
  };
  ClassifyOptions options;

  std::vector<Group> goleak = groups_of();
  options.verdicts = VerdictOf(DumpProducer::kGoleak, "found unexpected goroutines:");
  Classify(RuleSet::Builtin(), options, nullptr, &goleak);
  for (const Group& g : goleak) {
    EXPECT_TRUE(g.finding.suspect) << g.frames[0].func;
    EXPECT_EQ(g.finding.suspect_signal, "producer");
    EXPECT_FALSE(g.finding.benign);
  }

  std::vector<Group> deadlock = groups_of();
  options.verdicts =
      VerdictOf(DumpProducer::kFatalError, "fatal error: all goroutines are asleep - deadlock!");
  Classify(RuleSet::Builtin(), options, nullptr, &deadlock);
  EXPECT_TRUE(deadlock[0].finding.proven);
  EXPECT_FALSE(deadlock[1].finding.suspect);  // running: not asleep
  EXPECT_TRUE(deadlock[2].finding.proven);    // blocked, in a way no rule knows

  std::vector<Group> other_fatal = groups_of();
  options.verdicts = VerdictOf(DumpProducer::kFatalError, "fatal error: concurrent map writes");
  Classify(RuleSet::Builtin(), options, nullptr, &other_fatal);
  for (const Group& g : other_fatal) EXPECT_FALSE(g.finding.suspect) << g.frames[0].func;

  std::vector<Group> timeout = groups_of();
  timeout[0].max_wait_minutes = 3;
  options.verdicts = VerdictOf(DumpProducer::kTestTimeout, "panic: test timed out after 10m0s");
  EXPECT_EQ(options.verdicts[0].min_wait_minutes, 5u);
  Classify(RuleSet::Builtin(), options, nullptr, &timeout);
  EXPECT_FALSE(timeout[0].finding.suspect);  // blocked 3 of the test's 10 minutes
  timeout[0].max_wait_minutes = 9;
  Classify(RuleSet::Builtin(), options, nullptr, &timeout);
  EXPECT_TRUE(timeout[0].finding.suspect);
  EXPECT_EQ(timeout[0].finding.suspect_signal, "producer");

  std::vector<Group> bubble = groups_of();
  bubble[0].durable = 1;
  options.verdicts =
      VerdictOf(DumpProducer::kPanic, "panic: deadlock: all goroutines in bubble are blocked");
  Classify(RuleSet::Builtin(), options, nullptr, &bubble);
  EXPECT_TRUE(bubble[0].finding.suspect);
  EXPECT_FALSE(bubble[2].finding.suspect);  // not durably blocked in the bubble
}

}  // namespace
}  // namespace gleak

namespace gleak {
namespace {

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

TEST(SourceFacts, GoStatementsInsideDeferredClosuresAtAnyDepth) {
  std::vector<std::string> src = Lines(
      "func closeConn(c net.Conn) {\n"       // 1
      "\tdefer func() {\n"                   // 2
      "\t\tnotify := func() {\n"             // 3
      "\t\t\tif c != nil {\n"                // 4
      "\t\t\t\tgo report(c)\n"               // 5: nested closure in a deferred one
      "\t\t\t}\n"                            // 6
      "\t\t}\n"                              // 7
      "\t\tnotify()\n"                       // 8
      "\t}()\n"                              // 9
      "\tgo func() {\n"                      // 10
      "\t\tgo work()\n"                      // 11: inside a go closure, no defer
      "\t}()\n"                              // 12
      "\tdefer func() { go cleanup() }()\n"  // 13: all on one line
      "}\n");
  EXPECT_TRUE(InsideDeferredClosure(src, 5));
  EXPECT_FALSE(InsideDeferredClosure(src, 11));
  EXPECT_TRUE(InsideDeferredClosure(src, 13));
}

}  // namespace
}  // namespace gleak

namespace gleak {
namespace {

TEST(GoSource, LineInFunctionKnowsDeclarationsClosuresAndMethods) {
  std::vector<std::string> src = Lines(
      "package main\n"                                // 1
      "func (s *Server) handle(c chan int) {\n"       // 2
      "\tgo func() {\n"                               // 3
      "\t\tgo func() { <-c }()\n"                     // 4
      "\t}()\n"                                       // 5
      "}\n"                                           // 6
      "type T struct {\n"                             // 7
      "}\n"                                           // 8
      "func Map[K comparable, V any](m map[K]V) {\n"  // 9
      "\tselect {}\n"                                 // 10
      "}\n"                                           // 11
      "func main() {\n"                               // 12
      "\tvar t T\n"                                   // 13
      "}\n");
  EXPECT_TRUE(LineInFunction(src, 3, "main.(*Server).handle"));
  EXPECT_TRUE(LineInFunction(src, 4, "main.(*Server).handle.func1.1"));
  // Go 1.26 names a closure of an inlined method after its caller.
  EXPECT_TRUE(LineInFunction(src, 4, "main.main.(*Server).handle.func1"));
  EXPECT_TRUE(LineInFunction(src, 10, "main.Map[...]"));
  EXPECT_TRUE(LineInFunction(src, 13, "main.main"));
  EXPECT_FALSE(LineInFunction(src, 10, "main.(*Server).handle"));  // another function
  EXPECT_FALSE(LineInFunction(src, 8, "main.Map[...]"));           // between declarations
  EXPECT_FALSE(LineInFunction(src, 99, "main.main"));              // past the end
}

TEST(GoSource, CandidatesForStdlibAndModulePathsInBothForms) {
  LocalGoEnvironment env{"/opt/go", "/cache/mod"};
  auto paths = [&](std::string_view dump_path) {
    std::vector<std::string> out;
    for (const SourceCandidate& c : SourceCandidates(dump_path, env))
      out.push_back(c.origin + " " + c.path);
    return out;
  };
  EXPECT_EQ(paths("/usr/local/go/src/net/http/server.go"),
            (std::vector<std::string>{"path as printed /usr/local/go/src/net/http/server.go",
                                      "GOROOT /opt/go/src/net/http/server.go"}));
  EXPECT_EQ(paths("net/http/server.go"),  // -trimpath
            std::vector<std::string>{"GOROOT /opt/go/src/net/http/server.go"});
  EXPECT_EQ(
      paths("/home/u/go/pkg/mod/github.com/a/b@v1.2.3/c/d.go"),
      (std::vector<std::string>{"path as printed /home/u/go/pkg/mod/github.com/a/b@v1.2.3/c/d.go",
                                "GOMODCACHE /cache/mod/github.com/a/b@v1.2.3/c/d.go"}));
  EXPECT_EQ(paths("github.com/a/b@v1.2.3/c/d.go"),  // -trimpath
            std::vector<std::string>{"GOMODCACHE /cache/mod/github.com/a/b@v1.2.3/c/d.go"});
  EXPECT_TRUE(paths("example.com/app/main.go").empty());  // a module path outside the cache
  EXPECT_TRUE(paths("/etc/passwd").empty());              // only Go files
}

}  // namespace
}  // namespace gleak
