#include "render/markdown_report.h"

#include <fmt/core.h>

#include "render/html_text.h"
#include "render/markdown_text.h"

namespace gleak {
namespace {

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string Where(const ShareLocation& loc) {
  std::string place = loc.line > 0 ? fmt::format("{}:{}", loc.path, loc.line) : loc.path;
  std::string text = MarkdownCode(place);
  if (!loc.function.empty()) text += " in " + MarkdownCode(loc.function);
  return text;
}

void Inputs(const ShareView& view, std::ostream& out) {
  out << "| # | Input | Format | Goroutines | Warnings |\n| ---: | --- | --- | ---: | ---: |\n";
  for (size_t i = 0; i < view.inputs.size(); ++i) {
    const ShareInput& in = view.inputs[i];
    std::string format = in.error.empty()
                             ? MarkdownText(in.format)
                             : MarkdownText(in.format) + " (error: " + MarkdownText(in.error) + ")";
    out << fmt::format("| {} | {} | {} | {} | {} |\n", i + 1, MarkdownText(in.name), format,
                       in.goroutines, in.warnings);
  }
  out << '\n';
}

// The spawn tree as a nested list, folded in <details>: a list item's
// children are indented to its text, two spaces per level.
void SpawnTree(const ShareView& view, std::ostream& out) {
  if (view.tree.empty()) return;
  size_t rows = view.tree.size() + view.tree_rows_not_listed;
  out << "### Spawn tree\n\n<details>\n<summary>" << Plural(rows, "row", "rows")
      << ": each group under the group whose goroutines created it</summary>\n\n";
  if (view.tree_sample_level > 0) out << "Counts are estimated from a sample of parent ids.\n\n";
  for (const ShareTreeRow& r : view.tree) {
    const ShareGroup& g = r.group;
    std::string count = r.depth > 0 && r.count != g.count
                            ? fmt::format("{} of {}", r.count, g.count)
                            : fmt::format("{}", g.count);
    out << std::string(2 * r.depth, ' ') << "- " << fmt::format("\\#{} · **{}** ", r.rank, count)
        << MarkdownCode(g.top_function.empty() ? "(no frames)" : g.top_function);
    if (r.repeat) {
      out << " (shown above)\n";
      continue;
    }
    out << " · " << MarkdownText(g.state.empty() ? "no state" : g.state) << " · "
        << MarkdownText(g.pattern);
    if (g.suspect) out << " · **suspect**";
    std::string labels = g.by_label.empty() ? g.labels : g.by_label;
    if (!labels.empty()) out << " · " << MarkdownCode(labels);
    if (r.spawned_by_exited > 0) {
      out << fmt::format(" · {} created by {} that {} exited", r.spawned_by_exited,
                         Plural(r.exited_parents, "goroutine", "goroutines"),
                         r.exited_parents == 1 ? "has" : "have");
    }
    out << "\n";
  }
  if (view.tree_rows_not_listed > 0) {
    out << fmt::format("\n{} not listed: `--view tree` prints them all.\n",
                       Plural(view.tree_rows_not_listed, "more row", "more rows"));
  }
  out << "\n</details>\n\n";
}

}  // namespace

void RenderMarkdownSuspects(const ShareView& view, std::ostream& out) {
  if (view.suspects.empty()) {
    out << "No suspect groups.\n\n";
    return;
  }
  out << "### Suspects\n\n";
  for (size_t i = 0; i < view.suspects_listed; ++i) {
    const ShareSuspect& s = view.suspects[i];
    out << fmt::format("#### {}. {}: {}{}\n\n", i + 1, MarkdownText(s.rule_id),
                       Plural(s.count, "goroutine", "goroutines"),
                       s.proven ? " (proven stuck)" : "");
    out << "**" << MarkdownText(s.title.empty() ? s.rule_id : s.title) << "**";
    if (!s.state.empty()) out << " · state " << MarkdownCode(s.state);
    if (s.max_wait_minutes > 0) out << " · waiting up to " << s.max_wait_minutes << " min";
    if (view.diff) out << fmt::format(" · grew by {}", s.growth);
    out << "\n\n";
    if (s.blocks_at) out << "- Blocks at " << Where(*s.blocks_at) << "\n";
    if (s.spawned_at) out << "- Started by the `go` statement at " << Where(*s.spawned_at) << "\n";
    if (s.spawned_by_exited > 0) {
      out << fmt::format("- {} created by {} that {} exited\n", s.spawned_by_exited,
                         Plural(s.exited_parents, "goroutine", "goroutines"),
                         s.exited_parents == 1 ? "has" : "have");
    }
    if (!s.labels.empty()) {
      out << "- Labels:";
      for (size_t l = 0; l < s.labels.size(); ++l)
        out << (l > 0 ? "; " : " ") << MarkdownText(s.labels[l]);
      out << "\n";
    }
    if (!s.reason.empty()) out << "- Suspect: " << MarkdownText(s.reason) << "\n";
    out << "- Confidence: " << MarkdownText(s.confidence) << " · group " << MarkdownCode(s.group_id)
        << "\n\n";
    out << "<details>\n<summary>Why, and how to fix it</summary>\n\n";
    if (!s.explanation.empty()) out << MarkdownText(s.explanation) << "\n\n";
    if (!s.fix.empty()) out << "**Fix:** " << MarkdownText(s.fix) << "\n\n";
    if (!s.evidence.empty()) {
      out << "Evidence:\n\n";
      for (const std::string& e : s.evidence) out << "- " << MarkdownText(e) << "\n";
      out << '\n';
    }
    out << "</details>\n\n";
  }
  if (view.suspects_listed < view.suspects.size()) {
    size_t rest = view.suspects.size() - view.suspects_listed;
    out << fmt::format("{} not told here: `--format text` or `--format json` lists every one.\n\n",
                       Plural(rest, "more suspect group is", "more suspect groups are"));
  }
}

void RenderMarkdownReport(const ShareView& view, std::ostream& out) {
  out << fmt::format("## gleak: {}, {} proven stuck\n\n",
                     Plural(view.suspect_groups, "suspect group", "suspect groups"),
                     view.proven_groups);
  out << "| | |\n| --- | ---: |\n";
  out << fmt::format("| Goroutines | {} |\n| Groups | {} |\n| Suspect groups | {} |\n",
                     view.goroutines, view.groups, view.suspect_groups);
  out << fmt::format("| Goroutines in suspect groups | {} |\n| Proven stuck groups | {} |\n\n",
                     view.suspect_goroutines, view.proven_groups);
  Inputs(view, out);
  RenderMarkdownSuspects(view, out);
  if (!view.rows.empty()) {
    out << "### Groups\n\n| # | Goroutines | Pattern | State | Function | Labels | Suspect |\n"
           "| ---: | ---: | --- | --- | --- | --- | --- |\n";
    for (size_t i = 0; i < view.rows.size(); ++i) {
      const ShareGroup& g = view.rows[i];
      std::string labels = g.by_label.empty() ? g.labels : g.by_label;
      out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", i + 1, g.count,
                         MarkdownText(g.pattern), MarkdownText(g.state),
                         MarkdownText(g.top_function), MarkdownText(labels),
                         g.suspect ? "yes" : "");
    }
    if (view.rows_not_listed > 0) {
      out << fmt::format("\n{} not listed.\n",
                         Plural(view.rows_not_listed, "more group", "more groups"));
    }
    out << '\n';
  }
  SpawnTree(view, out);
  out << fmt::format("<sub>gleak {}</sub>\n", HtmlText(view.tool_version));
}

}  // namespace gleak
