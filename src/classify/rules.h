// Rules are data: a JSON file (format "gleak.rules/v1") compiled into the
// binary, which `--rules FILE` extends or overrides. A rule names a leak
// pattern and lists `when` clauses; a clause matches a group when all of its
// conditions hold, and gives the confidence and the reason.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/pattern.h"
#include "model/group.h"

namespace gleak {

struct RuleClause {
  // RE2 conditions. Frame conditions see function names.
  std::shared_ptr<const Pattern> state, not_state;
  std::shared_ptr<const Pattern> top_frame;    // the first frame in user code
  std::shared_ptr<const Pattern> first_frame;  // the innermost frame
  std::shared_ptr<const Pattern> any_frame, no_frame;
  std::shared_ptr<const Pattern> creator, not_creator;
  // Source conditions (need --source-root): the line a group blocks on, and
  // the case lines of a select statement there.
  std::shared_ptr<const Pattern> block_line, not_block_line, block_select, not_block_select;
  std::optional<bool> in_deferred_closure;  // the `go` statement is inside `defer func(){...}()`
  std::optional<bool> deferred_creator;     // the creator function is called by a `defer`
  uint64_t min_count = 0;
  uint64_t max_count = std::numeric_limits<uint64_t>::max();
  Confidence confidence = Confidence::kMedium;
  std::string reason;
  bool certain =
      false;  // the state can never end (nil channel, empty select): a suspect at any size
  // Override the rule's count_is_evidence / wait_is_evidence for this clause:
  // one rule can hold a shape that healthy services show by the hundred (an
  // idle keep-alive connection) and one they never show (a handler stuck on a
  // channel send).
  std::optional<bool> count_is_evidence;
  std::optional<bool> wait_is_evidence;

  bool NeedsSource() const {
    return block_line || not_block_line || block_select || not_block_select ||
           in_deferred_closure || deferred_creator;
  }
};

struct Rule {
  std::string id;
  std::string title;
  int priority = 0;              // the highest-priority matching rule gives the pattern
  bool benign = false;           // runtime/infrastructure: recognised, never a suspect
  double count_factor = 1.0;     // suspect at count_factor × --suspect-count goroutines
  bool wait_is_evidence = true;  // whether long waits alone make a suspect
  // Whether a large group alone makes a suspect. False for the shapes that
  // healthy services show in numbers (idle pools, idle connections, service
  // loops): those need a stronger signal (docs/rules.md, "The suspicion model").
  bool count_is_evidence = true;
  std::vector<RuleClause> when;
  SharedText explanation;  // shared with the findings of the groups it classifies
  SharedText fix;
  std::string example;
};

class RuleSet {
 public:
  static const char* BuiltinText();
  static RuleSet Builtin();
  // Parses rules; throws gleak::Error (kUsage) naming `origin`, the rule and the field.
  static RuleSet Parse(std::string_view json_text, const std::string& origin);
  static RuleSet Load(const std::string& path);

  // Rules of `other` replace rules with the same id (or remove them with
  // "disabled": true) and add new ones.
  void Override(RuleSet other);

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* Find(std::string_view id) const;

 private:
  std::vector<Rule> rules_;
  std::vector<std::string> disabled_;
};

}  // namespace gleak
