#include "input/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "base/error.h"
#include "input/http_source.h"

namespace gleak {
namespace {

// Reads a file descriptor. A few bytes already read to sniff the encoding are
// given back first.
class FdSource : public ByteSource {
 public:
  // `limit`: read at most this many bytes (0: to the end). A regular file is
  // read as it was when opened, so one still being written cannot keep gleak
  // reading for as long as the writer is faster.
  // `position`: read with pread from there on, so that ranges of one file
  // can be read on several threads.
  FdSource(std::string name, int fd, bool owns_fd, uint64_t limit = 0,
           std::optional<uint64_t> position = std::nullopt)
      : name_(std::move(name)), fd_(fd), owns_(owns_fd), limit_(limit), position_(position) {}
  ~FdSource() override {
    if (owns_) ::close(fd_);
  }

  size_t Read(char* buffer, size_t capacity) override {
    if (limit_ > 0) {
      if (raw_bytes_ >= limit_) return 0;
      capacity = static_cast<size_t>(std::min<uint64_t>(capacity, limit_ - raw_bytes_));
    }
    // The end is final: a terminal's Ctrl-D ends one read only, and a reader
    // that asks again (the gzip sniff, the parser) would wait for another.
    if (at_end_) return 0;
    for (;;) {
      ssize_t n = position_ ? ::pread(fd_, buffer, capacity, static_cast<off_t>(*position_))
                            : ::read(fd_, buffer, capacity);
      if (n >= 0) {
        at_end_ = n == 0 && capacity > 0;
        if (position_) *position_ += static_cast<uint64_t>(n);
        raw_bytes_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno == EINTR) continue;
      ThrowInputError(fmt::format("{}: read failed: {}", name_, std::strerror(errno)));
    }
  }

  const std::string& name() const override { return name_; }
  uint64_t raw_bytes() const override { return raw_bytes_; }

