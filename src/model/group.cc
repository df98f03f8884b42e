#include "model/group.h"

namespace gleak {

std::string_view GroupingLevelName(GroupingLevel level) {
  switch (level) {
    case GroupingLevel::kExact:
      return "exact";
    case GroupingLevel::kLine:
      return "line";
    case GroupingLevel::kFunc:
      return "func";
    case GroupingLevel::kTop:
      return "top";
  }
  return "line";
}

std::string_view ConfidenceName(Confidence confidence) {
  switch (confidence) {
    case Confidence::kHigh:
      return "high";
    case Confidence::kMedium:
      return "medium";
    case Confidence::kLow:
      break;
  }
  return "low";
}

bool ParseGroupingLevel(std::string_view name, GroupingLevel* level) {
  for (GroupingLevel l :
       {GroupingLevel::kExact, GroupingLevel::kLine, GroupingLevel::kFunc, GroupingLevel::kTop}) {
    if (name == GroupingLevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

void MakeOverflow(Group* g) {
  g->id = g->func_id = g->shape_id = std::string(kOverflowGroupId);
  g->state = std::string(kOverflowState);
  g->frames.clear();
  g->top_frame = 0;
  g->creators.clear();
  g->creators_not_listed = 0;
  g->label_sets.clear();
  g->labels_not_listed = 0;
  g->label_key.clear();
  g->label_value.clear();
  g->has_label_value = false;
  g->overflow = true;
}

}  // namespace gleak
