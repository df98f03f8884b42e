#include "pipeline/analyze.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <iterator>
#include <string_view>
#include <thread>

#include "base/error.h"
#include "base/parallel.h"
#include "base/redact.h"
#include "base/text.h"
#include "cluster/group_summary.h"
#include "cluster/merge.h"
#include "pipeline/parallel_input.h"
#include "report/spawn_tree.h"

namespace gleak {
namespace {

InputReport ToInputReport(const ParseSummary& s) {
  InputReport r;
  r.name = s.input;
  r.format = std::string(DumpFormatName(s.format));
  r.producer = std::string(DumpProducerName(s.producer));
  r.encoding = s.encoding;
  r.goroutines = s.goroutines;
  r.records = s.records;
  r.bytes = s.bytes;
  r.raw_bytes = s.raw_bytes;
  r.lines = s.lines;
  r.noise_lines = s.noise_lines;
  r.duplicate_goroutines = s.duplicate_goroutines;
  r.truncated = s.truncated;
  r.detail = s.detail;
  r.warnings = s.warnings;
  r.warnings_dropped = s.warnings_dropped;
  return r;
}

// A goroutine-leak profile lists only goroutines the runtime proved leaked,
// without a `(leaked)` marker on each: its groups are marked here, after any
// ranges are folded, since only the whole input's summary names the producer.
void MarkProvenLeaked(std::vector<Group>* groups) {
  for (Group& g : *groups) {
    if (!g.overflow) g.leaked = g.count;
  }
}

// One input read, parsed and clustered on its own: inputs run in parallel.
struct InputResult {
  InputReport input;
  std::vector<Group> groups;
  ObjectEvidence objects;
  SpawnEvidence spawn;
  uint64_t goroutines = 0;
  uint64_t ignored = 0;
  ProducerVerdict verdict;
};

// Reads one input, in ranges on up to `threads` threads when it is a large
// local file.
ClusteredInput ReadOne(const AnalyzeOptions& options, const std::string& spec, size_t index,
                       size_t threads, Clusterer& clusterer, ObjectIndex* objects,
                       SpawnIndex* spawn, ParseSummary* partial) {
  ClusteredInput result;
  SplitPolicy policy;
  policy.threads = threads;
  policy.min_part_bytes = options.min_split_bytes;
  if (options.gzip_chunk_bytes > 0) policy.chunk_bytes = options.gzip_chunk_bytes;
  policy.max_bytes = options.input_limits.max_decompressed_bytes;
  policy.progress = options.progress;
  if (options.save_copy_to.empty() &&
      (ClusterFileInParts(spec, policy, options.cluster, index, options.parse_limits, &result) ||
       ClusterGzipFileInChunks(spec, policy, options.cluster, index, options.parse_limits,
                               &result))) {
    return result;
  }
  std::unique_ptr<ByteSource> source = OpenInput(spec, options.input_limits, options.http);
  // A gzip file not read in chunks is inflated on a second thread while this
  // one parses (not stdin or a URL, whose reads may wait for ever: the
  // reading thread is joined when the input is let go).
  if (threads >= 2 && std::string_view(source->encoding()) == "gzip" && spec != "-" &&
      !LooksLikeUrl(spec)) {
    source = ReadAhead(std::move(source));
  }
  if (!options.save_copy_to.empty()) source = SavingCopy(std::move(source), options.save_copy_to);
  ProgressCounter counter(options.progress);
  source = CountingBytes(std::move(source), &counter);
  return ClusterSource(*source, clusterer, objects, spawn, options.parse_limits, partial, &counter);
}

InputResult ReadInput(const AnalyzeOptions& options, size_t index, size_t threads) {
  InputResult result;
  Clusterer clusterer(options.cluster);
  clusterer.set_input(index);
  std::unique_ptr<ObjectIndex> objects =
      options.cluster.objects.enabled ? std::make_unique<ObjectIndex>(options.cluster.objects)
                                      : nullptr;
  std::unique_ptr<SpawnIndex> spawn =
      options.cluster.spawn.enabled ? std::make_unique<SpawnIndex>(options.cluster.spawn) : nullptr;
  const std::string& input = options.inputs[index];
  bool asked_for_debug2 = false;
  std::string spec = LooksLikeUrl(input) ? WithDebugParameter(input, &asked_for_debug2) : input;
  ParseSummary summary;  // as far as it got, also when the input fails partway
  try {
    ClusteredInput read =
        ReadOne(options, spec, index, threads, clusterer, objects.get(), spawn.get(), &summary);
    result.input = ToInputReport(read.summary);
    result.goroutines = read.goroutines;
    result.ignored = read.ignored;
    result.groups = std::move(read.groups);
    result.verdict = JudgeProducer(read.summary.producer, read.summary.producer_line);
    if (result.verdict.judgement == ProducerJudgement::kLeakProfile) {
      MarkProvenLeaked(&result.groups);
    }
    result.input.verdict = DescribeVerdict(result.verdict, result.input.goroutines);
    result.objects = std::move(read.objects);
    result.spawn = std::move(read.spawn);
    if (asked_for_debug2) {
      result.input.warnings.insert(result.input.warnings.begin(), Diagnostic{0, kAskedForDebug2});
    }
  } catch (const Error& e) {
    if (e.kind() != Error::Kind::kInput) throw;
    result.input = ToInputReport(summary);                     // what was read before the error
    if (summary.input.empty()) result.input.encoding.clear();  // never opened
    result.input.name = input == "-" ? "<stdin>" : spec;
    result.input.error = e.what();
    // What was read before the error.
    result.input.goroutines = clusterer.goroutines();
    result.goroutines = clusterer.goroutines();
    result.ignored = clusterer.ignored_goroutines();
    result.groups = clusterer.BuildGroups();
    if (objects) result.objects = objects->Take(result.groups);
    if (spawn) result.spawn = spawn->Take(result.groups);
  }
  // A URL's password never reaches a report, a warning or an error.
  result.input.name = RedactUrlPasswords(result.input.name);
  result.input.error = RedactUrlPasswords(result.input.error);
  for (Diagnostic& d : result.input.warnings) d.message = RedactUrlPasswords(d.message);
  return result;
}

// Reads every input, on as many threads as there are cores and inputs.
std::vector<InputResult> ReadInputs(const AnalyzeOptions& options) {
  size_t n = options.inputs.size();

  std::vector<InputResult> results(n);
  size_t cores = Threads(options);
  size_t threads = std::min<size_t>(n, cores);
  // Cores left over by too few inputs go to splitting each input, but no
  // more threads than the machine has cores: past them threads only take
  // turns, no faster, while each range read on a thread of its own holds a
  // clusterer of its own (about 13 MB more a thread on a dump of 2,500
  // groups, docs/performance.md).
  size_t most = options.max_split_threads > 0 ? options.max_split_threads
                                              : std::thread::hardware_concurrency();
  size_t split = most > 0 ? std::min(cores, most) : cores;
  size_t per_input = std::max<size_t>(1, split / std::max<size_t>(n, 1));
  ForEachOnThreads(n, threads, [&](size_t i) { results[i] = ReadInput(options, i, per_input); });
  return results;
}

}  // namespace

size_t Threads(const AnalyzeOptions& options) {
  return options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

Report Analyze(const AnalyzeOptions& options) {
  Report report;
  report.level = options.cluster.level;
  report.merged = !options.cluster.per_input;
  report.max_groups = options.cluster.max_groups;
  std::vector<InputResult> results = ReadInputs(options);
  std::vector<std::vector<Group>> parts;
  ClassifyOptions classify = options.classify;
  std::vector<ObjectEvidence> objects;
  std::vector<SpawnEvidence> spawn;
  for (InputResult& r : results) {
    classify.verdicts.push_back(r.verdict);
    objects.push_back(std::move(r.objects));
    spawn.push_back(std::move(r.spawn));
    report.inputs.push_back(std::move(r.input));
    report.totals.goroutines = SaturatingAdd(report.totals.goroutines, r.goroutines);
    report.totals.ignored_goroutines = SaturatingAdd(report.totals.ignored_goroutines, r.ignored);
    parts.push_back(std::move(r.groups));
  }
  if (report.merged) {
    report.groups = MergeGroups(std::move(parts), options.cluster);
  } else {
    // The first input's groups stay where they lie and the others' are moved
    // into room made once: growing a copy held two arrays of the groups.
    size_t total = 0;
    for (const std::vector<Group>& part : parts) total += part.size();
    for (std::vector<Group>& part : parts) {
      if (report.groups.empty()) {
        report.groups = std::move(part);
        report.groups.reserve(total);
      } else {
        std::move(part.begin(), part.end(), std::back_inserter(report.groups));
      }
      std::vector<Group>().swap(part);
    }
  }
  LimitCreators(&report.groups, options.cluster.max_creators);
  if (options.cluster.spawn.enabled) {
    report.spawn_sample_level = AttachSpawnTree(std::move(spawn), report.merged, &report.groups);
  }
  // Before classification, so that the classifier can weigh the facts.
  if (options.cluster.objects.enabled) {
    AttachObjects(std::move(objects), report.merged, options.cluster.objects, &report.groups,
                  &report.objects, &report.objects_not_listed);
  }
  ShortenPaths(&report);
  if (options.rules != nullptr) {
    std::unique_ptr<SourceTree> source;
    if (!options.source_root.empty() || !options.rewrites.empty() || options.auto_source) {
      std::optional<LocalGoEnvironment> local_go;
      if (options.auto_source) local_go = FindLocalGoEnvironment();
      source = std::make_unique<SourceTree>(options.source_root, options.rewrites, local_go);
    }
    Classify(*options.rules, classify, source.get(), &report.groups);
    report.classified = true;
  }
  RankAndFilter(options.report, &report);
  return report;
}

DiffReport AnalyzeSnapshots(const AnalyzeOptions& options, const DiffOptions& diff_options) {
  std::vector<Report> snapshots;
  AnalyzeOptions all_groups = options;
  all_groups.report = ReportOptions{};
  for (const std::string& input : options.inputs)
    snapshots.push_back(AnalyzeOne(all_groups, input));
  DiffReport diff = DiffSnapshots(std::move(snapshots), diff_options);
  AddDiffSpawnTree(&diff);
  return diff;
}

Report AnalyzeOne(const AnalyzeOptions& options, const std::string& input) {
  AnalyzeOptions one = options;
  one.inputs = {input};
  return Analyze(one);
}

bool IsEmptyWithoutAnswer(const InputReport& input) {
  if (input.goroutines > 0 || !input.error.empty()) return input.goroutines == 0;
  // Real Go output that holds no goroutine by design.
  if (input.producer == DumpProducerName(DumpProducer::kGoroutineLeakProfile)) return false;
  return !(input.producer == DumpProducerName(DumpProducer::kFatalError) &&
           input.detail.fatal_error.starts_with("no goroutines"));
}

uint64_t TotalInputBytes(const std::vector<std::string>& inputs) {
  uint64_t total = 0;
  for (const std::string& input : inputs) {
    std::error_code error;
    if (input == "-" || LooksLikeUrl(input) || !std::filesystem::is_regular_file(input, error)) {
      return 0;
    }
    uint64_t size = std::filesystem::file_size(input, error);
    if (error) return 0;
    total = SaturatingAdd(total, size);
  }
  return total;
}

bool HasInputProblem(const Report& report) {
  for (const InputReport& input : report.inputs) {
    if (!input.error.empty() || IsEmptyWithoutAnswer(input)) return true;
  }
  return false;
}

}  // namespace gleak
