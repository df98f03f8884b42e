// The command line: parses gleak's arguments, runs the command they name and
// returns its exit code (cli/exit_codes.h). Errors are printed on standard
// error and become exit codes here; nothing below calls exit(). The
// executable's main only calls this, so tests can run a command in-process.
#pragma once

namespace gleak {

// Standard output is flushed and checked, and left open.
int RunGleak(int argc, char** argv);

// For main: closes standard output, where a last write can still fail, and
// returns `code`, or exit code 3 when the close failed.
int CloseStandardOutputAfter(int code);

}  // namespace gleak
