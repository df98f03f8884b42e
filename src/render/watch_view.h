// `gleak watch` output: a live screen redrawn in place on a terminal, a plain
// line per tick when piped, or a JSON line per tick (--format jsonl).
#pragma once

#include <ostream>
#include <string>

#include "model/watch.h"
#include "render/text_report.h"

namespace gleak {

// The whole screen for a terminal; `status` is the bottom line.
void RenderWatchScreen(const WatchTick& tick, const std::string& status, const TextStyle& style,
                       std::ostream& out);
// One line of text per tick, for a pipe.
void RenderWatchLine(const WatchTick& tick, std::ostream& out);
// One JSON object per tick, on one line.
void RenderWatchJsonLine(const WatchTick& tick, std::ostream& out);
// A watch of several targets: a row per target and the groups that grow on
// several of them, on a terminal; per tick a line per target and one for the
// fleet in a pipe; JSON lines (each target's, with "target", then the fleet's).
void RenderFleetScreen(const FleetTick& tick, const std::string& status, const TextStyle& style,
                       std::ostream& out);
void RenderFleetLines(const FleetTick& tick, std::ostream& out);
void RenderFleetJsonLines(const FleetTick& tick, std::ostream& out);
// ▁▂▃▄▅▆▇█ over the values, at most `width` of the latest.
std::string Sparkline(const std::vector<uint64_t>& values, size_t width);

}  // namespace gleak
