#include "report/share_view.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "base/terminal_safe.h"
#include "base/text.h"

namespace gleak {
namespace {

namespace fs = std::filesystem;

// `s` cut to at most `max` bytes on a UTF-8 boundary, "..." marking the cut.
std::string Bounded(std::string s, size_t max) {
  if (s.size() <= max || max < 4) return s;
  size_t end = 0;
  for (size_t i = 0; i < s.size();) {
    bool valid = true;
    size_t n = Utf8SequenceLength(s, i, &valid);
    if (i + n > max - 3) break;
    i += n;
    end = i;
  }
  s.resize(end);
  return s + "...";
}

// `file` relative to `root` when it lies under it; "" otherwise.
std::string UnderRoot(const std::string& file, const fs::path& root) {
  if (root.empty() || file.empty()) return {};
  // A relative path as printed (-trimpath: "example.com/mod/pkg/f.go") is not
  // a place on this machine; the source lookup's file for it may be.
  fs::path f = fs::path(file);
  if (f.is_relative()) return {};
  fs::path rel = f.lexically_normal().lexically_relative(root);
  if (rel.empty() || rel.begin()->string() == ".." || rel.is_absolute()) return {};
  return rel.generic_string();
}

class Locator {
 public:
  explicit Locator(const std::string& source_root) {
    if (source_root.empty()) return;
    std::error_code ec;
    root_ = fs::weakly_canonical(fs::absolute(source_root, ec), ec);
    if (ec) root_ = fs::absolute(source_root, ec).lexically_normal();
  }

  // Where `frame` is: the file the source lookup found for it (the snippet
  // of `role`) or the path as printed, relative to the root when under it.
  ShareLocation Locate(const StackFrame& frame, const Finding& finding,
                       std::string_view role) const {
    ShareLocation loc;
    loc.line = frame.line;
    loc.function = TerminalSafe(frame.func);
    std::string rel;
    for (const auto& s : finding.source) {
      if (s->role == role && s->line == frame.line) rel = UnderRoot(s->file, root_);
    }
    if (rel.empty()) rel = UnderRoot(frame.file, root_);
    loc.relative = !rel.empty();
    loc.path = TerminalSafe(loc.relative ? rel : frame.file);
    return loc;
  }

