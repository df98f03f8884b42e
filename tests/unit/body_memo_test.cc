// The memo of bodies already read (parse/body_memo.h) must change nothing
// the parser says: every record, argument, key and count read through it is
// what reading each line gives. Checked on every committed dump, every
// hostile input, and variants of real dumps built to sit on each edge of
// what the memo takes.
#include "parse/body_memo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "base/error.h"
#include "input/byte_source.h"
#include "parse/dump_parser.h"
#include "parse/line_scanner.h"
#include "parse/parse_source.h"
#include "parse/pprof_proto.h"
#include "support/test_support.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;

// Every field of a record, arguments, stack key and creator id included,
// as one line of text.
std::string Describe(const Goroutine& g) {
  std::ostringstream out;
  auto frame = [&](const Frame& f) {
    out << " [" << f.func << "|" << f.file << ":" << f.line << "|" << f.args << "|" << f.inlined
        << "]";
  };
  out << g.id << " " << g.has_id << " " << g.state << " " << g.wait_minutes << " " << g.count << " "
      << g.locked_to_thread << g.leaked << g.scan << g.durable << " " << g.synctest_bubble << " "
      << g.stack_unavailable << g.frames_elided << " " << g.elided_frame_count << " "
      << g.stack_maybe_cut << g.truncated << g.crashed << " line " << g.line << " key "
      << g.stack_key[0] << "/" << g.stack_key[1];
  for (const Frame& f : g.frames) frame(f);
  out << " created " << g.has_created_by;
  if (g.has_created_by) frame(g.created_by);
  out << " creator " << g.has_creator_id << " " << g.creator_id;
  for (const Label& l : g.labels) out << " label " << l.key << "=" << l.value;
  for (const Ancestor& a : g.ancestors) {
    out << " ancestor " << a.id;
    for (const Frame& f : a.frames) frame(f);
    frame(a.created_by);
  }
  return out.str();
}

// A sink like the clusterer: it reads stack keys, so the parser keeps a memo.
class KeyedSink : public RecordSink {
 public:
  void OnGoroutine(const Goroutine& g) override { records.push_back(Describe(g)); }
  bool wants_stack_keys() const override { return true; }
  std::vector<std::string> records;
};

std::string DescribeSummary(const ParseSummary& s) {
  std::ostringstream out;
  out << s.records << " records, " << s.goroutines << " goroutines, " << s.lines << " lines, "
      << s.bytes << " bytes, " << s.noise_lines << " noise, " << s.duplicate_goroutines
      << " repeats, truncated " << s.truncated << ", " << s.warnings_dropped << " dropped";
  for (const Diagnostic& d : s.warnings) out << "\n  line " << d.line << ": " << d.message;
  return out.str();
}

struct Read {
  std::vector<std::string> records;
  std::string summary;
  std::string error;
  size_t taken = 0;  // records TakeBody read
};

// Reads `text` as ParseRange does, but with TakeBody only when `take_bodies`.
// `memo`: one shared with other parsers, as DumpParser's.
Read ReadLines(const std::string& text, bool take_bodies, const ParseLimits& limits = {},
               BodyMemo* memo = nullptr) {
  auto source = MemorySource("<test>", text);
  KeyedSink sink;
  Read read;
  LineScanner scanner(*source, limits.max_line_length);
  DumpParser parser("<test>", sink, limits, ParseContext{}, memo);
  Line line;
  while (scanner.Next(&line)) {
    if (!parser.ParseLine(line) || !take_bodies) continue;
    uint64_t lines = 0;
    size_t before = sink.records.size();
    if (size_t bytes = parser.TakeBody(scanner.Buffered(), &lines)) {
      scanner.Consume(bytes, lines);
      read.taken += sink.records.size() - before;
    }
  }
  parser.Finish(scanner.bytes_read(), scanner.lines_read());
  ParseSummary summary = parser.summary();
  ConcludeSummary(&summary, limits);
  read.records = std::move(sink.records);
  read.summary = DescribeSummary(summary);
  return read;
}

// Reads `path` the way gleak does (ParseSource: ranges, the memo).
Read ReadAsGleakDoes(const fs::path& path, const ParseLimits& limits = {}) {
  KeyedSink sink;
  Read read;
  ParseSummary summary;
  try {
    auto source = OpenInput(path.string());
    ParseSource(*source, sink, limits, &summary);
  } catch (const Error& e) {
    read.error = e.what();
  }
  read.records = std::move(sink.records);
  read.summary = DescribeSummary(summary);
  return read;
}

