// What the output stream is: a terminal (colour, width) or a pipe.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace gleak {

// --color auto|always|never; auto means a terminal that is not "dumb", and
// never when NO_COLOR is set (https://no-color.org).
bool UseColor(const std::string& mode, std::FILE* stream);

// Columns of the terminal behind `stream`, or 0 when it is not a terminal.
size_t TerminalWidth(std::FILE* stream);

}  // namespace gleak
