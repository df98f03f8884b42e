// Micro-benchmarks of gleak's stages on real dump bytes, throughput in bytes/s
// of dump text (items/s are goroutine records):
//
//   Memchr        the floor: count '\n' with memchr (what `wc -l` does)
//   LineScanner   bytes -> lines (gleak::LineScanner over an in-memory source)
//   LineGrammar   every line through the line grammar, as the parser tries it
//   Parser        bytes -> goroutine records (ParseSource into a counting sink)
//   Normalize     NormalizeState over recorded records
//   Clusterer     recorded records -> groups (OnGoroutine for all, BuildGroups)
//   Analyze       the whole pipeline on a file: read, parse, cluster, classify
//                 with the built-in rules, rank, render JSON to a discarding stream
//
// The dumps are made by the generator (bench/gen) when the bench is built
// (target bench_dumps, into the build directory: never committed). Without
// them, or with GLEAK_BENCH_DUMPS=a.txt:b.txt, other files are used; the
// last resort is the committed testdata dumps, concatenated.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "classify/rules.h"
#include "cluster/clusterer.h"
#include "cluster/normalize.h"
#include "input/byte_source.h"
#include "parse/dump_parser.h"
#include "parse/line_grammar.h"
#include "parse/line_scanner.h"
#include "parse/parse_source.h"
#include "pipeline/analyze.h"
#include "render/json_report.h"

namespace fs = std::filesystem;

namespace {

class CountingSink : public gleak::RecordSink {
 public:
  void OnGoroutine(const gleak::Goroutine& g) override {
    ++records;
    frames += g.frames.size();
  }
  uint64_t records = 0;
  uint64_t frames = 0;
};

// Records copied out of the parser, so that the clusterer can be fed again and
// again without parsing.
struct OwnedFrame {
  std::string func, file, args;
  uint64_t line = 0;
  bool inlined = false;
};
struct OwnedRecord {
  gleak::Goroutine g;
  std::string state;
  std::vector<OwnedFrame> frames;
  OwnedFrame created_by;
  std::vector<std::pair<std::string, std::string>> labels;
  // Views for the sink, built once everything above stopped moving.
  std::vector<gleak::Frame> frame_views;
  std::vector<gleak::Label> label_views;
};

OwnedFrame Own(const gleak::Frame& f) {
  return OwnedFrame{std::string(f.func), std::string(f.file), std::string(f.args), f.line,
                    f.inlined};
}
gleak::Frame View(const OwnedFrame& f) {
  return gleak::Frame{f.func, f.file, f.line, f.args, f.inlined};
}

class RecordingSink : public gleak::RecordSink {
 public:
  void OnGoroutine(const gleak::Goroutine& g) override {
    OwnedRecord& r = records.emplace_back();
    r.g = g;
    r.state = std::string(g.state);
    for (const gleak::Frame& f : g.frames) r.frames.push_back(Own(f));
    if (g.has_created_by) r.created_by = Own(g.created_by);
    for (const gleak::Label& l : g.labels)
      r.labels.emplace_back(std::string(l.key), std::string(l.value));
  }
  std::vector<OwnedRecord> records;
};

void FixViews(std::vector<OwnedRecord>* records) {
  for (OwnedRecord& r : *records) {
    r.frame_views.clear();
    for (const OwnedFrame& f : r.frames) r.frame_views.push_back(View(f));
    r.label_views.clear();
    for (const auto& [k, v] : r.labels) r.label_views.push_back(gleak::Label{k, v});
    r.g.state = r.state;
    r.g.frames = r.frame_views;
    r.g.labels = r.label_views;
    r.g.ancestors = {};
    r.g.created_by = View(r.created_by);
  }
}

class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

struct Dataset {
  std::string name;
  std::string path;  // a file holding exactly `bytes`
  std::string bytes;
  std::vector<std::string_view> lines;
  std::vector<OwnedRecord> records;
  uint64_t goroutines = 0;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void Prepare(Dataset* d) {
  std::string_view rest = d->bytes;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    d->lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  // Handed out without a copy of their own (the scanner's memcpy into its
  // buffer stands for the kernel's copy in read()).
  auto source = gleak::MemoryViewSource("bench", d->bytes);
  RecordingSink sink;
  gleak::ParseSummary s = gleak::ParseSource(*source, sink);
  d->goroutines = s.goroutines;
  d->records = std::move(sink.records);
  FixViews(&d->records);
}

// ---- the benchmarks ----

void Throughput(benchmark::State& state, const Dataset& d) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * d.bytes.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.records.size()));
  state.counters["goroutines"] = static_cast<double>(d.goroutines);
}

void BM_Memchr(benchmark::State& state, const Dataset* d) {
  for (auto _ : state) {
    const char* p = d->bytes.data();
    const char* end = p + d->bytes.size();
    uint64_t n = 0;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (nl == nullptr) break;
      ++n;
      p = nl + 1;
    }
    benchmark::DoNotOptimize(n);
  }
  Throughput(state, *d);
}

void BM_LineScanner(benchmark::State& state, const Dataset* d) {
  for (auto _ : state) {
    auto source = gleak::MemoryViewSource("bench", d->bytes);
    gleak::LineScanner scanner(*source);
    gleak::Line line;
    uint64_t n = 0;
    while (scanner.Next(&line)) n += line.text.size();
    benchmark::DoNotOptimize(n);
  }
  Throughput(state, *d);
}

