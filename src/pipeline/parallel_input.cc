#include "pipeline/parallel_input.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "base/error.h"
#include "base/parallel.h"
#include "base/text.h"
#include "parse/body_memo.h"
#include "parse/parse_source.h"
#include "parse/pprof_proto.h"
#include "parse/ranges.h"

namespace gleak {
namespace {

// Range starts: 0, then just after a blank line near each multiple of
// size/parts, then `size` as the end of the last range.
std::vector<uint64_t> CutPoints(const std::string& path, uint64_t size, size_t parts) {
  std::vector<uint64_t> cuts{0};
  for (size_t k = 1; k < parts; ++k) {
    uint64_t from = std::max(cuts.back(), size / parts * k);
    uint64_t until = k + 1 < parts ? size / parts * (k + 1) : size;
    if (from >= until) continue;
    std::unique_ptr<ByteSource> window = OpenFileRange(path, from, until);
    if (std::optional<uint64_t> at = FindLineAfterBlank(*window)) {
      uint64_t cut = from + *at;
      if (cut > cuts.back() && cut < size) cuts.push_back(cut);
    }
  }
  cuts.push_back(size);
  return cuts;
}

// A parsed range. Its groups stay in its clusterer, with ids of frames and
// strings, until they are folded: built as Groups (a string per frame) they
// took about three times the memory (7 MB for a range of 2,500 groups),
// once for each range a thread had read ahead of the fold.
struct Part {
  std::unique_ptr<Clusterer> clusterer;
  ObjectEvidence objects;
  SpawnEvidence spawn;
  RangeParse parse;
};

// Folds the groups and evidence of `later` (read after `into`, or under
// higher sequences) into `into`'s; `into` may be empty (nothing folded yet).
void FoldGroups(Part* into, Part later, const ClusterOptions& options) {
  if (into->clusterer == nullptr) {
    into->clusterer = std::move(later.clusterer);
  } else {
    into->clusterer->Absorb(*later.clusterer);
  }
  if (options.objects.enabled) {
    std::vector<ObjectEvidence> two;
    two.push_back(std::move(into->objects));
    two.push_back(std::move(later.objects));
    into->objects = MergeObjectEvidence(std::move(two), options.objects);
  }
  if (options.spawn.enabled) {
    std::vector<SpawnEvidence> two;
    two.push_back(std::move(into->spawn));
    two.push_back(std::move(later.spawn));
    into->spawn = MergeSpawnEvidence(std::move(two), options.spawn);
  }
}

// The parts of one read as the report takes them.
void TakeGroups(Part folded, const ClusterOptions& options, ClusteredInput* out) {
  if (folded.clusterer != nullptr) {
    out->goroutines = folded.clusterer->goroutines();
    out->ignored = folded.clusterer->ignored_goroutines();
    out->groups = folded.clusterer->BuildGroups();
  }
  if (options.objects.enabled) out->objects = std::move(folded.objects);
  if (options.spawn.enabled) out->spawn = std::move(folded.spawn);
}

// Thrown by a checkpoint to give up the range being read (to read it later).
struct GiveUp {};

// What a range, or a thread's chunks, are read into: a clusterer and the
// object and spawn indexes beside it, counting into `progress` (may be null).
// `checkpoint`: as ClusterSink's.
struct PartReader {
  PartReader(const ClusterOptions& options, size_t input_index, ReadProgress* progress,
             const std::function<void()>* checkpoint = nullptr)
      : clusterer(std::make_unique<Clusterer>(options)),
        objects(options.objects.enabled ? std::make_unique<ObjectIndex>(options.objects) : nullptr),
        spawn(options.spawn.enabled ? std::make_unique<SpawnIndex>(options.spawn) : nullptr),
        counter(progress),
        sink(*clusterer, objects.get(), spawn.get(), &counter, checkpoint) {
    clusterer->set_input(input_index);
  }
  // The groups and evidence read, as a Part (without its parse).
  Part Take() {
    Part part;
    clusterer->ReleaseReadCaches();
    if (objects || spawn) {
      std::vector<std::string> ids = clusterer->GroupIds();
      if (objects) part.objects = objects->Take(ids);
      if (spawn) part.spawn = spawn->Take(std::move(ids));
    }
    part.clusterer = std::move(clusterer);
    return part;
  }
  std::unique_ptr<Clusterer> clusterer;
  std::unique_ptr<ObjectIndex> objects;
  std::unique_ptr<SpawnIndex> spawn;
  ProgressCounter counter;
  ClusterSink sink;
};

// `progress` (may be null) counts the range's bytes and goroutines: given on
// a range's first read only, not when it is read again in another context.
// `checkpoint` (may be null) is called every few thousand goroutines and may
// throw GiveUp, which is passed on with the goroutines counted taken back.
// `memo` (may be null: the range's own): the bodies its thread has read.
Part ParsePart(const std::string& path, uint64_t begin, uint64_t end, const ClusterOptions& options,
               size_t input_index, const ParseLimits& limits, const ParseContext& context,
               ReadProgress* progress, const std::function<void()>* checkpoint = nullptr,
               BodyMemo* memo = nullptr) {
  PartReader reader(options, input_index, progress, checkpoint);
  std::unique_ptr<ByteSource> range =
      CountingBytes(OpenFileRange(path, begin, end), &reader.counter);
  RangeParse parse;
  try {
    ParseRange(*range, reader.sink, limits, context, &parse, memo);
  } catch (const GiveUp&) {
    reader.counter.Retract();
    throw;
  }
  Part part = reader.Take();
  part.parse = std::move(parse);
  return part;
}

bool IsPprofProfile(const std::string& path) {
  std::unique_ptr<ByteSource> head = OpenFileRange(path, 0, kPprofSniffBytes);
  PeekedSource peeked(*head, kPprofSniffBytes);
  return LooksLikePprofProto(peeked.head());
}

// Counts what `source` takes from its file or stream (raw_bytes: a gzip
// file's compressed bytes, which is what its size on disk measures), and
// hands on the goroutines parsed so far before each read, which may wait.
class CountingSource : public ByteSource {
 public:
  CountingSource(std::unique_ptr<ByteSource> source, ProgressCounter* counter)
      : source_(std::move(source)), counter_(counter) {}
  // What it counted is always raw_bytes(), a read that failed included (so
  // that it can be taken back exactly).
  size_t Read(char* buffer, size_t capacity) override {
    counter_->Flush();
    size_t n = 0;
    try {
      n = source_->Read(buffer, capacity);
    } catch (...) {
      CountRaw();
      throw;
    }
    CountRaw();
    return n;
  }
  const std::string& name() const override { return source_->name(); }
  const char* encoding() const override { return source_->encoding(); }
  uint64_t raw_bytes() const override { return source_->raw_bytes(); }

