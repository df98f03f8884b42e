#include "gleak/cluster/merge.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <optional>

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
  for (const InputShare& share : from.inputs) {
    auto it = std::find_if(into->inputs.begin(), into->inputs.end(),
                           [&](const InputShare& x) { return x.input == share.input; });
    if (it != into->inputs.end()) {
      it->count = SaturatingAdd(it->count, share.count);
    } else {
      into->inputs.push_back(share);
    }
  }
  std::sort(into->inputs.begin(), into->inputs.end(),
            [](const InputShare& a, const InputShare& b) { return a.input < b.input; });
}

}  // namespace

std::vector<Group> MergeGroups(std::vector<std::vector<Group>> parts,
                               const ClusterOptions& options) {
  std::vector<Group> merged;
  absl::flat_hash_map<std::string, size_t> index;
  std::optional<Group> overflow;
  auto to_overflow = [&](Group&& g) {
    MakeOverflow(&g);
    if (overflow) {
      MergeInto(&*overflow, std::move(g), 0, 0, options.sample_ids);
    } else {
      overflow = std::move(g);
    }
  };
  for (std::vector<Group>& part : parts) {
    for (Group& g : part) {
      if (g.overflow) {
        to_overflow(std::move(g));
        continue;
      }
      auto it = index.find(g.id);
      if (it != index.end()) {
        MergeInto(&merged[it->second], std::move(g), options.max_creators, options.max_label_sets,
                  options.sample_ids);
      } else if (merged.size() < options.max_groups) {
        index.emplace(g.id, merged.size());
        merged.push_back(std::move(g));
      } else {
        to_overflow(std::move(g));
      }
    }
  }
  if (overflow) merged.push_back(std::move(*overflow));
  return merged;
}

}  // namespace gleak
