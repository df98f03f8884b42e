// SpawnIndex: gathers, as records stream by beside the clusterer, which group
// each goroutine went to and which goroutine created it (`created by F in
// goroutine N`, Go 1.21+), so that the report can say which group's
// goroutines create which group's: the spawn tree. A parent id that is no
// goroutine of the dump belongs to a goroutine that has exited.
//
// Memory: 4 bytes per goroutine id where ids are dense (as a process hands
// them out), 8 where they are sparse (SpawnIds), and 16 per distinct (parent,
// child group) pair, aggregated as they come; a million goroutines spawned by
// a few parents take about 4 MB, spawned each by a parent of its own about 20
// MB. Past a cap on entries (SpawnLimits) an
// id is kept only if its hash falls below a bound that halves as often as
// needed (a level), so that what is kept depends on the set of ids, never on
// their order or on where an input was cut into ranges: ranges indexed apart
// and merged give exactly what one index over the whole input gives. A
// sampled tree scales its counts by the sampling rate (and says so).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/goroutine.h"
#include "model/group.h"

namespace gleak {

struct SpawnLimits {
  bool enabled = true;
  // Goroutine ids plus distinct (parent, child group) pairs kept before
  // sampling starts: 4M entries, 16 to 64 MB at most (4 to 16 bytes each).
  size_t max_entries = size_t{1} << 22;
};

// Goroutine id -> local group index. Ids come dense in real dumps (a
// process's live goroutines among the ids it has handed out), so a run of
// 4096 ids with at least half of them present is a page of 4-byte slots (4
// bytes an id); the rest are a sorted vector of 8-byte entries (id << 24 |
// group). Never more than 8 bytes an id, whatever the ids.
class SpawnIds {
 public:
  SpawnIds();
  ~SpawnIds();
  SpawnIds(SpawnIds&&) noexcept;
  SpawnIds& operator=(SpawnIds&&) noexcept;

  void Add(uint64_t id, uint32_t group);  // id < 2^40, group < 2^24
  // After Compact: the group of `id`, false when it is not held.
  bool Find(uint64_t id, uint32_t* group) const;
  size_t size() const;  // ids held (after Compact: distinct)
  // Sorts the loose entries, drops repeats, moves full runs into pages.
  void Compact();
  // Keeps the ids a sample at `level` keeps (see SpawnEvidence::level).
  void Filter(uint32_t level);
  // Local group i becomes remap[i] (kept when it is the hidden group).
  void Remap(const std::vector<uint64_t>& remap);
  // Adds another part's ids (remapped already). An id held in both keeps one
  // group: this one's when it is in a page here, else the smaller.
  void Absorb(SpawnIds&& other);

 private:
  struct Page;
  struct Pages;
  std::unique_ptr<Pages> pages_;
  std::vector<uint64_t> loose_;  // id << 24 | group; sorted after Compact
  size_t sorted_ = 0;            // loose_'s first sorted_ entries are sorted
  size_t compact_at_ = size_t{1} << 16;
};

// The evidence of one input, or of a range of one: mergeable.
struct SpawnEvidence {
  std::vector<std::string> group_ids;  // local group index -> Group::id
  SpawnIds ids;
  struct Edge {
    uint64_t key = 0;  // parent id << 24 | local child group
    uint64_t count = 0;
  };
  std::vector<Edge> edges;  // sorted by key, one per key
  uint32_t level = 0;       // kept: ids whose hash's top `level` bits are 0
  uint64_t untracked = 0;   // goroutines beyond what the packing holds (ids >= 2^40)
};

class SpawnIndex {
 public:
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  explicit SpawnIndex(SpawnLimits limits = {});

  // `group`: the goroutine's group among the clusterer's BuildGroups()
  // (Clusterer::last_group), kNoGroup when it was left out (--filter...): its
  // id is then still known as a parent, of no group.
  void Add(const Goroutine& g, uint32_t group);

  // The evidence so far, groups named by the ids of `groups` (the
  // clusterer's BuildGroups(), in its order). Leaves the index empty.
  SpawnEvidence Take(const std::vector<Group>& groups);
  // The same with the groups' ids alone (Clusterer::GroupIds).
  SpawnEvidence Take(std::vector<std::string> group_ids);

 private:
  void Compact();

  SpawnLimits limits_;
  SpawnIds ids_;
  std::vector<SpawnEvidence::Edge> edges_;
  uint32_t level_ = 0;
  uint64_t untracked_ = 0;
  size_t compact_at_ = 4096;  // edges that make a compaction
  size_t sorted_edges_ = 0;   // edges sorted and summed by the last compaction
  size_t since_cap_check_ = 0;
  struct CacheSlot {
    uint64_t key = UINT64_MAX;  // no key: ids are below 2^40
    size_t index = 0;           // into edges_
  };
  static constexpr size_t kCacheSlots = 4096;
  std::vector<CacheSlot> cache_;
};

// Folds the evidence of ranges of one input (or of one input's snapshots of
// the same process) into one, as one index over all of it would have.
SpawnEvidence MergeSpawnEvidence(std::vector<SpawnEvidence> parts, const SpawnLimits& limits = {});

// Resolves each input's parent ids (`per_input[i]` for input i) into each
// group's parent_groups, child_groups, spawned_by_exited and exited_parents.
// `merged`: groups were merged across inputs (--merge), so a group is found
// by its id alone; else by its input and id. Returns the highest sampling
// level met (0: every goroutine counted).
uint32_t AttachSpawnTree(std::vector<SpawnEvidence> per_input, bool merged,
                         std::vector<Group>* groups);

}  // namespace gleak