 private:
  void CountRaw() {
    uint64_t raw = source_->raw_bytes();
    if (raw > counted_) {
      counter_->progress()->bytes.fetch_add(raw - counted_, std::memory_order_relaxed);
      counted_ = raw;
    }
  }

  std::unique_ptr<ByteSource> source_;
  ProgressCounter* counter_;
  uint64_t counted_ = 0;
};

// `limits` for each of `readers` threads: the memo of bodies read is shared
// out among them, so that more threads do not hold more of it.
ParseLimits ShareOfMemo(ParseLimits limits, size_t readers) {
  limits.body_memo_bytes /= std::max<size_t>(readers, 1);
  return limits;
}

// Whether the heap budget rules a read on `workers` threads: past two, it
// decides how many ranges or chunks are read at once, and the memos of
// bodies must not add to the peak; two threads read as they would without it.
bool HeapBudgetRules(uint64_t heap_budget, size_t workers) {
  return heap_budget > 0 && workers > 2;
}

// The bytes the process has taken from malloc and not given back, over all
// of glibc's arenas; 0 where that is not known.
uint64_t HeapInUse() {
#ifdef __GLIBC__
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#else
  return 0;
#endif
}

// Gives back to the system what threads freed into their malloc arenas,
// which would otherwise stay in the RSS under what is allocated next.
void GiveBackFreedMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

std::unique_ptr<ByteSource> CountingBytes(std::unique_ptr<ByteSource> source,
                                          ProgressCounter* counter) {
  if (counter == nullptr || counter->progress() == nullptr) return source;
  return std::make_unique<CountingSource>(std::move(source), counter);
}

ClusteredInput ClusterSource(ByteSource& source, Clusterer& clusterer, ObjectIndex* objects,
                             SpawnIndex* spawn, const ParseLimits& limits, ParseSummary* partial,
                             ProgressCounter* counter) {
  ClusteredInput result;
  ClusterSink sink(clusterer, objects, spawn, counter);
  ParseSource(source, sink, limits, partial != nullptr ? partial : &result.summary);
  if (partial != nullptr) result.summary = *partial;
  result.goroutines = clusterer.goroutines();
  result.ignored = clusterer.ignored_goroutines();
  result.groups = clusterer.BuildGroups();
  if (objects != nullptr) result.objects = objects->Take(result.groups);
  if (spawn != nullptr) result.spawn = spawn->Take(result.groups);
  return result;
}

size_t RangesFor(uint64_t size, const SplitPolicy& policy) {
  uint64_t min_part = std::max<uint64_t>(policy.min_part_bytes, 1);
  uint64_t most = size / min_part;
  if (policy.threads < 2 || std::min<uint64_t>(policy.threads, most) < 2) return 1;
  // Each range meets every distinct stack for the first time again, and its
  // groups are folded: ranges past one a thread (which keep the threads busy
  // when one is slowed) only while each holds four times the smallest range,
  // so that what a range repeats stays small beside what it reads. A 77 MB
  // dump of 8,000 groups in four ranges on two threads took 6 % more
  // instructions than in two (docs/performance.md).
  uint64_t balanced = size / (min_part > UINT64_MAX / 4 ? UINT64_MAX : min_part * 4);
  uint64_t wanted = std::max<uint64_t>(
      policy.threads,
      std::min<uint64_t>(policy.threads * std::max<size_t>(policy.ranges_per_thread, 1), balanced));
  return static_cast<size_t>(std::min<uint64_t>(wanted, most));
}

size_t ChunksFor(uint64_t size, const SplitPolicy& policy) {
  size_t ranges = RangesFor(size, policy);
  if (ranges < 2) return ranges;
  uint64_t chunk = std::max<uint64_t>(policy.min_part_bytes / 4, 1);
  uint64_t most = uint64_t{policy.threads} * SplitPolicy::kMostChunksAThread;
  return static_cast<size_t>(std::max<uint64_t>(ranges, std::min(size / chunk, most)));
}

namespace {

// Reads chunk `index` of one input from `text` into `reader`, with the memo
// of its thread, and its summary into `*summary`. False when the chunk after
// it was read from the wrong context (this one, not the `last`, ended in
// another than the default) or the read failed (said by the read on one
// thread that follows).
bool ReadChunk(PartReader& reader, ByteSource& text, size_t index, bool last,
               const ParseLimits& limits, BodyMemo& memo, ParseSummary* summary) {
  reader.clusterer->set_sequence(index);
  RangeParse chunk;
  try {
    ParseRange(text, reader.sink, limits, ParseContext{}, &chunk, &memo);
  } catch (const Error&) {
    return false;
  }
  *summary = std::move(chunk.summary);
  return last || chunk.end_context == ParseContext{};
}

// Folds the threads' readers of one input read in chunks (ReadFileInChunks,
// ClusterGzipFileInChunks) into `out`; false when its groups pass
// options.max_groups, which only a read of the whole decides.
bool FoldChunkReaders(std::vector<std::unique_ptr<PartReader>>& readers,
                      std::vector<ParseSummary> summaries, const ClusterOptions& options,
                      const ParseLimits& limits, ClusteredInput* out) {
  Part folded;
  for (std::unique_ptr<PartReader>& reader : readers) {
    reader->counter.Flush();
    FoldGroups(&folded, reader->Take(), options);
  }
  GiveBackFreedMemory();  // the chunk threads are done, as after ranges
  ClusteredInput read;
  TakeGroups(std::move(folded), options, &read);
  bool overflow = std::any_of(read.groups.begin(), read.groups.end(),
                              [](const Group& g) { return g.overflow; });
  if (overflow) return false;
  read.summary = CombineRanges(std::move(summaries), limits);
  *out = std::move(read);
  return true;
}

// The size of `path` when it is a local plain file that may be read on
// several threads: not more than policy.max_bytes, and not a pprof profile
// (one protobuf message, read whole).
std::optional<uint64_t> SplittableSize(const std::string& path, const SplitPolicy& policy) {
  if (policy.threads < 2) return std::nullopt;
  std::optional<uint64_t> size = PlainFileSize(path);
  if (!size || *size > policy.max_bytes || IsPprofProfile(path)) return std::nullopt;
  return size;
}

enum class ChunkedRead {
  kDone,
  kNotRead,   // not a file to split, or one chunks cannot read: ranges may
  kOverflow,  // past max_groups: only a read of the whole decides the overflow
};

// ClusterFileInChunks on a file of `size` bytes (SplittableSize), telling
// why it was not read.
ChunkedRead ReadFileInChunks(const std::string& path, uint64_t size, const SplitPolicy& policy,
                             const ClusterOptions& options, size_t input_index,
                             const ParseLimits& limits, ClusteredInput* out) {
  size_t pieces = ChunksFor(size, policy);
  if (pieces < 2) return ChunkedRead::kNotRead;
  std::vector<uint64_t> cuts = CutPoints(path, size, pieces);
  if (cuts.size() < 3) return ChunkedRead::kNotRead;
  const size_t n = cuts.size() - 1;
  const size_t workers = std::min(policy.threads, n);
  ParseLimits chunk_limits = ShareOfMemo(limits, workers);
  std::vector<std::unique_ptr<PartReader>> readers;
  for (size_t t = 0; t < workers; ++t) {
    readers.push_back(std::make_unique<PartReader>(options, input_index, policy.progress));
  }
  std::vector<ParseSummary> summaries(n);  // by chunk; each written by its thread only
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> counted{0};  // bytes the chunks added to policy.progress
  ForEachOnThreads(workers, workers, [&](size_t t) {
    PartReader& reader = *readers[t];
    BodyMemo memo(chunk_limits);
    while (!failed.load(std::memory_order_relaxed)) {
      size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) return;
      std::unique_ptr<ByteSource> text =
          CountingBytes(OpenFileRange(path, cuts[i], cuts[i + 1]), &reader.counter);
      bool right = ReadChunk(reader, *text, i, i + 1 == n, chunk_limits, memo, &summaries[i]);
      if (policy.progress != nullptr) counted.fetch_add(text->raw_bytes());
      if (!right) {
        failed.store(true, std::memory_order_relaxed);
        return;
      }
    }
  });
  ChunkedRead read = ChunkedRead::kNotRead;
  if (!failed) {
    read = FoldChunkReaders(readers, std::move(summaries), options, limits, out)
               ? ChunkedRead::kDone
               : ChunkedRead::kOverflow;
  }
  if (read != ChunkedRead::kDone) {
    for (std::unique_ptr<PartReader>& reader : readers) reader->counter.Retract();
    if (policy.progress != nullptr) policy.progress->bytes.fetch_sub(counted);
  }
  return read;
}

}  // namespace

bool ClusterFileInChunks(const std::string& path, const SplitPolicy& policy,
                         const ClusterOptions& options, size_t input_index,
                         const ParseLimits& limits, ClusteredInput* out) {
  std::optional<uint64_t> size = SplittableSize(path, policy);
  return size && ReadFileInChunks(path, *size, policy, options, input_index, limits, out) ==
                     ChunkedRead::kDone;
}

bool ClusterFileInParts(const std::string& path, const SplitPolicy& policy,
                        const ClusterOptions& options, size_t input_index,
                        const ParseLimits& limits, ClusteredInput* out) {
  std::optional<uint64_t> size = SplittableSize(path, policy);
  if (!size) return false;
  if (!HeapBudgetRules(policy.heap_budget, policy.threads)) {
    ChunkedRead read = ReadFileInChunks(path, *size, policy, options, input_index, limits, out);
    if (read != ChunkedRead::kNotRead) return read == ChunkedRead::kDone;
  }
  size_t parts = RangesFor(*size, policy);
  if (parts < 2) return false;
  std::vector<uint64_t> cuts = CutPoints(path, *size, parts);
  if (cuts.size() < 3) return false;
  ClusteredInput read = ClusterFileRanges(path, cuts, options, input_index, limits, policy.threads,
                                          policy.progress, policy.heap_budget);
  for (const Group& g : read.groups) {
    if (g.overflow) return false;
  }
  *out = std::move(read);
  return true;
}

// Ranges are folded into the first range's clusterer in order as soon as
// the ranges before them are, so that memory holds the threads' clusterers,
// the fold and the few ranges that finished before an earlier one did; not
// every range's groups at once (a dump of thousands of distinct stacks cut
// into eight ranges took four times the memory of one thread). The groups
// are built once, from the fold.
ClusteredInput ClusterFileRanges(const std::string& path, const std::vector<uint64_t>& cuts,
                                 const ClusterOptions& options, size_t input_index,
                                 const ParseLimits& limits, size_t threads,
                                 ReadProgress* read_progress, uint64_t heap_budget) {
  size_t n = cuts.size() - 1;
  ParseLimits range_limits = ShareOfMemo(limits, threads == 0 ? n : std::min(threads, n));
  std::mutex mu;
  std::condition_variable progress;  // a range was folded, or one failed
  std::atomic<bool> failed{false};   // set under `mu`; read without it by keep_to_budget
  std::vector<std::optional<Part>> finished(n);  // parsed, not yet folded
  std::vector<std::exception_ptr> errors(n);
  size_t folded = 0;     // ranges folded so far
  bool folding = false;  // a thread is folding (outside the lock)
  ParseContext before;   // where the last folded range ended
  std::vector<ParseSummary> summaries;
  Part groups;  // the first range's, the later ones folded in
  ClusteredInput out;

  // Folds range `i`, read again when the range before it ended in another
  // context than the default (a log prefix, a crash dump's thread sections).
  auto fold = [&](size_t i, Part part, const ParseContext& context) {
    if (context != ParseContext{}) {
      part = ParsePart(path, cuts[i], cuts[i + 1], options, input_index, range_limits, context,
                       nullptr);
    }
    summaries.push_back(std::move(part.parse.summary));
    ParseContext end = std::move(part.parse.end_context);
    FoldGroups(&groups, std::move(part), options);
    return end;
  };
  // Called with `lock` held once range `i` is parsed (or failed): folds it
  // and every range after it that is ready, unless another thread is at it.
  auto advance = [&](std::unique_lock<std::mutex>& lock) {
    while (!folding && folded < n && finished[folded] && !errors[folded]) {
      size_t i = folded;
      Part part = std::move(*finished[i]);
      finished[i].reset();
      ParseContext context = before;
      folding = true;
      lock.unlock();
      ParseContext end;
      std::exception_ptr error;
      try {
        end = fold(i, std::move(part), context);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      folding = false;
      if (error) {
        errors[i] = error;
        failed = true;
        progress.notify_all();
        return;
      }
      before = end;
      ++folded;
      progress.notify_all();
    }
  };
  size_t workers = threads == 0 ? n : std::min(threads, n);
#ifdef __GLIBC__
  // glibc gives each thread an arena of its own (up to eight a core), and
  // what a range frees stays in its arena's pages: on the 1M service dump
  // eight range threads' arenas held about 40 MiB more than the heap in use.
  // Two arenas serve every thread past the second (-j2 reads as before:
  // the calling thread has the main arena and the other one its own).
  if (workers > 2) mallopt(M_ARENA_MAX, 2);
#endif
  // Ranges to read, lowest first (a range given up goes back here), and those
  // being read. At most `at_once` are read at the same time: `workers`, until
  // the heap passes the budget with more than two being read; then the one
  // furthest ahead is given up and `at_once` drops to the number left. The
  // two lowest are never given up: the fold waits for them (and -j2 reads as
  // before, whatever the budget).
  std::vector<bool> pending(n, true);
  size_t next = 0;  // the lowest pending range, n: none
  std::vector<size_t> reading;
  size_t at_once = workers;
  auto lowest_pending = [&] {
    while (next < n && !pending[next]) ++next;
    return next;
  };
  const bool bounded = HeapBudgetRules(heap_budget, workers);
  // Called by range `i` every ClusterSink::kCheckpointEvery goroutines. Over
  // the budget, the range furthest ahead is given up, and the others but the
  // two lowest wait (their memory is held either way; waiting, they do not add
  // to it) until the heap is back under the budget or they are among the two
  // lowest.
  auto keep_to_budget = [&](size_t i) {
    if (HeapInUse() <= heap_budget && !failed.load(std::memory_order_relaxed)) return;
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      if (failed) throw GiveUp{};
      if (reading.size() <= 2 || HeapInUse() <= heap_budget) return;
      std::vector<size_t> order = reading;
      std::sort(order.begin(), order.end());
      if (i == order[0] || i == order[1]) return;
      if (i == order.back()) {
        at_once = std::max<size_t>(2, std::min(at_once, reading.size() - 1));
        throw GiveUp{};
      }
      // The heap is not watched: look again after a while, or when a range
      // is given up, done or folded.
      progress.wait_for(lock, std::chrono::milliseconds(2));
    }
  };
  auto run = [&](size_t i, BodyMemo* memo) {
    std::optional<Part> part;
    std::exception_ptr error;
    std::function<void()> checkpoint = [&] { keep_to_budget(i); };
    try {
      part = ParsePart(path, cuts[i], cuts[i + 1], options, input_index, range_limits,
                       ParseContext{}, read_progress, bounded ? &checkpoint : nullptr, memo);
    } catch (const GiveUp&) {
      GiveBackFreedMemory();
      std::lock_guard<std::mutex> lock(mu);
      reading.erase(std::find(reading.begin(), reading.end(), i));
      pending[i] = true;
      next = std::min(next, i);
      progress.notify_all();
      return;
    } catch (...) {
      error = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mu);
    reading.erase(std::find(reading.begin(), reading.end(), i));
    errors[i] = error;
    finished[i] = std::move(part);
    if (error) {
      failed = true;
      progress.notify_all();
    } else {
      progress.notify_all();
      advance(lock);
    }
  };
  // Each worker takes the lowest pending range when it may, until none is
  // pending or being read (a range being read may yet be given up).
  ForEachOnThreads(workers, workers, [&](size_t) {
    // The bodies a thread has read go on from range to range (a range's
    // stacks are most often those of the ranges before it). Not under the
    // heap budget: there a memo held by a thread that gave its range up or
    // waits would count against the ranges being read, so each range keeps
    // its own, let go with it (8 range threads held 1.6 times one read's
    // heap with a memo each, against a bound of 1.4).
    std::optional<BodyMemo> memo;
    if (!bounded) memo.emplace(range_limits);
    for (;;) {
      size_t i = n;
      {
        // A thread reads at most `workers` ranges ahead of the fold: ranges that
        // finish while an earlier one is still being read wait for it, and without
        // this bound a thread the scheduler left behind lets them pile up. The
        // range the fold waits for is pending or being read, so it is never held.
        std::unique_lock<std::mutex> lock(mu);
        progress.wait(lock, [&] {
          if (failed) return true;
          size_t low = lowest_pending();
          if (low == n) return reading.empty();
          return low < folded + workers && reading.size() < at_once;
        });
        if (failed) return;
        i = lowest_pending();
        if (i == n) return;
        pending[i] = false;
        reading.push_back(i);
      }
      run(i, memo ? &*memo : nullptr);
    }
  });
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  // The range threads are done: under the groups built next and the report,
  // the 1M service dump at -j2 peaked 3 to 6 MiB lower (docs/performance.md).
  GiveBackFreedMemory();
  out.summary = CombineRanges(std::move(summaries), limits);
  TakeGroups(std::move(groups), options, &out);
  return out;
}

namespace {

// A piece of a gzip file's text, cut just after a blank line.
struct Chunk {
  size_t index = 0;
  std::vector<char> bytes;  // the chunk is the first `size`
  size_t size = 0;
  bool last = false;
};

bool IsRegularFile(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

}  // namespace

bool ClusterGzipFileInChunks(const std::string& path, const SplitPolicy& policy,
                             const ClusterOptions& options, size_t input_index,
                             const ParseLimits& limits, ClusteredInput* out) {
  if (policy.threads < 2 || !IsRegularFile(path)) return false;
  std::unique_ptr<ByteSource> source;
  try {
    source = OpenInput(path, InputLimits{policy.max_bytes});
  } catch (const Error&) {
    return false;  // said by the read on one thread
  }
  if (std::string_view(source->encoding()) != "gzip") return false;
  // The compressed bytes taken, counted as they are read (taken back if the
  // read is to be one thread's).
  ProgressCounter bytes_counter(policy.progress);
  source = CountingBytes(std::move(source), &bytes_counter);
  const size_t workers = policy.threads;
  ParseLimits chunk_limits = ShareOfMemo(limits, workers);
  const size_t chunk_bytes = std::max<size_t>(policy.chunk_bytes, 1);
  // A record longer than this is read on one thread: it would take a chunk
  // this large for every thread at once.
  const size_t longest_chunk = std::max(chunk_bytes * 8, size_t{16} << 20);

  std::mutex mu;
  std::condition_variable changed;
  std::deque<Chunk> ready;
  std::vector<std::vector<char>> free_buffers;
  size_t buffers = 0;        // made and not let go: one a parsing thread, one filled, one waiting
  size_t parsing = workers;  // threads that take chunks
  bool produced_all = false;
  bool failed = false;
  std::vector<ParseSummary> summaries;  // by chunk
  std::vector<std::unique_ptr<PartReader>> readers;
  for (size_t i = 0; i < workers; ++i) {
    readers.push_back(std::make_unique<PartReader>(options, input_index, policy.progress));
  }
  auto fail = [&] {
    std::lock_guard<std::mutex> lock(mu);
    failed = true;
    changed.notify_all();
  };
  // A buffer of at least `bytes`: a free one, or a new one while there are
  // fewer than two more than the threads that parse; empty when the read
  // failed meanwhile.
  auto take_buffer = [&](size_t bytes) {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return failed || !free_buffers.empty() || buffers < parsing + 2; });
    std::vector<char> buffer;
    if (failed) return buffer;
    if (!free_buffers.empty()) {
      buffer = std::move(free_buffers.back());
      free_buffers.pop_back();
    } else {
      ++buffers;
    }
    lock.unlock();
    if (buffer.size() < bytes) buffer.resize(bytes);
    return buffer;
  };
  // Inflates and cuts; the tail after a chunk's last blank line begins the next.
  auto produce = [&] {
    // The first buffer holds what a read on one thread looks at to tell a
    // pprof profile, however small the chunks.
    std::vector<char> buffer = take_buffer(std::max(chunk_bytes, kPprofSniffBytes));
    size_t used = 0;
    for (size_t index = 0;; ++index) {
      bool end = false;
      size_t cut = 0;
      for (;;) {
        while (used < buffer.size()) {
          size_t n = source->Read(buffer.data() + used, buffer.size() - used);
          if (n == 0) {
            end = true;
            break;
          }
          used += n;
        }
        if (index == 0 && LooksLikePprofProto(
                              std::string_view(buffer.data(), std::min(used, kPprofSniffBytes)))) {
          return fail();  // one protobuf message: read whole
        }
        if (end) {
          cut = used;
          break;
        }
        cut = LastLineAfterBlank(std::string_view(buffer.data(), used));
        if (cut > 0) break;
        if (buffer.size() >= longest_chunk) return fail();
        buffer.resize(buffer.size() * 2);
      }
      std::vector<char> next;
      if (!end) {
        size_t tail = used - cut;
        next = take_buffer(std::max(chunk_bytes, tail * 2));
        if (next.empty()) return;
        std::memcpy(next.data(), buffer.data() + cut, tail);
        used = tail;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (failed) return;
      ready.push_back(Chunk{index, std::move(buffer), cut, end});
      summaries.resize(index + 1);
      produced_all = end;
      changed.notify_all();
      if (end) return;
      buffer = std::move(next);
    }
  };
  // Each thread's clusterer meets every distinct stack: past the heap budget
  // the threads past the first two stop taking chunks (what they hold stays,
  // but no longer grows), as ClusterFileRanges reads fewer ranges at once,
  // and the first two keep no more bodies in their memos.
  auto parse = [&](PartReader& reader, size_t thread) {
    // A chunk holds about a thousand goroutines, fewer than a service has
    // groups: the thread's memo of bodies read goes on from chunk to chunk.
    BodyMemo memo(chunk_limits);
    for (;;) {
      Chunk chunk;
      if (HeapBudgetRules(policy.heap_budget, workers) && HeapInUse() > policy.heap_budget) {
        if (thread >= 2) {
          std::lock_guard<std::mutex> lock(mu);
          --parsing;
          return;
        }
        memo.StopGrowing();
      }
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] { return failed || !ready.empty() || produced_all; });
        if (failed || ready.empty()) return;
        chunk = std::move(ready.front());
        ready.pop_front();
      }
      std::unique_ptr<ByteSource> text =
          MemoryViewSource(source->name(), std::string_view(chunk.bytes.data(), chunk.size));
      ParseSummary summary;
      bool right = ReadChunk(reader, *text, chunk.index, chunk.last, chunk_limits, memo, &summary);
      std::lock_guard<std::mutex> lock(mu);
      summaries[chunk.index] = std::move(summary);
      if (buffers > parsing + 2) {
        --buffers;  // fewer threads parse than there were
      } else {
        free_buffers.push_back(std::move(chunk.bytes));
      }
      if (!right) failed = true;
      changed.notify_all();
    }
  };
#ifdef __GLIBC__
  if (workers > 2) mallopt(M_ARENA_MAX, 2);  // as in ClusterFileRanges
#endif
  ForEachOnThreads(workers + 1, workers + 1, [&](size_t i) {
    try {
      if (i == 0) {
        produce();
      } else {
        parse(*readers[i - 1], i - 1);
      }
    } catch (const Error&) {
      fail();  // the stream failed: said by the read on one thread
    } catch (...) {
      fail();
      throw;
    }
  });
  const uint64_t raw_bytes = source->raw_bytes();
  source.reset();
  if (!failed && FoldChunkReaders(readers, std::move(summaries), options, limits, out)) {
    out->summary.encoding = "gzip";
    out->summary.raw_bytes = raw_bytes;
    return true;
  }
  for (std::unique_ptr<PartReader>& reader : readers) reader->counter.Retract();
  if (policy.progress != nullptr) {
    policy.progress->bytes.fetch_sub(raw_bytes, std::memory_order_relaxed);
  }
  return false;
}

}  // namespace gleak
