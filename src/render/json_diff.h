// The JSON contract of `gleak diff`, "gleak.diff/v1" (docs/json.md, docs/schema/diff-v1.json).
#pragma once

#include <ostream>

#include "model/diff_report.h"

namespace gleak {

inline constexpr const char* kDiffSchema = "gleak.diff/v1";

// `one_line`: the whole document on one line (the last line of watch's JSON lines).
void RenderJsonDiff(const DiffReport& diff, std::ostream& out, bool one_line = false);

}  // namespace gleak
