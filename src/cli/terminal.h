// What the output stream is: a terminal (colour, width) or a pipe; and
// whether standard input is a terminal.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace gleak {

// --color auto|always|never; auto means a terminal that is not "dumb", and
// never when NO_COLOR is set (https://no-color.org).
bool UseColor(const std::string& mode, std::FILE* stream);

// Columns of the terminal behind `stream`, or 0 when it is not a terminal.
size_t TerminalWidth(std::FILE* stream);

// When one of `inputs` is '-' and standard input is a terminal, says on
// standard error that gleak waits for a dump there (else it seems to hang).
void NoteStdinFromTerminal(const std::vector<std::string>& inputs);

}  // namespace gleak
