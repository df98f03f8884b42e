#include "render/watch_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "render/text_parts.h"

namespace gleak {
namespace {

constexpr size_t kTopGroups = 8;

// The groups a tick shows: the ones the runtime proved leaked (present now),
// then the ones that grow, as the tick's diff ranks them.
std::vector<const Track*> Growing(const DiffReport& diff, size_t limit) {
  std::vector<const Track*> out;
  for (const Track& t : diff.tracks) {
    if (out.size() >= limit) break;
    bool proven = t.group.finding.proven && !t.counts.empty() && t.counts.back() > 0;
    if (t.growth > 0 || proven) out.push_back(&t);
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
      .Add(TerminalSafe(tick.url))
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
  if (tick.leak_profile == "served") {
    line.Add("leak profile served: groups the runtime proved leaked are marked PROVEN", Ink::kDim);
    line.End();
  } else if (tick.leak_profile == "not served") {
    line.Add("no leak profile (/debug/pprof/goroutineleak not served): no proofs, growth only",
             Ink::kDim);
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
    if (g.finding.proven) line.Add("  PROVEN", Ink::kRed);
    if (t->growth_per_minute) line.Add(fmt::format("  {:+.1f}/min", *t->growth_per_minute));
    line.Add("  ");
    if (g.overflow) {
      line.Add("groups past --max-groups, not told apart", Ink::kDim);
    } else if (!g.frames.empty()) {
      line.Add(TerminalSafe(g.frames[g.top_frame].func), Ink::kCyan)
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
                       TerminalSafe(tick.error), tick.failures_in_a_row);
    out.flush();
    return;
  }
  std::string top;
  std::vector<const Track*> growing = Growing(tick.diff, 3);
  for (const Track* t : growing) {
    const Group& g = t->group;
    top += fmt::format("  {} {} {}", Signed(t->growth), g.finding.pattern,
                       g.frames.empty() ? std::string() : TerminalSafe(g.frames[g.top_frame].func));
  }
  out << fmt::format("{} tick {}: {} goroutines ({} since start, {} since last){}\n", tick.time,
                     tick.tick, tick.totals.empty() ? 0 : tick.totals.back(),
                     Signed(tick.diff.totals.growth), Signed(tick.since_previous), top);
  out.flush();
}

void RenderWatchJsonLine(const WatchTick& tick, std::ostream& out) {
  using nlohmann::json;
  json line = {{"tick", tick.tick}, {"time", tick.time}, {"url", tick.url}, {"ok", tick.ok}};
  if (!tick.target.empty()) line["target"] = tick.target;
  if (!tick.leak_profile.empty()) line["leak_profile"] = tick.leak_profile;
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
           {"proven", g.finding.proven},
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

namespace {

std::string FleetGroupText(const FleetGroup& g) {
  return fmt::format("{} {} on {} targets ({}){}: {}", Signed(g.growth), g.pattern,
                     g.targets.size(), fmt::join(g.targets, ", "), g.proven ? " PROVEN" : "",
                     TerminalSafe(g.function));
}

}  // namespace

void RenderFleetScreen(const FleetTick& tick, const std::string& status, const TextStyle& style,
                       std::ostream& out) {
  out << "\x1b[H\x1b[J";
  LineOut line(style, out);
  line.Add("gleak watch ", Ink::kBold)
      .Add(fmt::format("{} targets", tick.targets.size()))
      .Add(fmt::format("  every {:g}s · tick {} · {}", tick.interval_seconds, tick.tick, tick.time),
           Ink::kDim);
  line.End();
  out << '\n';
  for (const WatchTick& t : tick.targets) {
    line.Add(fmt::format("  {:<20} ", TerminalSafe(t.target)), Ink::kBold);
    if (!t.ok) {
      line.Add(fmt::format("error ({} in a row): {}", t.failures_in_a_row, TerminalSafe(t.error)),
               Ink::kRed);
    } else if (!t.totals.empty()) {
      line.Add(fmt::format("{:>7} goroutines {:>7} since start  ", t.totals.back(),
                           Signed(t.diff.totals.growth)))
          .Add(Sparkline(t.totals, 20), Ink::kCyan);
      std::vector<const Track*> growing = Growing(t.diff, 1);
      if (!growing.empty()) {
        const Track* g = growing.front();
        line.Add(fmt::format("  {} {}", Signed(g->growth), g->group.finding.pattern),
                 g->suspect || g->group.finding.proven ? Ink::kRed : Ink::kPlain);
        if (!g->group.frames.empty()) {
          line.Add(" ").Add(TerminalSafe(g->group.frames[g->group.top_frame].func), Ink::kCyan);
        }
      }
    }
    line.End();
  }
  out << '\n';
  if (tick.shared.empty()) {
    line.Add("no group grows on more than one target", Ink::kGreen);
    line.End();
  } else {
    line.Add("growing on several targets", Ink::kBold);
    line.End();
    for (const FleetGroup& g : tick.shared) {
      std::string text = "  ";
      text += FleetGroupText(g);
      line.Add(text, g.suspect || g.proven ? Ink::kRed : Ink::kPlain);
      line.End();
    }
  }
  out << '\n';
  line.Add(status, Ink::kDim);
  line.End();
  out.flush();
}

void RenderFleetLines(const FleetTick& tick, std::ostream& out) {
  for (const WatchTick& t : tick.targets) {
    out << '[' << TerminalSafe(t.target) << "] ";
    RenderWatchLine(t, out);
  }
  std::string shared;
  for (const FleetGroup& g : tick.shared) {
    shared += "  ";
    shared += FleetGroupText(g);
  }
  out << fmt::format("{} tick {}: fleet: {} group{} grow{} on several targets{}\n", tick.time,
                     tick.tick, tick.shared.size(), tick.shared.size() == 1 ? "" : "s",
                     tick.shared.size() == 1 ? "s" : "", shared);
  out.flush();
}

void RenderFleetJsonLines(const FleetTick& tick, std::ostream& out) {
  using nlohmann::json;
  for (const WatchTick& t : tick.targets) RenderWatchJsonLine(t, out);
  json shared = json::array();
  for (const FleetGroup& g : tick.shared) {
    shared.push_back({{"id", g.id},
                      {"pattern", g.pattern},
                      {"top_frame", g.function},
                      {"targets", g.targets},
                      {"growth", g.growth},
                      {"suspect", g.suspect},
                      {"proven", g.proven}});
  }
  json line = {{"tick", tick.tick}, {"time", tick.time}, {"fleet", shared}};
  out << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  out.flush();
}

}  // namespace gleak
