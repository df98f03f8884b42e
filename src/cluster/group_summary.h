// The bounded parts of a group (a few goroutine ids, its creators, its label
// sets) kept so that they merge exactly: two parts of an input, or two inputs,
// summarised apart and then merged give what one clusterer reading all of it
// in one go gives, whatever the order and wherever the cuts fall.
//   sample ids:  the smallest few, not the first few seen
//   creators:    every distinct creator is counted (they are code locations,
//                as bounded as the frames); LimitCreators lists the top few
//   label sets:  the few whose text hashes lowest are kept with exact counts
//                (a bottom-k sample), so a unique label per goroutine cannot
//                make memory grow
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/group.h"

namespace gleak {

// Inserts `id` into the sorted, distinct `ids` if it is among the `limit`
// smallest.
void KeepSmallest(std::vector<uint64_t>* ids, uint64_t id, size_t limit);

// A label set's text: "key\0value\0" for each label, in key order.
std::string LabelSetText(const LabelSet& set);
uint64_t LabelSetRank(std::string_view text);
// Whether the set (rank_a, text_a) is sampled before (rank_b, text_b).
bool SampledBefore(uint64_t rank_a, std::string_view text_a, uint64_t rank_b,
                   std::string_view text_b);

// Display orders: the most common first, then by content, so that the order
// does not depend on the order of the input.
bool CreatorBefore(const Creator& a, const Creator& b);
bool LabelSetBefore(const LabelSet& a, const LabelSet& b);
// The goroutines of the listed sets.
uint64_t ListedLabelGoroutines(const std::vector<LabelSet>& sets);

// Lists each group's `max_creators` most common creators and counts the
// others in creators_not_listed.
void LimitCreators(std::vector<Group>* groups, size_t max_creators);

}  // namespace gleak
