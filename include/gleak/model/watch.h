// One tick of `gleak watch`: what the live view and the JSON lines show.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gleak/model/diff_report.h"

namespace gleak {

struct WatchTick {
  std::string url;
  uint64_t tick = 0;  // 1-based
  std::string time;   // UTC, ISO 8601
  double interval_seconds = 0;
  bool ok = true;     // false: this tick's fetch failed
  std::string error;  // why it failed
  uint64_t failures_in_a_row = 0;
  std::vector<uint64_t> totals;  // goroutines of every good snapshot so far
  DiffReport diff;               // first good snapshot .. this one
  int64_t since_previous = 0;    // goroutines, against the previous good snapshot
  // /debug/pprof/goroutineleak: "served" (read in place of the goroutine
  // profile: the runtime's proofs), "not served", "not asked" or "unknown".
  std::string leak_profile;
};

}  // namespace gleak
