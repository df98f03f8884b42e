#include "diff/diff.h"

#include <absl/container/flat_hash_map.h>
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "base/text.h"

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

// Fills the measured fields of `t` (a copy of k.track) from the all-time
// figures of its keeper; `n` is the number of snapshots taken.
void Measure(const DiffOptions& options, const SnapshotTracker::Kept& k, uint64_t n, Track* t) {
  uint64_t first = k.first, last = t->counts.back();
  t->min_count = k.min;
  t->max_count = k.max;
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
  t->monotonic = last > first && k.never_fell;
  t->growth_per_snapshot = n > 1 ? static_cast<double>(t->growth) / static_cast<double>(n - 1) : 0;
  if (options.interval_seconds && *options.interval_seconds > 0 && n > 1) {
    t->growth_per_minute = static_cast<double>(t->growth) /
                           (*options.interval_seconds * static_cast<double>(n - 1) / 60.0);
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

template <typename T>
void KeepEveryOther(std::vector<T>* v) {
  size_t n = v->size(), out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 2 != 0 && i + 1 != n) continue;
    if (out != i) (*v)[out] = std::move((*v)[i]);  // never onto itself: that empties a string
    ++out;
  }
  v->resize(out);
}

}  // namespace

SnapshotTracker::SnapshotTracker(DiffOptions options) : options_(options) {}

void SnapshotTracker::Add(Report snapshot) {
  const uint64_t s = snapshots_++;
  if (s == 0) {
    level_ = snapshot.level;
    first_total_ = snapshot.totals.goroutines;
  }
  last_total_ = snapshot.totals.goroutines;
  path_prefix_ = snapshot.path_prefix;
  kept_ticks_.push_back(s);
  inputs_.insert(inputs_.end(), snapshot.inputs.begin(), snapshot.inputs.end());
  totals_.push_back(snapshot.totals.goroutines);
  for (Kept& k : tracks_) {
    k.track.ids.emplace_back();
    k.track.counts.push_back(0);
    k.track.waits.emplace_back();
  }
  // Index the tracks seen so far, then match this snapshot's groups: exact
  // ids first for every group, then the looser keys for what is left.
  Matcher matcher;
  for (size_t t = 0; t < tracks_.size(); ++t) matcher.Index(tracks_[t].track.group, t);
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

  const size_t width = kept_ticks_.size();
  std::vector<size_t> track_of(snapshot.groups.size());
  for (size_t i = 0; i < snapshot.groups.size(); ++i) {
    Group& g = snapshot.groups[i];
    size_t& t = track_of[i];
    if (matched[i]) {
      t = *matched[i];
    } else {
      t = tracks_.size();
      Kept fresh;  // first and min stay 0 when made after the first snapshot
      fresh.serial = next_serial_++;
      fresh.track.ids.assign(width, "");
      fresh.track.counts.assign(width, 0);
      fresh.track.waits.assign(width, std::nullopt);
      tracks_.push_back(std::move(fresh));
    }
    Track& track = tracks_[t].track;
    track.match = std::max(track.match, how[i]);
    // Two groups of one snapshot that match one track (lines split in one
    // build, not in the other) add up.
    track.counts.back() += g.count;
    track.ids.back() = g.id;
    auto wait = std::make_pair(g.min_wait_minutes, g.max_wait_minutes);
    if (track.waits.back()) {
      wait.first = std::min(wait.first, track.waits.back()->first);
      wait.second = std::max(wait.second, track.waits.back()->second);
    }
    track.waits.back() = wait;
    track.id = g.id;
    track.group = std::move(g);
    tracks_[t].last_seen = s;
  }
  spawn_sample_level_ = snapshot.spawn_sample_level;
  if (s == 0) KeepFirstLinks(track_of);
  // The all-time figures, over every snapshot (the history may be thinned).
  for (Kept& k : tracks_) {
    uint64_t now = k.track.counts.back();
    if (s == 0) k.first = now;
    // A track made after the first snapshot was absent (0) from those before.
    uint64_t before = width > 1 ? k.track.counts[width - 2] : 0;
    k.min = s == 0 ? now : std::min(k.min, now);
    k.max = std::max(k.max, now);
    if (s > 0 && now < before) k.never_fell = false;
  }
  if (options_.max_history > 1 && kept_ticks_.size() > options_.max_history) Thin();
  if (options_.max_tracks > 0 && tracks_.size() > options_.max_tracks) Forget();
}

// Which groups of the first snapshot created which: the spawn tree's old
// counts. Every group of the first snapshot has a track of its own.
void SnapshotTracker::KeepFirstLinks(const std::vector<size_t>& track_of) {
  absl::flat_hash_map<std::string, uint64_t> serial_of;
  for (size_t t : track_of) {
    const Group& g = tracks_[t].track.group;
    serial_of.try_emplace(g.id, tracks_[t].serial);
    first_linked_ |= !g.parent_groups.empty() || !g.child_groups.empty() || g.spawned_by_exited > 0;
  }
  for (size_t t : track_of) {
    Kept& k = tracks_[t];
    for (const GroupLink& child : k.track.group.child_groups) {
      auto it = serial_of.find(child.id);
      if (it != serial_of.end()) k.first_children.emplace_back(it->second, child.count);
    }
  }
}

void SnapshotTracker::Thin() {
  KeepEveryOther(&kept_ticks_);
  KeepEveryOther(&inputs_);
  KeepEveryOther(&totals_);
  for (Kept& k : tracks_) {
    KeepEveryOther(&k.track.ids);
    KeepEveryOther(&k.track.counts);
    KeepEveryOther(&k.track.waits);
  }
}

