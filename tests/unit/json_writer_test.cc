// The streamed JSON writer writes what nlohmann::json's dump wrote when the
// report was a tree: the same escapes (hostile bytes included), layout and
// key order, so the report's text is unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "classify/rules.h"
#include "diff/diff.h"
#include "pipeline/analyze.h"
#include "render/json_diff.h"
#include "render/json_escape.h"
#include "render/json_report.h"
#include "render/json_writer.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Theirs(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Ours(std::string_view s) {
  std::string out;
  AppendJsonQuoted(s, &out);
  return out;
}

TEST(JsonWriter, EscapesEveryByteAsNlohmann) {
  for (int c = 0; c < 256; ++c) {
    std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    EXPECT_EQ(Ours(s), Theirs(s)) << "byte " << c;
    std::string alone(1, static_cast<char>(c));
    EXPECT_EQ(Ours(alone), Theirs(alone)) << "byte " << c;
  }
  // Cut, overlong, surrogate and out-of-range sequences, at the end and inside.
  const char* cases[] = {"\xC3",
                         "\xC3(",
                         "\xE2\x82",
                         "\xE2\x82x",
                         "\xF0\x9F\x98",
                         "\xF0\x9F\x98!",
                         "\xC0\xAF",
                         "\xE0\x80\xAF",
                         "\xED\xA0\x80",
                         "\xF4\x90\x80\x80",
                         "\xF8\x88\x80\x80\x80",
                         "\xEF\xBF\xBD",
                         "\xF0\x9F\x98\x80",
                         "\x7F\x80\xBF",
                         "\xE2\x82\xAC\xC3"};
  for (const char* c : cases) EXPECT_EQ(Ours(c), Theirs(c)) << Theirs(c);
}

TEST(JsonWriter, EscapesRandomAndHostileBytesAsNlohmann) {
  std::mt19937 rng(15);
  const std::string alphabet = std::string("ab\"\\\n\t\b\f\r\x01\x1f\x7f", 13) +
                               "\x80\xBF\xC2\xC3\xDF\xE0\xE2\xED\xEF\xF0\xF4\xF5\xFF";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 12, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    ASSERT_EQ(Ours(s), Theirs(s)) << "case " << i;
  }
  for (const fs::directory_entry& e :
       fs::directory_iterator(testing::SourceDir() / "testdata" / "bad")) {
    if (!e.is_regular_file()) continue;
    std::string bytes = testing::ReadFile(e.path());
    EXPECT_EQ(Ours(bytes), Theirs(bytes)) << e.path();
    std::istringstream lines(bytes);
    for (std::string line; std::getline(lines, line);) {
      ASSERT_EQ(Ours(line), Theirs(line)) << e.path();
    }
  }
}

TEST(JsonWriter, LayoutAsNlohmann) {
  for (bool one_line : {false, true}) {
    std::ostringstream out;
    {
      JsonWriter w(out, one_line);
      w.BeginObject();
      w.Key("a").BeginArray();
      w.EndArray();
      w.Key("b").BeginObject();
      w.EndObject();
      w.Key("c").BeginArray();
      w.BeginObject();
      w.Field("x", uint64_t{1});
      w.Key("y").BeginArray();
      w.Null();
      w.Bool(false);
      w.Int(-3);
      w.Double(0.5);
      w.Double(1e300);
      w.Double(2.0);
      w.EndArray();
      w.EndObject();
      w.BeginArray();
      w.EndArray();
      w.EndArray();
      w.Field("d", "\xFF");
      w.EndObject();
    }
    json doc = json::parse(out.str());
    EXPECT_EQ(out.str(), doc.dump(one_line ? -1 : 2)) << out.str();
  }
}

// A document is what nlohmann writes for the tree it parses to: its keys in
// nlohmann's order and its layout and numbers as nlohmann's dump writes them.
void ExpectNlohmannText(const std::string& text, bool one_line, const std::string& what) {
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n') << what;
  json doc = json::parse(text);
  EXPECT_EQ(text, doc.dump(one_line ? -1 : 2, ' ', false, json::error_handler_t::replace) + "\n")
      << what;
}

TEST(JsonWriter, ReportsAndDiffsOfEveryDumpAreNlohmannText) {
  static const RuleSet rules = RuleSet::Builtin();
  std::vector<std::string> inputs;
  for (const fs::path& p : testing::CommittedDumps()) inputs.push_back(p.string());
  for (const fs::directory_entry& e :
       fs::directory_iterator(testing::SourceDir() / "testdata" / "bad")) {
    if (e.is_regular_file()) inputs.push_back(e.path().string());
  }
  std::vector<Report> reports;
  for (const std::string& input : inputs) {
    AnalyzeOptions options;
    options.inputs = {input};
    options.rules = &rules;
    options.threads = 1;
    Report report = Analyze(options);
    for (bool one_line : {false, true}) {
      std::ostringstream out;
      RenderJsonReport(report, out, one_line);
      ExpectNlohmannText(out.str(), one_line, input);
    }
    if (reports.size() < 2 && !report.groups.empty()) reports.push_back(std::move(report));
  }
  ASSERT_EQ(reports.size(), 2u);
  DiffOptions options;
  options.interval_seconds = 90;
  DiffReport diff = DiffSnapshots(std::move(reports), options);
  for (bool one_line : {false, true}) {
    std::ostringstream out;
    RenderJsonDiff(diff, out, one_line);
    ExpectNlohmannText(out.str(), one_line, "diff");
  }
}

// A report of hundreds of groups is written in pieces on several threads:
// the same text as one thread writes, in either layout, whatever the number
// of threads or of groups (a last piece full or not, too few pieces to
// split).
TEST(JsonWriter, GroupsWrittenOnSeveralThreadsAreTheTextOfOne) {
  static const RuleSet rules = RuleSet::Builtin();
  AnalyzeOptions options;
  options.inputs = {(testing::Dumps() / "go1.26" / "zoo" / "http_debug2.txt").string()};
  options.rules = &rules;
  options.threads = 1;
  Report report = Analyze(options);
  const std::vector<Group> groups = report.groups;
  ASSERT_GT(groups.size(), 5u);
  for (size_t count : {size_t{3}, size_t{255}, size_t{256}, size_t{257}, size_t{1000}}) {
    report.groups.clear();
    for (size_t i = 0; i < count; ++i) report.groups.push_back(groups[i % groups.size()]);
    for (bool one_line : {false, true}) {
      std::ostringstream one;
      RenderJsonReport(report, one, one_line, 1);
      for (size_t threads : {2, 3, 8}) {
        std::ostringstream many;
        RenderJsonReport(report, many, one_line, threads);
        const std::string a = many.str(), b = one.str();
        size_t at = std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin();
        EXPECT_TRUE(a == b) << count << " groups, " << threads << " threads, one line: " << one_line
                            << ": first differs at byte " << at << " of " << b.size() << ": "
                            << a.substr(at > 40 ? at - 40 : 0, 80);
      }
    }
  }
}

}  // namespace
}  // namespace gleak
