// One input read, parsed and clustered, on one thread or on several: a large
// local file is cut into byte ranges that are parsed and clustered apart and
// then folded together, with the same result as reading it whole.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/clusterer.h"
#include "cluster/object_index.h"
#include "cluster/spawn_index.h"
#include "input/byte_source.h"
#include "model/group.h"
#include "parse/dump_parser.h"
#include "pipeline/read_progress.h"

namespace gleak {

// Counts one read's goroutines into a shared ReadProgress in batches, so that
// threads do not contend for it per goroutine; the read's source flushes the
// batch before each read, so that a stalled input shows all it has given.
class ProgressCounter {
 public:
  explicit ProgressCounter(ReadProgress* progress) : progress_(progress) {}
  ~ProgressCounter() { Flush(); }
  ProgressCounter(const ProgressCounter&) = delete;
  ProgressCounter& operator=(const ProgressCounter&) = delete;
  ReadProgress* progress() const { return progress_; }
  void AddGoroutine() {
    if (progress_ != nullptr && ++pending_ == kBatch) Flush();
  }
  void Flush() {
    if (pending_ > 0) progress_->goroutines.fetch_add(pending_, std::memory_order_relaxed);
    flushed_ += pending_;
    pending_ = 0;
  }
  // Takes back what this read counted: it was given up, to be read again.
  void Retract() {
    if (progress_ != nullptr && flushed_ > 0) {
      progress_->goroutines.fetch_sub(flushed_, std::memory_order_relaxed);
    }
    flushed_ = 0;
    pending_ = 0;
  }

 private:
  static constexpr uint64_t kBatch = 4096;
  ReadProgress* progress_;
  uint64_t pending_ = 0;
  uint64_t flushed_ = 0;
};

// The sink of one read: the clusterer, and beside it the object index
// (null when objects are off), told which group each goroutine went to.
class ClusterSink : public RecordSink {
 public:
  // `checkpoint` (may be null) is called every kCheckpointEvery goroutines; it
  // may throw to give the read up (ClusterFileRanges keeps to its heap budget).
  ClusterSink(Clusterer& clusterer, ObjectIndex* objects, SpawnIndex* spawn = nullptr,
              ProgressCounter* counter = nullptr, const std::function<void()>* checkpoint = nullptr)
      : clusterer_(clusterer),
        objects_(objects),
        spawn_(spawn),
        counter_(counter),
        checkpoint_(checkpoint) {}
  static constexpr uint32_t kCheckpointEvery = 1024;
  void OnGoroutine(const Goroutine& g) override {
    clusterer_.OnGoroutine(g);
    if (objects_ != nullptr) objects_->Add(g, clusterer_.last_group());
    if (spawn_ != nullptr) spawn_->Add(g, clusterer_.last_group());
    if (counter_ != nullptr) counter_->AddGoroutine();
    if (checkpoint_ != nullptr && ++since_checkpoint_ == kCheckpointEvery) {
      since_checkpoint_ = 0;
      (*checkpoint_)();
    }
  }
  bool wants_arguments() const override {
    return objects_ != nullptr || clusterer_.wants_arguments();
  }
  bool wants_stack_keys() const override { return clusterer_.wants_stack_keys(); }

