#include "cluster/group_summary.h"

#include <xxhash.h>

#include <algorithm>
#include <tuple>

#include "base/text.h"

namespace gleak {

void KeepSmallest(std::vector<uint64_t>* ids, uint64_t id, size_t limit) {
  if (ids->size() >= limit && (limit == 0 || id >= ids->back())) return;
  auto at = std::lower_bound(ids->begin(), ids->end(), id);
  if (at != ids->end() && *at == id) return;
  ids->insert(at, id);
  if (ids->size() > limit) ids->pop_back();
}

std::string LabelSetText(const LabelSet& set) {
  std::string text;
  for (const auto& [key, value] : set.labels) {
    text.append(key);
    text.push_back('\0');
    text.append(value);
    text.push_back('\0');
  }
  return text;
}

uint64_t LabelSetRank(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

bool SampledBefore(uint64_t rank_a, std::string_view text_a, uint64_t rank_b,
                   std::string_view text_b) {
  return rank_a != rank_b ? rank_a < rank_b : text_a < text_b;
}

bool CreatorBefore(const Creator& a, const Creator& b) {
  if (a.count != b.count) return a.count > b.count;
  return std::tie(a.frame.func, a.frame.file, a.frame.line) <
         std::tie(b.frame.func, b.frame.file, b.frame.line);
}

bool LabelSetBefore(const LabelSet& a, const LabelSet& b) {
  if (a.count != b.count) return a.count > b.count;
  return a.labels < b.labels;
}

uint64_t ListedLabelGoroutines(const std::vector<LabelSet>& sets) {
  uint64_t listed = 0;
  for (const LabelSet& set : sets) listed = SaturatingAdd(listed, set.count);
  return listed;
}

void LimitCreators(std::vector<Group>* groups, size_t max_creators) {
  for (Group& g : *groups) {
    std::sort(g.creators.begin(), g.creators.end(), CreatorBefore);
    while (g.creators.size() > max_creators) {
      g.creators_not_listed = SaturatingAdd(g.creators_not_listed, g.creators.back().count);
      g.creators.pop_back();
    }
  }
}

}  // namespace gleak
