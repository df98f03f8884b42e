// Where a command's result goes: standard output, or a file named by -o.
// Every command writes through this one type, so that every write, flush and
// close is checked the same way, and a file is only replaced once the whole
// result has been written (docs/reliability.md, "Outputs").
#pragma once

#include <cstdio>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace gleak {

class OutputFile {
 public:
  // `target`: empty or "-" for standard output; otherwise a path. A regular
  // file (or a new one) is written to a temporary file beside it and renamed
  // over it by Commit; a device or a FIFO (/dev/null, /dev/full) is written in
  // place. `inputs` are the paths the command reads ("-" is standard input):
  // a target that is one of them, by device and inode, is refused (usage
  // error) before anything is written. Throws gleak::Error (kOutput, exit 3)
  // when the target cannot be opened.
  OutputFile(const std::string& target, const std::vector<std::string>& inputs);
  // Without a Commit, the temporary file is removed: the target keeps what it held.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::FILE* file() { return file_; }
  std::ostream& stream() { return stream_; }
  bool to_stdout() const { return file_ == stdout; }
  // "standard output" or the path, for messages.
  const std::string& name() const { return name_; }

  // Throws gleak::Error (kOutput) naming the output and the reason when a
  // write has failed so far; for commands that write as they go (parse,
  // watch), so that they stop at the first failure.
  void ThrowIfFailed();
  // Flushes, checks, closes and renames the file into place. Throws
  // gleak::Error (kOutput) when any of it fails; the target is then untouched.
  void Commit();

 private:
  // An std::ostream over the FILE, keeping the errno of the first failed write.
  class Buffer : public std::streambuf {
   public:
    explicit Buffer(OutputFile* owner) : owner_(owner) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

   private:
    OutputFile* owner_;
  };

  void NoteFailure();
  [[noreturn]] void ThrowFailure(const char* what);
  void Discard();

  std::string name_;
  std::string final_path_;  // where Commit renames the temporary file; empty: written in place
  std::string temp_path_;   // the temporary file while it exists
  std::FILE* file_ = nullptr;
  int error_ = 0;  // errno of the first failed write, flush or close
  bool failed_ = false;
  Buffer buffer_{this};
  std::ostream stream_{&buffer_};
};

// Flushes standard output and checks that every write to it went through,
// for output written outside an OutputFile (--help, --version) too. Returns
// false, with an error printed, when one failed. It stays open (RunGleak may
// run in-process); main closes it (CloseStandardOutputAfter).
bool FlushStandardOutput();

}  // namespace gleak
