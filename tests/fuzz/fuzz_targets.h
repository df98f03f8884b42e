// The bodies of gleak's fuzz targets, shared by the libFuzzer harnesses
// (tests/fuzz/*_fuzzer.cc, built with clang) and by the regression test that
// replays every input under testdata/bad/fuzz/ (tests/e2e/bad_input_test.cc,
// built with the project's compiler).
//
// Each target takes raw bytes and throws InvariantViolation when gleak gets
// something wrong that no sanitizer would notice; crashes, sanitizer reports,
// hangs and memory blow-ups are caught by whoever runs the target.
//
// Targets whose behaviour depends on options take them from the LAST byte of
// the input (the "config byte"), so that the rest of a seed is a real dump.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/text.h"
#include "classify/classifier.h"
#include "classify/rules.h"
#include "cluster/clusterer.h"
#include "input/byte_source.h"
#include "parse/dump_parser.h"
#include "parse/parse_source.h"
#include "parse/pprof_proto.h"
#include "pipeline/analyze.h"
#include "render/json_escape.h"
#include "render/json_report.h"
#include "render/json_writer.h"
#include "render/record_writer.h"
#include "render/text_report.h"
#include "report/build_report.h"

namespace gleak::fuzz {

class InvariantViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

#define GLEAK_FUZZ_CHECK(condition, ...)                                                      \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      throw ::gleak::fuzz::InvariantViolation(fmt::format(                                    \
          "{}:{}: {} failed: {}", __FILE__, __LINE__, #condition, fmt::format(__VA_ARGS__))); \
    }                                                                                         \
  } while (false)

using FuzzTarget = void (*)(const uint8_t* data, size_t size);

// The input less its config byte, and the config byte (0 for an empty input).
struct Configured {
  std::string_view data;
  uint8_t config = 0;
};
inline Configured SplitConfig(const uint8_t* data, size_t size) {
  if (size == 0) return {};
  return {std::string_view(reinterpret_cast<const char*>(data), size - 1), data[size - 1]};
}

// Bytes a terminal would act on: C0 controls other than the newline, and DEL.
inline bool IsTerminalControl(unsigned char c) { return (c < 0x20 && c != '\n') || c == 0x7f; }

// Text for a terminal holds no control byte but the newline, and with colour
// only the SGR sequences gleak writes itself (ESC [ digits/semicolons m).
inline void CheckTerminalSafe(std::string_view text, bool color, std::string_view what) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (color && c == 0x1b) {
      size_t j = i + 1;
      GLEAK_FUZZ_CHECK(j < text.size() && text[j] == '[', "{}: ESC not followed by '[' at {}", what,
                       i);
      for (++j;
           j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == ';');
           ++j) {
      }
      GLEAK_FUZZ_CHECK(j < text.size() && text[j] == 'm', "{}: ESC [ ... not an SGR at {}", what,
                       i);
      i = j;
      continue;
    }
    GLEAK_FUZZ_CHECK(!IsTerminalControl(c), "{}: control byte 0x{:02x} at offset {}", what, c, i);
  }
}

// gleak's one JSON escaper (AppendJsonQuoted, which the report, the diff and
// `gleak parse` all use) writes nlohmann's dump byte for byte, which wrote the
// report before: the same escapes, invalid UTF-8 as the same U+FFFDs.
inline void CheckEscapesAgree(std::string_view s, std::string_view what) {
  std::string ours;
  AppendJsonQuoted(s, &ours);
  std::string theirs =
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  GLEAK_FUZZ_CHECK(ours == theirs, "{}: gleak escapes differently from nlohmann: {} vs {}", what,
                   ours, theirs);
}

// ---- parser ----------------------------------------------------------------

// Checks every record the parser emits and passes it on to the writers.
class CheckingSink : public RecordSink {
 public:
  CheckingSink(const ParseLimits& limits, std::vector<RecordSink*> next)
      : limits_(limits), next_(std::move(next)) {}

