#include "gleak/diff/diff.h"

#include <absl/container/flat_hash_map.h>
#include <fmt/core.h>

#include <algorithm>
#include <set>

namespace gleak {

std::string_view TrackStatusName(TrackStatus status) {
  switch (status) {
    case TrackStatus::kNew:
      return "new";
    case TrackStatus::kGone:
      return "gone";
    case TrackStatus::kGrown:
      return "grown";
    case TrackStatus::kShrunk:
      return "shrunk";
    case TrackStatus::kSteady:
      break;
  }
  return "steady";
}

std::string_view MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kFunc:
      return "func";
    case MatchKind::kShape:
      return "shape";
    case MatchKind::kId:
      break;
  }
  return "id";
}

namespace {

struct Matcher {
  absl::flat_hash_map<std::string, size_t> by_id, by_func, by_shape;

  void Index(const Group& g, size_t track) {
    by_id.try_emplace(g.id, track);
    by_func.try_emplace(g.func_id, track);
    by_shape.try_emplace(g.shape_id, track);
  }
};

void Measure(const DiffOptions& options, Track* t) {
  size_t n = t->counts.size();
  uint64_t first = t->counts.front(), last = t->counts.back();
  t->growth = static_cast<int64_t>(last) - static_cast<int64_t>(first);
  if (first > 0)
    t->growth_percent = 100.0 * static_cast<double>(t->growth) / static_cast<double>(first);
  if (first == 0 && last > 0) {
    t->status = TrackStatus::kNew;
  } else if (first > 0 && last == 0) {
    t->status = TrackStatus::kGone;
  } else if (last > first) {
    t->status = TrackStatus::kGrown;
  } else if (last < first) {
    t->status = TrackStatus::kShrunk;
  } else {
    t->status = TrackStatus::kSteady;
  }
  t->monotonic = last > first;
  for (size_t i = 1; i < n; ++i) t->monotonic &= t->counts[i] >= t->counts[i - 1];
  t->growth_per_snapshot = n > 1 ? static_cast<double>(t->growth) / static_cast<double>(n - 1) : 0;
  if (options.interval_seconds && *options.interval_seconds > 0 && n > 1) {
    t->growth_per_minute =
        static_cast<double>(t->growth) / (*options.interval_seconds * (n - 1) / 60.0);
  }
  const Finding& f = t->group.finding;
  // The overflow group is many groups counted together: its growth is no
  // pattern's, and the renderers say what it is.
  bool leak_pattern =
      !t->group.overflow && !f.benign && f.pattern != "unclassified" && !f.pattern.empty();
  if (leak_pattern && t->growth > 0) {
    t->suspect = true;
    t->suspect_reason =
        fmt::format("{} grows by {} ({}){}", f.pattern, t->growth, TrackStatusName(t->status),
                    t->monotonic ? ", never falling back" : "");
  }
}

}  // namespace

DiffReport DiffSnapshots(std::vector<Report> snapshots, const DiffOptions& options) {
  DiffReport diff;
  diff.interval_seconds = options.interval_seconds;
  const size_t n = snapshots.size();
  if (n > 0) {
    diff.level = snapshots.front().level;
    diff.path_prefix = snapshots.back().path_prefix;
  }
  std::vector<Track> tracks;
  for (size_t s = 0; s < n; ++s) {
    Report& snapshot = snapshots[s];
    diff.snapshots.insert(diff.snapshots.end(), snapshot.inputs.begin(), snapshot.inputs.end());
    diff.totals.goroutines.push_back(snapshot.totals.goroutines);
    // Index the tracks seen so far, then match this snapshot's groups: exact
    // ids first for every group, then the looser keys for what is left.
    Matcher matcher;
    for (size_t t = 0; t < tracks.size(); ++t) matcher.Index(tracks[t].group, t);
    std::vector<std::optional<size_t>> matched(snapshot.groups.size());
    std::vector<MatchKind> how(snapshot.groups.size(), MatchKind::kId);
    std::set<size_t> taken;
    auto try_match = [&](const absl::flat_hash_map<std::string, size_t>& index, MatchKind kind,
                         auto key_of) {
      for (size_t i = 0; i < snapshot.groups.size(); ++i) {
        if (matched[i]) continue;
        auto it = index.find(key_of(snapshot.groups[i]));
        if (it == index.end() || (kind != MatchKind::kId && taken.count(it->second))) continue;
        matched[i] = it->second;
        how[i] = kind;
        taken.insert(it->second);
      }
    };
    try_match(matcher.by_id, MatchKind::kId, [](const Group& g) { return g.id; });
    try_match(matcher.by_func, MatchKind::kFunc, [](const Group& g) { return g.func_id; });
    try_match(matcher.by_shape, MatchKind::kShape, [](const Group& g) { return g.shape_id; });

    for (size_t i = 0; i < snapshot.groups.size(); ++i) {
      Group& g = snapshot.groups[i];
      size_t t;
      if (matched[i]) {
        t = *matched[i];
      } else {
        t = tracks.size();
        Track fresh;
        fresh.ids.assign(n, "");
        fresh.counts.assign(n, 0);
        fresh.waits.assign(n, std::nullopt);
        tracks.push_back(std::move(fresh));
      }
      Track& track = tracks[t];
      track.match = std::max(track.match, how[i]);
      // Two groups of one snapshot that match one track (lines split in one
      // build, not in the other) add up.
      track.counts[s] += g.count;
      track.ids[s] = g.id;
      auto wait = std::make_pair(g.min_wait_minutes, g.max_wait_minutes);
      if (track.waits[s]) {
        wait.first = std::min(wait.first, track.waits[s]->first);
        wait.second = std::max(wait.second, track.waits[s]->second);
      }
      track.waits[s] = wait;
      track.id = g.id;
      track.group = std::move(g);
    }
  }

  std::set<std::string> patterns;
  for (Track& t : tracks) {
    Measure(options, &t);
    DiffTotals& totals = diff.totals;
    ++totals.tracks;
    switch (t.status) {
      case TrackStatus::kNew:
        ++totals.added;
        break;
      case TrackStatus::kGone:
        ++totals.gone;
        break;
      case TrackStatus::kGrown:
        ++totals.grown;
        break;
      case TrackStatus::kShrunk:
        ++totals.shrunk;
        break;
      case TrackStatus::kSteady:
        ++totals.steady;
        break;
    }
    if (t.suspect) patterns.insert(t.group.finding.pattern);
  }
  diff.suspect_patterns.assign(patterns.begin(), patterns.end());
  // Most growth first; then new, grown, shrunk, gone, steady; then larger; then id.
  std::sort(tracks.begin(), tracks.end(), [](const Track& a, const Track& b) {
    if (a.growth != b.growth) return a.growth > b.growth;
    if (a.counts.back() != b.counts.back()) return a.counts.back() > b.counts.back();
    return a.id < b.id;
  });
  if (!diff.totals.goroutines.empty()) {
    diff.totals.growth = static_cast<int64_t>(diff.totals.goroutines.back()) -
                         static_cast<int64_t>(diff.totals.goroutines.front());
  }
  // The fewest top groups whose growth covers 90% of the total growth.
  if (diff.totals.growth > 0) {
    int64_t covered = 0;
    for (const Track& t : tracks) {
      if (t.growth <= 0) break;
      covered += t.growth;
      ++diff.totals.top_explaining;
      if (covered * 10 >= diff.totals.growth * 9) break;
    }
    diff.totals.explained_share =
        static_cast<double>(covered) / static_cast<double>(diff.totals.growth);
  }
  diff.tracks = std::move(tracks);
  return diff;
}

}  // namespace gleak
