#include "base/duration.h"

#include <cctype>
#include <cstdlib>
#include <string>

namespace gleak {

std::optional<double> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) return std::nullopt;
    double value = std::strtod(std::string(text.substr(start, i - start)).c_str(), nullptr);
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (any || i != text.size()) return std::nullopt;  // bare seconds only alone
      return value;
    }
    if (unit == "ms") {
      total += value / 1000;
    } else if (unit == "s") {
      total += value;
    } else if (unit == "m") {
      total += value * 60;
    } else if (unit == "h") {
      total += value * 3600;
    } else {
      return std::nullopt;
    }
    any = true;
  }
  return total;
}

}  // namespace gleak
