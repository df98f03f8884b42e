// "Did you mean": the nearest command or option to a mistyped one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace gleak {

// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`:
// "analyse" to "analyze" is 1, "fromat" to "format" is 1.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if one is near enough to be what was meant:
// at most 1 edit for a short word, a third of its length for a longer one.
// Ties go to the first candidate.
std::optional<std::string> Nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// After CLI11 refused `args` (argv without the program): an error message for
// an unknown command or long option, with the nearest known one when there is
// one ("unknown command 'analyse'; did you mean 'analyze'?"), or "" when the
// problem is something else.
std::string UnknownWordMessage(const CLI::App& app, const std::vector<std::string>& args);

}  // namespace gleak
