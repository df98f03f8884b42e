#include "parse/line_scanner.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace gleak {
namespace {

std::vector<Line> Collect(ByteSource& source, size_t max = LineScanner::kDefaultMaxLineLength,
                          std::vector<std::string>* texts = nullptr) {
  LineScanner scanner(source, max);
  std::vector<Line> lines;
  Line line;
  while (scanner.Next(&line)) {
    lines.push_back(line);
    if (texts) texts->emplace_back(line.text);
  }
  return lines;
}

TEST(LineScanner, SplitsLinesAndStripsCarriageReturns) {
  auto source = MemorySource("m", "a\r\nbb\n\nccc");
  std::vector<std::string> texts;
  std::vector<Line> lines = Collect(*source, LineScanner::kDefaultMaxLineLength, &texts);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(texts, (std::vector<std::string>{"a", "bb", "", "ccc"}));
  EXPECT_EQ(lines[3].number, 4u);
  EXPECT_TRUE(lines[2].ends_with_newline);
  EXPECT_FALSE(lines[3].ends_with_newline);
}

TEST(LineScanner, SameLinesWhateverTheReadSize) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "line " + std::to_string(i) + std::string(i % 97, 'x') + "\n";
  auto whole = MemorySource("m", text);
  std::vector<std::string> expected, got;
  Collect(*whole, LineScanner::kDefaultMaxLineLength, &expected);
  for (size_t step : {1u, 7u, 4096u}) {
    // At most `step` bytes a read, to cross every chunk boundary.
    auto trickle = MemorySource("trickle", text, step);
    got.clear();
    Collect(*trickle, LineScanner::kDefaultMaxLineLength, &got);
    EXPECT_EQ(got, expected) << "step " << step;
  }
}

TEST(LineScanner, OverlongLinesAreSkippedNotHeld) {
  std::string text = "before\n" + std::string(5000, 'z') + "\nafter\n";
  auto source = MemorySource("trickle", text, 100);
  std::vector<std::string> texts;
  std::vector<Line> lines = Collect(*source, 1024, &texts);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(texts[0], "before");
  EXPECT_TRUE(lines[1].overlong);
  EXPECT_EQ(lines[1].overlong_bytes, 5000u);
  EXPECT_EQ(texts[2], "after");
  EXPECT_EQ(lines[2].number, 3u);
}

TEST(LineScanner, OverlongLastLineWithoutNewline) {
  auto source = MemorySource("m", "a\n" + std::string(3000, 'q'));
  std::vector<Line> lines = Collect(*source, 1024);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[1].overlong);
  EXPECT_FALSE(lines[1].ends_with_newline);
}

TEST(LineScanner, EmptyInputHasNoLines) {
  auto source = MemorySource("m", "");
  EXPECT_TRUE(Collect(*source).empty());
}

}  // namespace
}  // namespace gleak
