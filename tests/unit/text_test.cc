#include "base/text.h"

#include <gtest/gtest.h>

namespace gleak {
namespace {

TEST(ParseDecimal, ReadsNumbersAndRejectsTheRest) {
  uint64_t v = 0;
  EXPECT_EQ(ParseDecimal("0", &v), NumberStatus::kOk);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(ParseDecimal("18446744073709551615", &v), NumberStatus::kOk);
  EXPECT_EQ(v, 18446744073709551615u);
  EXPECT_EQ(ParseDecimal("18446744073709551616", &v), NumberStatus::kOverflow);
  EXPECT_EQ(ParseDecimal("99999999999999999999999", &v), NumberStatus::kOverflow);
  EXPECT_EQ(ParseDecimal("", &v), NumberStatus::kNotANumber);
  EXPECT_EQ(ParseDecimal("-1", &v), NumberStatus::kNotANumber);
  EXPECT_EQ(ParseDecimal("12a", &v), NumberStatus::kNotANumber);
}

TEST(ConsumeDecimal, StopsAtTheFirstNonDigit) {
  std::string_view s = "123 minutes";
  uint64_t v = 0;
  EXPECT_EQ(ConsumeDecimal(&s, &v), NumberStatus::kOk);
  EXPECT_EQ(v, 123u);
  EXPECT_EQ(s, " minutes");
}

TEST(IsHexNumber, NeedsPrefixAndDigits) {
  EXPECT_TRUE(IsHexNumber("0x1f"));
  EXPECT_FALSE(IsHexNumber("0x"));
  EXPECT_FALSE(IsHexNumber("1f"));
  EXPECT_FALSE(IsHexNumber("0x1g"));
}

}  // namespace
}  // namespace gleak