  void OnGoroutine(const Goroutine& g) override {
    ++records;
    goroutines = SaturatingAdd(goroutines, g.count);  // as the parser holds its total
    GLEAK_FUZZ_CHECK(g.count >= 1, "record at line {} has count {}", g.line, g.count);
    GLEAK_FUZZ_CHECK(g.line > last_line_, "record lines go {} then {}", last_line_, g.line);
    last_line_ = g.line;
    Text(g.state, "state", false);
    CheckEscapesAgree(g.state, "state");
    size_t frames = g.frames.size();
    for (const Frame& f : g.frames) CheckFrame(f, "frame");
    if (g.has_created_by) {
      CheckFrame(g.created_by, "created_by");
    } else {
      GLEAK_FUZZ_CHECK(!g.has_creator_id, "creator id {} without `created by`", g.creator_id);
    }
    for (const Label& l : g.labels) {
      Text(l.key, "label key", true);
      Text(l.value, "label value", true);
    }
    for (const Ancestor& a : g.ancestors) {
      frames += a.frames.size();
      for (const Frame& f : a.frames) CheckFrame(f, "ancestor frame");
      if (!a.created_by.func.empty()) CheckFrame(a.created_by, "ancestor created_by");
    }
    GLEAK_FUZZ_CHECK(frames <= limits_.max_frames, "{} frames kept, limit {}", frames,
                     limits_.max_frames);
    GLEAK_FUZZ_CHECK(!(g.stack_maybe_cut && g.frames_elided), "cut and elided at once");
    for (RecordSink* sink : next_) sink->OnGoroutine(g);
  }

  uint64_t records = 0;
  uint64_t goroutines = 0;
  volatile uint64_t checksum = 0;  // every byte of every view is read: ASan checks the bounds

 private:
  void Text(std::string_view s, std::string_view what, bool newline_ok) {
    uint64_t sum = 0;
    for (char c : s) {
      sum += static_cast<unsigned char>(c);
      GLEAK_FUZZ_CHECK(newline_ok || c != '\n', "{} holds a newline", what);
    }
    checksum = checksum + sum;
  }
  void CheckFrame(const Frame& f, std::string_view what) {
    GLEAK_FUZZ_CHECK(!f.func.empty(), "{} with an empty function name", what);
    GLEAK_FUZZ_CHECK(f.line <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                     "{} line {} is 2^63 or more", what, f.line);
    Text(f.func, "func", false);
    CheckEscapesAgree(f.func, "func");
    Text(f.file, "file", false);
    Text(f.args, "args", false);
  }

  ParseLimits limits_;
  std::vector<RecordSink*> next_;
  uint64_t last_line_ = 0;
};