// Forgets the tracks absent now and gone the longest, down to 3/4 of the
// bound, so that it does not run on every snapshot.
void SnapshotTracker::Forget() {
  std::vector<size_t> absent;
  for (size_t t = 0; t < tracks_.size(); ++t) {
    if (tracks_[t].track.counts.back() == 0) absent.push_back(t);
  }
  size_t target = options_.max_tracks - options_.max_tracks / 4;
  if (tracks_.size() <= target) return;
  size_t drop = std::min(absent.size(), tracks_.size() - target);
  std::partial_sort(
      absent.begin(), absent.begin() + static_cast<long>(drop), absent.end(),
      [&](size_t a, size_t b) { return tracks_[a].last_seen < tracks_[b].last_seen; });
  std::vector<bool> gone(tracks_.size(), false);
  for (size_t i = 0; i < drop; ++i) gone[absent[i]] = true;
  size_t out = 0;
  for (size_t t = 0; t < tracks_.size(); ++t) {
    if (gone[t]) continue;
    if (out != t) tracks_[out] = std::move(tracks_[t]);
    ++out;
  }
  tracks_.resize(out);
}

DiffReport SnapshotTracker::Current(size_t top) const {
  DiffReport diff;
  diff.interval_seconds = options_.interval_seconds;
  diff.level = level_;
  diff.path_prefix = path_prefix_;
  diff.snapshots = inputs_;
  diff.snapshots_taken = snapshots_;
  for (uint64_t s : kept_ticks_) diff.kept.push_back(s + 1);
  DiffTotals& totals = diff.totals;
  totals.goroutines = totals_;
  // Rank without copying a track: growth, then the latest count, then id.
  struct Rank {
    int64_t growth;
    uint64_t last;
    size_t index;
    bool proven;  // present now and proven leaked by the runtime
  };
  std::vector<Rank> ranks;
  ranks.reserve(tracks_.size());
  std::set<std::string> patterns;
  for (size_t i = 0; i < tracks_.size(); ++i) {
    const Kept& k = tracks_[i];
    uint64_t first = k.first, last = k.track.counts.back();
    ranks.push_back({static_cast<int64_t>(last) - static_cast<int64_t>(first), last, i,
                     last > 0 && k.track.group.finding.proven});
    ++totals.tracks;
    if (first == 0 && last > 0) {
      ++totals.added;
    } else if (first > 0 && last == 0) {
      ++totals.gone;
    } else if (last > first) {
      ++totals.grown;
    } else if (last < first) {
      ++totals.shrunk;
    } else {
      ++totals.steady;
      totals.steady_goroutines = SaturatingAdd(totals.steady_goroutines, last);
    }
    const Group& g = k.track.group;
    const Finding& f = g.finding;
    if (last > first && !g.overflow && !f.benign && f.pattern != "unclassified" &&
        !f.pattern.empty()) {
      patterns.insert(f.pattern);
    }
  }
  diff.suspect_patterns.assign(patterns.begin(), patterns.end());
  // A view of the top tracks (a watch tick) shows proven leaks first, from
  // the first snapshot; the whole diff keeps its order by growth.
  auto better = [&](const Rank& a, const Rank& b) {
    if (top > 0 && a.proven != b.proven) return a.proven;
    if (a.growth != b.growth) return a.growth > b.growth;
    if (a.last != b.last) return a.last > b.last;
    return tracks_[a.index].track.id < tracks_[b.index].track.id;
  };
  size_t shown = top > 0 ? std::min(top, ranks.size()) : ranks.size();
  std::partial_sort(ranks.begin(), ranks.begin() + static_cast<long>(shown), ranks.end(), better);
  if (snapshots_ > 0) {
    totals.growth = static_cast<int64_t>(last_total_) - static_cast<int64_t>(first_total_);
  }
  // The fewest top groups whose growth covers 90% of the total growth.
  if (totals.growth > 0) {
    std::vector<int64_t> growths;
    for (const Rank& r : ranks) {
      if (r.growth > 0) growths.push_back(r.growth);
    }
    std::sort(growths.begin(), growths.end(), std::greater<>());
    int64_t covered = 0;
    for (int64_t growth : growths) {
      covered += growth;
      ++totals.top_explaining;
      if (covered * 10 >= totals.growth * 9) break;
    }
    totals.explained_share = static_cast<double>(covered) / static_cast<double>(totals.growth);
  }
  diff.tracks.reserve(shown);
  for (size_t i = 0; i < shown; ++i) {
    const Kept& k = tracks_[ranks[i].index];
    diff.tracks.push_back(k.track);
    Measure(options_, k, snapshots_, &diff.tracks.back());
  }
  diff.spawn_sample_level = spawn_sample_level_;
  diff.first_linked = first_linked_;
  if (top == 0) {
    // The first snapshot's links, by the ids the diff gives its tracks.
    absl::flat_hash_map<uint64_t, const std::string*> id_of;
    for (const Kept& k : tracks_) id_of.try_emplace(k.serial, &k.track.id);
    for (size_t i = 0; i < shown; ++i) {
      for (const auto& [serial, count] : tracks_[ranks[i].index].first_children) {
        auto it = id_of.find(serial);
        if (it != id_of.end()) diff.tracks[i].first_child_groups.push_back({*it->second, count});
      }
    }
  }
  return diff;
}

DiffReport DiffSnapshots(std::vector<Report> snapshots, const DiffOptions& options) {
  SnapshotTracker tracker(options);
  for (Report& snapshot : snapshots) tracker.Add(std::move(snapshot));
  return tracker.Current();
}

}  // namespace gleak