 private:
  std::string name_;
  int fd_;
  bool owns_;
  uint64_t limit_;
  std::optional<uint64_t> position_;
  uint64_t raw_bytes_ = 0;
  bool at_end_ = false;
};

// igzip's AVX code returns with the upper halves of the vector registers in
// use; until they are cleared, every SSE instruction the parser runs after it
// waits on them (measured: the parser took 1.5x as long on inflated input).
inline void ClearUpperVectorState() {
#if defined(__x86_64__)
  static const bool avx = __builtin_cpu_supports("avx");
  if (avx) asm volatile("vzeroupper" ::: "memory");
#endif
}

// Why ISA-L's inflate stopped, in words like zlib's.
const char* InflateErrorText(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid block";
    case ISAL_INVALID_SYMBOL:
      return "invalid code";
    case ISAL_INVALID_LOOKBACK:
      return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
      return "incorrect header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "incorrect data check";
    default:
      return "inflate error";
  }
}

// Inflates gzip (all members of a concatenated file) from another source, in
// the stream, with ISA-L's igzip: several times faster than zlib's inflate.
// Memory: the inflate state (about 100 KiB with its window) and one input chunk.
class GzipSource : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> inner, uint64_t max_bytes)
      : inner_(std::move(inner)),
        max_bytes_(max_bytes),
        in_(kInputChunk),
        state_(std::make_unique<inflate_state>()) {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
  }

  size_t Read(char* buffer, size_t capacity) override {
    if (held_at_ == held_.size() && capacity >= kLeastOut) return Inflate(buffer, capacity);
    if (held_at_ == held_.size()) {
      // A small read: inflate into a buffer of our own, so that igzip always
      // has room. With little room it keeps more of a cut stream's tail to
      // itself, and what a cut file yields would depend on the read sizes.
      held_.resize(kLeastOut);
      held_.resize(Inflate(held_.data(), held_.size()));
      held_at_ = 0;
    }
    size_t n = std::min(capacity, held_.size() - held_at_);
    std::memcpy(buffer, held_.data() + held_at_, n);
    held_at_ += n;
    return n;
  }

  const std::string& name() const override { return inner_->name(); }
  const char* encoding() const override { return "gzip"; }
  uint64_t raw_bytes() const override { return inner_->raw_bytes(); }

 private:
  static constexpr size_t kInputChunk = 256 * 1024;
  static constexpr size_t kLeastOut = 64 * 1024;

  // Inflates into `buffer`, never past max_bytes_: an input that expands
  // beyond it gives its first max_bytes_ bytes, then the error, whatever the
  // size of the reads (a read of 1 MiB once lost all it had inflated).
  size_t Inflate(char* buffer, size_t capacity) {
    uint64_t room = out_bytes_ < max_bytes_ ? max_bytes_ - out_bytes_ : 0;
    if (room > 0) {
      return InflateSome(buffer, static_cast<size_t>(std::min<uint64_t>(capacity, room)));
    }
    char probe;  // at the limit: one byte more is one too many
    if (InflateSome(&probe, 1) > 0) {
      ThrowInputError(
          fmt::format("{}: gzip input expands beyond {} bytes; refusing it (raise --max-bytes)",
                      name(), max_bytes_));
    }
    return 0;
  }

  size_t InflateSome(char* buffer, size_t capacity) {
    inflate_state& st = *state_;
    st.next_out = reinterpret_cast<uint8_t*>(buffer);
    st.avail_out = static_cast<uint32_t>(std::min<size_t>(capacity, 1u << 30));
    size_t produced = 0;
    auto step = [&] {
      uint32_t out_before = st.avail_out;
      uint32_t in_before = st.avail_in;
      int rc = isal_inflate(&st);
      ClearUpperVectorState();
      produced = static_cast<size_t>(st.next_out - reinterpret_cast<uint8_t*>(buffer));
      if (rc < 0) {
        ThrowInputError(fmt::format("{}: corrupt gzip data after {} decompressed bytes ({})",
                                    name(), out_bytes_ + produced, InflateErrorText(rc)));
      }
      member_done_ = st.block_state == ISAL_BLOCK_FINISH;
      // With room left over, igzip wrote all it could of the input it took.
      drained_ = st.avail_out > 0;
      if (!member_done_ && in_before > 0 && st.avail_out == out_before &&
          st.avail_in == in_before) {
        // Neither read nor written with both at hand: never expected; do not spin.
        ThrowInputError(
            fmt::format("{}: corrupt gzip data after {} decompressed bytes (no "
                        "progress)",
                        name(), out_bytes_ + produced));
      }
    };
    while (st.avail_out > 0) {
      if (st.avail_in == 0 && !drained_ && !member_done_) {
        step();  // output igzip holds from input it already took
        continue;
      }
      if (st.avail_in == 0) {
        if (produced > 0) break;  // hand over what we have before reading on
        size_t n = inner_->Read(reinterpret_cast<char*>(in_.data()), in_.size());
        if (n == 0) {
          if (!member_done_) {
            ThrowInputError(
                fmt::format("{}: gzip data ends early (after {} decompressed bytes): the file is "
                            "cut or corrupt",
                            name(), out_bytes_));
          }
          break;
        }
        st.next_in = in_.data();
        st.avail_in = static_cast<uint32_t>(n);
      }
      if (member_done_) {
        // Another gzip member follows the one that ended (concatenated .gz files).
        uint8_t* next_in = st.next_in;
        uint32_t avail_in = st.avail_in;
        isal_inflate_reset(&st);
        st.crc_flag = ISAL_GZIP;
        st.next_in = next_in;
        st.avail_in = avail_in;
        member_done_ = false;
      }
      step();
    }
    out_bytes_ += produced;
    return produced;
  }

  std::unique_ptr<ByteSource> inner_;
  uint64_t max_bytes_;
  std::vector<uint8_t> in_;
  std::unique_ptr<inflate_state> state_;  // large: on the heap
  bool member_done_ = false;
  bool drained_ = true;     // igzip holds no output of the input it took
  uint64_t out_bytes_ = 0;  // inflated so far
  std::vector<char> held_;  // inflated for small reads, not yet read
  size_t held_at_ = 0;
};

