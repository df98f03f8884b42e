// --help text wrapped at the terminal's width (80 columns in a pipe, as
// help2man and most tools expect), so that no description runs off a line.
#pragma once

#include <cstddef>
#include <memory>

#include <CLI/CLI.hpp>

namespace gleak {

// A CLI11 formatter that wraps option descriptions beside their names, and
// the description and footer of each command, at `width` columns.
std::shared_ptr<CLI::Formatter> WrappingHelpFormatter(size_t width);

// The width --help wraps at: the terminal's (of standard output, else of
// standard error), or 80 when neither is one; never less than 40.
size_t HelpWidth();

}  // namespace gleak
