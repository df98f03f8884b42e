#include "gleak/render/json_report.h"

#include "gleak/render/json_parts.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

namespace gleak {

using nlohmann::json;

// Filled key by key: nlohmann's initializer-list form copies every value and
// costs several times more, and a report holds a frame object per frame.
json FrameJson(const StackFrame& f) {
  json j = json::object();
  j["func"] = f.func;
  j["file"] = f.file;
  j["short_file"] = f.short_file;
  j["line"] = f.line;
  if (f.inlined) j["inlined"] = true;
  return j;
}

json InputJson(size_t index, const InputReport& in) {
  json warnings = json::array();
  for (const Diagnostic& d : in.warnings) {
    warnings.push_back(
        {{"line", d.line > 0 ? json(d.line) : json(nullptr)}, {"message", d.message}});
  }
  const ProducerDetail& detail = in.detail;
  json panics = json::array();
  for (const PanicEntry& p : detail.panics) {
    panics.push_back(
        {{"value", p.value}, {"recovered", p.recovered}, {"repanicked", p.repanicked}});
  }
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"index", index},
          {"name", in.name},
          {"format", in.format},
          {"producer", in.producer},
          {"encoding", in.encoding},
          {"goroutines", in.goroutines},
          {"records", in.records},
          {"bytes", in.bytes},
          {"compressed_bytes", in.raw_bytes},
          {"lines", in.lines},
          {"noise_lines", in.noise_lines},
          {"duplicate_goroutines", in.duplicate_goroutines},
          {"truncated", in.truncated},
          {"panic_value", detail.panics.empty() ? json(nullptr) : json(detail.panic_value())},
          {"panic_recovered", detail.panic_recovered()},
          {"panics", panics},
          {"fatal_error", text_or_null(detail.fatal_error)},
          {"test_name", text_or_null(detail.test_name)},
          {"test_timeout", text_or_null(detail.test_timeout)},
          {"test_timeout_seconds",
           detail.has_test_timeout_seconds ? json(detail.test_timeout_seconds) : json(nullptr)},
          {"crashed_goroutine",
           detail.has_crashed_goroutine ? json(detail.crashed_goroutine) : json(nullptr)},
          {"warnings", warnings},
          {"warnings_not_listed", in.warnings_dropped},
          {"verdict", in.verdict.empty() ? json(nullptr) : json(in.verdict)},
          {"error", in.error.empty() ? json(nullptr) : json(in.error)}};
}

json FindingJson(const Finding& f) {
  json evidence = json::array();
  for (const Evidence& e : f.evidence) evidence.push_back({{"kind", e.kind}, {"text", e.text}});
  json source = json::array();
  for (const SourceSnippet& s : f.source) {
    source.push_back({{"role", s.role},
                      {"origin", s.origin},
                      {"file", s.file},
                      {"line", s.line},
                      {"first_line", s.first_line},
                      {"lines", s.lines}});
  }
  return {{"pattern", f.pattern},
          {"title", f.title},
          {"confidence", std::string(ConfidenceName(f.confidence))},
          {"reason", f.reason},
          {"evidence", evidence},
          {"explanation", f.explanation},
          {"fix", f.fix},
          {"also_matched", f.also_matched},
          {"benign", f.benign},
          {"suspect", f.suspect},
          {"proven", f.proven},
          {"suspect_signal", f.suspect_signal.empty() ? json(nullptr) : json(f.suspect_signal)},
          {"suspect_reason", f.suspect_reason},
          {"source", source}};
}

static json ObjectRefsJson(const Group& g) {
  json refs = json::array();
  for (const ObjectRef& r : g.objects) {
    refs.push_back({{"object", r.object}, {"direction", r.direction}, {"count", r.count}});
  }
  return refs;
}

static json ObjectFactsJson(const ObjectFacts& f) {
  json j = json::object();
  j["waits_on_object"] = f.waits_on_object;
  j["object_unmentioned_elsewhere"] = f.object_unmentioned_elsewhere;
  j["all_mentioners_wait"] = f.all_mentioners_wait;
  j["lock_cycle"] = f.lock_cycle;
  j["waiting"] = f.waiting;
  j["text"] = f.text;
  return j;
}

json GroupJson(const Group& g) {
  json frames = json::array();
  for (const StackFrame& f : g.frames) frames.push_back(FrameJson(f));
  json creators = json::array();
  for (const Creator& c : g.creators) {
    json j = FrameJson(c.frame);
    j["count"] = c.count;
    creators.push_back(j);
  }
  json labels = json::array();
  for (const LabelSet& set : g.label_sets) {
    json map = json::object();
    for (const auto& [k, v] : set.labels) map[k] = v;
    labels.push_back({{"labels", map}, {"count", set.count}});
  }
  json inputs = json::array();
  for (const InputShare& s : g.inputs) inputs.push_back({{"input", s.input}, {"count", s.count}});
  auto links = [](const std::vector<GroupLink>& list) {
    json a = json::array();
    for (const GroupLink& l : list) a.push_back({{"id", l.id}, {"count", l.count}});
    return a;
  };
  json by_label = nullptr;
  if (!g.label_key.empty()) {
    by_label = {{"key", g.label_key},
                {"value", g.has_label_value ? json(g.label_value) : json(nullptr)}};
  }
  return {{"id", g.id},
          {"func_id", g.func_id},
          {"by_label", by_label},
          {"count", g.count},
          {"state", g.state},
          {"wait_minutes", {{"min", g.min_wait_minutes}, {"max", g.max_wait_minutes}}},
          {"top_frame", g.frames.empty() ? json(nullptr) : FrameJson(g.frames[g.top_frame])},
          {"frames", frames},
          {"creators", creators},
          {"creators_not_listed", g.creators_not_listed},
          {"creator_ids", g.creator_ids},
          {"sample_ids", g.sample_ids},
          {"labels", labels},
          {"labels_not_listed", g.labels_not_listed},
          {"inputs", inputs},
          {"parent_groups", links(g.parent_groups)},
          {"child_groups", links(g.child_groups)},
          {"spawned_by_exited", g.spawned_by_exited},
          {"exited_parents", g.exited_parents},
          {"locked_to_thread", g.locked_to_thread},
          {"leaked", g.leaked},
          {"truncated", g.truncated},
          {"overflow", g.overflow},
          {"objects", ObjectRefsJson(g)},
          {"object_facts", ObjectFactsJson(g.object_facts)},
          {"finding", FindingJson(g.finding)}};
}

