// `--format openmetrics`: the report or diff as an OpenMetrics exposition
// (a node_exporter textfile, a Pushgateway body), ending in `# EOF`.
// Goroutines per group with bounded-cardinality labels: the first
// ShareOptions::max_series groups have a series each, the rest add up in one
// series labelled "other"; label values are cut to a bounded length.
#pragma once

#include <ostream>

#include "model/serve_status.h"
#include "model/share_view.h"

namespace gleak {

void RenderOpenMetrics(const ShareView& view, std::ostream& out);
// `gleak serve`'s /metrics: every target's scrape health and its diff so far,
// each series labelled target="NAME" (docs/metrics.md lists them).
void RenderServeMetrics(const ServeStatus& status, std::ostream& out);

}  // namespace gleak
