#include "pipeline/parallel_input.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>

#include "gleak/base/text.h"
#include "gleak/cluster/merge.h"
#include "gleak/parse/pprof_proto.h"
#include "gleak/parse/ranges.h"

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

struct Part {
  std::unique_ptr<Clusterer> clusterer;
  std::unique_ptr<ObjectIndex> objects;  // null when objects are off
  RangeParse parse;
};

void ParsePart(const std::string& path, uint64_t begin, uint64_t end, const ClusterOptions& options,
               size_t input_index, const ParseLimits& limits, const ParseContext& context,
               Part* part) {
  part->clusterer = std::make_unique<Clusterer>(options);
  part->clusterer->set_input(input_index);
  part->objects =
      options.objects.enabled ? std::make_unique<ObjectIndex>(options.objects) : nullptr;
  ClusterSink sink(*part->clusterer, part->objects.get());
  std::unique_ptr<ByteSource> range = OpenFileRange(path, begin, end);
  ParseRange(*range, sink, limits, context, &part->parse);
}

bool IsPprofProfile(const std::string& path) {
  std::unique_ptr<ByteSource> head = OpenFileRange(path, 0, kPprofSniffBytes);
  PeekedSource peeked(*head, kPprofSniffBytes);
  return LooksLikePprofProto(peeked.head());
}

}  // namespace

ClusteredInput ClusterSource(ByteSource& source, Clusterer& clusterer, ObjectIndex* objects,
                             const ParseLimits& limits, ParseSummary* partial) {
  ClusteredInput result;
  ClusterSink sink(clusterer, objects);
  ParseSource(source, sink, limits, partial != nullptr ? partial : &result.summary);
  if (partial != nullptr) result.summary = *partial;
  result.goroutines = clusterer.goroutines();
  result.ignored = clusterer.ignored_goroutines();
  result.groups = clusterer.TakeGroups();
  if (objects != nullptr) result.objects = objects->Take(result.groups);
  return result;
}

bool ClusterFileInParts(const std::string& path, const SplitPolicy& policy,
                        const ClusterOptions& options, size_t input_index,
                        const ParseLimits& limits, ClusteredInput* out) {
  if (policy.threads < 2) return false;
  std::optional<uint64_t> size = PlainFileSize(path);
  if (!size || *size > policy.max_bytes) return false;
  if (IsPprofProfile(path)) return false;  // one protobuf message: read whole, not in ranges
  uint64_t most = *size / std::max<uint64_t>(policy.min_part_bytes, 1);
  if (std::min<uint64_t>(policy.threads, most) < 2) return false;
  size_t parts = static_cast<size_t>(
      std::min<uint64_t>(policy.threads * std::max<size_t>(policy.ranges_per_thread, 1), most));
  std::vector<uint64_t> cuts = CutPoints(path, *size, parts);
  if (cuts.size() < 3) return false;
  ClusteredInput read = ClusterFileRanges(path, cuts, options, input_index, limits, policy.threads);
  for (const Group& g : read.groups) {
    if (g.overflow) return false;
  }
  *out = std::move(read);
  return true;
}

ClusteredInput ClusterFileRanges(const std::string& path, const std::vector<uint64_t>& cuts,
                                 const ClusterOptions& options, size_t input_index,
                                 const ParseLimits& limits, size_t threads) {
  size_t n = cuts.size() - 1;
  std::vector<Part> results(n);
  std::vector<std::exception_ptr> errors(n);
  auto run = [&](size_t i) {
    try {
      ParsePart(path, cuts[i], cuts[i + 1], options, input_index, limits, ParseContext{},
                &results[i]);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) run(i);
  };
  size_t workers = threads == 0 ? n : std::min(threads, n);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  // A range that began in another context than the default is read again
  // from the context the range before it ended in.
  for (size_t i = 1; i < n; ++i) {
    const ParseContext& before = results[i - 1].parse.end_context;
    if (before != ParseContext{}) {
      ParsePart(path, cuts[i], cuts[i + 1], options, input_index, limits, before, &results[i]);
    }
  }

  std::vector<ParseSummary> summaries;
  std::vector<std::vector<Group>> groups;
  std::vector<ObjectEvidence> objects;
  ClusteredInput out;
  for (Part& part : results) {
    summaries.push_back(std::move(part.parse.summary));
    groups.push_back(part.clusterer->TakeGroups());
    if (part.objects) objects.push_back(part.objects->Take(groups.back()));
    out.goroutines = SaturatingAdd(out.goroutines, part.clusterer->goroutines());
    out.ignored = SaturatingAdd(out.ignored, part.clusterer->ignored_goroutines());
  }
  out.summary = CombineRanges(std::move(summaries), limits);
  out.groups = MergeGroups(std::move(groups), options);
  if (options.objects.enabled)
    out.objects = MergeObjectEvidence(std::move(objects), options.objects);
  return out;
}

}  // namespace gleak
