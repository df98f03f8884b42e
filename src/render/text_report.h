// The report for a person: the most suspicious groups first, a few lines each.
#pragma once

#include <cstddef>
#include <ostream>

#include "model/report.h"

namespace gleak {

struct TextStyle {
  bool color = false;
  size_t width = 0;        // 0: lines are never cut (output piped to a file or a program)
  bool full = false;       // every frame, runtime ones included
  size_t max_frames = 12;  // frames shown per stack unless `full`
  size_t max_groups = 0;   // diff: changed groups shown, 0 for all
};

void RenderTextReport(const Report& report, const TextStyle& style, std::ostream& out);

// `--view tree`: the report's head, then its spawn tree (Report::spawn_tree),
// one line per group, children indented under their parents.
void RenderTextSpawnTree(const Report& report, const TextStyle& style, std::ostream& out);

}  // namespace gleak
