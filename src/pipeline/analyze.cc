#include "gleak/pipeline/analyze.h"

#include "gleak/base/error.h"

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
  r.warnings = s.warnings;
  r.warnings_dropped = s.warnings_dropped;
  return r;
}

}  // namespace

Report Analyze(const AnalyzeOptions& options) {
  Report report;
  report.level = options.cluster.level;
  report.merged = !options.cluster.per_input;
  Clusterer clusterer(options.cluster);
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    const std::string& input = options.inputs[i];
    clusterer.set_input(i);
    uint64_t before = clusterer.goroutines();
    bool asked_for_debug2 = false;
    std::string spec = LooksLikeUrl(input) ? WithDebugParameter(input, &asked_for_debug2) : input;
    try {
      std::unique_ptr<ByteSource> source = OpenInput(spec, options.input_limits, options.http);
      if (!options.save_copy_to.empty()) source = SavingCopy(std::move(source), options.save_copy_to);
      ParseSummary summary = ParseSource(*source, clusterer, options.parse_limits);
      report.inputs.push_back(ToInputReport(summary));
      if (asked_for_debug2) {
        report.inputs.back().warnings.insert(
            report.inputs.back().warnings.begin(),
            Diagnostic{0, "the URL had no debug= parameter; gleak asked for debug=2 (full stacks)"});
      }
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::kInput) throw;
      InputReport failed;
      failed.name = input == "-" ? "<stdin>" : spec;
      failed.format = "unknown";
      failed.producer = "unknown";
      failed.error = e.what();
      failed.goroutines = clusterer.goroutines() - before;  // what was read before the error
      report.inputs.push_back(std::move(failed));
    }
  }
  report.totals.goroutines = clusterer.goroutines();
  report.totals.ignored_goroutines = clusterer.ignored_goroutines();
  report.groups = clusterer.TakeGroups();
  ShortenPaths(&report);
  if (options.rules != nullptr) {
    std::unique_ptr<SourceTree> source;
    if (!options.source_root.empty() || !options.rewrites.empty()) {
      source = std::make_unique<SourceTree>(options.source_root, options.rewrites);
    }
    Classify(*options.rules, options.classify, source.get(), &report.groups);
    report.classified = true;
  }
  RankAndFilter(options.report, &report);
  return report;
}

DiffReport AnalyzeSnapshots(const AnalyzeOptions& options, const DiffOptions& diff_options) {
  std::vector<Report> snapshots;
  AnalyzeOptions all_groups = options;
  all_groups.report = ReportOptions{};
  for (const std::string& input : options.inputs) snapshots.push_back(AnalyzeOne(all_groups, input));
  return DiffSnapshots(std::move(snapshots), diff_options);
}

Report AnalyzeOne(const AnalyzeOptions& options, const std::string& input) {
  AnalyzeOptions one = options;
  one.inputs = {input};
  return Analyze(one);
}

bool HasInputProblem(const Report& report) {
  for (const InputReport& input : report.inputs) {
    if (!input.error.empty() || input.goroutines == 0) return true;
  }
  return false;
}

}  // namespace gleak
