#include "render/text_diff.h"

#include <fmt/format.h>

#include <algorithm>

#include "render/text_parts.h"

namespace gleak {
namespace {

std::string Counts(const Track& t) {
  std::string text;
  for (size_t i = 0; i < t.counts.size(); ++i)
    text += fmt::format("{}{}", i ? " → " : "", t.counts[i]);
  return text;
}

// "chan send  GROWING chan-send": a track's wait state and its pattern, red
// when the track is a growing suspect.
void StateAndPattern(const Track& t, LineOut& line) {
  const Group& g = t.group;
  line.Add(g.state.empty() ? "(no state: count profile)" : TerminalSafe(g.state), Ink::kYellow)
      .Add("  ");
  if (t.suspect) {
    line.Add(fmt::format("GROWING {}", g.finding.pattern), Ink::kRed);
  } else {
    line.Add(g.finding.pattern, g.finding.benign ? Ink::kDim : Ink::kPlain);
  }
}

void RenderTrack(size_t rank, const Track& t, const TextStyle& style, std::ostream& out) {
  LineOut line(style, out);
  const Group& g = t.group;
  line.Add(fmt::format("#{:<3}", rank), Ink::kBold)
      .Add(fmt::format("{:>6} ", Signed(t.growth)), t.growth > 0 ? Ink::kRed : Ink::kBold)
      .Add(fmt::format("{:<7}", TrackStatusName(t.status)))
      .Add(Counts(t))
      .Add("  ");
  if (g.overflow) {
    // Many groups counted together: no pattern grows here, some group among them does.
    line.Add("OVERFLOW", Ink::kYellow).Add(": of the groups past --max-groups, not told apart");
  } else {
    StateAndPattern(t, line);
  }
  line.Add("  id " + t.id, Ink::kDim);
  line.End();
  std::string pace;
  if (t.monotonic) pace = "never falls back";

  if (t.counts.size() > 2 || t.growth_per_minute) {
    pace += fmt::format("{}{:+.1f} per snapshot", pace.empty() ? "" : ", ", t.growth_per_snapshot);
  }
  if (t.growth_per_minute) pace += fmt::format(", {:+.2f} per minute", *t.growth_per_minute);
  if (t.match != MatchKind::kId) {
    pace += t.match == MatchKind::kFunc
                ? "; matched by function names (lines moved)"
                : "; matched by frames only (the snapshots' formats differ)";
  }
  if (!pace.empty()) {
    line.Add("    pace  ", Ink::kDim).Add(pace);
    line.End();
  }
  AtLine(line, g);
  if (!g.creators.empty()) {
    FrameLine(line, "      by  ", g.creators.front().frame, Ink::kGreen);
    line.End();
  }
  if (t.suspect) FixLine(line, g.finding.fix.str());
  out << '\n';
}

// "└─ #2     30 of 30 goroutines  (+20)  main.leaky  chan send  GROWING chan-send  id …":
// a row of the spawn tree.
void RenderTreeRow(const DiffReport& diff, const DiffSpawnRow& d, const TextStyle& style,
                   std::ostream& out) {
  LineOut line(style, out);
  const SpawnRow& row = d.row;
  const Track& t = diff.tracks[row.group];
  const Group& g = t.group;
  uint64_t total = t.counts.back();
  std::string indent;
  for (size_t i = 1; i < row.depth; ++i) indent += "   ";
  if (row.depth > 0) indent += "└─ ";
  line.Add(indent, Ink::kDim).Add(fmt::format("#{:<3}", row.group + 1), Ink::kBold);
  std::string count = row.depth > 0 && row.count != total
                          ? fmt::format("{} of {}", row.count, total)
                          : fmt::format("{}", total);
  line.Add(fmt::format("{:>6} ", count), Ink::kBold)
      .Add(total == 1 && row.count <= 1 ? "goroutine   " : "goroutines  ");
  if (d.growth && *d.growth != 0) {
    line.Add(fmt::format("({} → {}, {})  ", *d.old_count, row.count, Signed(*d.growth)),
             *d.growth > 0 ? Ink::kRed : Ink::kPlain);
  }
  if (g.overflow) {
    line.Add("OVERFLOW", Ink::kYellow).Add("  id " + t.id, Ink::kDim);
    line.End();
    return;
  }
  if (!g.frames.empty()) line.Add(TerminalSafe(g.frames[g.top_frame].func) + "  ", Ink::kCyan);
  if (row.repeat) {
    line.Add("(shown above)", Ink::kDim).Add("  id " + t.id, Ink::kDim);
    line.End();
    return;
  }
  StateAndPattern(t, line);
  line.Add("  id " + t.id, Ink::kDim);
  line.End();
  if (g.spawned_by_exited > 0) {
    std::string pad(Columns(indent) + 5, ' ');
    line.Add(pad).Add(
        fmt::format("{} created by {} that {} exited", g.spawned_by_exited,
                    Plural(g.exited_parents, "goroutine"), g.exited_parents == 1 ? "has" : "have"),
        Ink::kYellow);
    line.End();
  }
}

// The lines above the groups: the snapshots, the totals, what grows. Says
// whether there is more to show (false: no snapshot could be read).
bool RenderDiffHead(const DiffReport& diff, const TextStyle& style, std::ostream& out) {
  LineOut line(style, out);
  const DiffTotals& t = diff.totals;
  // gleak watch: the snapshots it could not take.
  auto watch_failures = [&] {
    if (!diff.watch || diff.watch->failed == 0) return;
    const WatchSummary& w = *diff.watch;
    line.Add(fmt::format("  {} of {} failed{}", w.failed, Plural(w.ticks, "snapshot"),
                         w.gave_up ? " (gave up: --max-failures in a row)" : ""),
             Ink::kRed);
    line.End();
    if (!w.failures.empty()) {
      const WatchFailure& last = w.failures.back();  // the last one, or the last one kept
      line.Add(fmt::format("  snapshot {} at {}: ", last.tick, last.time))
          .Add(TerminalSafe(last.error), Ink::kRed);
      line.End();
    }
  };
  if (diff.snapshots.empty()) {
    line.Add("gleak " + diff.tool_version + " diff", Ink::kBold).Add(": no snapshot could be read");
    line.End();
    watch_failures();
    return false;
  }
  std::string totals;
  for (size_t i = 0; i < t.goroutines.size(); ++i)
    totals += fmt::format("{}{}", i ? " → " : "", t.goroutines[i]);
  // A long watch keeps every other snapshot past --history: say which.
  const bool thinned =
      diff.kept.size() == diff.snapshots.size() && diff.kept.size() < diff.snapshots_taken;
  line.Add("gleak " + diff.tool_version + " diff", Ink::kBold)
      .Add(thinned ? fmt::format(" · {} snapshots ({} kept: the first, the latest and evenly "
                                 "between) · goroutines {} ({}) · grouped by {}",
                                 diff.snapshots_taken, diff.kept.size(), totals, Signed(t.growth),
                                 GroupingLevelName(diff.level))
                   : fmt::format(" · {} snapshots · goroutines {} ({}) · grouped by {}",
                                 diff.snapshots.size(), totals, Signed(t.growth),
                                 GroupingLevelName(diff.level)));
  line.End();
  for (size_t i = 0; i < diff.snapshots.size(); ++i) {
    const InputReport& in = diff.snapshots[i];
    line.Add(fmt::format("  [{}] ", thinned ? diff.kept[i] : i + 1))
        .Add(TerminalSafe(in.name), Ink::kBold);
    if (!in.error.empty()) {
      line.Add("  error: " + TerminalSafe(in.error), Ink::kRed);
    } else {
      line.Add(
          fmt::format("  {} ({}), {}", in.format, in.producer, Plural(in.goroutines, "goroutine")));
    }
    line.End();
  }
  watch_failures();
  if (t.growth > 0 && t.top_explaining > 0) {
    line.Add(fmt::format("  {:.0f}% of the growth is in the top {}", 100 * t.explained_share,
                         Plural(t.top_explaining, "group")));
    line.End();
  }
  const Track* overflow = nullptr;
  for (const Track& track : diff.tracks) {
    if (track.group.overflow) overflow = &track;
  }
  if (!diff.suspect_patterns.empty()) {
    line.Add(fmt::format("  growing leak patterns: {}", fmt::join(diff.suspect_patterns, ", ")),
             Ink::kRed);
  } else {
    line.Add(overflow ? "  no leak pattern grows among the groups kept" : "  no leak pattern grows",
             Ink::kGreen);
  }
  line.End();
  if (overflow && overflow->growth > 0) {
    line.Add(fmt::format("  the overflow group grows by {}: a group past --max-groups grows, "
                         "unseen; raise --max-groups to see which",
                         overflow->growth),
             Ink::kYellow);
    line.End();
  }
  if (!diff.path_prefix.empty()) {
    line.Add("  paths relative to " + TerminalSafe(diff.path_prefix), Ink::kDim);
    line.End();
  }
  out << '\n';
  return true;
}

}  // namespace

void RenderTextDiff(const DiffReport& diff, const TextStyle& style, std::ostream& out) {
  if (!RenderDiffHead(diff, style, out)) return;
  LineOut line(style, out);
  const DiffTotals& t = diff.totals;
  size_t rank = 0;
  for (const Track& track : diff.tracks) {
    if (track.status == TrackStatus::kSteady) continue;
    if (style.max_groups > 0 && rank >= style.max_groups) continue;
    RenderTrack(++rank, track, style, out);
  }
  if (t.steady > 0) {
    line.Add(fmt::format("{} steady ({} in each snapshot)", Plural(t.steady, "group"),
                         Plural(t.steady_goroutines, "goroutine")),
             Ink::kDim);
    line.End();
  }
  uint64_t shown_changes = t.grown + t.shrunk + t.added + t.gone;
  if (style.max_groups > 0 && shown_changes > style.max_groups) {
    line.Add(
        fmt::format("{} more changed groups not shown (--top)", shown_changes - style.max_groups),
        Ink::kDim);
    line.End();
  }
}

void RenderTextDiffSpawnTree(const DiffReport& diff, const TextStyle& style, std::ostream& out) {
  if (!RenderDiffHead(diff, style, out)) return;
  LineOut line(style, out);
  SpawnTreeHeading(line,
                   ": each group of the newest snapshot under the group whose goroutines "
                   "created it, and (first → newest) where its count changed",
                   diff.spawn_sample_level, diff.spawn_links, "the newest snapshot");
  out << '\n';
  for (const DiffSpawnRow& d : diff.spawn_tree) RenderTreeRow(diff, d, style, out);
  if (diff.spawn_tree.empty()) {
    line.Add("  no groups in the newest snapshot");
    line.End();
  }
}

}  // namespace gleak
