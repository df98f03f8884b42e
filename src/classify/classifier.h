// Classifier: gives every group a Finding: the pattern of the highest-priority
// rule that matches it (or "unclassified"), the evidence, and whether it is a
// suspect.
#pragma once

#include <cstdint>
#include <vector>

#include "classify/producer_verdict.h"
#include "classify/rules.h"
#include "classify/source_tree.h"
#include "model/group.h"

namespace gleak {

struct ClassifyOptions {
  uint64_t suspect_count = 10;  // a leak pattern with this many goroutines is a suspect
  uint64_t suspect_wait = 15;   // ... or waiting this many minutes
  // What each input's producer judged (leak profile, deadlock, goleak, a hung
  // test), by input index (InputShare::input); empty: nothing beyond stacks.
  std::vector<ProducerVerdict> verdicts;
};

// `source` may be null: rules then judge from the stacks alone.
void Classify(const RuleSet& rules, const ClassifyOptions& options, SourceTree* source,
              std::vector<Group>* groups);

}  // namespace gleak
