// Clusterer: folds goroutine records into groups as they stream by. A record
// is forgotten once counted, so memory follows the number of groups and
// distinct frames, never the number of goroutines.
//
// A group's signature is, at every level: the normalized wait state, the
// creator (unless turned off) and the signature frames, which are the stack
// less the runtime frames at its top (gopark, chanrecv1, selectgo...), less
// runtime.main/runtime.goexit at its bottom and less go/defer wrappers, so
// that level-1, level-2 and debug=1 dumps of the same code agree. Then:
//   exact: every signature frame's function, file, line and argument text
//   line:  every signature frame's function, file and line (the default)
//   func:  function names of the frames in user code only (not the standard
//          library, which changes between Go releases); a stack entirely in
//          the standard library keeps its outermost non-runtime function
//   top:   the first frame in user code (function, file, line)
// The group id is a hash of the signature's text, so it is stable across runs,
// machines and (at `func`) Go releases.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gleak/base/pattern.h"
#include "gleak/model/group.h"
#include "gleak/parse/dump_parser.h"

namespace gleak {

struct ClusterOptions {
  GroupingLevel level = GroupingLevel::kLine;
  bool include_creator = true;
  bool per_input = true;                  // false: merge all inputs into one set of groups
  std::vector<std::string> ignore_funcs;  // drop goroutines with any frame of these functions
  std::vector<std::shared_ptr<const Pattern>> filters;   // keep only goroutines matching one
  std::vector<std::shared_ptr<const Pattern>> excludes;  // drop goroutines matching any
  size_t sample_ids = 5;      // the smallest goroutine ids kept per group
  size_t max_creators = 8;    // listed by LimitCreators; the clusterer counts every creator
  size_t max_label_sets = 8;  // sampled per group (see group_summary.h)
};

class Clusterer : public RecordSink {
 public:
  explicit Clusterer(ClusterOptions options);
  ~Clusterer() override;

  void set_input(size_t index);
  void OnGoroutine(const Goroutine& goroutine) override;
  bool wants_arguments() const override;  // only to group at `exact`

  // The groups made so far, in order of first appearance, with every creator
  // (LimitCreators lists the top few).
  std::vector<Group> TakeGroups() const;
  uint64_t ignored_goroutines() const;
  uint64_t goroutines() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gleak
