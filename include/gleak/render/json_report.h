// The JSON contract, "gleak.report/v1" (docs/json.md, docs/schema/report-v1.json).
#pragma once

#include <ostream>

#include "gleak/model/report.h"

namespace gleak {

inline constexpr const char* kReportSchema = "gleak.report/v1";

void RenderJsonReport(const Report& report, std::ostream& out);

}  // namespace gleak
