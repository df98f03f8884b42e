#include <fmt/core.h>

#include "render/html_text.h"
#include "render/markdown_report.h"
#include "render/markdown_text.h"

namespace gleak {

void RenderMarkdownDiff(const ShareView& view, std::ostream& out) {
  out << fmt::format("## gleak diff: {:+} goroutines over {} snapshots, {} suspect group{}\n\n",
                     view.growth, view.inputs.size(), view.suspect_groups,
                     view.suspect_groups == 1 ? "" : "s");
  out << "| # | Snapshot | Goroutines | Warnings |\n| ---: | --- | ---: | ---: |\n";
  for (size_t i = 0; i < view.inputs.size(); ++i) {
    const ShareInput& in = view.inputs[i];
    out << fmt::format("| {} | {} | {} | {} |\n", i + 1, MarkdownText(in.name), in.goroutines,
                       in.warnings);
  }
  out << fmt::format("\nGroups: {} grew, {} shrank, {} new, {} gone, {} steady.\n\n", view.grown,
                     view.shrunk, view.added, view.gone, view.steady);
  RenderMarkdownSuspects(view, out);
  if (!view.rows.empty()) {
    out << "### Growth\n\n| Group | Pattern | State | Function |";
    for (size_t i = 0; i < view.inputs.size(); ++i) out << fmt::format(" #{} |", i + 1);
    out << " Growth | Status | Suspect |\n| --- | --- | --- | --- |";
    for (size_t i = 0; i < view.inputs.size(); ++i) out << " ---: |";
    out << " ---: | --- | --- |\n";
    for (const ShareGroup& g : view.rows) {
      out << fmt::format("| {} | {} | {} | {} |", MarkdownCode(g.group_id), MarkdownText(g.pattern),
                         MarkdownText(g.state), MarkdownText(g.top_function));
      for (uint64_t n : g.counts) out << ' ' << n << " |";
      std::string percent =
          g.growth_percent ? fmt::format(" ({:+.0f}%)", *g.growth_percent) : std::string();
      out << fmt::format(" {:+}{} | {} | {} |\n", g.growth, percent, g.status,
                         g.suspect ? "yes" : "");
    }
    if (view.rows_not_listed > 0) {
      out << fmt::format("\n{} more changed group{} not listed.\n", view.rows_not_listed,
                         view.rows_not_listed == 1 ? "" : "s");
    }
    out << '\n';
  } else {
    out << "No group changed.\n\n";
  }
  out << fmt::format("<sub>gleak {}</sub>\n", HtmlText(view.tool_version));
}

}  // namespace gleak