 private:
  Clusterer& clusterer_;
  ObjectIndex* objects_;
  SpawnIndex* spawn_;
  ProgressCounter* counter_;
  const std::function<void()>* checkpoint_;
  uint32_t since_checkpoint_ = 0;
};

struct ClusteredInput {
  ParseSummary summary;
  std::vector<Group> groups;
  ObjectEvidence objects;
  SpawnEvidence spawn;
  uint64_t goroutines = 0;  // counted by the clusterer (after --ignore/--filter)
  uint64_t ignored = 0;
};

struct SplitPolicy {
  size_t threads = 1;                            // threads this input may use
  uint64_t min_part_bytes = uint64_t{16} << 20;  // smaller ranges do not pay for a thread
  // Ranges per thread: threads take the next range as they finish one, so a
  // thread slowed by another process or a slower part of the file does not
  // hold up the end. Not more: every range meets each distinct stack for the
  // first time again (four a thread cost 9 % more CPU than two on a dump of
  // 2,500 groups, docs/performance.md). Past one a thread only while each
  // range holds four times min_part_bytes (ClusterFileInParts).
  size_t ranges_per_thread = 2;
  ReadProgress* progress = nullptr;  // counts what the ranges read; may be null
  // A larger file is not split: read whole, it is refused at this many bytes
  // (InputLimits::max_decompressed_bytes) with what came before it kept.
  uint64_t max_bytes = UINT64_MAX;
  // The heap in use (the whole process's) past which ranges past the first
  // two being read are given up and read later, on fewer threads at once
  // (ClusterFileRanges); 0: no bound.
  uint64_t heap_budget = kDefaultHeapBudget;
  static constexpr uint64_t kDefaultHeapBudget = uint64_t{24} << 20;
  // A gzip file's text is cut into chunks of about this many bytes
  // (ClusterGzipFileInChunks): threads + 2 of them are in memory at once.
  size_t chunk_bytes = size_t{1} << 20;
  // A plain file read on two threads (or with no heap budget) is cut into
  // chunks of a quarter of min_part_bytes, at most this many a thread
  // (ChunksFor).
  static constexpr size_t kMostChunksAThread = 64;
};

// How many ranges a plain file of `size` bytes is read in: 1 (read whole)
// when fewer than two threads or two ranges of min_part_bytes; one a thread,
// and up to ranges_per_thread a thread while each range holds four times
// min_part_bytes.
size_t RangesFor(uint64_t size, const SplitPolicy& policy);

// How many chunks a plain file of `size` bytes is read in where the heap
// budget does not rule (HeapBudgetRules): as many as ranges (RangesFor), and
// more of a quarter of min_part_bytes each, up to kMostChunksAThread a thread.
size_t ChunksFor(uint64_t size, const SplitPolicy& policy);

// Reads `source` whole on this thread. Throws gleak::Error (kInput) when it
// cannot be read; `clusterer` and `*partial` then hold what was read before.
// `objects` and `spawn` may be null (off).
ClusteredInput ClusterSource(ByteSource& source, Clusterer& clusterer, ObjectIndex* objects,
                             SpawnIndex* spawn, const ParseLimits& limits,
                             ParseSummary* partial = nullptr, ProgressCounter* counter = nullptr);

// Passes `source` through, adding the bytes it takes from its file or stream
// to the counter's ReadProgress; `source` itself when there is none.
std::unique_ptr<ByteSource> CountingBytes(std::unique_ptr<ByteSource> source,
                                          ProgressCounter* counter);

// Reads the local plain file `path` on up to policy.threads threads: in
// chunks (ClusterFileInChunks) where the heap budget does not rule
// (HeapBudgetRules: two threads, or no budget), else, or when the chunks
// cannot be, in ranges folded in order (a range that begins in another
// context than the default is read again from it). Returns false when `path`
// is no such file or too small to split, or when its groups pass
// options.max_groups (each range would have chosen its own overflow: only one
// read of the whole decides it as documented). Throws gleak::Error (kInput)
// when it cannot be read.
bool ClusterFileInParts(const std::string& path, const SplitPolicy& policy,
                        const ClusterOptions& options, size_t input_index,
                        const ParseLimits& limits, ClusteredInput* out);

// Reads the local plain file `path` in ChunksFor chunks cut just after blank
// lines, on up to policy.threads threads: each takes the next chunk as it
// finishes one, into a clusterer and a memo of bodies of its own, folded at
// the end (a distinct stack is met once a thread, and a thread slowed by
// another process holds the end up by one small chunk, not a range): the
// same result as one thread reading the file whole. Returns false, with
// nothing it read counted, when the file is not one to split (as
// ClusterFileInParts), a chunk ends in another context than the default (the
// next was read from the wrong one), a read fails, or the groups pass
// options.max_groups.
bool ClusterFileInChunks(const std::string& path, const SplitPolicy& policy,
                         const ClusterOptions& options, size_t input_index,
                         const ParseLimits& limits, ClusteredInput* out);

// Reads the local gzip file `path` on policy.threads threads and one more:
// that one inflates the stream and cuts its text into chunks just after
// blank lines, and the others parse the chunks as they come, each thread
// into a clusterer of its own (a distinct stack is met once a thread, not
// once a chunk), folded at the end: the same result as one thread reading
// the file whole. Returns false, with nothing it read counted, when the
// read is one thread's to make: fewer than two threads, not a regular gzip
// file, a pprof profile, an error of the input (a cut stream, past
// policy.max_bytes: reading it whole reports it where it happened, with what
// came before), a record longer than a chunk may grow, a chunk that ends in
// another context than the default (a log prefix, a crash dump's thread
// sections), or groups past options.max_groups (as ClusterFileInParts).
bool ClusterGzipFileInChunks(const std::string& path, const SplitPolicy& policy,
                             const ClusterOptions& options, size_t input_index,
                             const ParseLimits& limits, ClusteredInput* out);

// The same over given ranges: `cuts` holds 0, each cut (the start of a line
// after a blank line), then the file's size.
// `threads` 0: one per range. Each range being read holds its own groups,
// object and spawn indexes and scanner, so while the heap in use is past
// `heap_budget` (0: no bound) the range read furthest ahead, when more than
// two are being read, is given up and read again later, and no more ranges
// than were left are read at once from then on (glibc only: elsewhere the
// heap in use is not known, and there is no bound).
ClusteredInput ClusterFileRanges(const std::string& path, const std::vector<uint64_t>& cuts,
                                 const ClusterOptions& options, size_t input_index,
                                 const ParseLimits& limits, size_t threads = 0,
                                 ReadProgress* read_progress = nullptr,
                                 uint64_t heap_budget = SplitPolicy::kDefaultHeapBudget);

}  // namespace gleak
