// What log collectors wrap around a dump's lines, taken off line by line.
// The lines are those of the committed *_stamped and *_docker captures
// (testdata/programs/logstamp, dockerlog) and of the forms they stand for.
#include "parse/log_lines.h"

#include <gtest/gtest.h>

#include <string>

#include "parse/line_grammar.h"

namespace gleak {
namespace {

TEST(GoleakHeaderLine, FirstAndLaterStacksOfTheList) {
  HeaderLine h;
  ASSERT_TRUE(ParseGoleakHeaderLine(
      "[Goroutine 19 in state chan receive, with gleak.test/goleakfail13.poll on top of the "
      "stack:",
      &h));
  EXPECT_EQ(h.id, 19u);
  EXPECT_EQ(h.state, "chan receive");
  ASSERT_TRUE(ParseGoleakHeaderLine(
      " Goroutine 23 in state select, 3 minutes, with main.(*T).watch on top of the stack:", &h));
  EXPECT_EQ(h.id, 23u);
  EXPECT_EQ(h.state, "select");
  EXPECT_EQ(h.wait_minutes, 3u);
  ASSERT_TRUE(ParseGoleakHeaderLine(
      "Goroutine 7 in state chan send (leaked), with main.f on top of the stack:", &h));
  EXPECT_TRUE(h.leaked);
  EXPECT_EQ(h.state, "chan send");
  EXPECT_FALSE(ParseGoleakHeaderLine("Goroutine 7 in state , with f on top of the stack:", &h));
  EXPECT_FALSE(
      ParseGoleakHeaderLine("Goroutine x in state select, with f on top of the stack:", &h));
  EXPECT_FALSE(
      ParseGoleakHeaderLine("Goroutine 7 in state select with f on top of the stack:", &h));
  EXPECT_FALSE(ParseGoleakHeaderLine("Goroutine 7 in state select, with f on top", &h));
}

TEST(Timestamp, Rfc3339PrefixesAreCut) {
  std::string_view t = "2026-12-06T03:40:32.1234567Z         [Goroutine 5 in state";
  ASSERT_TRUE(StripTimestamp(&t));
  EXPECT_EQ(t, "        [Goroutine 5 in state");
  t = "2026-12-06T03:40:32Z goroutine 1 [running]:";
  ASSERT_TRUE(StripTimestamp(&t));
  EXPECT_EQ(t, "goroutine 1 [running]:");
  t = "2026-12-06T03:40:32.123+01:00 \tmain.go:12";
  ASSERT_TRUE(StripTimestamp(&t));
  EXPECT_EQ(t, "\tmain.go:12");
  t = "2026-12-06T03:40:32.1234567Z";  // an empty line of the log: a blank line
  ASSERT_TRUE(StripTimestamp(&t));
  EXPECT_EQ(t, "");
  for (std::string_view no :
       {"2026-12-06 03:40:32 x", "2026-12-06T03:40:32.Z x", "2026-12-06T03:40:32.5Zx",
        "2026-12-06T03:40", "5 @ 0x4a1", "2026/12/06 03:40:32 x", "2026-12-06T03:40:32+0100 x"}) {
    std::string_view s = no;
    EXPECT_FALSE(StripTimestamp(&s)) << no;
    EXPECT_EQ(s, no);
  }
}

TEST(DockerJsonLog, EscapesAreDecoded) {
  std::string out;
  ASSERT_TRUE(DecodeDockerJsonLog(
      R"({"log":"goroutine 1 [running]:\n","stream":"stderr","time":"2026-12-06T03:40:32.1Z"})",
      &out));
  EXPECT_EQ(out, "goroutine 1 [running]:\n");
  // What the json-file driver escapes: quotes, backslashes, control bytes,
  // the HTML characters, U+2028, invalid UTF-8 (as U+FFFD), and pairs.
  ASSERT_TRUE(DecodeDockerJsonLog(
      R"({"log":"\tpanic: a \u003cb\u003e \u0026 \"q\" \\ \/ \u2028 \ufffd \ud83d\ude00\r\n"})",
      &out));
  EXPECT_EQ(out, "\tpanic: a <b> & \"q\" \\ / \xE2\x80\xA8 \xEF\xBF\xBD \xF0\x9F\x98\x80\r\n");
  ASSERT_TRUE(DecodeDockerJsonLog(R"({"log":"\ud83d x"})", &out));  // a lone surrogate
  EXPECT_EQ(out, "\xEF\xBF\xBD x");
  for (std::string_view bad :
       {R"({"log":"cut)", R"({"log":"x\)", R"({"log":"\q"})", R"({"log":"\u12"})",
        R"({"log":"x"y})", R"({"stream":"stderr","log":"x"})", R"(goroutine 1 [running]:)"}) {
    EXPECT_FALSE(DecodeDockerJsonLog(bad, &out)) << bad;
  }
}

TEST(TestJsonOutput, TheOutputStringIsDecoded) {
  std::string out;
  ASSERT_TRUE(DecodeTestJsonOutput(
      R"({"Time":"2026-12-06T04:41:10.73Z","Action":"output","Package":"p","Test":"TestLeaks",)"
      R"("Output":"        	/tmp/x/leak_test.go:49
"})",
      &out));
  EXPECT_EQ(out, "        \t/tmp/x/leak_test.go:49\n");
  EXPECT_FALSE(DecodeTestJsonOutput(
      R"({"Time":"2026-12-06T04:41:10.28Z","Action":"run","Package":"p","Test":"TestLeaks"})",
      &out));
  // The key's text inside a value is escaped: not an Output field.
  EXPECT_FALSE(DecodeTestJsonOutput(R"({"Time":"x","Test":"a\"Output\":\"b"})", &out));
}

TEST(LogEnvelope, PartialEntriesAreJoined) {
  LogEnvelope envelope;
  std::string_view text;
  // Docker cuts a line longer than 16 KiB into entries without "\n".
  EXPECT_FALSE(envelope.Unwrap(R"({"log":"main.f(0x1, ","stream":"stderr"})", &text));
  EXPECT_TRUE(envelope.pending());
  ASSERT_TRUE(envelope.Unwrap(R"({"log":"0x2)\n","stream":"stderr"})", &text));
  EXPECT_EQ(text, "main.f(0x1, 0x2)");
  EXPECT_FALSE(envelope.pending());
  // The CRI format of Kubernetes nodes: P for a piece, F for the last.
  EXPECT_FALSE(envelope.Unwrap("2026-12-06T03:40:32.123456789Z stderr P goroutine 1 ", &text));
  ASSERT_TRUE(envelope.Unwrap("2026-12-06T03:40:32.123456790Z stderr F [running]:", &text));
  EXPECT_EQ(text, "goroutine 1 [running]:");
  ASSERT_TRUE(envelope.Unwrap("2026-12-06T03:40:32.123456790Z stdout F ", &text));
  EXPECT_EQ(text, "");
  // A piece the input ends in is still handed over.
  EXPECT_FALSE(envelope.Unwrap(R"({"log":"\t/app/main.go:12 +0x1d"})", &text));
  EXPECT_EQ(envelope.TakePending(), "\t/app/main.go:12 +0x1d");
  // Plain lines pass untouched.
  ASSERT_TRUE(envelope.Unwrap("\t/app/main.go:12 +0x1d", &text));
  EXPECT_EQ(text, "\t/app/main.go:12 +0x1d");
}

}  // namespace
}  // namespace gleak
