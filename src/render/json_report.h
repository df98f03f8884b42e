// The JSON contract, "gleak.report/v1" (docs/json.md, docs/schema/report-v1.json).
#pragma once

#include <cstddef>
#include <ostream>

#include "model/report.h"

namespace gleak {

inline constexpr const char* kReportSchema = "gleak.report/v1";

// `one_line`: the whole document on one line (the data of the HTML page).
// `threads`: how many may write the groups of a report of thousands.
void RenderJsonReport(const Report& report, std::ostream& out, bool one_line = false,
                      size_t threads = 1);

}  // namespace gleak
