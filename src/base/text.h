// Small string_view helpers for the parser's hot path: no allocation, no locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gleak {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsBlank(s[i])) ++i;
  return s.substr(i);
}

inline std::string_view TrimRight(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsBlank(s[n - 1])) --n;
  return s.substr(0, n);
}

inline bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (!s->starts_with(prefix)) return false;
  s->remove_prefix(prefix.size());
  return true;
}

inline bool ConsumeSuffix(std::string_view* s, std::string_view suffix) {
  if (!s->ends_with(suffix)) return false;
  s->remove_suffix(suffix.size());
  return true;
}

// Result of reading an unsigned decimal number that must fit in 64 bits.
enum class NumberStatus { kOk, kNotANumber, kOverflow };

// Reads the run of decimal digits at the front of `*s`, consuming it.
// Inline: the parser reads a number on every file line.
inline NumberStatus ConsumeDecimal(std::string_view* s, uint64_t* value) {
  size_t i = 0;
  uint64_t v = 0;
  bool overflow = false;
  while (i < s->size() && IsDigit((*s)[i])) {
    uint64_t d = static_cast<uint64_t>((*s)[i] - '0');
    uint64_t next = 0;
    if (__builtin_mul_overflow(v, 10, &next) || __builtin_add_overflow(next, d, &next)) {
      overflow = true;
    }
    if (!overflow) v = next;
    ++i;
  }
  if (i == 0) return NumberStatus::kNotANumber;
  s->remove_prefix(i);
  if (overflow) return NumberStatus::kOverflow;
  *value = v;
  return NumberStatus::kOk;
}

// Parses the whole of `s` as a decimal uint64 (no sign, no spaces).
inline NumberStatus ParseDecimal(std::string_view s, uint64_t* value) {
  NumberStatus status = ConsumeDecimal(&s, value);
  if (status != NumberStatus::kNotANumber && !s.empty()) return NumberStatus::kNotANumber;
  return status;
}

// a + b, held at the largest uint64 instead of wrapping (counts from a
// hostile debug=1 profile can be anything).
inline uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  uint64_t sum = a + b;
  return sum < a ? ~uint64_t{0} : sum;
}

// True when all of `s` is "0x" followed by one or more hex digits.
inline bool IsHexNumber(std::string_view s) {
  if (!ConsumePrefix(&s, "0x") || s.empty()) return false;
  for (char c : s) {
    if (!IsHexDigit(c)) return false;
  }
  return true;
}

}  // namespace gleak
