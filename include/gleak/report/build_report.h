// Turns groups into the report renderers show: ranked, cut to what the user
// asked for, with paths shortened for reading.
#pragma once

#include <cstdint>
#include <vector>

#include "gleak/model/report.h"

namespace gleak {

struct ReportOptions {
  size_t top = 0;  // 0: every group
  uint64_t min_count = 1;
  uint64_t min_wait_minutes = 0;
};

// Ranks `report.groups` (most suspicious first), hides what falls below the
// thresholds and fills totals and short paths.
void FinishReport(const ReportOptions& options, Report* report);

// "/usr/local/go/src/sync/waitgroup.go" -> "sync/waitgroup.go";
// ".../pkg/mod/github.com/a/b@v1.2.3/c.go" -> "github.com/a/b@v1.2.3/c.go";
// user files lose `user_prefix`.
std::string ShortFile(std::string_view func, std::string_view file, std::string_view user_prefix);

}  // namespace gleak
