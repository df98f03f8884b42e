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
