#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/core.h>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "gleak/gleak.h"
#include "input/http_source.h"

namespace gleak {
namespace {

std::string Reason(int error) { return error != 0 ? std::strerror(error) : "write error"; }

// Refuses an output that is one of the inputs: a name compare would miss
// `./x.txt`, a hard link or a symlink, so files are compared by identity.
void RefuseInputAsOutput(const std::string& target, const std::vector<std::string>& inputs) {
  struct stat out {};
  if (::stat(target.c_str(), &out) != 0) return;  // a new file is nobody's input
  for (const std::string& input : inputs) {
    if (input.empty() || LooksLikeUrl(input)) continue;
    struct stat in {};
    int rc = input == "-" ? ::fstat(STDIN_FILENO, &in) : ::stat(input.c_str(), &in);
    if (rc == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
      ThrowUsageError(fmt::format(
          "-o {} is the input {}: gleak does not write over what it reads; choose another file",
          target, input == "-" ? "'-' (standard input)" : input));
    }
  }
}

// Paths that name an already open file (/dev/stdout, /proc/self/fd/N): they are
// written in place, never replaced.
bool NamesAnOpenFile(const std::string& path) {
  return path.starts_with("/dev/std") || path.starts_with("/dev/fd/") || path.starts_with("/proc/");
}

mode_t NewFileMode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

OutputFile::OutputFile(const std::string& target, const std::vector<std::string>& inputs) {
  if (target.empty() || target == "-") {
    name_ = "standard output";
    file_ = stdout;
    return;
  }
  name_ = target;
  RefuseInputAsOutput(target, inputs);
  struct stat st {};
  bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    ThrowOutputError(fmt::format("{}: cannot write: it is a directory; -o takes a file", target));
  }
  if ((exists && !S_ISREG(st.st_mode)) || NamesAnOpenFile(target)) {
    // A device, a FIFO or an open file: there is nothing to replace. Appending
    // keeps what a shell's `>>` put before it.
    int flags = O_WRONLY | O_CLOEXEC | (exists && S_ISREG(st.st_mode) ? O_APPEND : 0);
    int fd = ::open(target.c_str(), flags);
    if (fd < 0 || (file_ = ::fdopen(fd, "w")) == nullptr) {
      int error = errno;
      if (fd >= 0) ::close(fd);
      ThrowOutputError(fmt::format("{}: cannot write: {}", target, Reason(error)));
    }
    return;
  }
  // A regular file, or a new one: written beside the target and renamed over
  // it when complete. A symlink is followed, so that the link stays a link.
  namespace fs = std::filesystem;
  fs::path final_path = target;
  if (exists) {
    std::error_code ec;
    fs::path real = fs::canonical(target, ec);
    if (!ec) final_path = real;
  }
  fs::path dir = final_path.parent_path();
  std::string temp = (dir / ("." + final_path.filename().string() + ".gleak-XXXXXX")).string();
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    ThrowOutputError(fmt::format("{}: cannot write: {}", target, Reason(errno)));
  }
  temp_path_ = temp;
  final_path_ = final_path.string();
  ::fchmod(fd, exists ? (st.st_mode & 07777) : NewFileMode());
  file_ = ::fdopen(fd, "w");
  if (file_ == nullptr) {
    int error = errno;
    ::close(fd);
    Discard();
    ThrowOutputError(fmt::format("{}: cannot write: {}", target, Reason(error)));
  }
}

OutputFile::~OutputFile() { Discard(); }

void OutputFile::Discard() {
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  if (file_ != stdout) file_ = nullptr;
  if (!temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
}

void OutputFile::NoteFailure() {
  if (!failed_) {
    failed_ = true;
    error_ = errno;
  }
}

void OutputFile::ThrowFailure(const char* what) {
  ThrowOutputError(fmt::format("{}: {}: {}", name_, what, Reason(error_)));
}

void OutputFile::ThrowIfFailed() {
  if (file_ != nullptr && std::ferror(file_)) NoteFailure();
  if (failed_) ThrowFailure("cannot write");
}

void OutputFile::Commit() {
  if (file_ == nullptr) ThrowOutputError(fmt::format("{}: written twice", name_));
  stream_.flush();
  errno = 0;
  if (std::fflush(file_) != 0 || std::ferror(file_)) NoteFailure();
  if (failed_) ThrowFailure("cannot write");
  if (file_ == stdout) return;  // main closes it (CloseStandardOutputAfter)
  if (!temp_path_.empty() && ::fsync(::fileno(file_)) != 0) {
    NoteFailure();
    ThrowFailure("cannot write");
  }
  std::FILE* file = file_;
  file_ = nullptr;
  if (std::fclose(file) != 0) {
    NoteFailure();
    ThrowFailure("cannot write");
  }
  if (!temp_path_.empty()) {
    if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      NoteFailure();
      ThrowFailure("cannot replace the file");
    }
    temp_path_.clear();
  }
}

OutputFile::Buffer::int_type OutputFile::Buffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  if (owner_->file_ == nullptr || std::fputc(c, owner_->file_) == EOF) {
    owner_->NoteFailure();
    return traits_type::eof();
  }
  return c;
}

std::streamsize OutputFile::Buffer::xsputn(const char* s, std::streamsize n) {
  if (owner_->file_ == nullptr) return 0;
  size_t written = std::fwrite(s, 1, static_cast<size_t>(n), owner_->file_);
  if (written < static_cast<size_t>(n)) owner_->NoteFailure();
  return static_cast<std::streamsize>(written);
}

int OutputFile::Buffer::sync() {
  if (owner_->file_ == nullptr) return 0;
  if (std::fflush(owner_->file_) != 0) {
    owner_->NoteFailure();
    return -1;
  }
  return 0;
}

bool FlushStandardOutput() {
  errno = 0;
  bool ok = std::fflush(stdout) == 0 && !std::ferror(stdout);
  if (!ok) PrintError(fmt::format("standard output: cannot write: {}", Reason(errno)));
  return ok;
}

int CloseStandardOutputAfter(int code) {
  // A write can still fail at the close (a full disk behind NFS): the result
  // did not reach its reader, whatever the findings.
  errno = 0;
  if (std::fclose(stdout) != 0) {
    PrintError(fmt::format("standard output: cannot write: {}", Reason(errno)));
    return kExitOutput;
  }
  return code;
}

}  // namespace gleak
