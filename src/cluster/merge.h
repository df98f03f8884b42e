// Merging groups made separately (one clusterer per input, on several cores)
// into one set, as if one clusterer had seen every input: groups with the
// same id become one. Creators are not limited here (LimitCreators, once all
// is merged), so that the counts of the listed ones are exact.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "cluster/clusterer.h"
#include "model/group.h"

namespace gleak {

// At most options.max_groups groups are kept, the first ones seen in the
// order of `parts`; the goroutines of the rest, and the parts' own overflow
// groups, make one overflow group (see MakeOverflow). A part's overflow was
// decided within that part, so past the cap the result may differ from one
// clusterer over all inputs in which goroutines land in the overflow group.
std::vector<Group> MergeGroups(std::vector<std::vector<Group>> parts,
                               const ClusterOptions& options = {});

// The same fold one part at a time, so that a part's groups can be let go
// as soon as they are folded (MergeGroups is Add of each part, then Take).
class GroupMerger {
 public:
  explicit GroupMerger(const ClusterOptions& options) : options_(options) {}
  void Add(std::vector<Group> part);
  std::vector<Group> Take();

 private:
  void ToOverflow(Group&& g);
  // Folds `g` into the kept group of its id or into the overflow group, and
  // returns true; false when it is a new group, which the caller keeps at
  // index `next` of merged_.
  bool FoldIfKnown(Group& g, size_t next);

  ClusterOptions options_;
  std::vector<Group> merged_;
  absl::flat_hash_map<std::string, size_t> index_;
  std::optional<Group> overflow_;
};

}  // namespace gleak
