// Merging groups made separately (one clusterer per input, on several cores)
// into one set, as if one clusterer had seen every input: groups with the
// same id become one. Creators are not limited here (LimitCreators, once all
// is merged), so that the counts of the listed ones are exact.
#pragma once

#include <vector>

#include "gleak/model/group.h"

namespace gleak {

std::vector<Group> MergeGroups(std::vector<std::vector<Group>> parts, size_t max_label_sets = 8,
                               size_t sample_ids = 5);

}  // namespace gleak
