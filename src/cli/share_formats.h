// The formats people share, for analyze and diff: sarif (code scanning),
// markdown (a PR comment), openmetrics (Prometheus). Each command adds them to
// its --format choices and hands a report in one of them to RenderShareFormat.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/common_flags.h"
#include "model/diff_report.h"
#include "model/report.h"

namespace gleak {

// `base` ({"text", "json"}) and the share formats.
std::vector<std::string> WithShareFormats(std::vector<std::string> base);
bool IsShareFormat(const std::string& format);

// Renders `report` in `format`, one of the share formats.
void RenderShareFormat(const std::string& format, const Report& report, const CommonFlags& flags,
                       std::ostream& out);
void RenderShareFormat(const std::string& format, const DiffReport& diff, const CommonFlags& flags,
                       std::ostream& out);

}  // namespace gleak
