#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/core.h>

#include "cli/commands.h"
#include "gleak/base/redact.h"
#include "gleak/base/terminal_safe.h"

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

namespace {

std::mutex g_progress_mutex;
bool g_progress_showing = false;  // a progress line is on standard error, unended

std::string ProgressBytes(double n) {
  if (n < 1024) return fmt::format("{:.0f} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", n / 1024);
  if (n < 1024.0 * 1024 * 1024) return fmt::format("{:.1f} MiB", n / (1024 * 1024));
  return fmt::format("{:.2f} GiB", n / (1024.0 * 1024 * 1024));
}

}  // namespace

void EraseProgressLine() {
  std::lock_guard<std::mutex> lock(g_progress_mutex);
  if (!g_progress_showing) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  g_progress_showing = false;
}

std::function<void(const std::string&, uint64_t, bool)> FetchProgress(bool quiet) {
  if (quiet || isatty(STDERR_FILENO) == 0) return {};
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return {};
  using Clock = std::chrono::steady_clock;
  struct Fetch {
    Clock::time_point start, shown;
  };
  auto fetches = std::make_shared<std::map<std::string, Fetch>>();
  size_t width = TerminalWidth(stderr);
  return [fetches, width](const std::string& url, uint64_t received, bool done) {
    if (done) {
      EraseProgressLine();
      std::lock_guard<std::mutex> lock(g_progress_mutex);
      fetches->erase(url);
      return;
    }
    std::lock_guard<std::mutex> lock(g_progress_mutex);
    Clock::time_point now = Clock::now();
    auto [it, added] = fetches->try_emplace(url, Fetch{now, now});
    Fetch& fetch = it->second;
    if (added || now - fetch.start < std::chrono::milliseconds(500) ||
        now - fetch.shown < std::chrono::milliseconds(250)) {
      return;
    }
    fetch.shown = now;
    double seconds = std::chrono::duration<double>(now - fetch.start).count();
    std::string line = TerminalSafe(
        fmt::format("gleak: fetching {}: {} in {:.0f}s ({}/s)", RedactUrlPasswords(url),
                    ProgressBytes(static_cast<double>(received)), seconds,
                    ProgressBytes(static_cast<double>(received) / seconds)));
    // One terminal line, or the carriage return could not rewrite it.
    size_t columns = 0, cut = 0;
    for (; cut < line.size(); ++cut) {
      if ((static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) continue;
      if (++columns >= width) break;
    }
    std::fputs(("\r\x1b[K" + line.substr(0, cut)).c_str(), stderr);
    std::fflush(stderr);
    g_progress_showing = true;
  };
}

void NoteStdinFromTerminal(const std::vector<std::string>& inputs) {
  if (std::find(inputs.begin(), inputs.end(), "-") == inputs.end()) return;
  if (isatty(STDIN_FILENO) == 0) return;
  PrintNote(
      "reading a dump from standard input, which is this terminal: paste it and end with "
      "Ctrl-D, or give a file or URL instead of '-'");
}

}  // namespace gleak