 private:
  fs::path root_;
};

ShareInput InputOf(const InputReport& in) {
  ShareInput s;
  s.name = TerminalSafe(in.name);
  s.format = TerminalSafe(in.format);
  s.goroutines = in.goroutines;
  s.warnings = SaturatingAdd(in.warnings.size(), in.warnings_dropped);
  s.error = TerminalSafe(in.error);
  return s;
}

std::string TopFunction(const Group& g, size_t max) {
  if (g.overflow) return "(overflow)";
  if (g.frames.empty()) return "";
  return Bounded(TerminalSafe(g.frames[g.top_frame].func), max);
}

std::string LabelSetText(const LabelSet& set) {
  std::string text;
  for (const auto& [k, v] : set.labels) {
    if (!text.empty()) text += ' ';
    text.append(TerminalSafe(k)).append("=").append(TerminalSafe(v));
  }
  return text;
}

std::string ByLabel(const Group& g) {
  if (g.label_key.empty()) return "";
  std::string text = TerminalSafe(g.label_key);
  return g.has_label_value ? text.append("=").append(TerminalSafe(g.label_value))
                           : text.append(" unset");
}

ShareGroup GroupOf(const Group& g, const ShareOptions& options) {
  ShareGroup row;
  row.group_id = g.id;
  row.pattern = Bounded(TerminalSafe(g.finding.pattern), options.max_label_bytes);
  row.state = Bounded(TerminalSafe(g.state), options.max_label_bytes);
  row.top_function = TopFunction(g, options.max_label_bytes);
  row.count = g.count;
  row.suspect = g.finding.suspect;
  row.proven = g.finding.proven;
  row.by_label = Bounded(ByLabel(g), options.max_label_bytes);
  if (!g.label_sets.empty()) {
    row.labels = Bounded(LabelSetText(g.label_sets.front()), options.max_label_bytes);
    size_t more = g.label_sets.size() - 1 + (g.labels_not_listed > 0 ? 1 : 0);
    if (more > 0)
      row.labels += g.labels_not_listed > 0 ? " (+more sets)" : fmt::format(" (+{} sets)", more);
  }
  return row;
}

ShareSuspect SuspectOf(const Group& g, const Locator& locator) {
  const Finding& f = g.finding;
  ShareSuspect s;
  s.group_id = g.id;
  s.func_id = g.func_id;
  s.rule_id = TerminalSafe(f.pattern);
  s.title = TerminalSafe(f.title);
  s.confidence = std::string(ConfidenceName(f.confidence));
  s.signal = TerminalSafe(f.suspect_signal);
  s.reason = TerminalSafe(f.suspect_reason);
  s.proven = f.proven;
  s.count = g.count;
  s.state = TerminalSafe(g.state);
  s.max_wait_minutes = g.max_wait_minutes;
  s.top_function = TopFunction(g, std::string::npos);
  if (!g.frames.empty()) s.blocks_at = locator.Locate(g.frames[g.top_frame], f, "blocks here");
  if (!g.creators.empty())
    s.spawned_at = locator.Locate(g.creators.front().frame, f, "go statement");
  for (const Evidence& e : f.evidence) s.evidence.push_back(TerminalSafe(e.text));
  for (const LabelSet& set : g.label_sets)
    s.labels.push_back(fmt::format("{} ×{}", LabelSetText(set), set.count));
  if (g.labels_not_listed > 0)
    s.labels.push_back(fmt::format("{} more with other labels", g.labels_not_listed));
  s.spawned_by_exited = g.spawned_by_exited;
  s.exited_parents = g.exited_parents;
  s.explanation = TerminalSafe(f.explanation.str());
  s.fix = TerminalSafe(f.fix.str());
  return s;
}

void AddRules(const std::vector<const Finding*>& findings, ShareView* view) {
  std::map<std::string, ShareRule> rules;
  for (const Finding* f : findings) {
    std::string id = TerminalSafe(f->pattern);
    if (rules.contains(id)) continue;
    rules[id] = ShareRule{id, TerminalSafe(f->title), TerminalSafe(f->explanation.str()),
                          TerminalSafe(f->fix.str())};
  }
  for (auto& [id, rule] : rules) view->rules.push_back(std::move(rule));
}

// The first max_series groups get a series each; the same id met again (one
// group in several inputs) adds to its series.
void AddSeries(const std::vector<ShareGroup>& groups, const ShareOptions& options,
               ShareView* view) {
  view->max_series = options.max_series;
  std::map<std::string, size_t> index;
  for (const ShareGroup& g : groups) {
    auto it = index.find(g.group_id);
    if (it != index.end()) {
      view->series[it->second].count = SaturatingAdd(view->series[it->second].count, g.count);
    } else if (view->series.size() < options.max_series) {
      index.emplace(g.group_id, view->series.size());
      view->series.push_back(g);
    } else {
      ++view->other_groups;
      view->other_goroutines = SaturatingAdd(view->other_goroutines, g.count);
    }
  }
}

// What a report's view and a diff's share: the rules of the suspects, the
// series, and the rows listed up to max_rows (for a diff, the growth table:
// tracks that changed, most growth first, their order in the diff).
void Finish(const std::vector<const Finding*>& findings, std::vector<ShareGroup> rows,
            const ShareOptions& options, ShareView* view) {
  AddRules(findings, view);
  view->suspects_listed = std::min(view->suspects.size(), options.max_listed_suspects);
  AddSeries(rows, options, view);
  for (ShareGroup& row : rows) {
    if (view->diff && row.status == "steady") continue;
    if (view->rows.size() < options.max_rows) {
      view->rows.push_back(std::move(row));
    } else {
      ++view->rows_not_listed;
    }
  }
}

// The spawn tree's rows, when the dump gave parent ids that link groups.
void AddTree(const Report& report, const ShareOptions& options, ShareView* view) {
  bool linked = false;
  for (const SpawnRow& r : report.spawn_tree)
    linked |= r.depth > 0 || report.groups[r.group].spawned_by_exited > 0;
  if (!linked) return;
  view->tree_sample_level = report.spawn_sample_level;
  for (const SpawnRow& r : report.spawn_tree) {
    if (view->tree.size() >= options.max_tree_rows) {
      ++view->tree_rows_not_listed;
      continue;
    }
    const Group& g = report.groups[r.group];
    ShareTreeRow row;
    row.rank = r.group + 1;
    row.depth = r.depth;
    row.count = r.count;
    row.repeat = r.repeat;
    row.group = GroupOf(g, options);
    row.spawned_by_exited = g.spawned_by_exited;
    row.exited_parents = g.exited_parents;
    view->tree.push_back(std::move(row));
  }
}

}  // namespace

ShareView BuildShareView(const Report& report, const ShareOptions& options) {
  ShareView view;
  Locator locator(options.source_root);
  view.tool_version = report.tool_version;
  for (const InputReport& in : report.inputs) view.inputs.push_back(InputOf(in));
  const ReportTotals& t = report.totals;
  view.goroutines = t.goroutines;
  view.groups = t.groups;
  view.suspect_groups = t.suspect_groups;
  view.suspect_goroutines = t.suspect_goroutines;
  view.proven_groups = t.proven_groups;
  for (const std::string& p : report.suspect_patterns)
    view.suspect_patterns.push_back(TerminalSafe(p));
  for (const Group& g : report.groups) {
    if (!g.label_key.empty()) view.by_label = TerminalSafe(g.label_key);
  }
  std::vector<const Finding*> findings;
  std::vector<ShareGroup> groups;
  for (const Group& g : report.groups) {
    if (g.finding.suspect) {
      view.suspects.push_back(SuspectOf(g, locator));
      findings.push_back(&g.finding);
    }
    groups.push_back(GroupOf(g, options));
  }
  Finish(findings, std::move(groups), options, &view);
  AddTree(report, options, &view);
  return view;
}

ShareView BuildShareView(const DiffReport& diff, const ShareOptions& options) {
  ShareView view;
  view.diff = true;
  Locator locator(options.source_root);
  view.tool_version = diff.tool_version;
  for (const InputReport& in : diff.snapshots) view.inputs.push_back(InputOf(in));
  const DiffTotals& t = diff.totals;
  view.snapshot_goroutines = t.goroutines;
  view.goroutines = t.goroutines.empty() ? 0 : t.goroutines.back();
  view.groups = t.tracks;
  view.growth = t.growth;
  view.grown = t.grown;
  view.shrunk = t.shrunk;
  view.added = t.added;
  view.gone = t.gone;
  view.steady = t.steady;
  for (const std::string& p : diff.suspect_patterns)
    view.suspect_patterns.push_back(TerminalSafe(p));
  for (const Track& track : diff.tracks) {
    if (!track.group.label_key.empty()) view.by_label = TerminalSafe(track.group.label_key);
  }
  std::vector<const Finding*> findings;
  std::vector<ShareGroup> tracks;
  for (const Track& track : diff.tracks) {
    const Group& g = track.group;
    ShareGroup row = GroupOf(g, options);
    row.group_id = track.id;
    row.count = track.counts.empty() ? 0 : track.counts.back();
    row.suspect = track.suspect;
    row.status = std::string(TrackStatusName(track.status));
    row.counts = track.counts;
    row.growth = track.growth;
    row.growth_percent = track.growth_percent;
    tracks.push_back(row);
    if (!track.suspect) continue;
    ShareSuspect s = SuspectOf(g, locator);
    s.group_id = track.id;
    s.count = row.count;
    s.reason = TerminalSafe(track.suspect_reason);
    s.signal = "growth";
    s.growth = track.growth;
    view.suspects.push_back(std::move(s));
    findings.push_back(&g.finding);
    ++view.suspect_groups;
    view.suspect_goroutines = SaturatingAdd(view.suspect_goroutines, row.count);
    view.proven_groups += g.finding.proven;
  }
  Finish(findings, std::move(tracks), options, &view);
  return view;
}

}  // namespace gleak
