// Matches the groups of several snapshots (in time order) and measures how
// each grew. A group is recognised by its id; failing that by its function
// names (a redeploy moved lines), failing that by its frames alone (a debug=1
// and a debug=2 dump of one process).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "model/diff_report.h"

namespace gleak {

struct DiffOptions {
  std::optional<double> interval_seconds;  // time between snapshots, for growth per minute
  // How many snapshots a track keeps counts of (0: all). Past it the history
  // is thinned to every other snapshot, always keeping the first and the
  // latest, so that it spans the whole watch in bounded memory; first, last,
  // min, max, monotony and the pace are kept over every snapshot.
  size_t max_history = 0;
  // How many tracks are kept (0: all): past it the tracks gone the longest are
  // forgotten, so that a process whose groups keep changing stays bounded.
  size_t max_tracks = 0;
};

// Snapshots added one at a time; each Add matches only that snapshot against
// the tracks so far: work O(groups) per snapshot and memory O(groups ×
// max_history), however many snapshots come (gleak watch, gleak serve).
class SnapshotTracker {
 public:
  explicit SnapshotTracker(DiffOptions options);
  void Add(Report snapshot);
  // The diff so far; `top` > 0 keeps only that many tracks (the most growth
  // first), for a per-tick view that should not copy every track, and leaves
  // out Track::first_child_groups (report/spawn_tree.h's AddDiffSpawnTree
  // needs the full diff).
  DiffReport Current(size_t top = 0) const;
  uint64_t snapshots() const { return snapshots_; }

  struct Kept;  // a track and its all-time figures

 private:
  void Thin();
  void Forget();
  void KeepFirstLinks(const std::vector<size_t>& track_of);
  DiffOptions options_;
  uint64_t snapshots_ = 0;            // added so far
  std::vector<uint64_t> kept_ticks_;  // 0-based snapshot of each kept sample
  std::vector<InputReport> inputs_;   // per kept sample
  std::vector<uint64_t> totals_;      // goroutines per kept sample
  uint64_t first_total_ = 0, last_total_ = 0;
  GroupingLevel level_ = GroupingLevel::kLine;
  std::string path_prefix_;
  std::vector<Kept> tracks_;
  uint64_t next_serial_ = 0;
  bool first_linked_ = false;        // the first snapshot linked groups (it had parent ids)
  uint32_t spawn_sample_level_ = 0;  // the newest snapshot's
};

struct SnapshotTracker::Kept {
  Track track;
  uint64_t first = 0;  // count in the first snapshot
  uint64_t min = 0, max = 0;
  uint64_t last_seen = 0;  // the last snapshot with the group (0-based)
  bool never_fell = true;  // no snapshot below the one before
  uint64_t serial = 0;     // names the track while others are forgotten and tracks reordered
  // The groups of the first snapshot that this track's group created there:
  // (their serial, goroutines), for the diff's spawn tree.
  std::vector<std::pair<uint64_t, uint64_t>> first_children;
};

DiffReport DiffSnapshots(std::vector<Report> snapshots, const DiffOptions& options);

}  // namespace gleak
