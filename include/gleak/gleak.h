// gleak's one public header. The library's modules keep their own headers
// beside their sources (src/MODULE/*.h); what a program outside this project
// can call is the command line itself: RunGleak parses gleak's arguments, runs
// the command they name and returns its exit code (src/cli/exit_codes.h). Errors are printed on
// standard error and become exit codes here; nothing below calls exit(). The executable's main only
// calls this, so tests can run a command in-process.
#pragma once

namespace gleak {

// Standard output is flushed and checked, and left open.
int RunGleak(int argc, char** argv);

// For main: closes standard output, where a last write can still fail, and
// returns `code`, or exit code 3 when the close failed.
int CloseStandardOutputAfter(int code);

}  // namespace gleak