static json ObjectJson(const BlockingObject& o) {
  json waiting = json::array();
  for (const ObjectWaiters& w : o.waiting) {
    waiting.push_back({{"group", w.group}, {"direction", w.direction}, {"count", w.count}});
  }
  json j = json::object();
  j["id"] = o.id;
  j["address"] = o.address;
  j["kind"] = o.kind;
  j["input"] = o.input;
  j["waiters"] = o.waiters;
  j["waiting"] = waiting;
  j["sample_ids"] = o.sample_ids;
  j["mentions_known"] = o.mentions_known;
  j["mentioners"] = o.mentioners;
  j["unblocked_mentioners"] = o.unblocked_mentioners;
  j["mentioner_groups"] = o.mentioner_groups;
  j["selecting_goroutines"] = o.selecting_goroutines;
  j["text"] = o.text;
  return j;
}

void DumpWithArray(const json& doc, std::string_view key, size_t n,
                   const std::function<json(size_t)>& item, int indent, std::ostream& out) {
  constexpr auto kReplace = json::error_handler_t::replace;
  std::string text = doc.dump(indent, ' ', false, kReplace);
  // Found where the top level holds it: keys from a dump are escaped strings,
  // and nested ones are indented deeper.
  std::string empty = indent < 0 ? fmt::format("\"{}\":[]", key)
                                 : fmt::format("\n{}\"{}\": []", std::string(indent, ' '), key);
  size_t at = text.find(empty);
  if (at == std::string::npos || n == 0) {
    out << text;
    return;
  }
  out.write(text.data(), static_cast<std::streamsize>(at + empty.size() - 1));  // up to "["
  std::string inner;
  if (indent >= 0) inner.append(1, '\n').append(2 * static_cast<size_t>(indent), ' ');
  for (size_t i = 0; i < n; ++i) {
    std::string one = item(i).dump(indent, ' ', false, kReplace);
    if (i > 0) out << ',';
    out << inner;
    // Strings hold no raw newline (escaped), so every newline is the layout's.
    std::string_view rest = one;
    for (size_t nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
      out.write(rest.data(), static_cast<std::streamsize>(nl));
      out << inner;
      rest.remove_prefix(nl + 1);
    }
    out.write(rest.data(), static_cast<std::streamsize>(rest.size()));
  }
  if (indent >= 0) out << '\n' << std::string(static_cast<size_t>(indent), ' ');
  out << ']';
  out << std::string_view(text).substr(at + empty.size());
}

void RenderJsonReport(const Report& report, std::ostream& out, bool one_line) {
  json inputs = json::array();
  for (size_t i = 0; i < report.inputs.size(); ++i)
    inputs.push_back(InputJson(i, report.inputs[i]));
  const ReportTotals& t = report.totals;
  json doc = {
      {"schema", kReportSchema},
      {"tool", {{"name", "gleak"}, {"version", report.tool_version}}},
      {"group_by", std::string(GroupingLevelName(report.level))},
      {"merged", report.merged},
      {"max_groups", report.max_groups},
      {"path_prefix", report.path_prefix},
      {"inputs", inputs},
      {"totals",
       {{"goroutines", t.goroutines},
        {"groups", t.groups},
        {"ignored_goroutines", t.ignored_goroutines},
        {"shown_groups", t.shown_groups},
        {"shown_goroutines", t.shown_goroutines},
        {"hidden_groups", t.hidden_groups},
        {"hidden_goroutines", t.hidden_goroutines},
        {"suspect_groups", t.suspect_groups},
        {"suspect_goroutines", t.suspect_goroutines},
        {"proven_groups", t.proven_groups},
        {"overflow_goroutines", t.overflow_goroutines}}},
      {"suspect_patterns", report.suspect_patterns},
      {"groups", json::array()},
      {"objects", json::array()},
      {"objects_not_listed", report.objects_not_listed},
      {"spawn_sample_level", report.spawn_sample_level},
      {"spawn_tree", json::array()},
  };
  for (const SpawnRow& row : report.spawn_tree) {
    doc["spawn_tree"].push_back({{"rank", row.group + 1},
                                 {"depth", row.depth},
                                 {"count", row.count},
                                 {"repeat", row.repeat}});
  }
  for (const BlockingObject& o : report.objects) doc["objects"].push_back(ObjectJson(o));
  // Dumps can hold any bytes: invalid UTF-8 becomes U+FFFD rather than an error.
  auto group = [&](size_t i) {
    json g = GroupJson(report.groups[i]);
    g["rank"] = i + 1;
    return g;
  };
  DumpWithArray(doc, "groups", report.groups.size(), group, one_line ? -1 : 2, out);
  out << '\n';
}

}  // namespace gleak
