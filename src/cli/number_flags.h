// Validators for numeric options. CLI11 reads "-1" into an unsigned option by
// wrapping it around (--suspect-count -1 became 2^64 - 1), and its range
// messages print a double's bounds in 300 digits; these read digits only, and
// say the bounds as a person would write them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace gleak {

inline constexpr uint64_t kNoUpperBound = std::numeric_limits<uint64_t>::max();

// A whole number in [min, max], written in decimal digits only: no sign,
// space, exponent or fraction.
CLI::Validator WholeNumber(uint64_t min, uint64_t max = kNoUpperBound);

// A size in bytes: digits with an optional unit, K, M, G or T (or KiB, MiB,
// GiB, TiB: powers of 1024; case does not matter), at least `min` bytes; use
// it with transform(): the option receives the number of bytes. KB, MB and GB
// are refused: they mean powers of 1000 to some and of 1024 to others.
CLI::Validator ByteSize(uint64_t min);
std::optional<uint64_t> ParseByteSize(std::string_view text);

// A number of seconds from `min` to `max` (a fraction allowed).
CLI::Validator SecondsBetween(double min, double max);

// 1234567 as "1,234,567".
std::string WithThousandsSeparators(uint64_t n);
// 17179869184 as "16 GiB", 1000 as "1,000 bytes".
std::string ReadableBytes(uint64_t n);

}  // namespace gleak