// An in-memory FILE* for the record writers.
class MemoryFile {
 public:
  MemoryFile() : file_(open_memstream(&data_, &size_)) {
    if (file_ == nullptr) throw std::runtime_error("open_memstream failed");
  }
  ~MemoryFile() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(data_);
  }
  std::FILE* get() { return file_; }
  std::string Take() {
    std::fclose(file_);
    file_ = nullptr;
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

// Config byte: bit 0 max_frames 3, bit 1 max_warnings 2, bit 2 max_line_length 64;
// bit 7 set: reads of 1 to 232 bytes (bits 4-6) instead of whole buffers. Seeds
// end in '\n' (0x0a): plain reads, as the parser mostly sees them.
inline void FuzzParser(const uint8_t* bytes, size_t size) {
  auto [data, config] = SplitConfig(bytes, size);
  ParseLimits limits;
  if (config & 1) limits.max_frames = 3;
  if (config & 2) limits.max_warnings = 2;
  if (config & 4) limits.max_line_length = 64;
  size_t chunk =
      (config & 0x80) ? 1 + ((config >> 4) & 7) * 33 : std::numeric_limits<size_t>::max();

  MemoryFile json_file, text_file;
  ParseSummary summary;
  uint64_t records = 0, goroutines = 0;
  {
    JsonLinesRecordWriter json(json_file.get());
    TextRecordWriter text(text_file.get());
    // A hostile input name too: it reaches both outputs.
    json.set_input("fuzz\x1b[2J\xff.txt");
    text.set_input("fuzz\x1b[2J\xff.txt");
    CheckingSink sink(limits, {&json, &text});
    // `chunk` bytes a read, as a pipe or a slow disk would hand them over.
    auto source = MemoryViewSource("fuzz", data, chunk);
    try {
      summary = ParseSource(*source, sink, limits);
    } catch (const Error& e) {
      // Only a pprof profile can be refused (malformed, cut, another kind).
      GLEAK_FUZZ_CHECK(LooksLikePprofProto(data.substr(0, kPprofSniffBytes)),
                       "the text parser threw: {}", e.what());
      return;
    }
    records = sink.records;
    goroutines = sink.goroutines;
  }
  GLEAK_FUZZ_CHECK(summary.records == records, "summary says {} records, sink saw {}",
                   summary.records, records);
  GLEAK_FUZZ_CHECK(summary.goroutines == goroutines, "summary says {} goroutines, sink saw {}",
                   summary.goroutines, goroutines);
  GLEAK_FUZZ_CHECK(!summary.goroutines_saturated || goroutines == UINT64_MAX,
                   "goroutines_saturated with {} goroutines", goroutines);
  GLEAK_FUZZ_CHECK(summary.bytes == data.size(), "{} bytes read of {}", summary.bytes, data.size());
  uint64_t lines = static_cast<uint64_t>(std::count(data.begin(), data.end(), '\n'));
  if (!data.empty() && data.back() != '\n') ++lines;
  if (summary.format == DumpFormat::kPprofProto) lines = 0;  // no lines in protobuf
  GLEAK_FUZZ_CHECK(summary.lines == lines, "{} lines counted, the input has {}", summary.lines,
                   lines);
  GLEAK_FUZZ_CHECK(summary.noise_lines <= summary.lines, "{} noise lines of {}",
                   summary.noise_lines, summary.lines);
  GLEAK_FUZZ_CHECK(summary.warnings.size() <= limits.max_warnings, "{} warnings kept, limit {}",
                   summary.warnings.size(), limits.max_warnings);
  for (const Diagnostic& d : summary.warnings) {
    GLEAK_FUZZ_CHECK(d.line <= summary.lines, "warning names line {} of {}", d.line, summary.lines);
  }

  // `gleak parse`: one valid JSON object per record, whatever the bytes.
  std::string json_lines = json_file.Take();
  uint64_t json_records = 0;
  for (size_t start = 0; start < json_lines.size();) {
    size_t nl = json_lines.find('\n', start);
    GLEAK_FUZZ_CHECK(nl != std::string::npos, "JSON line without a newline");
    std::string_view line(json_lines.data() + start, nl - start);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw InvariantViolation(
          fmt::format("gleak parse wrote invalid JSON ({}): {}", e.what(), line.substr(0, 2000)));
    }
    GLEAK_FUZZ_CHECK(j.is_object() && j["frames"].is_array() && j["count"].is_number_unsigned(),
                     "unexpected JSON line shape: {}", line.substr(0, 2000));
    ++json_records;
    start = nl + 1;
  }
  GLEAK_FUZZ_CHECK(json_records == records, "{} JSON lines for {} records", json_records, records);
  CheckTerminalSafe(text_file.Take(), false, "gleak parse --format text");
}

// ---- rule files -------------------------------------------------------------

