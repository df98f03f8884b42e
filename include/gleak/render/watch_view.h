// `gleak watch` output: a live screen redrawn in place on a terminal, a plain
// line per tick when piped, or a JSON line per tick (--format jsonl).
#pragma once

#include <ostream>
#include <string>

#include "gleak/model/watch.h"
#include "gleak/render/text_report.h"

namespace gleak {

// The whole screen for a terminal; `status` is the bottom line.
void RenderWatchScreen(const WatchTick& tick, const std::string& status, const TextStyle& style,
                       std::ostream& out);
// One line of text per tick, for a pipe.
void RenderWatchLine(const WatchTick& tick, std::ostream& out);
// One JSON object per tick, on one line.
void RenderWatchJsonLine(const WatchTick& tick, std::ostream& out);
// ▁▂▃▄▅▆▇█ over the values, at most `width` of the latest.
std::string Sparkline(const std::vector<uint64_t>& values, size_t width);

}  // namespace gleak
