// The spawn tree view (`--view tree`): the shown groups laid out under the
// groups whose goroutines created them, from Group::parent_groups and
// child_groups (cluster/spawn_index.h).
#pragma once

#include <vector>

#include "model/diff_report.h"
#include "model/group.h"
#include "model/report.h"

namespace gleak {

// Rows in display order. Roots are the groups with no shown parent group
// other than themselves, in rank order (suspects first); each child follows
// its parent, the most goroutines first. A group reached again (several
// parents, or a cycle) gets a row marked `repeat` and no subtree. Groups of
// one input only link to groups of the same input.
std::vector<SpawnRow> BuildSpawnTree(const Report& report);

// The same over the groups of one snapshot, in the order given (a diff's
// tracks present in its newest snapshot, most growth first); SpawnRow::group
// indexes `groups`.
std::vector<SpawnRow> BuildSpawnTree(const std::vector<const Group*>& groups);

// Fills diff->spawn_tree: the tree of the groups of the newest snapshot (the
// tracks present in it) in the diff's order, most growth first, each row with
// its count in the first snapshot (Track::first_child_groups below a root).
void AddDiffSpawnTree(DiffReport* diff);

}  // namespace gleak
