// Builds the view the formats people share show (model/share_view.h) from a
// report or a diff, once, so that their renderers only render.
#pragma once

#include <cstddef>
#include <string>

#include "model/diff_report.h"
#include "model/report.h"
#include "model/share_view.h"

namespace gleak {

struct ShareOptions {
  std::string source_root;  // --source-root: locations are given relative to it when they can be
  size_t max_series = 100;  // OpenMetrics: groups with a series of their own; the rest are "other"
  size_t max_label_bytes = 120;  // the longest label value (function names are cut, with "...")
  size_t max_rows = 50;          // Markdown: rows in the group and growth tables
  // Markdown: suspects told in full (a GitHub comment holds 65,536 characters).
  size_t max_listed_suspects = 20;
  size_t max_tree_rows = 100;  // Markdown: rows of the spawn tree listed
};

ShareView BuildShareView(const Report& report, const ShareOptions& options);
ShareView BuildShareView(const DiffReport& diff, const ShareOptions& options);

}  // namespace gleak
