// How far the reading of the inputs has got, counted by the threads that read
// them and looked at by another (the CLI's progress line on a terminal).
#pragma once

#include <atomic>
#include <cstdint>

namespace gleak {

struct ReadProgress {
  // Bytes taken from the inputs (a gzip file's compressed bytes); a range
  // read again after a context change counts twice, so never more than
  // total_bytes is shown.
  std::atomic<uint64_t> bytes{0};
  // Goroutines parsed, in batches (a sink adds its count every few thousand).
  std::atomic<uint64_t> goroutines{0};
  // The sum of the inputs' file sizes when every input is a local file whose
  // size is known (a regular file); 0 when one is not (a pipe, a URL).
  std::atomic<uint64_t> total_bytes{0};
};

}  // namespace gleak
