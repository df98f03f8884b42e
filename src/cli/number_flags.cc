#include "cli/number_flags.h"

#include <cmath>
#include <cstdlib>

#include <fmt/core.h>

#include "base/text.h"

namespace gleak {
namespace {

// What the user typed, cut so that a hostile value does not flood the terminal.
std::string Shown(const std::string& text) {
  return text.size() <= 40 ? text : text.substr(0, 40) + "…";
}

std::optional<uint64_t> ParseDigits(std::string_view text) {
  uint64_t value = 0;
  std::string_view rest = text;
  if (ConsumeDecimal(&rest, &value) != NumberStatus::kOk || !rest.empty()) return std::nullopt;
  return value;
}

std::string Bounds(uint64_t min, uint64_t max) {
  if (max == kNoUpperBound) return fmt::format("of {} or more", WithThousandsSeparators(min));
  return fmt::format("from {} to {}", WithThousandsSeparators(min), WithThousandsSeparators(max));
}

}  // namespace

std::string WithThousandsSeparators(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string ReadableBytes(uint64_t n) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = -1;
  uint64_t whole = n;
  while (whole >= 1024 && whole % 1024 == 0 && unit < 5) {
    whole /= 1024;
    ++unit;
  }
  if (unit < 0) return WithThousandsSeparators(n) + (n == 1 ? " byte" : " bytes");
  return fmt::format("{} {}", WithThousandsSeparators(whole), kUnits[unit]);
}

CLI::Validator WholeNumber(uint64_t min, uint64_t max) {
  std::string bounds = Bounds(min, max);
  return CLI::Validator(
      [min, max, bounds](std::string& text) -> std::string {
        std::optional<uint64_t> value = ParseDigits(text);
        if (value && *value >= min && *value <= max) return {};
        return fmt::format("expected a whole number {}, got '{}'", bounds, Shown(text));
      },
      bounds, "WholeNumber");
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && IsDigit(text[digits])) ++digits;
  std::optional<uint64_t> number = ParseDigits(text.substr(0, digits));
  if (!number) return std::nullopt;
  std::string unit;
  for (char c : text.substr(digits)) {
    unit.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  }
  int shift = 0;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "K" || unit == "KIB") {
    shift = 10;
  } else if (unit == "M" || unit == "MIB") {
    shift = 20;
  } else if (unit == "G" || unit == "GIB") {
    shift = 30;
  } else if (unit == "T" || unit == "TIB") {
    shift = 40;
  } else {
    return std::nullopt;
  }
  if (shift > 0 && *number > (kNoUpperBound >> shift)) return std::nullopt;
  return *number << shift;
}

CLI::Validator ByteSize(uint64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        std::optional<uint64_t> bytes = ParseByteSize(text);
        if (!bytes || *bytes < min) {
          return fmt::format(
              "expected a size of {} or more: a number of bytes, or one with a unit such as 64K, "
              "512M, 1G or 1GiB (K, M, G, T: powers of 1024, up to 2^64 - 1 bytes); got '{}'",
              ReadableBytes(min), Shown(text));
        }
        text = std::to_string(*bytes);
        return {};
      },
      "", "ByteSize");
}

CLI::Validator SecondsBetween(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        double seconds = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(seconds) ||
            seconds < min || seconds > max) {
          return fmt::format(
              "expected a number of seconds from {} to {} (e.g. 30 or 0.5), got '{}'", min, max,
              Shown(text));
        }
        return {};
      },
      fmt::format("{} to {}", min, max), "SecondsBetween");
}

}  // namespace gleak