void BM_LineGrammar(benchmark::State& state, const Dataset* d) {
  for (auto _ : state) {
    uint64_t kinds = 0;
    for (std::string_view line : d->lines) {
      gleak::FileLine file;
      gleak::FunctionLine function;
      gleak::HeaderLine header;
      gleak::CreatedByLine created;
      gleak::CountFrameLine count_frame;
      if (gleak::ParseFileLine(line, &file)) {
        kinds += 1;
      } else if (gleak::ParseFunctionLine(line, &function)) {
        kinds += 2;
      } else if (gleak::ParseHeaderLine(line, &header)) {
        kinds += 3;
      } else if (gleak::ParseCreatedByLine(line, &created)) {
        kinds += 4;
      } else if (gleak::ParseCountFrameLine(line, &count_frame)) {
        kinds += 5;
      }
    }
    benchmark::DoNotOptimize(kinds);
  }
  Throughput(state, *d);
}

void BM_Parser(benchmark::State& state, const Dataset* d) {
  for (auto _ : state) {
    auto source = gleak::MemoryViewSource("bench", d->bytes);
    CountingSink sink;
    gleak::ParseSummary s = gleak::ParseSource(*source, sink);
    benchmark::DoNotOptimize(s.goroutines);
    benchmark::DoNotOptimize(sink.frames);
  }
  Throughput(state, *d);
}

void BM_Normalize(benchmark::State& state, const Dataset* d) {
  for (auto _ : state) {
    size_t n = 0;
    for (const OwnedRecord& r : d->records)
      n += gleak::NormalizeState(r.g.state, r.g.frames).size();
    benchmark::DoNotOptimize(n);
  }
  Throughput(state, *d);
}

void BM_Clusterer(benchmark::State& state, const Dataset* d) {
  size_t groups = 0;
  for (auto _ : state) {
    gleak::Clusterer clusterer(gleak::ClusterOptions{});
    for (const OwnedRecord& r : d->records) clusterer.OnGoroutine(r.g);
    std::vector<gleak::Group> g = clusterer.BuildGroups();
    groups = g.size();
    benchmark::DoNotOptimize(g.data());
  }
  Throughput(state, *d);
  state.counters["groups"] = static_cast<double>(groups);
}

void BM_Analyze(benchmark::State& state, const Dataset* d) {
  gleak::RuleSet rules = gleak::RuleSet::Builtin();
  NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  size_t groups = 0;
  for (auto _ : state) {
    gleak::AnalyzeOptions options;
    options.inputs = {d->path};
    options.rules = &rules;
    gleak::Report report = gleak::Analyze(options);
    gleak::RenderJsonReport(report, null_stream);
    groups = report.groups.size();
  }
  Throughput(state, *d);
  state.counters["groups"] = static_cast<double>(groups);
}

// ---- the data ----

std::vector<Dataset*> LoadDatasets() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("GLEAK_BENCH_DUMPS"); env != nullptr && *env != '\0') {
    std::string_view list = env;
    while (!list.empty()) {
      size_t colon = list.find(':');
      paths.emplace_back(list.substr(0, colon));
      if (colon == std::string_view::npos) break;
      list.remove_prefix(colon + 1);
    }
  } else {
    for (const char* name : {"mix_debug2.txt", "deep_debug2.txt", "unique_debug1.txt"}) {
      fs::path p = fs::path(GLEAK_BENCH_DATA_DIR) / name;
      if (fs::exists(p)) paths.push_back(p.string());
    }
  }
  std::vector<Dataset*> out;
  for (const std::string& path : paths) {
    auto* d = new Dataset;
    d->name = fs::path(path).stem().string();
    d->path = path;
    d->bytes = ReadFile(path);
    if (d->bytes.empty()) {
      std::cerr << "micro_bench: " << path << " is empty or unreadable; skipped\n";
      delete d;
      continue;
    }
    out.push_back(d);
  }
  if (out.empty()) {
    // The committed real dumps, concatenated (each is a complete dump, so the
    // whole is one long traceback), and repeated up to 4 MiB.
    auto* d = new Dataset;
    d->name = "testdata_debug2";
    std::string once;
    fs::path root = fs::path(GLEAK_SOURCE_DIR) / "testdata/dumps/go1.26";
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().filename() == "http_debug2.txt") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) once += ReadFile(f.string()) + "\n";
    while (!once.empty() && d->bytes.size() < (4u << 20)) d->bytes += once;
    d->path = (fs::temp_directory_path() / "gleak_micro_bench_testdata.txt").string();
    std::ofstream(d->path, std::ios::binary) << d->bytes;
    std::cerr << "micro_bench: no generated dumps (build target bench_dumps, needs go); using "
              << files.size() << " testdata dumps concatenated, " << d->bytes.size() << " bytes\n";
    out.push_back(d);
  }
  for (Dataset* d : out) Prepare(d);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::vector<Dataset*> datasets = LoadDatasets();
  for (const Dataset* d : datasets) {
    std::cerr << "micro_bench: " << d->name << ": " << d->bytes.size() << " bytes, "
              << d->lines.size() << " lines, " << d->records.size() << " records, " << d->goroutines
              << " goroutines\n";
    benchmark::RegisterBenchmark(("Memchr/" + d->name).c_str(), BM_Memchr, d);
    benchmark::RegisterBenchmark(("LineScanner/" + d->name).c_str(), BM_LineScanner, d);
    benchmark::RegisterBenchmark(("LineGrammar/" + d->name).c_str(), BM_LineGrammar, d);
    benchmark::RegisterBenchmark(("Parser/" + d->name).c_str(), BM_Parser, d);
    benchmark::RegisterBenchmark(("Normalize/" + d->name).c_str(), BM_Normalize, d);
    benchmark::RegisterBenchmark(("Clusterer/" + d->name).c_str(), BM_Clusterer, d);
    benchmark::RegisterBenchmark(("Analyze/" + d->name).c_str(), BM_Analyze, d);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