// The same input read line by line, from its decompressed text.
Read ReadEachLine(const fs::path& path, const ParseLimits& limits = {}) {
  std::string text;
  Read read;
  try {
    auto source = OpenInput(path.string());
    char buffer[1 << 16];
    while (size_t n = source->Read(buffer, sizeof buffer)) text.append(buffer, n);
  } catch (const Error& e) {
    read.error = e.what();
  }
  Read lines = ReadLines(text, false, limits);
  lines.error = read.error;
  return lines;
}

void ExpectSameReads(const Read& a, const Read& b) {
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.summary, b.summary);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    ASSERT_EQ(a.records[i], b.records[i]) << "record " << i;
  }
}

bool IsProfile(const fs::path& path) {
  std::string head = ReadFile(path).substr(0, kPprofSniffBytes);
  return path.string().ends_with(".gz") || LooksLikePprofProto(head);
}

TEST(BodyMemo, EveryCommittedDumpReadsAsEachLineDoes) {
  size_t files = 0;
  for (const fs::path& dump : testing::CommittedDumps()) {
    SCOPED_TRACE(dump.string());
    ExpectSameReads(ReadAsGleakDoes(dump), ReadEachLine(dump));
    ++files;
  }
  EXPECT_GT(files, 100u);
}

TEST(BodyMemo, EveryHostileInputReadsAsEachLineDoes) {
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(testing::Bad(""))) {
    if (!entry.is_regular_file() || IsProfile(entry.path())) continue;
    SCOPED_TRACE(entry.path().string());
    ExpectSameReads(ReadAsGleakDoes(entry.path()), ReadEachLine(entry.path()));
    ++files;
  }
  EXPECT_GT(files, 15u);
}

// A real dump written eight times over: the memo keeps a body the second
// time it is read, so it takes every body of the last six copies but the
// few that are not plain frames (a running goroutine's, one elided).
TEST(BodyMemo, RepeatedBodiesAreTakenFromTheThirdOn) {
  std::string dump = ReadFile(testing::Dump("go1.26/svcworkers/sigquit.txt"));
  std::string text;
  for (int i = 0; i < 8; ++i) text += dump;
  Read taken = ReadLines(text, true);
  Read each = ReadLines(text, false);
  ExpectSameReads(taken, each);
  EXPECT_EQ(each.taken, 0u);
  size_t per_copy = taken.records.size() / 8;
  EXPECT_LE(taken.taken, 6 * per_copy);
  EXPECT_GE(taken.taken, 6 * (per_copy - 2)) << taken.taken << " of " << taken.records.size();
}

