// Analyze: the run's table of contents. Read each input, parse it into
// records, fold the records into groups, and finish the report.
#pragma once

#include <string>
#include <vector>

#include "classify/classifier.h"
#include "cluster/clusterer.h"
#include "diff/diff.h"
#include "input/byte_source.h"
#include "input/http_source.h"
#include "model/report.h"
#include "parse/dump_parser.h"
#include "pipeline/read_progress.h"
#include "report/build_report.h"

namespace gleak {

struct AnalyzeOptions {
  std::vector<std::string> inputs;  // paths or "-"
  ClusterOptions cluster;
  ReportOptions report;
  const RuleSet* rules = nullptr;  // null: no classification
  ClassifyOptions classify;
  std::string source_root;  // empty: stack-only classification, unless auto_source
  std::vector<PathRewrite> rewrites;
  // Also read source where this machine has it: paths as printed, GOROOT,
  // GOMODCACHE (the CLI's default; --no-source turns it off).
  bool auto_source = false;
  ParseLimits parse_limits;
  InputLimits input_limits;
  HttpOptions http;
  std::string save_copy_to;  // with one input: also write it, gzipped, to this file
  size_t threads = 0;        // 0: one per core. Inputs are read in parallel, and a large
                             // local file in ranges when there are more cores than inputs
  uint64_t min_split_bytes = uint64_t{16} << 20;  // smallest range worth a thread of its own
  size_t gzip_chunk_bytes = 0;  // a gzip file's chunks; 0: SplitPolicy::chunk_bytes
  // Threads that split inputs into ranges, at most; 0: the machine's cores.
  // Past the cores threads only take turns, while each holds a clusterer.
  size_t max_split_threads = 0;
  // Counts the bytes and goroutines read so far, for a progress line; null:
  // not counted. The caller sets its total_bytes (TotalInputBytes).
  ReadProgress* progress = nullptr;
};

// The threads `options` may use: --threads, or one a core.
size_t Threads(const AnalyzeOptions& options);

// An input that cannot be read is reported in its InputReport::error and the
// others are still analyzed; nothing here throws for bad input.
Report Analyze(const AnalyzeOptions& options);

// The groups of one more input, for callers that keep reading (gleak watch):
// parses `input` and returns its report, as Analyze with one input would.
Report AnalyzeOne(const AnalyzeOptions& options, const std::string& input);

// Analyzes each input as one snapshot of a process, in time order, and
// diffs them. Every group is kept (no --top or --min-count) so that growth
// is measured on everything.
DiffReport AnalyzeSnapshots(const AnalyzeOptions& options, const DiffOptions& diff_options);

// The inputs' bytes when every input is a regular local file; else 0 (the
// size of a pipe or a URL's body is not known before it ends).
uint64_t TotalInputBytes(const std::vector<std::string>& inputs);

// True when some input could not be read or held no goroutines.
bool HasInputProblem(const Report& report);

// An input without goroutines that is not an answer in itself: an empty
// goroutine-leak profile ("total 0") is the runtime's clean answer, and "fatal
// error: no goroutines (main called runtime.Goexit) - deadlock!" is all the
// runtime prints of that crash: neither is a problem.
bool IsEmptyWithoutAnswer(const InputReport& input);

}  // namespace gleak
