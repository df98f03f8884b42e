// The JSON contract of `gleak diff`, "gleak.diff/v1" (docs/json.md, docs/schema/diff-v1.json).
#pragma once

#include <ostream>

#include "gleak/model/diff_report.h"

namespace gleak {

inline constexpr const char* kDiffSchema = "gleak.diff/v1";

void RenderJsonDiff(const DiffReport& diff, std::ostream& out);

}  // namespace gleak
