// The diff of several snapshots of one process: groups tracked across them,
// ranked by growth. Renderers only format it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/report.h"

namespace gleak {

enum class TrackStatus { kNew, kGone, kGrown, kShrunk, kSteady };
std::string_view TrackStatusName(TrackStatus status);

// How a group was recognised in a later snapshot.
enum class MatchKind {
  kId,     // the same signature at the chosen --group-by level
  kFunc,   // the same function names: lines moved (a redeploy)
  kShape,  // the same frames without states or creators: the formats differ (debug=1 and 2)
};
std::string_view MatchKindName(MatchKind kind);

struct Track {
  std::string id;                         // the group id in the latest snapshot that has the group
  std::vector<std::string> ids;           // per snapshot kept, "" where absent
  std::vector<uint64_t> counts;           // per snapshot kept, 0 where absent
  uint64_t min_count = 0, max_count = 0;  // over every snapshot, kept or thinned
  std::vector<std::optional<std::pair<uint64_t, uint64_t>>> waits;  // min/max minutes per snapshot
  MatchKind match = MatchKind::kId;                                 // the loosest match used
  TrackStatus status = TrackStatus::kSteady;
  int64_t growth = 0;                    // last - first
  std::optional<double> growth_percent;  // relative to the first; none when it starts at 0
  bool monotonic = false;                // never falls back, and grows
  double growth_per_snapshot = 0;
  std::optional<double> growth_per_minute;  // with --interval
  bool suspect = false;                     // a leak pattern that grows
  std::string suspect_reason;
  Group group;  // the latest snapshot's group: state, frames, creators, finding
  // The groups this group's goroutines created in the first snapshot, named
  // by their track's id: the spawn tree's old counts. Empty in a per-tick
  // view of a watch (SnapshotTracker::Current with a `top`).
  std::vector<GroupLink> first_child_groups;
};

struct DiffTotals {
  std::vector<uint64_t> goroutines;  // per snapshot
  int64_t growth = 0;                // last - first
  uint64_t tracks = 0;
  uint64_t grown = 0, shrunk = 0, steady = 0, added = 0, gone = 0;
  uint64_t steady_goroutines = 0;  // in the steady groups, in each snapshot
  uint64_t top_explaining = 0;     // the fewest growing groups that explain most of the growth
  double explained_share = 0;      // their share of the total growth (0..1+)
};

// One snapshot `gleak watch` could not take.
struct WatchFailure {
  uint64_t tick = 0;  // 1-based
  std::string time;   // UTC, ISO 8601
  std::string error;
};

// How the snapshots of `gleak watch` went; a diff of files has none.
struct WatchSummary {
  std::string url;
  uint64_t ticks = 0;                  // snapshots tried
  uint64_t failed = 0;                 // of which failed
  bool gave_up = false;                // --max-failures failures in a row ended the watch
  std::vector<WatchFailure> failures;  // the first kMaxListed
  uint64_t failures_not_listed = 0;
  static constexpr size_t kMaxListed = 100;
};

// One row of a diff's spawn tree: the groups of the newest snapshot under the
// groups whose goroutines created them (report/spawn_tree.h), each with how
// its count changed since the first snapshot.
struct DiffSpawnRow {
  SpawnRow row;  // row.group indexes DiffReport::tracks; row.count is in the newest snapshot
  // The same count in the first snapshot: a root's goroutines, else those its
  // parent row's group created then; none for a child row when the first
  // snapshot linked no groups (no parent ids: debug=1, protobuf, Go < 1.21).
  std::optional<uint64_t> old_count;
  std::optional<int64_t> growth;  // row.count - old_count
};

struct DiffReport {
  std::string tool_version;
  GroupingLevel level = GroupingLevel::kLine;
  std::vector<InputReport> snapshots;  // the snapshots kept (all, unless thinned)
  // Snapshots diffed: more than snapshots.size() once a long watch thinned
  // its history (DiffOptions::max_history), and `kept` then says which ones
  // (1-based) the per-snapshot arrays hold.
  uint64_t snapshots_taken = 0;
  std::vector<uint64_t> kept;
  std::optional<double> interval_seconds;
  DiffTotals totals;
  std::vector<Track> tracks;  // ranked: most growth first; steady and shrinking last
  std::vector<std::string> suspect_patterns;
  std::string path_prefix;
  std::optional<WatchSummary> watch;  // gleak watch only
  uint32_t spawn_sample_level = 0;    // the newest snapshot's Report::spawn_sample_level
  bool first_linked = false;          // the first snapshot linked groups (it had parent ids)
  // The newest snapshot's spawn tree: which group keeps creating the growing
  // one (report/spawn_tree.h's AddDiffSpawnTree fills it).
  std::vector<DiffSpawnRow> spawn_tree;
  bool spawn_links = false;  // as Report::spawn_links, of the tree's groups
};

}  // namespace gleak
