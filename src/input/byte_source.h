// ByteSource: where dump bytes come from (files and byte ranges of files,
// standard input, http(s) URLs, gzip): every dump is read through it. (Rule
// files, source files and the output are read and written by their own
// modules.) Sources are read in chunks: none holds a whole input, but for a
// MemorySource, which is given one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gleak {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Fills up to `capacity` bytes of `buffer`; returns 0 only at the end of the
  // input. Throws gleak::Error (kInput) when the input cannot be read.
  virtual size_t Read(char* buffer, size_t capacity) = 0;

  // The name the user gave ("dump.txt", "-" shown as "<stdin>").
  virtual const std::string& name() const = 0;

  // A word for the encoding that was detected: "plain" or "gzip".
  virtual const char* encoding() const { return "plain"; }

  // Bytes taken from the underlying file or stream (compressed size for gzip).
  virtual uint64_t raw_bytes() const = 0;
};

struct InputLimits {
  // Bytes an input may hold before it is refused (gleak::Error, kInput),
  // counted after decompression: what a gzip input expands to, or a plain
  // file's, pipe's or device's bytes (--max-bytes).
  uint64_t max_decompressed_bytes = uint64_t{64} << 30;
};

struct HttpOptions;

// Opens a path, "-" for standard input, or an http(s) URL. Gzip is recognised
// by its magic bytes, not by the name. Throws gleak::Error (kInput) naming
// the input.
std::unique_ptr<ByteSource> OpenInput(const std::string& spec, const InputLimits& limits = {});
std::unique_ptr<ByteSource> OpenInput(const std::string& spec, const InputLimits& limits,
                                      const HttpOptions& http);

// Passes `source` through and writes a gzip copy of what is read to `path`
// (gleak watch --save). Throws gleak::Error (kInput) when the file cannot be made.
std::unique_ptr<ByteSource> SavingCopy(std::unique_ptr<ByteSource> source, const std::string& path);

// Reads `source` on a thread of its own, up to `buffers` buffers of
// `buffer_bytes` ahead of the caller, so that a gzip input is inflated on one
// core while the parser reads on another; memory grows by buffers *
// buffer_bytes. Bytes, their order and the error (at the place it happened,
// after every byte before it) are those of `source`. Only for sources whose
// reads end on their own (files): the destructor waits for the read under way.
std::unique_ptr<ByteSource> ReadAhead(std::unique_ptr<ByteSource> source,
                                      size_t buffer_bytes = size_t{1} << 20, size_t buffers = 4);

// The size of `spec` when it names a local regular file that is not gzip
// (one that can be read in byte ranges); nullopt for anything else.
std::optional<uint64_t> PlainFileSize(const std::string& spec);

// Reads bytes [begin, end) of a local file, named `path` in errors.
std::unique_ptr<ByteSource> OpenFileRange(const std::string& path, uint64_t begin, uint64_t end);

// A source over bytes already in memory (tests, fuzzers, benchmarks), at most
// `max_read` bytes a read (a pipe, a slow disk). MemoryViewSource does not
// copy them: the caller keeps `bytes` alive.
std::unique_ptr<ByteSource> MemorySource(std::string name, std::string bytes,
                                         size_t max_read = SIZE_MAX);
std::unique_ptr<ByteSource> MemoryViewSource(std::string name, std::string_view bytes,
                                             size_t max_read = SIZE_MAX);

}  // namespace gleak
