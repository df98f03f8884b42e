#include "render/serve_page.h"

#include <fmt/core.h>

#include "render/html_text.h"

#include <algorithm>
#include <string_view>

namespace gleak {
namespace {

constexpr size_t kGroupsShown = 5;

}  // namespace

void RenderServePage(const ServeStatus& status, std::ostream& out) {
  int refresh = std::max(1, static_cast<int>(status.interval_seconds));
  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << fmt::format("<meta http-equiv=\"refresh\" content=\"{}\">\n", refresh)
      << "<title>gleak serve</title>\n"
         "<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:"
         "collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;"
         "vertical-align:top}.down{color:#b00}.up{color:#070}.suspect{color:#b00;"
         "font-weight:bold}code{font-size:12px}</style></head><body>\n"
      << fmt::format(
             "<h1>gleak serve</h1>\n<p>gleak {} · polling {} target{} every {:g}s since "
             "{} · <a href=\"/metrics\">/metrics</a></p>\n",
             HtmlText(status.tool_version), status.targets.size(),
             status.targets.size() == 1 ? "" : "s", status.interval_seconds,
             HtmlText(status.started))
      << "<table>\n<tr><th>target</th><th>state</th><th>goroutines</th><th>growth</th>"
         "<th>suspect groups</th><th>growing groups</th></tr>\n";
  for (const ServeTarget& t : status.targets) {
    std::string state = !t.polled ? "<span>waiting for the first poll</span>"
                        : t.up ? fmt::format("<span class=\"up\">up</span> ({} polls, {} failed)",
                                             t.polls, t.failures)
                               : fmt::format("<span class=\"down\">down</span>: {} ({} in a row)",
                                             HtmlText(t.last_error), t.failures_in_a_row);
    out << fmt::format("<tr><td><b>{}</b><br><code>{}</code></td><td>{}</td>", HtmlText(t.name),
                       HtmlText(t.url), state);
    if (!t.view) {
      out << "<td></td><td></td><td></td><td></td></tr>\n";
      continue;
    }
    const ShareView& v = *t.view;
    out << fmt::format("<td>{}</td><td>{:+}</td><td{}>{}{}</td><td>", v.goroutines, v.growth,
                       v.suspect_groups > 0 ? " class=\"suspect\"" : "", v.suspect_groups,
                       v.proven_groups > 0 ? fmt::format(" ({} proven)", v.proven_groups) : "");
    size_t shown = 0;
    for (const ShareGroup& g : v.series) {
      if (g.growth <= 0 || shown == kGroupsShown) break;  // series are ranked by growth
      out << fmt::format("<div{}>{:+} {} <code>{}</code> ({} now)</div>",
                         g.suspect ? " class=\"suspect\"" : "", g.growth, HtmlText(g.pattern),
                         HtmlText(g.top_function), g.count);
      ++shown;
    }
    if (shown == 0) out << "none";
    out << "</td></tr>\n";
  }
  out << "</table>\n</body></html>\n";
}

}  // namespace gleak
