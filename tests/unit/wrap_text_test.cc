#include "render/wrap_text.h"

#include <gtest/gtest.h>

namespace gleak {
namespace {

TEST(WrapText, FillsAParagraphWrittenOverSeveralLinesAgain) {
  EXPECT_EQ(WrapText("one two three\nfour five six seven\n", 14),
            "one two three\nfour five six\nseven\n");
  EXPECT_EQ(WrapText("short", 80), "short");  // no newline added
}

TEST(WrapText, AnItemHangsAtItsDefinitionColumn) {
  EXPECT_EQ(WrapText("  3  an input could not be read, or held no\n     goroutines at all\n", 30),
            "  3  an input could not be\n     read, or held no\n     goroutines at all\n");
  // The next item starts at its own indentation, not at the hang.
  EXPECT_EQ(WrapText("  0  done\n  1  findings\n", 30), "  0  done\n  1  findings\n");
}

TEST(WrapText, AnIndentedCommandGoesOnFourColumnsIn) {
  EXPECT_EQ(WrapText("  gleak analyze --format json dump.txt.gz\n", 30),
            "  gleak analyze --format json\n      dump.txt.gz\n");
}

TEST(WrapText, MeasuresDisplayColumnsAndKeepsLongWordsWhole) {
  // Each CJK character takes two columns: four of them fill eight.
  EXPECT_EQ(WrapText("\u6f22\u5b57\u6f22\u5b57 abc", 10), "\u6f22\u5b57\u6f22\u5b57\nabc");
  EXPECT_EQ(WrapText("see http://127.0.0.1:6060/debug/pprof/goroutine?debug=2 now", 20),
            "see\nhttp://127.0.0.1:6060/debug/pprof/goroutine?debug=2\nnow");
  EXPECT_EQ(WrapText("a b c", 0), "a b c");
}

}  // namespace
}  // namespace gleak
