#include "render/openmetrics.h"

#include <fmt/core.h>

namespace gleak {
namespace {

// A label value in quotes: backslash, double quote and line feed escaped as
// OpenMetrics asks (the view's text holds no other control).
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  out += '"';
  return out;
}

class Exposition {
 public:
  explicit Exposition(std::ostream& out) : out_(out) {}

  void Family(std::string_view name, std::string_view help, std::string_view type = "gauge") {
    out_ << "# TYPE " << name << ' ' << type << "\n# HELP " << name << ' ' << help << '\n';
  }
  void Sample(std::string_view name, std::string_view labels, double value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << fmt::format("{}", value) << '\n';
  }
  void Sample(std::string_view name, std::string_view labels, int64_t value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  void Sample(std::string_view name, std::string_view labels, uint64_t value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  void Gauge(std::string_view name, std::string_view help, uint64_t value) {
    Family(name, help);
    Sample(name, "", value);
  }

 private:
  std::ostream& out_;
};

// With --by-label, the label's value too (one series per value already: the
// value is part of the group), as `pprof_label="KEY=VALUE"`.
std::string GroupLabels(const ShareView& view, const ShareGroup& g) {
  std::string labels = fmt::format("group={},pattern={},state={},function={}", Quoted(g.group_id),
                                   Quoted(g.pattern), Quoted(g.state), Quoted(g.top_function));
  if (!view.by_label.empty()) labels += ",pprof_label=" + Quoted(g.by_label);
  return labels;
}

std::string OtherLabels(const ShareView& view) {
  std::string labels = R"(group="other",pattern="other",state="other",function="other")";
  if (!view.by_label.empty()) labels += R"(,pprof_label="other")";
  return labels;
}

std::string TargetLabel(const ServeTarget& t) { return "target=" + Quoted(t.name); }

}  // namespace

void RenderOpenMetrics(const ShareView& view, std::ostream& out) {
  Exposition e(out);
  const char* what = view.diff ? "in the last snapshot" : "in all inputs";
  e.Gauge("gleak_goroutines", fmt::format("Goroutines read {}.", what), view.goroutines);
  e.Gauge("gleak_groups",
          view.diff ? "Groups tracked across the snapshots." : "Groups the goroutines fall into.",
          view.groups);
  e.Gauge("gleak_suspect_groups",
          view.diff ? "Leak-pattern groups that grew between the snapshots."
                    : "Groups gleak suspects of leaking.",
          view.suspect_groups);
  e.Gauge("gleak_suspect_goroutines", "Goroutines in suspect groups.", view.suspect_goroutines);
  e.Gauge("gleak_proven_groups",
          "Suspect groups the runtime proved stuck (leaked, a leak profile, a deadlock).",
          view.proven_groups);
  e.Gauge("gleak_inputs", view.diff ? "Snapshots compared." : "Inputs read.", view.inputs.size());
  e.Family("gleak_input_goroutines", view.diff
                                         ? "Goroutines read from each snapshot, in time order."
                                         : "Goroutines read from each input.");
  for (size_t i = 0; i < view.inputs.size(); ++i) {
    e.Sample("gleak_input_goroutines",
             fmt::format("input=\"{}\",name={}", i, Quoted(view.inputs[i].name)),
             view.inputs[i].goroutines);
  }
  e.Family("gleak_input_warnings", "Warnings about each input.");
  for (size_t i = 0; i < view.inputs.size(); ++i) {
    e.Sample("gleak_input_warnings",
             fmt::format("input=\"{}\",name={}", i, Quoted(view.inputs[i].name)),
             view.inputs[i].warnings);
  }
  e.Family("gleak_group_goroutines",
           fmt::format("Goroutines of a group{}; groups past the first {} add up in "
                       "the series whose labels are all other.",
                       view.diff ? " in the last snapshot" : "", view.max_series));
  for (const ShareGroup& g : view.series)
    e.Sample("gleak_group_goroutines", GroupLabels(view, g), g.count);
  if (view.other_groups > 0)
    e.Sample("gleak_group_goroutines", OtherLabels(view), view.other_goroutines);
  e.Family("gleak_group_suspect", "1 when a group is a suspect, else 0.");
  for (const ShareGroup& g : view.series) {
    e.Sample("gleak_group_suspect", GroupLabels(view, g), uint64_t{g.suspect ? 1u : 0u});
  }
  e.Gauge("gleak_other_groups",
          "Groups counted in the series labelled other rather than in one of their own.",
          view.other_groups);
  if (view.diff) {
    e.Family("gleak_group_growth",
             "Goroutines a group gained from the first snapshot to the last (negative: lost).");
    for (const ShareGroup& g : view.series)
      e.Sample("gleak_group_growth", GroupLabels(view, g), g.growth);
    e.Family("gleak_growth", "Goroutines gained from the first snapshot to the last.");
    e.Sample("gleak_growth", "", view.growth);
  }
  out << "# EOF\n";
}

void RenderServeMetrics(const ServeStatus& status, std::ostream& out) {
  Exposition e(out);
  // One family at a time, a sample per target: OpenMetrics wants a family's
  // samples together.
  auto per_target = [&](std::string_view name, std::string_view help, auto value) {
    e.Family(name, help);
    for (const ServeTarget& t : status.targets) e.Sample(name, TargetLabel(t), value(t));
  };
  auto counter = [&](std::string_view name, std::string_view help, auto value) {
    e.Family(name, help, "counter");
    std::string sample = std::string(name) + "_total";
    for (const ServeTarget& t : status.targets) e.Sample(sample, TargetLabel(t), value(t));
  };
  e.Family("gleak_target_info", "One per target: its URL (password shown as ***).");
  for (const ServeTarget& t : status.targets) {
    e.Sample("gleak_target_info", TargetLabel(t) + ",url=" + Quoted(t.url), uint64_t{1});
  }
  per_target("gleak_target_up", "1 when the last poll of the target gave a snapshot, else 0.",
             [](const ServeTarget& t) { return uint64_t{t.up ? 1u : 0u}; });
  counter("gleak_target_polls", "Polls of the target that ended (good or failed).",
          [](const ServeTarget& t) { return t.polls; });
  counter("gleak_target_poll_failures", "Polls of the target that gave no snapshot.",
          [](const ServeTarget& t) { return t.failures; });
  per_target("gleak_target_failures_in_a_row", "Failed polls since the last good one.",
             [](const ServeTarget& t) { return t.failures_in_a_row; });
  per_target("gleak_target_last_success_timestamp_seconds",
             "When the last good poll ended, in seconds since 1970 (0: none yet).",
             [](const ServeTarget& t) { return t.last_success_unix; });
  per_target("gleak_target_poll_duration_seconds",
             "How long the last poll took (fetch and analysis).",
             [](const ServeTarget& t) { return t.last_poll_seconds; });
  per_target("gleak_target_leak_profile",
             "1 when the target serves /debug/pprof/goroutineleak and gleak reads it, so that "
             "leaks the runtime proves are counted in gleak_proven_groups.",
             [](const ServeTarget& t) { return uint64_t{t.leak_profile ? 1u : 0u}; });
  per_target("gleak_target_snapshots", "Good snapshots of the target since gleak serve started.",
             [](const ServeTarget& t) { return t.snapshots; });
  // The figures of each target's diff, for the targets that have one.
  auto per_view = [&](std::string_view name, std::string_view help, auto value) {
    e.Family(name, help);
    for (const ServeTarget& t : status.targets) {
      if (t.view) e.Sample(name, TargetLabel(t), value(*t.view));
    }
  };
  per_view("gleak_goroutines", "Goroutines in the target's last snapshot.",
           [](const ShareView& v) { return v.goroutines; });
  per_view("gleak_groups", "Groups tracked across the target's snapshots.",
           [](const ShareView& v) { return v.groups; });
  per_view("gleak_suspect_groups",
           "Leak-pattern groups that grew since gleak serve started watching the target.",
           [](const ShareView& v) { return v.suspect_groups; });
  per_view("gleak_suspect_goroutines", "Goroutines in the target's suspect groups.",
           [](const ShareView& v) { return v.suspect_goroutines; });
  per_view("gleak_proven_groups",
           "Suspect groups the runtime proved leaked (a goroutineleak profile).",
           [](const ShareView& v) { return v.proven_groups; });
  per_view("gleak_growth", "Goroutines the target gained since the first snapshot.",
           [](const ShareView& v) { return v.growth; });
  per_view("gleak_other_groups",
           "Groups of the target counted in its series labelled other, past the first ones.",
           [](const ShareView& v) { return v.other_groups; });
  // Per group: the first max_series groups of each target (by growth), the
  // rest in one series labelled other, so that the series stay bounded.
  auto per_group = [&](std::string_view name, std::string_view help, auto value, bool other) {
    e.Family(name, help);
    for (const ServeTarget& t : status.targets) {
      if (!t.view) continue;
      std::string target = TargetLabel(t) + ",";
      for (const ShareGroup& g : t.view->series) {
        e.Sample(name, target + GroupLabels(*t.view, g), value(g));
      }
      if (other && t.view->other_groups > 0) {
        e.Sample(name, target + OtherLabels(*t.view), t.view->other_goroutines);
      }
    }
  };
  per_group(
      "gleak_group_goroutines",
      fmt::format("Goroutines of a group in the target's last snapshot; groups past the "
                  "first {} add up in the series whose labels are all other.",
                  status.max_series),
      [](const ShareGroup& g) { return g.count; }, true);
  per_group(
      "gleak_group_suspect",
      "1 when a group is a suspect (a leak pattern that grew since the first snapshot).",
      [](const ShareGroup& g) { return uint64_t{g.suspect ? 1u : 0u}; }, false);
  per_group(
      "gleak_group_growth", "Goroutines a group gained since the first snapshot.",
      [](const ShareGroup& g) { return g.growth; }, false);
  per_group(
      "gleak_group_proven", "1 when the runtime proved the group's goroutines leaked.",
      [](const ShareGroup& g) { return uint64_t{g.proven ? 1u : 0u}; }, false);
  out << "# EOF\n";
}

}  // namespace gleak
