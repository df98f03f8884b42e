#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "cli/commands.h"

namespace gleak {

bool UseColor(const std::string& mode, std::FILE* stream) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fileno(stream)) != 0;
}

size_t TerminalWidth(std::FILE* stream) {
  if (isatty(fileno(stream)) == 0) return 0;
  struct winsize ws {};
  if (ioctl(fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 100;
}

void NoteStdinFromTerminal(const std::vector<std::string>& inputs) {
  if (std::find(inputs.begin(), inputs.end(), "-") == inputs.end()) return;
  if (isatty(STDIN_FILENO) == 0) return;
  PrintNote(
      "reading a dump from standard input, which is this terminal: paste it and end with "
      "Ctrl-D, or give a file or URL instead of '-'");
}

}  // namespace gleak
