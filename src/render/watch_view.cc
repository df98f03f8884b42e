#include "gleak/render/watch_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "render/text_parts.h"

namespace gleak {
namespace {

constexpr size_t kTopGroups = 8;

std::vector<const Track*> Growing(const DiffReport& diff, size_t limit) {
  std::vector<const Track*> out;
  for (const Track& t : diff.tracks) {
    if (t.growth <= 0 || out.size() >= limit) break;  // tracks are ranked by growth
    out.push_back(&t);
  }
  return out;
}

int64_t SincePrevious(const Track& t) {
  size_t n = t.counts.size();
  return n < 2 ? 0 : static_cast<int64_t>(t.counts[n - 1]) - static_cast<int64_t>(t.counts[n - 2]);
}

}  // namespace

std::string Sparkline(const std::vector<uint64_t>& values, size_t width) {
  static const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  size_t start = values.size() > width ? values.size() - width : 0;
  if (start >= values.size()) return {};
  auto [lo, hi] = std::minmax_element(values.begin() + static_cast<long>(start), values.end());
  std::string line;
  for (size_t i = start; i < values.size(); ++i) {
    size_t level = *hi == *lo ? 3 : static_cast<size_t>((values[i] - *lo) * 7 / (*hi - *lo));
    line += kBars[level];
  }
  return line;
}

void RenderWatchScreen(const WatchTick& tick, const std::string& status, const TextStyle& style,
                       std::ostream& out) {
  out << "\x1b[H\x1b[J";  // home, clear: redraw in place
  LineOut line(style, out);
  line.Add("gleak watch ", Ink::kBold)
      .Add(Safe(tick.url))
      .Add(fmt::format("  every {:g}s · tick {} · {}", tick.interval_seconds, tick.tick, tick.time),
           Ink::kDim);
  line.End();
  if (!tick.totals.empty()) {
    const DiffTotals& t = tick.diff.totals;
    line.Add(fmt::format("goroutines {} ", tick.totals.back()), Ink::kBold)
        .Add(Sparkline(tick.totals, 40), Ink::kCyan)
        .Add(fmt::format("  {} since start, {} since last", Signed(t.growth),
                         Signed(tick.since_previous)));
    line.End();
  }
  out << '\n';
  std::vector<const Track*> growing = Growing(tick.diff, kTopGroups);
  if (growing.empty()) {
    line.Add(tick.totals.size() < 2 ? "waiting for a second snapshot…" : "no group grows",
             Ink::kGreen);
    line.End();
  } else {
    line.Add("growing groups", Ink::kBold);
    line.End();
  }
  for (const Track* t : growing) {
    const Group& g = t->group;
    line.Add(fmt::format("  {:>6} ", Signed(t->growth)), Ink::kRed)
        .Add(fmt::format("{:<15}", g.finding.pattern), t->suspect ? Ink::kRed : Ink::kPlain)
        .Add(fmt::format("{:>6} now", t->counts.back()));
    if (t->growth_per_minute) line.Add(fmt::format("  {:+.1f}/min", *t->growth_per_minute));
    line.Add("  ");
    if (g.overflow) {
      line.Add("groups past --max-groups, not told apart", Ink::kDim);
    } else if (!g.frames.empty()) {
      line.Add(Safe(g.frames[g.top_frame].func), Ink::kCyan)
          .Add("  ")
          .Add(Location(g.frames[g.top_frame]), Ink::kDim);
    }
    line.End();
  }
  out << '\n';
  line.Add(status, tick.ok ? Ink::kDim : Ink::kRed);
  line.End();
  out.flush();
}

void RenderWatchLine(const WatchTick& tick, std::ostream& out) {
  if (!tick.ok) {
    out << fmt::format("{} tick {}: error: {} ({} in a row)\n", tick.time, tick.tick,
                       Safe(tick.error), tick.failures_in_a_row);
    out.flush();
    return;
  }
  std::string top;
  std::vector<const Track*> growing = Growing(tick.diff, 3);
  for (const Track* t : growing) {
    const Group& g = t->group;
    top += fmt::format("  {} {} {}", Signed(t->growth), g.finding.pattern,
                       g.frames.empty() ? std::string() : Safe(g.frames[g.top_frame].func));
  }
  out << fmt::format("{} tick {}: {} goroutines ({} since start, {} since last){}\n", tick.time,
                     tick.tick, tick.totals.empty() ? 0 : tick.totals.back(),
                     Signed(tick.diff.totals.growth), Signed(tick.since_previous), top);
  out.flush();
}

void RenderWatchJsonLine(const WatchTick& tick, std::ostream& out) {
  using nlohmann::json;
  json line = {{"tick", tick.tick}, {"time", tick.time}, {"url", tick.url}, {"ok", tick.ok}};
  if (!tick.ok) {
    line["error"] = tick.error;
    line["failures_in_a_row"] = tick.failures_in_a_row;
  } else {
    line["goroutines"] = tick.totals.empty() ? 0 : tick.totals.back();
    line["growth_since_start"] = tick.diff.totals.growth;
    line["growth_since_previous"] = tick.since_previous;
    json groups = json::array();
    for (const Track* t : Growing(tick.diff, kTopGroups)) {
      const Group& g = t->group;
      groups.push_back(
          {{"id", t->id},
           {"pattern", g.finding.pattern},
           {"suspect", t->suspect},
           {"count", t->counts.back()},
           {"growth_since_start", t->growth},
           {"growth_since_previous", SincePrevious(*t)},
           {"growth_per_minute",
            t->growth_per_minute ? json(*t->growth_per_minute) : json(nullptr)},
           {"monotonic", t->monotonic},
           {"top_frame", g.frames.empty() ? json(nullptr) : json(g.frames[g.top_frame].func)}});
    }
    line["growing"] = groups;
  }
  out << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  out.flush();
}

}  // namespace gleak
