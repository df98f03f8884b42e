// Exit codes: a contract with CI scripts (design.md). Never renumber.
#pragma once

namespace gleak {

enum ExitCode : int {
  kExitOk = 0,        // done, nothing at the --fail-on level
  kExitFindings = 1,  // findings or growth at the --fail-on level
  kExitUsage = 2,     // the command line is wrong
  kExitInput = 3,     // an input could not be read or held no goroutines
  kExitOutput = 3,    // ... or a result could not be written (the same code: nothing to use)
};

inline constexpr const char* kExitCodesHelp =
    "Exit codes:\n"
    "  0  done; nothing at the --fail-on level\n"
    "  1  findings or growth at the --fail-on level\n"
    "  2  usage error (unknown option, bad value)\n"
    "  3  an input could not be read, or held no goroutines (an empty goroutine-leak\n"
    "     profile is the runtime's clean answer: 0), and no report is written when\n"
    "     none could; or the result could not be written (a full disk, -o in a folder\n"
    "     that cannot be written)\n";

}  // namespace gleak
