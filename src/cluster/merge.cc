#include "cluster/merge.h"

#include <algorithm>
#include <optional>

#include "base/text.h"
#include "cluster/group_summary.h"

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

// Keeps the `limit` lowest-ranked label sets: with each part keeping its own
// lowest-ranked, those are exactly the ones one clusterer would have kept.
void SampleLabelSets(std::vector<LabelSet>* sets, size_t limit) {
  if (sets->size() > limit) {
    std::vector<std::pair<uint64_t, std::string>> keys;
    for (const LabelSet& set : *sets) {
      std::string text = LabelSetText(set);
      keys.emplace_back(LabelSetRank(text), std::move(text));
    }
    std::vector<size_t> order(sets->size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return SampledBefore(keys[a].first, keys[a].second, keys[b].first, keys[b].second);
    });
    std::vector<LabelSet> kept;
    for (size_t i = 0; i < limit; ++i) kept.push_back(std::move((*sets)[order[i]]));
    *sets = std::move(kept);
  }
  std::sort(sets->begin(), sets->end(), LabelSetBefore);
}

void MergeInto(Group* into, Group&& from, size_t max_label_sets, size_t sample_ids) {
  into->min_wait_minutes = std::min(into->min_wait_minutes, from.min_wait_minutes);
  into->max_wait_minutes = std::max(into->max_wait_minutes, from.max_wait_minutes);
  into->count = SaturatingAdd(into->count, from.count);
  into->locked_to_thread = SaturatingAdd(into->locked_to_thread, from.locked_to_thread);
  into->leaked = SaturatingAdd(into->leaked, from.leaked);
  into->durable = SaturatingAdd(into->durable, from.durable);
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
  std::sort(into->creators.begin(), into->creators.end(), CreatorBefore);
  uint64_t labelled =
      SaturatingAdd(SaturatingAdd(into->labels_not_listed, ListedLabelGoroutines(into->label_sets)),
                    SaturatingAdd(from.labels_not_listed, ListedLabelGoroutines(from.label_sets)));
  for (LabelSet& set : from.label_sets) {
    auto it = std::find_if(into->label_sets.begin(), into->label_sets.end(),
                           [&](const LabelSet& x) { return x.labels == set.labels; });
    if (it != into->label_sets.end()) {
      it->count = SaturatingAdd(it->count, set.count);
    } else {
      into->label_sets.push_back(std::move(set));
    }
  }
  SampleLabelSets(&into->label_sets, max_label_sets);
  uint64_t listed = ListedLabelGoroutines(into->label_sets);
  into->labels_not_listed = labelled - std::min(labelled, listed);
  MergeSorted(&into->sample_ids, from.sample_ids, sample_ids);
  MergeSorted(&into->creator_ids, from.creator_ids, sample_ids);
  // Kept sorted by input as it grows. Parts come in input order, so a share
  // almost always goes at the end: a group found in each of n inputs costs
  // O(n) in all, not a search and a sort per input (O(n^2 log n): 40,000
  // inputs took 51 s).
  for (const InputShare& share : from.inputs) {
    std::vector<InputShare>& shares = into->inputs;
    auto it =
        !shares.empty() && shares.back().input < share.input
            ? shares.end()
            : std::lower_bound(shares.begin(), shares.end(), share.input,
                               [](const InputShare& x, size_t input) { return x.input < input; });
    if (it != shares.end() && it->input == share.input) {
      it->count = SaturatingAdd(it->count, share.count);
    } else {
      shares.insert(it, share);
    }
  }
}

}  // namespace

void GroupMerger::ToOverflow(Group&& g) {
  MakeOverflow(&g);
  if (overflow_) {
    MergeInto(&*overflow_, std::move(g), 0, options_.sample_ids);
  } else {
    overflow_ = std::move(g);
  }
}

bool GroupMerger::FoldIfKnown(Group& g, size_t next) {
  if (!g.overflow) {
    auto it = index_.find(g.id);
    if (it != index_.end()) {
      MergeInto(&merged_[it->second], std::move(g), options_.max_label_sets, options_.sample_ids);
      return true;
    }
    if (next < options_.max_groups) {
      index_.emplace(g.id, next);
      return false;
    }
  }
  ToOverflow(std::move(g));
  return true;
}

void GroupMerger::Add(std::vector<Group> part) {
  if (merged_.empty()) {
    // The first part becomes the merged groups where it lies: moving
    // thousands of groups into another vector held two arrays of them.
    merged_ = std::move(part);
    size_t kept = 0;
    for (size_t i = 0; i < merged_.size(); ++i) {
      if (FoldIfKnown(merged_[i], kept)) continue;
      if (i != kept) merged_[kept] = std::move(merged_[i]);
      ++kept;
    }
    merged_.erase(merged_.begin() + static_cast<std::ptrdiff_t>(kept), merged_.end());
    return;
  }
  for (Group& g : part) {
    if (!FoldIfKnown(g, merged_.size())) merged_.push_back(std::move(g));
  }
}

std::vector<Group> GroupMerger::Take() {
  std::vector<Group> out = std::move(merged_);
  if (overflow_) out.push_back(std::move(*overflow_));
  merged_.clear();
  index_.clear();
  overflow_.reset();
  return out;
}

std::vector<Group> MergeGroups(std::vector<std::vector<Group>> parts,
                               const ClusterOptions& options) {
  GroupMerger merger(options);
  for (std::vector<Group>& part : parts) merger.Add(std::move(part));
  return merger.Take();
}

}  // namespace gleak
