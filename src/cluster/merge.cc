#include "gleak/cluster/merge.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>

#include "gleak/base/text.h"

namespace gleak {
namespace {

bool SameFrame(const StackFrame& a, const StackFrame& b) {
  return a.line == b.line && a.func == b.func && a.file == b.file;
}

// Keeps the `limit` smallest distinct values.
void MergeSorted(std::vector<uint64_t>* into, const std::vector<uint64_t>& from, size_t limit) {
  into->insert(into->end(), from.begin(), from.end());
  std::sort(into->begin(), into->end());
  into->erase(std::unique(into->begin(), into->end()), into->end());
  if (into->size() > limit) into->resize(limit);
}

void MergeInto(Group* into, Group&& from, size_t max_creators, size_t max_label_sets,
               size_t sample_ids) {
  into->min_wait_minutes = std::min(into->min_wait_minutes, from.min_wait_minutes);
  into->max_wait_minutes = std::max(into->max_wait_minutes, from.max_wait_minutes);
  into->count = SaturatingAdd(into->count, from.count);
  into->locked_to_thread = SaturatingAdd(into->locked_to_thread, from.locked_to_thread);
  into->leaked = SaturatingAdd(into->leaked, from.leaked);
  into->truncated = SaturatingAdd(into->truncated, from.truncated);
  into->creators_not_listed = SaturatingAdd(into->creators_not_listed, from.creators_not_listed);
  for (Creator& c : from.creators) {
    auto it = std::find_if(into->creators.begin(), into->creators.end(),
                           [&](const Creator& x) { return SameFrame(x.frame, c.frame); });
    if (it != into->creators.end()) {
      it->count = SaturatingAdd(it->count, c.count);
    } else {
      into->creators.push_back(std::move(c));
    }
  }
  std::stable_sort(into->creators.begin(), into->creators.end(),
                   [](const Creator& a, const Creator& b) { return a.count > b.count; });
  while (into->creators.size() > max_creators) {
    into->creators_not_listed =
        SaturatingAdd(into->creators_not_listed, into->creators.back().count);
    into->creators.pop_back();
  }
  for (LabelSet& set : from.label_sets) {
    auto it = std::find_if(into->label_sets.begin(), into->label_sets.end(),
                           [&](const LabelSet& x) { return x.labels == set.labels; });
    if (it != into->label_sets.end()) {
      it->count = SaturatingAdd(it->count, set.count);
    } else if (into->label_sets.size() < max_label_sets) {
      into->label_sets.push_back(std::move(set));
    }
  }
  std::stable_sort(into->label_sets.begin(), into->label_sets.end(),
                   [](const LabelSet& a, const LabelSet& b) { return a.count > b.count; });
  MergeSorted(&into->sample_ids, from.sample_ids, sample_ids);
  MergeSorted(&into->creator_ids, from.creator_ids, sample_ids);
  into->inputs.insert(into->inputs.end(), from.inputs.begin(), from.inputs.end());
  std::sort(into->inputs.begin(), into->inputs.end(),
            [](const InputShare& a, const InputShare& b) { return a.input < b.input; });
}

}  // namespace

std::vector<Group> MergeGroups(std::vector<std::vector<Group>> parts, size_t max_creators,
                               size_t max_label_sets, size_t sample_ids) {
  std::vector<Group> merged;
  absl::flat_hash_map<std::string, size_t> index;
  for (std::vector<Group>& part : parts) {
    for (Group& g : part) {
      auto [it, fresh] = index.try_emplace(g.id, merged.size());
      if (fresh) {
        merged.push_back(std::move(g));
      } else {
        MergeInto(&merged[it->second], std::move(g), max_creators, max_label_sets, sample_ids);
      }
    }
  }
  return merged;
}

}  // namespace gleak
