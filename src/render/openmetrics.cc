#include "gleak/render/openmetrics.h"

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

  void Family(std::string_view name, std::string_view help) {
    out_ << "# TYPE " << name << " gauge\n# HELP " << name << ' ' << help << '\n';
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

}  // namespace gleak
