// What `gleak serve` knows of its targets at one moment: what /metrics and
// the status page show. Computed by the serve command; renderers format it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/share_view.h"

namespace gleak {

struct ServeTarget {
  std::string name;           // from --targets, else the URL's host:port
  std::string url;            // its password (if any) shown as ***
  bool polled = false;        // at least one poll ended
  bool up = false;            // the last poll gave a snapshot
  bool leak_profile = false;  // /debug/pprof/goroutineleak is served and read (proofs)
  uint64_t polls = 0;         // polls ended
  uint64_t failures = 0;      // of which failed
  uint64_t failures_in_a_row = 0;
  std::string last_error;         // of the last failed poll
  double last_success_unix = 0;   // seconds since 1970 of the last good poll; 0: none yet
  double last_poll_seconds = 0;   // how long the last poll took
  std::optional<ShareView> view;  // the diff of its snapshots so far; none before the first
  uint64_t snapshots = 0;         // good snapshots so far
};

struct ServeStatus {
  std::string tool_version;
  std::string started;  // UTC, ISO 8601
  double interval_seconds = 0;
  size_t max_series = 0;  // groups with a series of their own, per target
  std::vector<ServeTarget> targets;
};

}  // namespace gleak
