// Matches the groups of several snapshots (in time order) and measures how
// each grew. A group is recognised by its id; failing that by its function
// names (a redeploy moved lines), failing that by its frames alone (a debug=1
// and a debug=2 dump of one process).
#pragma once

#include <optional>
#include <vector>

#include "gleak/model/diff_report.h"

namespace gleak {

struct DiffOptions {
  std::optional<double> interval_seconds;  // time between snapshots, for growth per minute
};

DiffReport DiffSnapshots(std::vector<Report> snapshots, const DiffOptions& options);

}  // namespace gleak
