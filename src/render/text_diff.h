// The diff for a person: the groups that grew, most growth first.
#pragma once

#include <ostream>

#include "model/diff_report.h"
#include "render/text_report.h"

namespace gleak {

void RenderTextDiff(const DiffReport& diff, const TextStyle& style, std::ostream& out);
// `gleak diff --view tree`: the newest snapshot's spawn tree (DiffReport::spawn_tree).
void RenderTextDiffSpawnTree(const DiffReport& diff, const TextStyle& style, std::ostream& out);

}  // namespace gleak
