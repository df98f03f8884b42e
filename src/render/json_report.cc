#include "render/json_report.h"

#include <algorithm>
#include <condition_variable>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include "base/parallel.h"
#include "render/json_parts.h"
#include "render/json_writer.h"

namespace gleak {

// Every object below lists its keys in byte order: the order of the documents
// gleak wrote when they were built as nlohmann::json trees (a std::map).

void WriteFrameJson(JsonWriter& w, const StackFrame& f) {
  w.BeginObject();
  w.Field("file", f.file);
  w.Field("func", f.func);
  if (f.inlined) w.Field("inlined", true);
  w.Field("line", f.line);
  w.Field("short_file", f.short_file());
  w.EndObject();
}

static void WriteCreatorJson(JsonWriter& w, const Creator& c) {
  const StackFrame& f = c.frame;
  w.BeginObject();
  w.Field("count", c.count);
  w.Field("file", f.file);
  w.Field("func", f.func);
  if (f.inlined) w.Field("inlined", true);
  w.Field("line", f.line);
  w.Field("short_file", f.short_file());
  w.EndObject();
}

void WriteInputJson(JsonWriter& w, size_t index, const InputReport& in) {
  const ProducerDetail& detail = in.detail;
  w.BeginObject();
  w.Field("bytes", in.bytes);
  w.Field("compressed_bytes", in.raw_bytes);
  w.Key("crashed_goroutine");
  if (detail.has_crashed_goroutine) {
    w.Uint(detail.crashed_goroutine);
  } else {
    w.Null();
  }
  w.Field("duplicate_goroutines", in.duplicate_goroutines);
  w.Field("encoding", in.encoding);
  w.TextOrNull("error", in.error);
  w.TextOrNull("fatal_error", detail.fatal_error);
  w.Field("format", in.format);
  w.Field("goroutines", in.goroutines);
  w.Field("index", uint64_t{index});
  w.Field("lines", in.lines);
  w.Field("name", in.name);
  w.Field("noise_lines", in.noise_lines);
  w.Field("panic_recovered", detail.panic_recovered());
  w.Key("panic_value");
  if (detail.panics.empty()) {
    w.Null();
  } else {
    w.String(detail.panic_value());
  }
  w.Key("panics").BeginArray();
  for (const PanicEntry& p : detail.panics) {
    w.BeginObject();
    w.Field("recovered", p.recovered);
    w.Field("repanicked", p.repanicked);
    w.Field("value", p.value);
    w.EndObject();
  }
  w.EndArray();
  w.Field("producer", in.producer);
  w.Field("records", in.records);
  w.TextOrNull("test_name", detail.test_name);
  w.TextOrNull("test_timeout", detail.test_timeout);
  w.Key("test_timeout_seconds");
  if (detail.has_test_timeout_seconds) {
    w.Double(detail.test_timeout_seconds);
  } else {
    w.Null();
  }
  w.Field("truncated", in.truncated);
  w.TextOrNull("verdict", in.verdict);
  w.Key("warnings").BeginArray();
  for (const Diagnostic& d : in.warnings) {
    w.BeginObject();
    w.Key("line");
    if (d.line > 0) {
      w.Uint(d.line);
    } else {
      w.Null();
    }
    w.Field("message", d.message);
    w.EndObject();
  }
  w.EndArray();
  w.Field("warnings_not_listed", in.warnings_dropped);
  w.EndObject();
}

void WriteFindingJson(JsonWriter& w, const Finding& f) {
  w.BeginObject();
  w.StringArray("also_matched", f.also_matched);
  w.Field("benign", f.benign);
  w.Field("confidence", ConfidenceName(f.confidence));
  w.Key("evidence").BeginArray();
  for (const Evidence& e : f.evidence) {
    w.BeginObject();
    w.Field("kind", e.kind);
    w.Field("text", e.text);
    w.EndObject();
  }
  w.EndArray();
  w.Field("explanation", f.explanation.str());
  w.Field("fix", f.fix.str());
  w.Field("pattern", f.pattern);
  w.Field("proven", f.proven);
  w.Field("reason", f.reason);
  w.Key("source").BeginArray();
  for (const auto& shared : f.source) {
    const SourceSnippet& s = *shared;
    w.BeginObject();
    w.Field("file", s.file);
    w.Field("first_line", s.first_line);
    w.Field("line", s.line);
    w.StringArray("lines", s.lines);
    w.Field("origin", s.origin);
    w.Field("role", s.role);
    w.EndObject();
  }
  w.EndArray();
  w.Field("suspect", f.suspect);
  w.Field("suspect_reason", f.suspect_reason);
  w.TextOrNull("suspect_signal", f.suspect_signal);
  w.Field("title", f.title);
  w.EndObject();
}

// A label set's map: its keys sorted, the last value of a repeated key kept.
static void WriteLabelMap(JsonWriter& w, const LabelSet& set) {
  bool sorted = true;
  for (size_t i = 1; i < set.labels.size() && sorted; ++i) {
    sorted = set.labels[i - 1].first < set.labels[i].first;
  }
  w.BeginObject();
  if (sorted) {
    for (const auto& [k, v] : set.labels) w.Field(k, v);
  } else {
    std::map<std::string_view, std::string_view> map;
    for (const auto& [k, v] : set.labels) map[k] = v;
    for (const auto& [k, v] : map) w.Field(k, v);
  }
  w.EndObject();
}

static void WriteLinks(JsonWriter& w, const std::vector<GroupLink>& links) {
  w.BeginArray();
  for (const GroupLink& l : links) {
    w.BeginObject();
    w.Field("count", l.count);
    w.Field("id", l.id);
    w.EndObject();
  }
  w.EndArray();
}

using GroupFieldWriter = void (*)(JsonWriter&, const Group&);
struct GroupField {
  std::string_view key;
  GroupFieldWriter write;
};

// The group's own members, in key order.
constexpr GroupField kGroupFields[] = {
    {"by_label",
     [](JsonWriter& w, const Group& g) {
       if (g.label_key.empty()) {
         w.Null();
         return;
       }
       w.BeginObject();
       w.Field("key", g.label_key);
       w.Key("value");
       if (g.has_label_value) {
         w.String(g.label_value);
       } else {
         w.Null();
       }
       w.EndObject();
     }},
    {"child_groups", [](JsonWriter& w, const Group& g) { WriteLinks(w, g.child_groups); }},
    {"count", [](JsonWriter& w, const Group& g) { w.Uint(g.count); }},
    {"creator_ids",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (uint64_t id : g.creator_ids) w.Uint(id);
       w.EndArray();
     }},
    {"creators",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (const Creator& c : g.creators) WriteCreatorJson(w, c);
       w.EndArray();
     }},
    {"creators_not_listed", [](JsonWriter& w, const Group& g) { w.Uint(g.creators_not_listed); }},
    {"exited_parents", [](JsonWriter& w, const Group& g) { w.Uint(g.exited_parents); }},
    {"finding", [](JsonWriter& w, const Group& g) { WriteFindingJson(w, g.finding); }},
    {"frames",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (const StackFrame& f : g.frames) WriteFrameJson(w, f);
       w.EndArray();
     }},
    {"func_id", [](JsonWriter& w, const Group& g) { w.String(g.func_id); }},
    {"id", [](JsonWriter& w, const Group& g) { w.String(g.id); }},
    {"inputs",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (const InputShare& s : g.inputs) {
         w.BeginObject();
         w.Field("count", s.count);
         w.Field("input", uint64_t{s.input});
         w.EndObject();
       }
       w.EndArray();
     }},
    {"labels",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (const LabelSet& set : g.label_sets) {
         w.BeginObject();
         w.Field("count", set.count);
         w.Key("labels");
         WriteLabelMap(w, set);
         w.EndObject();
       }
       w.EndArray();
     }},
    {"labels_not_listed", [](JsonWriter& w, const Group& g) { w.Uint(g.labels_not_listed); }},
    {"leaked", [](JsonWriter& w, const Group& g) { w.Uint(g.leaked); }},
    {"locked_to_thread", [](JsonWriter& w, const Group& g) { w.Uint(g.locked_to_thread); }},
    {"object_facts",
     [](JsonWriter& w, const Group& g) {
       const ObjectFacts& f = g.object_facts;
       w.BeginObject();
       w.Field("all_mentioners_wait", f.all_mentioners_wait);
       w.Field("lock_cycle", f.lock_cycle);
       w.Field("object_unmentioned_elsewhere", f.object_unmentioned_elsewhere);
       w.Field("text", f.text);
       w.Field("waiting", f.waiting);
       w.Field("waits_on_object", f.waits_on_object);
       w.EndObject();
     }},
    {"objects",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (const ObjectRef& r : g.objects) {
         w.BeginObject();
         w.Field("count", r.count);
         w.Field("direction", r.direction);
         w.Field("object", r.object);
         w.EndObject();
       }
       w.EndArray();
     }},
    {"overflow", [](JsonWriter& w, const Group& g) { w.Bool(g.overflow); }},
    {"parent_groups", [](JsonWriter& w, const Group& g) { WriteLinks(w, g.parent_groups); }},
    {"sample_ids",
     [](JsonWriter& w, const Group& g) {
       w.BeginArray();
       for (uint64_t id : g.sample_ids) w.Uint(id);
       w.EndArray();
     }},
    {"spawned_by_exited", [](JsonWriter& w, const Group& g) { w.Uint(g.spawned_by_exited); }},
    {"state", [](JsonWriter& w, const Group& g) { w.String(g.state); }},
    {"top_frame",
     [](JsonWriter& w, const Group& g) {
       if (g.frames.empty()) {
         w.Null();
       } else {
         WriteFrameJson(w, g.frames[g.top_frame]);
       }
     }},
    {"truncated", [](JsonWriter& w, const Group& g) { w.Uint(g.truncated); }},
    {"wait_minutes",
     [](JsonWriter& w, const Group& g) {
       w.BeginObject();
       w.Field("max", g.max_wait_minutes);
       w.Field("min", g.min_wait_minutes);
       w.EndObject();
     }},
};