// Passes a plain input through up to a number of bytes, then refuses it:
// --max-bytes bounds every input, /dev/zero and an endless pipe included.
class BoundedSource : public ByteSource {
 public:
  BoundedSource(std::unique_ptr<ByteSource> inner, uint64_t max_bytes)
      : inner_(std::move(inner)), max_bytes_(max_bytes) {}
  size_t Read(char* buffer, size_t capacity) override {
    size_t n = inner_->Read(buffer, capacity);
    bytes_ += n;
    if (bytes_ > max_bytes_) {
      ThrowInputError(
          fmt::format("{}: the input is larger than {} bytes; refusing it (raise --max-bytes)",
                      name(), max_bytes_));
    }
    return n;
  }
  const std::string& name() const override { return inner_->name(); }
  const char* encoding() const override { return inner_->encoding(); }
  uint64_t raw_bytes() const override { return inner_->raw_bytes(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;
};

// Gives back the few bytes read to sniff the encoding, then reads on.
class SniffedSource : public ByteSource {
 public:
  SniffedSource(std::unique_ptr<ByteSource> inner, std::string head)
      : inner_(std::move(inner)), head_(std::move(head)) {}
  size_t Read(char* buffer, size_t capacity) override {
    if (head_pos_ < head_.size()) {
      size_t n = std::min(capacity, head_.size() - head_pos_);
      std::memcpy(buffer, head_.data() + head_pos_, n);
      head_pos_ += n;
      return n;
    }
    return inner_->Read(buffer, capacity);
  }
  const std::string& name() const override { return inner_->name(); }
  const char* encoding() const override { return inner_->encoding(); }
  uint64_t raw_bytes() const override { return inner_->raw_bytes(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string head_;
  size_t head_pos_ = 0;
};

class MemoryBytesSource : public ByteSource {
 public:
  // `owned` holds the bytes when `bytes` views it.
  MemoryBytesSource(std::string name, std::string owned, std::string_view bytes, size_t max_read)
      : name_(std::move(name)),
        owned_(std::move(owned)),
        bytes_(owned_.empty() ? bytes : std::string_view(owned_)),
        max_read_(max_read) {}
  size_t Read(char* buffer, size_t capacity) override {
    size_t n = std::min({capacity, max_read_, bytes_.size() - pos_});
    if (n > 0) std::memcpy(buffer, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }
  uint64_t raw_bytes() const override { return pos_; }

 private:
  std::string name_;
  std::string owned_;
  std::string_view bytes_;
  size_t max_read_;
  size_t pos_ = 0;
};

std::unique_ptr<ByteSource> OpenFd(const std::string& spec) {
  if (spec == "-") return std::make_unique<FdSource>("<stdin>", 0, false);
  int fd = ::open(spec.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ThrowInputError(fmt::format("{}: cannot open: {}", spec, std::strerror(errno)));
  struct stat st;
  bool stat_ok = ::fstat(fd, &st) == 0;
  if (stat_ok && S_ISDIR(st.st_mode)) {
    ::close(fd);
    ThrowInputError(fmt::format("{}: is a directory, not a dump file", spec));
  }
  // Size 0 may mean unknown (/proc files): read those to the end.
  uint64_t size =
      stat_ok && S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return std::make_unique<FdSource>(spec, fd, true, size);
}

// Gzip is recognised by its magic bytes (1f 8b), read without assuming the
// first read returns both.
// The one test of whether bytes are gzip: its two magic bytes.
bool StartsLikeGzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

std::unique_ptr<ByteSource> Decompressed(std::unique_ptr<ByteSource> source,
                                         const InputLimits& limits) {
  std::string head;
  char byte_buffer[2];
  while (head.size() < 2) {
    size_t n = source->Read(byte_buffer, 2 - head.size());
    if (n == 0) break;
    head.append(byte_buffer, n);
  }
  bool gzip = StartsLikeGzip(head);
  auto sniffed = std::make_unique<SniffedSource>(std::move(source), std::move(head));
  if (gzip) return std::make_unique<GzipSource>(std::move(sniffed), limits.max_decompressed_bytes);
  return std::make_unique<BoundedSource>(std::move(sniffed), limits.max_decompressed_bytes);
}

class SavingSource : public ByteSource {
 public:
  SavingSource(std::unique_ptr<ByteSource> inner, const std::string& path)
      : inner_(std::move(inner)), path_(path), file_(gzopen(path.c_str(), "wb6")) {
    if (file_ == nullptr) {
      ThrowInputError(
          fmt::format("{}: cannot write the snapshot copy: {}", path, std::strerror(errno)));
    }
  }
  ~SavingSource() override {
    if (file_ != nullptr) gzclose(file_);
  }
  size_t Read(char* buffer, size_t capacity) override {
    size_t n = inner_->Read(buffer, capacity);
    if (n > 0 && gzwrite(file_, buffer, static_cast<unsigned>(n)) != static_cast<int>(n)) {
      ThrowInputError(fmt::format("{}: cannot write the snapshot copy", path_));
    }
    if (n == 0 && file_ != nullptr) {
      // The end of the input: gzclose writes what zlib still holds, and a full
      // disk shows here, so a copy that was cut is never taken for whole.
      int rc = gzclose(file_);
      file_ = nullptr;
      if (rc != Z_OK) {
        ThrowInputError(fmt::format("{}: cannot write the snapshot copy: {}", path_,
                                    rc == Z_ERRNO ? std::strerror(errno) : "zlib error"));
      }
    }
    return n;
  }
  const std::string& name() const override { return inner_->name(); }
  const char* encoding() const override { return inner_->encoding(); }
  uint64_t raw_bytes() const override { return inner_->raw_bytes(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string path_;
  gzFile file_;
};

class ReadAheadSource : public ByteSource {
 public:
  ReadAheadSource(std::unique_ptr<ByteSource> inner, size_t buffer_bytes, size_t buffers)
      : inner_(std::move(inner)),
        name_(inner_->name()),
        encoding_(inner_->encoding()),
        raw_bytes_(inner_->raw_bytes()) {
    for (size_t i = 0; i < std::max<size_t>(buffers, 2); ++i) {
      free_.emplace_back(std::max<size_t>(buffer_bytes, 1));
    }
    thread_ = std::thread([this] { Produce(); });
  }
  ~ReadAheadSource() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  size_t Read(char* buffer, size_t capacity) override {
    if (pos_ == current_size_) {
      std::unique_lock<std::mutex> lock(mu_);
      if (!current_.empty()) {
        free_.push_back(std::move(current_));
        changed_.notify_all();
      }
      current_.clear();
      current_size_ = pos_ = 0;
      changed_.wait(lock, [&] { return !full_.empty() || done_; });
      if (full_.empty()) {
        if (error_) std::rethrow_exception(error_);
        return 0;
      }
      current_ = std::move(full_.front().first);
      current_size_ = full_.front().second;
      full_.pop_front();
    }
    size_t n = std::min(capacity, current_size_ - pos_);
    std::memcpy(buffer, current_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }
  const char* encoding() const override { return encoding_; }
  uint64_t raw_bytes() const override { return raw_bytes_.load(); }

 private:
  // The reading thread: fills free buffers until the end, an error or stop.
  void Produce() {
    for (;;) {
      std::vector<char> buffer;
      {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait(lock, [&] { return !free_.empty() || stop_; });
        if (stop_) return;
        buffer = std::move(free_.back());
        free_.pop_back();
      }
      size_t size = 0;
      std::exception_ptr error;
      try {
        // Fill the buffer, so that the parser is handed large pieces.
        while (size < buffer.size()) {
          size_t n = inner_->Read(buffer.data() + size, buffer.size() - size);
          if (n == 0) break;
          size += n;
        }
      } catch (...) {
        error = std::current_exception();
      }
      raw_bytes_.store(inner_->raw_bytes());
      std::lock_guard<std::mutex> lock(mu_);
      if (size > 0) full_.emplace_back(std::move(buffer), size);
      if (error || size < buffer.size()) {
        error_ = error;
        done_ = true;
        changed_.notify_all();
        return;
      }
      changed_.notify_all();
    }
  }

  std::unique_ptr<ByteSource> inner_;  // read only by the thread
  std::string name_;
  const char* encoding_;
  std::atomic<uint64_t> raw_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::vector<char>> free_;
  std::deque<std::pair<std::vector<char>, size_t>> full_;
  bool done_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::vector<char> current_;  // the caller's: being read from
  size_t current_size_ = 0;
  size_t pos_ = 0;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ByteSource> ReadAhead(std::unique_ptr<ByteSource> source, size_t buffer_bytes,
                                      size_t buffers) {
  return std::make_unique<ReadAheadSource>(std::move(source), buffer_bytes, buffers);
}

std::unique_ptr<ByteSource> SavingCopy(std::unique_ptr<ByteSource> source,
                                       const std::string& path) {
  return std::make_unique<SavingSource>(std::move(source), path);
}

std::unique_ptr<ByteSource> OpenInput(const std::string& spec, const InputLimits& limits,
                                      const HttpOptions& http) {
  if (LooksLikeUrl(spec)) return Decompressed(OpenUrl(spec, http), limits);
  return Decompressed(OpenFd(spec), limits);
}

std::unique_ptr<ByteSource> OpenInput(const std::string& spec, const InputLimits& limits) {
  return OpenInput(spec, limits, HttpOptions{});
}

std::optional<uint64_t> PlainFileSize(const std::string& spec) {
  if (spec == "-" || LooksLikeUrl(spec)) return std::nullopt;
  // Only a regular file is opened here: opening a FIFO would wait for a
  // writer, and its bytes would go to this open, not to the one that reads it.
  struct stat st;
  if (::stat(spec.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    return std::nullopt;
  }
  int fd = ::open(spec.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  char magic[2] = {0, 0};
  bool plain = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
               ::pread(fd, magic, 2, 0) == 2 && !StartsLikeGzip(std::string_view(magic, 2));
  ::close(fd);
  if (!plain) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

std::unique_ptr<ByteSource> OpenFileRange(const std::string& path, uint64_t begin, uint64_t end) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ThrowInputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  if (end <= begin) {
    ::close(fd);
    return MemorySource(path, "");
  }
  return std::make_unique<FdSource>(path, fd, true, end - begin, begin);
}

std::unique_ptr<ByteSource> MemorySource(std::string name, std::string bytes, size_t max_read) {
  return std::make_unique<MemoryBytesSource>(std::move(name), std::move(bytes), std::string_view(),
                                             max_read);
}

std::unique_ptr<ByteSource> MemoryViewSource(std::string name, std::string_view bytes,
                                             size_t max_read) {
  return std::make_unique<MemoryBytesSource>(std::move(name), std::string(), bytes, max_read);
}

}  // namespace gleak
