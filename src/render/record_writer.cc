#include "render/record_writer.h"

#include <iterator>

#include <fmt/format.h>

#include "base/terminal_safe.h"
#include "render/json_escape.h"

namespace gleak {
namespace {

void AppendFrameJson(const Frame& f, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "{{\"func\":");
  AppendJsonQuoted(f.func, out);
  fmt::format_to(it, ",\"file\":");
  AppendJsonQuoted(f.file, out);
  fmt::format_to(it, ",\"line\":{}", f.line);
  if (f.inlined) fmt::format_to(it, ",\"inlined\":true");
  fmt::format_to(it, "}}");
}

void AppendFramesJson(std::span<const Frame> frames, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendFrameJson(frames[i], out);
  }
  out->push_back(']');
}

// The flags a record carries, in a fixed order, as they appear in output.
template <typename F>
void ForEachFlag(const Goroutine& g, F f) {
  if (g.locked_to_thread) f("locked_to_thread");
  if (g.leaked) f("leaked");
  if (g.scan) f("scan");
  if (g.durable) f("durable");
  if (g.stack_unavailable) f("stack_unavailable");
  if (g.frames_elided) f("frames_elided");
  if (g.stack_maybe_cut) f("stack_maybe_cut");
  if (g.truncated) f("truncated");
  if (g.crashed) f("crashed");
}

}  // namespace

void RecordWriter::AppendSafe(std::string_view s) { AppendTerminalSafe(s, &buffer_); }

void RecordWriter::Flush() {
  if (buffer_.size() > 0) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    buffer_.clear();
  }
  std::fflush(out_);
}

void JsonLinesRecordWriter::OnGoroutine(const Goroutine& g) {
  auto it = std::back_inserter(buffer_);
  fmt::format_to(it, "{{\"input\":");
  AppendJsonQuoted(input_, &buffer_);
  if (g.has_id) {
    fmt::format_to(it, ",\"id\":{}", g.id);
  } else {
    fmt::format_to(it, ",\"id\":null");
  }
  fmt::format_to(it, ",\"state\":");
  AppendJsonQuoted(g.state, &buffer_);
  fmt::format_to(it, ",\"wait_minutes\":{},\"count\":{},\"flags\":[", g.wait_minutes, g.count);
  bool first = true;
  ForEachFlag(g, [&](const char* flag) {
    fmt::format_to(it, "{}\"{}\"", first ? "" : ",", flag);
    first = false;
  });
  fmt::format_to(it, "],\"frames\":");
  AppendFramesJson(g.frames, &buffer_);
  if (g.elided_frame_count > 0) fmt::format_to(it, ",\"elided_frames\":{}", g.elided_frame_count);
  fmt::format_to(it, ",\"created_by\":");
  if (g.has_created_by) {
    AppendFrameJson(g.created_by, &buffer_);
  } else {
    fmt::format_to(it, "null");
  }
  if (g.has_creator_id) {
    fmt::format_to(it, ",\"creator_id\":{}", g.creator_id);
  } else {
    fmt::format_to(it, ",\"creator_id\":null");
  }
  fmt::format_to(it, ",\"labels\":{{");
  for (size_t i = 0; i < g.labels.size(); ++i) {
    if (i > 0) buffer_.push_back(',');
    AppendJsonQuoted(g.labels[i].key, &buffer_);
    buffer_.push_back(':');
    AppendJsonQuoted(g.labels[i].value, &buffer_);
  }
  fmt::format_to(it, "}}");
  if (g.synctest_bubble > 0) fmt::format_to(it, ",\"synctest_bubble\":{}", g.synctest_bubble);
  if (!g.ancestors.empty()) {
    fmt::format_to(it, ",\"ancestors\":[");
    for (size_t i = 0; i < g.ancestors.size(); ++i) {
      const Ancestor& a = g.ancestors[i];
      fmt::format_to(it, "{}{{\"id\":{},\"frames\":", i > 0 ? "," : "", a.id);
      AppendFramesJson(a.frames, &buffer_);
      fmt::format_to(it, ",\"created_by\":");
      if (a.created_by.func.empty()) {
        fmt::format_to(it, "null");
      } else {
        AppendFrameJson(a.created_by, &buffer_);
      }
      buffer_.push_back('}');
    }
    buffer_.push_back(']');
  }
  fmt::format_to(it, ",\"line\":{}}}\n", g.line);
  MaybeFlush();
}

void TextRecordWriter::OnGoroutine(const Goroutine& g) {
  auto it = std::back_inserter(buffer_);
  AppendSafe(input_);
  fmt::format_to(it, ":{}: ", g.line);
  if (g.has_id) {
    fmt::format_to(it, "goroutine {}", g.id);
  } else if (g.count > 1 || g.state.empty()) {
    fmt::format_to(it, "{} goroutine{}", g.count, g.count == 1 ? "" : "s");
  } else {
    fmt::format_to(it, "goroutine ?");
  }
  if (!g.state.empty()) {
    fmt::format_to(it, " [");
    AppendSafe(g.state);
    if (g.wait_minutes > 0) fmt::format_to(it, ", {} minutes", g.wait_minutes);
    buffer_.push_back(']');
  }
  ForEachFlag(g, [&](const char* flag) { fmt::format_to(it, " ({})", flag); });
  for (const Label& label : g.labels) {
    buffer_.push_back(' ');
    AppendSafe(label.key);
    buffer_.push_back('=');
    AppendSafe(label.value);
  }
  buffer_.push_back('\n');
  for (const Frame& f : g.frames) {
    fmt::format_to(it, "    ");
    AppendSafe(f.func);
    fmt::format_to(it, "  ");
    AppendSafe(f.file);
    if (f.line > 0) fmt::format_to(it, ":{}", f.line);
    buffer_.push_back('\n');
  }
  if (g.has_created_by) {
    fmt::format_to(it, "    created by ");
    AppendSafe(g.created_by.func);
    if (g.has_creator_id) fmt::format_to(it, " in goroutine {}", g.creator_id);
    fmt::format_to(it, "  ");
    AppendSafe(g.created_by.file);
    fmt::format_to(it, ":{}\n", g.created_by.line);
  }
  MaybeFlush();
}

}  // namespace gleak