// A few groups to classify with rules that loaded: made once from a small dump.
inline const std::vector<Group>& SampleGroups() {
  static const std::vector<Group> groups = [] {
    std::string dump;
    for (int i = 0; i < 12; ++i) {
      dump += fmt::format(
          "goroutine {} [chan send, 20 minutes]:\nmain.send(...)\n\t/src/app/main.go:10\n"
          "main.worker(0xc000010000)\n\t/src/app/main.go:20 +0x25\n"
          "created by main.start in goroutine 1\n\t/src/app/main.go:30 +0x45\n\n",
          100 + i);
    }
    dump +=
        "goroutine 7 [semacquire (leaked)]:\nsync.runtime_Semacquire(0x0?)\n"
        "\t/usr/local/go/src/runtime/sema.go:71 +0x25\nsync.(*WaitGroup).Wait(0x0?)\n"
        "\t/usr/local/go/src/sync/waitgroup.go:118 +0x48\nmain.wait()\n\t/src/app/wait.go:5 "
        "+0x1\n\n"
        "goroutine 8 [select (no cases)] {job: \"ingest\"}:\nmain.idle()\n\t/src/app/idle.go:3\n\n"
        "goroutine 9 [IO wait, 90 minutes]:\ninternal/poll.runtime_pollWait(0x1, 0x72)\n"
        "\t/usr/local/go/src/runtime/netpoll.go:351 +0x85\nnet/http.(*conn).serve(0xc0)\n"
        "\t/usr/local/go/src/net/http/server.go:2067 +0x690\n"
        "created by net/http.(*Server).Serve in goroutine 1\n"
        "\t/usr/local/go/src/net/http/server.go:3464 +0x485\n\n"
        "goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:5 +0x1\n";
    Clusterer clusterer(ClusterOptions{});
    std::unique_ptr<ByteSource> source = MemorySource("sample", dump);
    ParseSource(*source, clusterer);
    Report report;
    report.groups = clusterer.BuildGroups();
    ShortenPaths(&report);
    return report.groups;
  }();
  return groups;
}

// RuleSet::Parse takes any bytes and throws nothing but gleak::Error (kUsage),
// naming the file; rules it accepts override the built-ins and classify groups.
inline void FuzzRules(const uint8_t* bytes, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  RuleSet parsed;
  try {
    parsed = RuleSet::Parse(text, "fuzz.json");
  } catch (const Error& e) {
    GLEAK_FUZZ_CHECK(e.kind() == Error::Kind::kUsage, "a rule file error must be a usage error");
    GLEAK_FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz.json"),
                     "the error does not name the file: {}", e.what());
    return;
  } catch (const std::exception& e) {
    throw InvariantViolation(fmt::format("RuleSet::Parse threw {} instead of gleak::Error: {}",
                                         typeid(e).name(), e.what()));
  }
  RuleSet rules = RuleSet::Builtin();
  rules.Override(std::move(parsed));
  for (const Rule& r : rules.rules()) {
    GLEAK_FUZZ_CHECK(!r.id.empty() && !r.when.empty(), "a loaded rule without id or clauses");
  }
  std::vector<Group> groups = SampleGroups();
  Classify(rules, ClassifyOptions{}, nullptr, &groups);
  for (const Group& g : groups) {
    GLEAK_FUZZ_CHECK(!g.finding.pattern.empty(), "a group without a pattern");
    GLEAK_FUZZ_CHECK(
        g.finding.pattern == "unclassified" || rules.Find(g.finding.pattern) != nullptr,
        "pattern {} is not a rule", g.finding.pattern);
    GLEAK_FUZZ_CHECK(!(g.finding.benign && g.finding.suspect && !g.finding.proven),
                     "benign group {} is a suspect", g.finding.pattern);
  }
}

// ---- the analyze pipeline ---------------------------------------------------

