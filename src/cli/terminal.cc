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

#include "base/redact.h"
#include "base/terminal_safe.h"
#include "cli/commands.h"
#include "cli/number_flags.h"
#include "input/http_source.h"

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

bool ShowsProgress(bool quiet) {
  if (quiet || isatty(STDERR_FILENO) == 0) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

// `line` cut to one line of `width` columns, or the carriage return could not
// rewrite it (counts code points: every character here is one column).
std::string OneLine(const std::string& line, size_t width) {
  size_t columns = 0, cut = 0;
  for (; cut < line.size(); ++cut) {
    if ((static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) continue;
    if (++columns >= width) break;
  }
  return line.substr(0, cut);
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
  if (!ShowsProgress(quiet)) return {};
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
    std::fputs(("\r\x1b[K" + OneLine(line, width)).c_str(), stderr);
    std::fflush(stderr);
    g_progress_showing = true;
  };
}

ReadProgressLine::ReadProgressLine(const ReadProgress& progress, bool quiet,
                                   const std::vector<std::string>& inputs)
    : progress_(progress) {
  if (!ShowsProgress(quiet)) return;
  if (std::any_of(inputs.begin(), inputs.end(),
                  [](const std::string& in) { return LooksLikeUrl(in); })) {
    return;
  }
  thread_ = std::thread([this] { Run(); });
}

ReadProgressLine::~ReadProgressLine() { Stop(); }

void ReadProgressLine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  EraseProgressLine();
}

void ReadProgressLine::Run() {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const size_t width = TerminalWidth(stderr);
  std::unique_lock<std::mutex> lock(mutex_);
  if (wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) return;
  do {
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    uint64_t total = progress_.total_bytes.load(std::memory_order_relaxed);
    uint64_t bytes = progress_.bytes.load(std::memory_order_relaxed);
    if (total > 0) bytes = std::min(bytes, total);  // a range read twice counts twice
    std::string share =
        total > 0 ? fmt::format(" of {} ({:.0f}%)", ProgressBytes(static_cast<double>(total)),
                                100.0 * static_cast<double>(bytes) / static_cast<double>(total))
                  : "";
    std::string line = fmt::format(
        "gleak: reading {}{}, {} goroutines, {}/s", ProgressBytes(static_cast<double>(bytes)),
        share, WithThousandsSeparators(progress_.goroutines.load(std::memory_order_relaxed)),
        ProgressBytes(static_cast<double>(bytes) / seconds));
    {
      std::lock_guard<std::mutex> out(g_progress_mutex);
      std::fputs(("\r\x1b[K" + OneLine(line, width)).c_str(), stderr);
      std::fflush(stderr);
      g_progress_showing = true;
    }
  } while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; }));
}

void NoteStdinFromTerminal(const std::vector<std::string>& inputs) {
  if (std::find(inputs.begin(), inputs.end(), "-") == inputs.end()) return;
  if (isatty(STDIN_FILENO) == 0) return;
  PrintNote(
      "reading a dump from standard input, which is this terminal: paste it and end with "
      "Ctrl-D, or give a file or URL instead of '-'");
}

}  // namespace gleak
