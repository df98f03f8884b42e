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
//
// Memory is bounded by ClusterOptions::max_groups: once that many groups
// exist, a goroutine of a new group is counted in the overflow group, and
// whatever its frames added to the clusterer's tables is given back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/pattern.h"
#include "cluster/object_index.h"
#include "cluster/spawn_index.h"
#include "model/group.h"
#include "model/record_sink.h"

namespace gleak {

struct ClusterOptions {
  GroupingLevel level = GroupingLevel::kLine;
  bool include_creator = true;
  bool per_input = true;                  // false: merge all inputs into one set of groups
  std::vector<std::string> ignore_funcs;  // drop goroutines with any frame of these functions
  std::vector<std::shared_ptr<const Pattern>> filters;   // keep only goroutines matching one
  std::vector<std::shared_ptr<const Pattern>> excludes;  // drop goroutines matching any
  // --label KEY=VALUE: keep only goroutines carrying every one of these labels.
  std::vector<std::pair<std::string, std::string>> label_filters;
  // --by-label KEY: the value of this pprof label is part of the signature, so
  // goroutines of one stack with different values are different groups (and
  // those without the label one more). Empty: labels do not split groups.
  std::string by_label;
  size_t sample_ids = 5;      // the smallest goroutine ids kept per group
  size_t max_creators = 8;    // listed by LimitCreators; the clusterer counts every creator
  size_t max_label_sets = 8;  // sampled per group (see group_summary.h)
  // Distinct groups kept; past them, goroutines of further groups are counted
  // in one overflow group (per input unless merged; see MakeOverflow). A group
  // takes 5 to 9 KiB at its peak with a 15-frame stack, 57 KiB with 100 frames
  // (docs/reliability.md): the default bounds an input's groups at about 90
  // MiB, 570 MiB for the deepest stacks. Real dumps hold hundreds at most.
  size_t max_groups = 10'000;
  ObjectLimits objects;  // the blocking objects indexed beside the groups (object_index.h)
  SpawnLimits spawn;     // the parent ids indexed beside the groups (spawn_index.h)
};

class Clusterer : public RecordSink {
 public:
  explicit Clusterer(ClusterOptions options);
  ~Clusterer() override;

  void set_input(size_t index);
  // Places the goroutines passed from now on (a chunk of a stream, read on one
  // of several threads) after every goroutine passed under a lower sequence:
  // a group's representative (its stack, the state it shows) is that of its
  // goroutine of the lowest sequence, here and across Absorb, whatever order
  // the chunks came in. 0 until set.
  void set_sequence(uint64_t sequence);
  void OnGoroutine(const Goroutine& goroutine) override;
  bool wants_arguments() const override;   // only to group at `exact`
  bool wants_stack_keys() const override;  // at every other level

  // The index, among the groups BuildGroups will return, of the group the
  // last goroutine was counted in; kNoGroup when it was left out (--ignore,
  // --filter, --exclude).
  static constexpr uint32_t kNoGroup = UINT32_MAX;
  uint32_t last_group() const;

  // The groups made so far, in order of first appearance, with every creator
  // (LimitCreators lists the top few): built anew on each call from the
  // clusterer's state, which stays as it is.
  std::vector<Group> BuildGroups() const;
  // The ids of the groups BuildGroups would return, in its order, without
  // building them (what the object and spawn indexes name groups by).
  std::vector<std::string> GroupIds() const;
  uint64_t ignored_goroutines() const;

  // Folds in the groups and totals of `later`, a clusterer of the same
  // options and input that read the goroutines that come after this one's
  // (the next range of a file), or under higher sequences: as if this
  // clusterer had read them too, with the groups first met in `later` after
  // this one's, in its order. The same result as folding both clusterers'
  // BuildGroups with a GroupMerger, without building `later`'s groups: its
  // frames and strings are interned here once each. Groups past max_groups,
  // and `later`'s overflow, go to the overflow group.
  void Absorb(const Clusterer& later);
  // Lets go of what only speeds up reading (the stack keys seen, scratch
  // space), once the goroutines are read and the clusterer waits to be
  // folded or built. It may still read more, from a cold start.
  void ReleaseReadCaches();
  uint64_t goroutines() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gleak
