#include "render/json_diff.h"

#include "render/json_parts.h"
#include "render/json_writer.h"

namespace gleak {

static void OptionalDouble(JsonWriter& w, const std::optional<double>& d) {
  if (d) {
    w.Double(*d);
  } else {
    w.Null();
  }
}

void RenderJsonDiff(const DiffReport& diff, std::ostream& out, bool one_line) {
  JsonWriter w(out, one_line);
  const DiffTotals& t = diff.totals;
  // Keys in byte order, as the report's (json_report.cc).
  w.BeginObject();
  w.Field("group_by", GroupingLevelName(diff.level));
  w.Key("groups").BeginArray();
  for (size_t i = 0; i < diff.tracks.size(); ++i) {
    const Track& tr = diff.tracks[i];
    // The diff's members of a group, merged with the group's own by key.
    const JsonField extra[] = {
        {"counts",
         [&](JsonWriter& jw) {
           jw.BeginArray();
           for (uint64_t c : tr.counts) jw.Uint(c);
           jw.EndArray();
         }},
        {"growth", [&](JsonWriter& jw) { jw.Int(tr.growth); }},
        {"growth_per_minute", [&](JsonWriter& jw) { OptionalDouble(jw, tr.growth_per_minute); }},
        {"growth_per_snapshot", [&](JsonWriter& jw) { jw.Double(tr.growth_per_snapshot); }},
        {"growth_percent", [&](JsonWriter& jw) { OptionalDouble(jw, tr.growth_percent); }},
        {"ids",
         [&](JsonWriter& jw) {
           jw.BeginArray();
           for (const std::string& id : tr.ids) {
             if (id.empty()) {
               jw.Null();
             } else {
               jw.String(id);
             }
           }
           jw.EndArray();
         }},
        {"match", [&](JsonWriter& jw) { jw.String(MatchKindName(tr.match)); }},
        {"max_count", [&](JsonWriter& jw) { jw.Uint(tr.max_count); }},
        {"min_count", [&](JsonWriter& jw) { jw.Uint(tr.min_count); }},
        {"monotonic", [&](JsonWriter& jw) { jw.Bool(tr.monotonic); }},
        {"rank", [&](JsonWriter& jw) { jw.Uint(i + 1); }},
        {"status", [&](JsonWriter& jw) { jw.String(TrackStatusName(tr.status)); }},
        {"suspect", [&](JsonWriter& jw) { jw.Bool(tr.suspect); }},
        {"suspect_reason", [&](JsonWriter& jw) { jw.String(tr.suspect_reason); }},
        {"waits",
         [&](JsonWriter& jw) {
           jw.BeginArray();
           for (const auto& wt : tr.waits) {
             if (wt) {
               jw.BeginObject();
               jw.Field("max", wt->second);
               jw.Field("min", wt->first);
               jw.EndObject();
             } else {
               jw.Null();
             }
           }
           jw.EndArray();
         }},
    };
    WriteGroupJson(w, tr.group, extra);
  }
  w.EndArray();
  w.Key("interval_seconds");
  OptionalDouble(w, diff.interval_seconds);
  w.UintArray("kept", diff.kept);
  w.Field("path_prefix", diff.path_prefix);
  w.Field("schema", kDiffSchema);
  w.Key("snapshots").BeginArray();
  for (size_t i = 0; i < diff.snapshots.size(); ++i) WriteInputJson(w, i, diff.snapshots[i]);
  w.EndArray();
  w.Field("snapshots_taken", diff.snapshots_taken);
  w.Field("spawn_sample_level", uint64_t{diff.spawn_sample_level});
  w.Key("spawn_tree").BeginArray();
  for (const DiffSpawnRow& d : diff.spawn_tree) {
    const SpawnRow& row = d.row;
    w.BeginObject();
    w.Field("children", uint64_t{row.children});
    w.Field("count", row.count);
    w.Field("depth", uint64_t{row.depth});
    w.Key("growth");
    if (d.growth) {
      w.Int(*d.growth);
    } else {
      w.Null();
    }
    w.Key("old_count");
    if (d.old_count) {
      w.Uint(*d.old_count);
    } else {
      w.Null();
    }
    w.Field("rank", uint64_t{row.group + 1});
    w.Field("repeat", row.repeat);
    w.EndObject();
  }
  w.EndArray();
  w.StringArray("suspect_patterns", diff.suspect_patterns);
  w.Key("tool").BeginObject();
  w.Field("name", "gleak");
  w.Field("version", diff.tool_version);
  w.EndObject();
  w.Key("totals").BeginObject();
  w.Key("explained_share").Double(t.explained_share);
  w.Field("gone", t.gone);
  w.UintArray("goroutines", t.goroutines);
  w.Field("groups", t.tracks);
  w.Field("grown", t.grown);
  w.Field("growth", t.growth);
  w.Field("new", t.added);
  w.Field("shrunk", t.shrunk);
  w.Field("steady", t.steady);
  w.Field("top_explaining", t.top_explaining);
  w.EndObject();
  if (diff.watch) {
    const WatchSummary& ws = *diff.watch;
    w.Key("watch").BeginObject();
    w.Field("failed_ticks", ws.failed);
    w.Key("failures").BeginArray();
    for (const WatchFailure& f : ws.failures) {
      w.BeginObject();
      w.Field("error", f.error);
      w.Field("tick", f.tick);
      w.Field("time", f.time);
      w.EndObject();
    }
    w.EndArray();
    w.Field("failures_not_listed", ws.failures_not_listed);
    w.Field("gave_up", ws.gave_up);
    w.Field("ticks", ws.ticks);
    w.Field("url", ws.url);
    w.EndObject();
  }
  w.EndObject();
  w.Flush();
  out << '\n';
}

}  // namespace gleak
