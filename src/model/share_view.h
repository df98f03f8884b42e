// What the formats people share show (SARIF for code scanning, Markdown for a
// PR comment, OpenMetrics for Prometheus): a view computed once from a report
// or a diff (report/share_view.h builds it) so that their renderers only
// render. Every string that came from a dump is already terminal-safe here (no
// controls, no bidi overrides, valid UTF-8); each renderer still escapes it for
// its own syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gleak {

// A place in the source: relative to --source-root when the file lies under it
// (`relative` true), else the path as the dump prints it.
struct ShareLocation {
  std::string path;
  bool relative = false;
  uint64_t line = 0;
  std::string function;
};

struct ShareInput {
  std::string name;
  std::string format;
  uint64_t goroutines = 0;
  uint64_t warnings = 0;  // listed and not listed
  std::string error;
};

// A rule that some suspect matched, with its help.
struct ShareRule {
  std::string id;
  std::string title;
  std::string explanation;
  std::string fix;
};

struct ShareSuspect {
  std::string group_id;
  std::string func_id;
  std::string rule_id;
  std::string title;
  std::string confidence;
  std::string signal;  // "proof", "certain", "growth", ... (Finding::suspect_signal)
  std::string reason;  // why a suspect
  bool proven = false;
  uint64_t count = 0;
  std::string state;
  uint64_t max_wait_minutes = 0;
  std::string top_function;
  std::optional<ShareLocation> blocks_at;   // the first user frame: where the goroutines wait
  std::optional<ShareLocation> spawned_at;  // the `go` statement (the most common creator)
  std::vector<std::string> evidence;
  // pprof labels: "key=value key=value ×count" per listed set, then "N more
  // with other labels" when some were not listed.
  std::vector<std::string> labels;
  uint64_t spawned_by_exited = 0;  // Group::spawned_by_exited and exited_parents
  uint64_t exited_parents = 0;
  std::string explanation;
  std::string fix;
  int64_t growth = 0;  // diff: last - first snapshot
};

// One row of a table or one metric series; pattern, state and top_function
// are cut to ShareOptions::max_label_bytes.
struct ShareGroup {
  std::string group_id;
  std::string pattern;
  std::string state;
  std::string top_function;
  uint64_t count = 0;
  bool suspect = false;
  bool proven = false;  // the runtime proved its goroutines leaked
  // --by-label KEY: "KEY=VALUE" (or "KEY unset"), cut like the rest; "" without it.
  std::string by_label;
  // The group's most common label set, "key=value key=value", cut like the
  // rest, and " (+N sets)" when it has more; "" when unlabelled.
  std::string labels;
  // diff only
  std::string status;            // "new", "gone", "grown", "shrunk", "steady"
  std::vector<uint64_t> counts;  // per snapshot
  int64_t growth = 0;
  std::optional<double> growth_percent;
};

// One row of the spawn tree (Report::spawn_tree, as `--view tree` prints it).
struct ShareTreeRow {
  size_t rank = 0;      // the group's place in the report, from 1
  size_t depth = 0;     // 0 for a root
  uint64_t count = 0;   // a root: its goroutines; else those its parent row's group created
  bool repeat = false;  // shown in full higher up; its children are not repeated
  ShareGroup group;
  uint64_t spawned_by_exited = 0;  // Group::spawned_by_exited and exited_parents
  uint64_t exited_parents = 0;
};

struct ShareView {
  bool diff = false;
  std::string tool_version;
  std::vector<ShareInput> inputs;  // the snapshots, for a diff
  uint64_t goroutines = 0;         // analyze: all inputs; diff: the last snapshot
  uint64_t groups = 0;             // analyze: groups made; diff: tracks
  uint64_t suspect_groups = 0;
  uint64_t suspect_goroutines = 0;
  uint64_t proven_groups = 0;
  std::vector<std::string> suspect_patterns;
  std::string by_label;                // --by-label KEY: the key, "" without it
  std::vector<ShareRule> rules;        // of the suspects, by id
  std::vector<ShareSuspect> suspects;  // as ranked in the report
  size_t suspects_listed = 0;          // Markdown tells the first ones: max_listed_suspects at most
  // The first max_series groups (by rank; for a diff, tracks by growth) and
  // what the rest add up to.
  std::vector<ShareGroup> series;
  size_t max_series = 0;  // ShareOptions::max_series
  uint64_t other_groups = 0;
  uint64_t other_goroutines = 0;
  // Markdown's tables: the first max_rows groups or changed tracks.
  std::vector<ShareGroup> rows;
  uint64_t rows_not_listed = 0;
  // analyze: the spawn tree's first max_tree_rows rows (a prefix of the rows
  // in display order is a tree too); empty when no shown group has a parent
  // group, a child group or an exited parent (no parent ids in the dump).
  std::vector<ShareTreeRow> tree;
  uint64_t tree_rows_not_listed = 0;
  uint32_t tree_sample_level = 0;  // Report::spawn_sample_level: counts are estimates when > 0
  // diff only
  std::vector<uint64_t> snapshot_goroutines;
  int64_t growth = 0;
  uint64_t grown = 0, shrunk = 0, added = 0, gone = 0, steady = 0;
};

}  // namespace gleak
