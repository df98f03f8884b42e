#include "gleak/model/group.h"

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

}  // namespace gleak
