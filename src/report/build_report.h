// Turns groups into the report renderers show: ranked, cut to what the user
// asked for, with paths shortened for reading.
#pragma once

#include <cstdint>
#include <vector>

#include "model/report.h"

namespace gleak {

struct ReportOptions {
  size_t top = 0;  // 0: every group
  uint64_t min_count = 1;
  uint64_t min_wait_minutes = 0;
  bool only_suspects = false;
};

// Fills short_file of every frame and the report's path_prefix.
void ShortenPaths(Report* report);

// Ranks `report.groups` (suspects first, proven ones before the rest, then
// other leak patterns, unclassified, benign, the overflow group; larger first
// within each), hides what falls below the thresholds and fills the totals.
// An input with goroutines in an overflow group gets a warning saying so.
void RankAndFilter(const ReportOptions& options, Report* report);

// "/usr/local/go/src/sync/waitgroup.go" -> "sync/waitgroup.go";
// ".../pkg/mod/github.com/a/b@v1.2.3/c.go" -> "github.com/a/b@v1.2.3/c.go";
// user files lose `user_prefix`.
// The offset in `file` where that shorter name starts.
size_t ShortFileStart(std::string_view func, std::string_view file, std::string_view user_prefix);

}  // namespace gleak
