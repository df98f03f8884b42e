// The report: everything a renderer shows, already ranked and filtered.
// Renderers format it: they never rank, filter or judge; they only choose how
// much of it a format shows (runtime frames, rows past --top) and count that.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/group.h"
#include "model/producer_detail.h"

namespace gleak {

struct InputReport {
  std::string name;
  std::string format;    // "traceback", "debug1", "unknown"
  std::string producer;  // "stack", "panic", "signal", ...
  std::string encoding;  // "plain", "gzip"
  uint64_t goroutines = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t raw_bytes = 0;
  uint64_t lines = 0;
  uint64_t noise_lines = 0;
  uint64_t duplicate_goroutines = 0;
  bool truncated = false;
  ProducerDetail detail;  // panic value, fatal error, test, crashed goroutine
  std::vector<Diagnostic> warnings;
  uint64_t warnings_dropped = 0;
  std::string error;  // set when the input could not be read; the counts hold what was read before
  // What the dump's producer judged, for people: "the runtime's leak detector
  // found no leaked goroutines", a deadlock, goleak, a hung test; "" for none.
  std::string verdict;
};

struct ReportTotals {
  uint64_t goroutines = 0;          // parsed from all inputs
  uint64_t groups = 0;              // groups made
  uint64_t ignored_goroutines = 0;  // dropped by --ignore, --filter, --exclude
  uint64_t shown_groups = 0;
  uint64_t shown_goroutines = 0;
  uint64_t hidden_groups = 0;  // below --min-count / --min-wait, or past --top
  uint64_t hidden_goroutines = 0;
  uint64_t suspect_groups = 0;  // over all groups, shown or not
  uint64_t suspect_goroutines = 0;
  uint64_t proven_groups = 0;
  uint64_t overflow_goroutines = 0;  // in overflow groups: their groups were past max_groups
};

// One line of the spawn tree view (report/spawn_tree.h): a group under the
// group whose goroutines created it.
struct SpawnRow {
  size_t group = 0;     // index into Report::groups
  size_t depth = 0;     // 0 for a root
  uint64_t count = 0;   // a root: its goroutines; else those its parent row's group created
  bool repeat = false;  // shown in full higher up (a group with several parents, or a cycle)
  // Rows directly under this one (its subtree follows it in display order):
  // what a view that folds the tree, or nests it, needs to know.
  size_t children = 0;
};

struct Report {
  std::string tool_version;
  GroupingLevel level = GroupingLevel::kLine;
  bool merged = false;  // one set of groups for all inputs
  uint64_t max_groups =
      0;  // ClusterOptions::max_groups: distinct groups kept per input (or in all)
  std::vector<InputReport> inputs;
  ReportTotals totals;
  std::string path_prefix;    // common directory removed from short_file of user code
  std::vector<Group> groups;  // ranked: the most suspicious first
  // Objects goroutines wait on, per input, the most waiters first; they may
  // name groups that --top or --min-count hid.
  std::vector<BlockingObject> objects;
  uint64_t objects_not_listed = 0;            // waiting goroutines whose objects were past the caps
  std::vector<std::string> suspect_patterns;  // patterns of all suspect groups, sorted
  // The spawn tree's sampling (cluster/spawn_index.h): 0 when every parent id
  // was counted, else counts are estimates from 1 parent id in 2^level.
  uint32_t spawn_sample_level = 0;
  std::vector<SpawnRow> spawn_tree;  // the shown groups as a spawn tree (report/spawn_tree.h)
  // Some shown group has a parent or child group, or creators that exited:
  // false when the dump had no parent ids (debug=1, protobuf, Go < 1.21).
  bool spawn_links = false;
  bool classified = false;
};

}  // namespace gleak
