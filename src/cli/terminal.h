// What the output stream is: a terminal (colour, width) or a pipe; and
// whether standard input is a terminal.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/read_progress.h"

namespace gleak {

// --color auto|always|never; auto means a terminal that is not "dumb", and
// never when NO_COLOR is set (https://no-color.org).
bool UseColor(const std::string& mode, std::FILE* stream);

// Columns of the terminal behind `stream`, or 0 when it is not a terminal.
size_t TerminalWidth(std::FILE* stream);

// A progress line for URL fetches (HttpOptions::on_progress), on standard
// error when it is a terminal and not `quiet`; else none (an empty function).
// Shown once a fetch has taken half a second, rewritten in place at most four
// times a second (bytes so far, the rate), erased when the fetch ends.
std::function<void(const std::string& url, uint64_t received, bool done)> FetchProgress(bool quiet);
// Erases the progress line if one shows: every message on standard error
// calls it first, so that no message lands inside it.
void EraseProgressLine();

// A progress line for reading local inputs and standard input (bytes, of
// how many and what share when every input's size is known, goroutines, the
// rate), on standard error when it is a terminal and not `quiet`, and no
// input is a URL (a fetch shows its own line). Shown once reading has taken
// half a second, rewritten in place four times a second from `progress`,
// erased by Stop() or the destructor. Never on a pipe.
class ReadProgressLine {
 public:
  ReadProgressLine(const ReadProgress& progress, bool quiet,
                   const std::vector<std::string>& inputs);
  ~ReadProgressLine();
  ReadProgressLine(const ReadProgressLine&) = delete;
  ReadProgressLine& operator=(const ReadProgressLine&) = delete;
  // Stops the updates and erases the line; call before printing the result.
  void Stop();

 private:
  void Run();

  const ReadProgress& progress_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// When one of `inputs` is '-' and standard input is a terminal, says on
// standard error that gleak waits for a dump there (else it seems to hang).
void NoteStdinFromTerminal(const std::vector<std::string>& inputs);

}  // namespace gleak