// What a body's lines may be besides the plain ones: each variant of a
// real dump reads alike with and without the memo, whichever copy of a
// body (the first, the third, the last) it changes.
TEST(BodyMemo, VariantsOfRealBodiesReadAsEachLineDoes) {
  std::string dump = ReadFile(testing::Dump("go1.26/svcworkers/sigquit.txt"));
  std::string many;
  for (int i = 0; i < 6; ++i) many += dump;
  // Replaces the nth occurrence of `from` in the fourth copy, one the memo
  // reads (the first two teach it), or in the first copy with `in_first`.
  auto replace_nth = [&](std::string text, const std::string& from, const std::string& to,
                         size_t nth, bool in_first = false) {
    if (!in_first) nth += 3 * testing::Count(dump, from);
    size_t at = 0;
    for (size_t i = 0; at != std::string::npos; ++i) {
      at = text.find(from, at);
      if (at == std::string::npos) break;
      if (i == nth) return text.replace(at, from.size(), to);
      at += from.size();
    }
    return text;
  };
  auto replace_all = [](std::string text, const std::string& from, const std::string& to) {
    for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
      text.replace(at, from.size(), to);
    }
    return text;
  };
  // The arguments of the nth function line that has any made "...": the
  // same call printed as an inlined one.
  auto inline_nth = [&](std::string text, size_t nth) {
    nth += 3 * testing::Count(dump, "(0x");
    size_t at = 0;
    for (size_t i = 0; (at = text.find("(0x", at)) != std::string::npos; ++i, ++at) {
      size_t close = text.find(")\n", at);
      if (i == nth && close != std::string::npos)
        return text.replace(at + 1, close - at - 1, "...");
    }
    return text;
  };
  std::map<std::string, std::string> variants;
  variants["args made inlined"] = inline_nth(many, 10);
  variants["crlf"] = replace_all(many, "\n", "\r\n");
  variants["tab to spaces"] = replace_nth(many, "\n\t", "\n    ", 200);
  variants["blank line with a space"] = replace_nth(many, "\n\n", "\n \n", 40);
  variants["creator id not a number"] =
      replace_nth(many, " in goroutine 1\n", " in goroutine 1x\n", 30);
  variants["creator id too long"] =
      replace_nth(many, " in goroutine 1\n", " in goroutine 99999999999999999999999\n", 31);
  variants["trailing space"] = replace_nth(many, ")\n\t", ") \n\t", 300);
  variants["inlined"] = replace_nth(many, "(0x", "(...)\n\t/x.go:1 +0x1\nmain.f(0x", 400);
  variants["timestamp in front"] = replace_nth(many, "\nmain.", "\n2026-01-01 main.", 120);
  variants["json log line"] = replace_nth(many, "\nmain.", "\n{\"log\":\"main.", 121);
  variants["NUL padding"] = replace_nth(many, "\nmain.", std::string("\n\0\0main.", 8), 122);
  variants["trailing space in the first copy"] = replace_nth(many, ")\n\t", ") \n\t", 5, true);
  variants["timestamp in the first copy"] =
      replace_nth(many, "\nmain.", "\n2026-01-01 main.", 3, true);
  variants["elided"] =
      replace_nth(many, "\ncreated by", "\n...additional frames elided...\ncreated by", 50);
  variants["cut at the end"] = many.substr(0, many.size() - 37);
  variants["no blank line at the end"] = many.substr(0, many.size() - 1);
  variants["one line too long"] = many;
  size_t variants_taken = 0;
  for (const auto& [name, text] : variants) {
    SCOPED_TRACE(name);
    ParseLimits limits;
    if (name == "one line too long") limits.max_line_length = 60;
    Read taken = ReadLines(text, true, limits);
    ExpectSameReads(taken, ReadLines(text, false, limits));
    variants_taken += taken.taken;
  }
  EXPECT_GT(variants_taken, 0u);  // the variants were read through the memo too
}

// Bodies cut by the scanner's buffer end are read line by line: a dump of
// several megabytes crosses many buffer ends.
TEST(BodyMemo, BodiesAcrossBufferEndsReadAsEachLineDoes) {
  std::string dump = ReadFile(testing::Dump("go1.27/svcapi/sigquit.txt"));
  std::string text;
  while (text.size() < (size_t{3} << 20)) text += dump;
  Read taken = ReadLines(text, true);
  ExpectSameReads(taken, ReadLines(text, false));
  EXPECT_GT(taken.taken, taken.records.size() / 2);
}

// A gzip file's chunks are read by one parser after another on a thread,
// which share the thread's memo: a chunk's bodies are taken from what the
// chunks before it taught, and read as each line gives them.
TEST(BodyMemo, ParsersOnAThreadShareItsMemo) {
  std::string dump = ReadFile(testing::Dump("go1.26/svcworkers/sigquit.txt"));
  ParseLimits limits;
  BodyMemo memo(limits);
  Read each = ReadLines(dump, false);
  Read alone = ReadLines(dump, true);  // with a memo of its own
  for (int chunk = 0; chunk < 3; ++chunk) {
    SCOPED_TRACE(chunk);
    Read shared = ReadLines(dump, true, limits, &memo);
    ExpectSameReads(shared, each);
    if (chunk == 2) {
      EXPECT_GT(shared.taken, alone.taken);
      EXPECT_GE(shared.taken, each.records.size() - 2)
          << shared.taken << " of " << each.records.size();
    }
  }
}

// With no budget the memo keeps nothing, and what is read is the same.
TEST(BodyMemo, NoBudgetKeepsNothing) {
  std::string dump = ReadFile(testing::Dump("go1.26/svcworkers/sigquit.txt"));
  std::string text = dump + dump + dump + dump;
  ParseLimits limits;
  limits.body_memo_bytes = 0;
  Read taken = ReadLines(text, true, limits);
  ExpectSameReads(taken, ReadLines(text, false, limits));
  EXPECT_EQ(taken.taken, 0u);
}

}  // namespace
}  // namespace gleak
