// `--format html`: one self-contained page (inline stylesheet and script, the
// report's JSON inside it, no network) for analyze, diff and watch.
// docs/formats-html.md describes the page.
#pragma once

#include <ostream>

#include "model/diff_report.h"
#include "model/report.h"

namespace gleak {

// The gleak.report/v1 document of `report`, shown as a page.
void RenderHtmlReport(const Report& report, std::ostream& out);
// The gleak.diff/v1 document of `diff` (gleak diff, gleak watch), shown as a page.
void RenderHtmlDiff(const DiffReport& diff, std::ostream& out);

}  // namespace gleak
