#include "gleak/base/text.h"

#include <limits>

namespace gleak {

NumberStatus ConsumeDecimal(std::string_view* s, uint64_t* value) {
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

NumberStatus ParseDecimal(std::string_view s, uint64_t* value) {
  NumberStatus status = ConsumeDecimal(&s, value);
  if (status == NumberStatus::kOk && !s.empty()) return NumberStatus::kNotANumber;
  if (status == NumberStatus::kOverflow && !s.empty()) return NumberStatus::kNotANumber;
  return status;
}

bool IsHexNumber(std::string_view s) {
  if (!ConsumePrefix(&s, "0x") || s.empty()) return false;
  for (char c : s) {
    if (!IsHexDigit(c)) return false;
  }
  return true;
}

}  // namespace gleak
