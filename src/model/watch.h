// One tick of `gleak watch`: what the live view and the JSON lines show.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/diff_report.h"

namespace gleak {

struct WatchTick {
  std::string target;  // its name, when the watch has several targets
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

// A group that grows on several targets of one watch: the same group id
// (the same stack, so the same build) growing on each.
struct FleetGroup {
  std::string id;
  std::string pattern;
  std::string function;              // top frame
  std::vector<std::string> targets;  // where it grows (or is proven), in target order
  int64_t growth = 0;                // summed over those targets
  bool suspect = false;              // a leak pattern on one of them at least
  bool proven = false;
};

// One tick of `gleak watch URL URL…`: every target's tick and the groups
// that grow on more than one of them (the most targets first).
struct FleetTick {
  uint64_t tick = 0;
  std::string time;
  double interval_seconds = 0;
  std::vector<WatchTick> targets;
  std::vector<FleetGroup> shared;
};

}  // namespace gleak