// The input as a file without touching the disk: Analyze opens inputs by path.
class MemFd {
 public:
  explicit MemFd(std::string_view data) {
    fd_ = memfd_create("gleak-fuzz", MFD_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    for (size_t done = 0; done < data.size();) {
      ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n <= 0) throw std::runtime_error("write to memfd failed");
      done += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFd() { ::close(fd_); }
  MemFd(const MemFd&) = delete;
  MemFd& operator=(const MemFd&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

using Wide = unsigned __int128;
inline Wide Sat(Wide v) { return v > Wide{UINT64_MAX} ? Wide{UINT64_MAX} : v; }
inline std::string Str(Wide v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

inline uint64_t U64(const nlohmann::json& j, std::string_view what) {
  GLEAK_FUZZ_CHECK(j.is_number_unsigned(), "{} is not an unsigned number: {}", what, j.dump());
  return j.get<uint64_t>();
}

// Config byte: bit 0 the input given twice, bits 1-2 the grouping level, bit 3
// --merge, bit 4 --no-creator, bit 5 --top 2, bit 6 --min-count 2, bit 7
// --only-suspects and at most 3 frames per goroutine; bits 0 and 5 together
// also --max-groups 2, so that overflow groups are made and merged.
inline void FuzzAnalyze(const uint8_t* bytes, size_t size) {
  auto [data, config] = SplitConfig(bytes, size);
  static const RuleSet rules = RuleSet::Builtin();
  MemFd file(data);
  AnalyzeOptions options;
  options.inputs = {file.path()};
  if (config & 1) options.inputs.push_back(file.path());
  options.cluster.level = static_cast<GroupingLevel>((config >> 1) & 3);
  options.cluster.per_input = (config & 8) == 0;
  options.cluster.include_creator = (config & 16) == 0;
  options.report.top = (config & 32) ? 2 : 0;
  options.report.min_count = (config & 64) ? 2 : 1;
  options.report.only_suspects = (config & 128) != 0;
  if (config & 128) options.parse_limits.max_frames = 3;
  if ((config & 0x21) == 0x21) options.cluster.max_groups = 2;
  options.rules = &rules;

  Report report = Analyze(options);
  report.tool_version = "fuzz";

  std::ostringstream json_out;
  RenderJsonReport(report, json_out);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_out.str());
  } catch (const nlohmann::json::exception& e) {
    throw InvariantViolation(fmt::format("the JSON report does not parse: {}", e.what()));
  }
  GLEAK_FUZZ_CHECK(doc["schema"] == kReportSchema, "schema {}", doc["schema"].dump());
  const nlohmann::json& t = doc["totals"];
  // Sums are taken in 128 bits and compared saturated (counts are held at the
  // largest uint64 rather than wrap, a documented cap): a count that wrapped
  // around 2^64 is a wrong answer.
  Wide total = U64(t["goroutines"], "totals.goroutines");
  Wide shown = U64(t["shown_goroutines"], "shown_goroutines");
  Wide hidden = U64(t["hidden_goroutines"], "hidden_goroutines");
  Wide ignored = U64(t["ignored_goroutines"], "ignored_goroutines");
  GLEAK_FUZZ_CHECK(Sat(shown + hidden + ignored) == total,
                   "{} shown + {} hidden + {} ignored != {}", Str(shown), Str(hidden), Str(ignored),
                   Str(total));
  uint64_t groups = U64(t["groups"], "totals.groups");
  GLEAK_FUZZ_CHECK(
      U64(t["shown_groups"], "shown_groups") + U64(t["hidden_groups"], "hidden") == groups,
      "shown + hidden groups != {}", groups);
  GLEAK_FUZZ_CHECK(doc["groups"].size() == U64(t["shown_groups"], "shown_groups"),
                   "{} groups listed, totals say {}", doc["groups"].size(),
                   t["shown_groups"].dump());
  GLEAK_FUZZ_CHECK(U64(t["suspect_groups"], "suspect_groups") <= groups,
                   "more suspects than groups");
  GLEAK_FUZZ_CHECK(doc["inputs"].size() == options.inputs.size(), "{} inputs reported of {}",
                   doc["inputs"].size(), options.inputs.size());
  Wide input_goroutines = 0;
  // Bytes that start like gzip are inflated, and may rightly fail to (corrupt, cut short).
  bool gzip = data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b';
  // So may a pprof profile (malformed, cut, of another kind).
  bool pprof = LooksLikePprofProto(data.substr(0, kPprofSniffBytes));
  for (const nlohmann::json& in : doc["inputs"]) {
    input_goroutines += U64(in["goroutines"], "inputs[].goroutines");
    if (gzip || pprof) continue;
    GLEAK_FUZZ_CHECK(in["error"].is_null(), "a memory file failed: {}", in["error"].dump());
    GLEAK_FUZZ_CHECK(U64(in["bytes"], "inputs[].bytes") == data.size(), "bytes {} of {}",
                     in["bytes"].dump(), data.size());
  }
  GLEAK_FUZZ_CHECK(Sat(input_goroutines) == total, "inputs hold {} goroutines, totals say {}",
                   Str(input_goroutines), Str(total));
  GLEAK_FUZZ_CHECK(U64(doc["max_groups"], "max_groups") == options.cluster.max_groups,
                   "max_groups {}", doc["max_groups"].dump());
  // At most max_groups groups of an input (of all with --merge), and one
  // overflow group each.
  size_t sets = options.cluster.per_input ? options.inputs.size() : 1;
  GLEAK_FUZZ_CHECK(groups <= (options.cluster.max_groups + 1) * sets, "{} groups past the cap",
                   groups);
  Wide listed = 0, listed_overflow = 0;
  uint64_t rank = 0;
  for (const nlohmann::json& g : doc["groups"]) {
    if (g["overflow"].get<bool>()) {
      listed_overflow += U64(g["count"], "groups[].count");
      GLEAK_FUZZ_CHECK(g["id"] == "ffffffffffffffff" && g["state"] == "overflow" &&
                           g["frames"].empty() && g["creators"].empty() &&
                           g["finding"]["pattern"] == "overflow" &&
                           !g["finding"]["suspect"].get<bool>(),
                       "an overflow group that is not one: {}", g.dump());
    }
    uint64_t count = U64(g["count"], "groups[].count");
    GLEAK_FUZZ_CHECK(count >= 1, "an empty group");
    listed += count;
    GLEAK_FUZZ_CHECK(U64(g["rank"], "rank") == ++rank, "rank {} at {}", g["rank"].dump(), rank);
    std::string id = g["id"].get<std::string>();
    GLEAK_FUZZ_CHECK(
        id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos,
        "group id '{}'", id);
    GLEAK_FUZZ_CHECK(g["top_frame"].is_null() == g["frames"].empty(), "top_frame vs frames");
    Wide by_input = 0;
    for (const nlohmann::json& share : g["inputs"]) {
      GLEAK_FUZZ_CHECK(U64(share["input"], "input") < options.inputs.size(), "bad input index");
      by_input += U64(share["count"], "inputs[].count");
    }
    GLEAK_FUZZ_CHECK(Sat(by_input) == count, "inputs[] of a group hold {} of {}", Str(by_input),
                     count);
    Wide by_creator = U64(g["creators_not_listed"], "creators_not_listed");
    for (const nlohmann::json& c : g["creators"]) by_creator += U64(c["count"], "creators[].count");
    GLEAK_FUZZ_CHECK(Sat(by_creator) <= count, "creators hold {} of {}", Str(by_creator), count);
    for (const nlohmann::json& f : g["frames"]) {
      GLEAK_FUZZ_CHECK(f["func"].is_string() && !f["func"].get<std::string>().empty(),
                       "a frame without a function");
    }
  }
  GLEAK_FUZZ_CHECK(Sat(listed) == shown, "groups[] hold {} goroutines, totals say {} shown",
                   Str(listed), Str(shown));
  GLEAK_FUZZ_CHECK(Sat(listed_overflow) <= U64(t["overflow_goroutines"], "overflow_goroutines"),
                   "overflow groups hold {}, totals say {}", Str(listed_overflow),
                   t["overflow_goroutines"].dump());

  // The text report: plain, cut to a width, and coloured.
  TextStyle style;
  for (int variant = 0; variant < 2; ++variant) {
    style.color = variant == 1;
    style.width = variant == 1 ? 60 : 0;
    style.full = variant == 1;
    std::ostringstream text;
    RenderTextReport(report, style, text);
    CheckTerminalSafe(text.str(), style.color, "gleak analyze (text)");
  }
}

// ---- pprof protobuf -------------------------------------------------------------

// Config byte: bit 0 max_frames 3, bit 1 max_warnings 2, bit 2 max_profile_bytes
// 4096; bit 7 set: reads of 1 to 232 bytes (bits 4-6). Seeds are the committed
// profiles inflated, with a 0 config byte.
inline void FuzzPprof(const uint8_t* bytes, size_t size) {
  auto [data, config] = SplitConfig(bytes, size);
  ParseLimits limits;
  if (config & 1) limits.max_frames = 3;
  if (config & 2) limits.max_warnings = 2;
  if (config & 4) limits.max_profile_bytes = 4096;
  size_t chunk =
      (config & 0x80) ? 1 + ((config >> 4) & 7) * 33 : std::numeric_limits<size_t>::max();
  bool recognised = LooksLikePprofProto(data.substr(0, kPprofSniffBytes));

  MemoryFile json_file;
  ParseSummary summary;
  uint64_t records = 0, goroutines = 0;
  {
    JsonLinesRecordWriter json(json_file.get());
    json.set_input("fuzz.pb");
    CheckingSink sink(limits, {&json});
    auto source = MemoryViewSource("fuzz.pb", data, chunk);
    try {
      ParsePprofProto(*source, sink, limits, &summary);
    } catch (const Error& e) {
      GLEAK_FUZZ_CHECK(e.kind() == Error::Kind::kInput, "not an input error: {}", e.what());
      GLEAK_FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz.pb: "),
                       "the error does not name the input: {}", e.what());
      return;
    }
    records = sink.records;
    goroutines = sink.goroutines;
  }
  GLEAK_FUZZ_CHECK(summary.format == DumpFormat::kPprofProto, "format {}",
                   DumpFormatName(summary.format));
  GLEAK_FUZZ_CHECK(summary.records == records, "summary says {} records, sink saw {}",
                   summary.records, records);
  GLEAK_FUZZ_CHECK(summary.goroutines == goroutines, "summary says {} goroutines, sink saw {}",
                   summary.goroutines, goroutines);
  GLEAK_FUZZ_CHECK(summary.bytes == data.size(), "{} bytes read of {}", summary.bytes, data.size());
  GLEAK_FUZZ_CHECK(summary.warnings.size() <= limits.max_warnings, "{} warnings kept, limit {}",
                   summary.warnings.size(), limits.max_warnings);
  std::string json_lines = json_file.Take();
  GLEAK_FUZZ_CHECK(
      static_cast<uint64_t>(std::count(json_lines.begin(), json_lines.end(), '\n')) == records,
      "JSON lines for {} records", records);
  // What a recognised profile gives through the dispatcher is the same.
  if (recognised) {
    CheckingSink again(limits, {});
    auto source = MemoryViewSource("fuzz.pb", data, chunk);
    ParseSummary dispatched = ParseSource(*source, again, limits);
    GLEAK_FUZZ_CHECK(dispatched.records == records && dispatched.goroutines == goroutines,
                     "ParseSource read {} records, ParsePprofProto {}", dispatched.records,
                     records);
  }
}

// ---- running a target ---------------------------------------------------------

// For libFuzzer: any exception is a finding; print it and abort so that the
// input is saved as a crash.
inline void RunOrAbort(FuzzTarget target, const uint8_t* data, size_t size) {
  try {
    target(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\n*** gleak fuzz target failed: %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "\n*** gleak fuzz target threw a non-std exception\n");
    std::abort();
  }
}

}  // namespace gleak::fuzz

#define GLEAK_FUZZ_TARGET(target)                                           \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    ::gleak::fuzz::RunOrAbort(&::gleak::fuzz::target, data, size);          \
    return 0;                                                               \
  }