void WriteGroupJson(JsonWriter& w, const Group& g, std::span<const JsonField> extra) {
  w.BeginObject();
  size_t e = 0;
  for (const GroupField& field : kGroupFields) {
    for (; e < extra.size() && extra[e].key < field.key; ++e) {
      w.Key(extra[e].key);
      extra[e].write(w);
    }
    w.Key(field.key);
    field.write(w, g);
  }
  for (; e < extra.size(); ++e) {
    w.Key(extra[e].key);
    extra[e].write(w);
  }
  w.EndObject();
}

static void WriteObjectJson(JsonWriter& w, const BlockingObject& o) {
  w.BeginObject();
  w.Field("address", o.address);
  w.Field("id", o.id);
  w.Field("input", uint64_t{o.input});
  w.Field("kind", o.kind);
  w.StringArray("mentioner_groups", o.mentioner_groups);
  w.Field("mentioners", o.mentioners);
  w.Field("mentions_known", o.mentions_known);
  w.UintArray("sample_ids", o.sample_ids);
  w.Field("selecting_goroutines", o.selecting_goroutines);
  w.Field("text", o.text);
  w.Field("unblocked_mentioners", o.unblocked_mentioners);
  w.Field("waiters", o.waiters);
  w.Key("waiting").BeginArray();
  for (const ObjectWaiters& ow : o.waiting) {
    w.BeginObject();
    w.Field("count", ow.count);
    w.Field("direction", ow.direction);
    w.Field("group", ow.group);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

namespace {

// Groups [begin, end) of `groups`, each with its rank (its place, from 1).
void WriteRankedGroups(JsonWriter& w, const std::vector<Group>& groups, size_t begin, size_t end) {
  size_t rank = 0;
  JsonField extra[] = {{"rank", [&rank](JsonWriter& jw) { jw.Uint(rank); }}};
  for (size_t i = begin; i < end; ++i) {
    rank = i + 1;
    WriteGroupJson(w, groups[i], extra);
  }
}

// The groups, into the array open in `w`. Those of a report of thousands
// (tens of MB of JSON) are written in pieces on `threads` threads and spliced
// in order as soon as the pieces before them are; at most two pieces a
// thread wait in memory.
void WriteGroups(JsonWriter& w, const std::vector<Group>& groups, bool one_line, size_t threads) {
  constexpr size_t kGroupsAPiece = 64;
  const size_t pieces = (groups.size() + kGroupsAPiece - 1) / kGroupsAPiece;
  if (threads < 2 || pieces < 4) {
    WriteRankedGroups(w, groups, 0, groups.size());
    return;
  }
  const size_t ahead = 2 * threads;
  const size_t depth = w.depth();
  std::mutex mu;
  std::condition_variable spliced_one;
  std::vector<std::optional<std::string>> written(pieces);
  size_t spliced = 0;
  // Pieces are handed out in order, so the one to splice next is always being
  // written, or written: a thread that waits here never holds it.
  ForEachOnThreads(pieces, threads, [&](size_t p) {
    {
      std::unique_lock<std::mutex> lock(mu);
      spliced_one.wait(lock, [&] { return p < spliced + ahead; });
    }
    std::ostringstream text;
    {
      JsonWriter piece(text, one_line);
      piece.ContinueArray(depth, p > 0);
      WriteRankedGroups(piece, groups, p * kGroupsAPiece,
                        std::min(groups.size(), (p + 1) * kGroupsAPiece));
    }
    std::lock_guard<std::mutex> lock(mu);
    written[p] = std::move(text).str();
    for (; spliced < pieces && written[spliced]; ++spliced) {
      w.Splice(*written[spliced]);
      written[spliced].reset();
    }
    spliced_one.notify_all();
  });
}

}  // namespace

void RenderJsonReport(const Report& report, std::ostream& out, bool one_line, size_t threads) {
  JsonWriter w(out, one_line);
  const ReportTotals& t = report.totals;
  w.BeginObject();
  w.Field("group_by", GroupingLevelName(report.level));
  w.Key("groups").BeginArray();
  WriteGroups(w, report.groups, one_line, threads);
  w.EndArray();
  w.Key("inputs").BeginArray();
  for (size_t i = 0; i < report.inputs.size(); ++i) WriteInputJson(w, i, report.inputs[i]);
  w.EndArray();
  w.Field("max_groups", report.max_groups);
  w.Field("merged", report.merged);
  w.Key("objects").BeginArray();
  for (const BlockingObject& o : report.objects) WriteObjectJson(w, o);
  w.EndArray();
  w.Field("objects_not_listed", report.objects_not_listed);
  w.Field("path_prefix", report.path_prefix);
  w.Field("schema", kReportSchema);
  w.Field("spawn_sample_level", uint64_t{report.spawn_sample_level});
  w.Key("spawn_tree").BeginArray();
  for (const SpawnRow& row : report.spawn_tree) {
    w.BeginObject();
    w.Field("children", uint64_t{row.children});
    w.Field("count", row.count);
    w.Field("depth", uint64_t{row.depth});
    w.Field("rank", uint64_t{row.group + 1});
    w.Field("repeat", row.repeat);
    w.EndObject();
  }
  w.EndArray();
  w.StringArray("suspect_patterns", report.suspect_patterns);
  w.Key("tool").BeginObject();
  w.Field("name", "gleak");
  w.Field("version", report.tool_version);
  w.EndObject();
  w.Key("totals").BeginObject();
  w.Field("goroutines", t.goroutines);
  w.Field("groups", t.groups);
  w.Field("hidden_goroutines", t.hidden_goroutines);
  w.Field("hidden_groups", t.hidden_groups);
  w.Field("ignored_goroutines", t.ignored_goroutines);
  w.Field("overflow_goroutines", t.overflow_goroutines);
  w.Field("proven_groups", t.proven_groups);
  w.Field("shown_goroutines", t.shown_goroutines);
  w.Field("shown_groups", t.shown_groups);
  w.Field("suspect_goroutines", t.suspect_goroutines);
  w.Field("suspect_groups", t.suspect_groups);
  w.EndObject();
  w.EndObject();
  w.Flush();
  out << '\n';
}

}  // namespace gleak
