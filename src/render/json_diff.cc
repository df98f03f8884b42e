#include "gleak/render/json_diff.h"

#include <nlohmann/json.hpp>

#include "gleak/render/json_parts.h"

namespace gleak {

using nlohmann::json;

void RenderJsonDiff(const DiffReport& diff, std::ostream& out, bool one_line) {
  json snapshots = json::array();
  for (size_t i = 0; i < diff.snapshots.size(); ++i)
    snapshots.push_back(InputJson(i, diff.snapshots[i]));
  auto group = [&](size_t i) {
    const Track& t = diff.tracks[i];
    json waits = json::array();
    for (const auto& w : t.waits) {
      waits.push_back(w ? json{{"min", w->first}, {"max", w->second}} : json(nullptr));
    }
    json ids = json::array();
    for (const std::string& id : t.ids) ids.push_back(id.empty() ? json(nullptr) : json(id));
    json g = GroupJson(t.group);
    g["rank"] = i + 1;
    g["ids"] = ids;
    g["match"] = std::string(MatchKindName(t.match));
    g["status"] = std::string(TrackStatusName(t.status));
    g["counts"] = t.counts;
    g["min_count"] = t.min_count;
    g["max_count"] = t.max_count;
    g["growth"] = t.growth;
    g["growth_percent"] = t.growth_percent ? json(*t.growth_percent) : json(nullptr);
    g["monotonic"] = t.monotonic;
    g["growth_per_snapshot"] = t.growth_per_snapshot;
    g["growth_per_minute"] = t.growth_per_minute ? json(*t.growth_per_minute) : json(nullptr);
    g["waits"] = waits;
    g["suspect"] = t.suspect;
    g["suspect_reason"] = t.suspect_reason;
    return g;
  };
  const DiffTotals& t = diff.totals;
  json doc = {
      {"schema", kDiffSchema},
      {"tool", {{"name", "gleak"}, {"version", diff.tool_version}}},
      {"group_by", std::string(GroupingLevelName(diff.level))},
      {"path_prefix", diff.path_prefix},
      {"interval_seconds", diff.interval_seconds ? json(*diff.interval_seconds) : json(nullptr)},
      {"snapshots", snapshots},
      {"snapshots_taken", diff.snapshots_taken},
      {"kept", diff.kept},
      {"totals",
       {{"goroutines", t.goroutines},
        {"growth", t.growth},
        {"groups", t.tracks},
        {"grown", t.grown},
        {"shrunk", t.shrunk},
        {"steady", t.steady},
        {"new", t.added},
        {"gone", t.gone},
        {"top_explaining", t.top_explaining},
        {"explained_share", t.explained_share}}},
      {"suspect_patterns", diff.suspect_patterns},
      {"groups", json::array()},
  };
  if (diff.watch) {
    const WatchSummary& w = *diff.watch;
    json failures = json::array();
    for (const WatchFailure& f : w.failures) {
      failures.push_back({{"tick", f.tick}, {"time", f.time}, {"error", f.error}});
    }
    doc["watch"] = {{"url", w.url},
                    {"ticks", w.ticks},
                    {"failed_ticks", w.failed},
                    {"gave_up", w.gave_up},
                    {"failures", failures},
                    {"failures_not_listed", w.failures_not_listed}};
  }
  DumpWithArray(doc, "groups", diff.tracks.size(), group, one_line ? -1 : 2, out);
  out << '\n';
}

}  // namespace gleak
