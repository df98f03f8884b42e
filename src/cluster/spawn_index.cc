#include "cluster/spawn_index.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "base/text.h"

namespace gleak {
namespace {

constexpr int kGroupBits = 24;
constexpr uint64_t kGroupMask = (uint64_t{1} << kGroupBits) - 1;
constexpr uint64_t kHidden = kGroupMask;  // a goroutine of no group (--filter, --ignore)
constexpr uint64_t kMaxId = uint64_t{1} << (64 - kGroupBits);

uint64_t Pack(uint64_t id, uint64_t group) { return id << kGroupBits | group; }
uint64_t IdOf(uint64_t packed) { return packed >> kGroupBits; }
uint64_t GroupOf(uint64_t packed) { return packed & kGroupMask; }

// splitmix64's finalizer: ids are sequential, their hash must not be.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

bool Kept(uint64_t id, uint32_t level) { return level == 0 || Mix(id) >> (64 - level) == 0; }

// `sorted`: how many edges at the front are already sorted (by an earlier
// call): only the rest is sorted, then merged in, so that a compaction costs
// the edges since the last one, not all of them again.
void SortAggregate(std::vector<SpawnEvidence::Edge>* edges, size_t sorted = 0) {
  auto by_key = [](const SpawnEvidence::Edge& a, const SpawnEvidence::Edge& b) {
    return a.key < b.key;
  };
  auto rest = edges->begin() + static_cast<std::ptrdiff_t>(std::min(sorted, edges->size()));
  if (!std::is_sorted(rest, edges->end(), by_key)) std::sort(rest, edges->end(), by_key);
  std::inplace_merge(edges->begin(), rest, edges->end(), by_key);
  size_t out = 0;
  for (size_t i = 0; i < edges->size(); ++i) {
    if (out > 0 && (*edges)[out - 1].key == (*edges)[i].key) {
      (*edges)[out - 1].count = SaturatingAdd((*edges)[out - 1].count, (*edges)[i].count);
    } else {
      (*edges)[out++] = (*edges)[i];
    }
  }
  edges->resize(out);
}

// Raises the level until the distinct entries fit: the smallest level at
// which the whole set fits, whatever order it came in.
void Fit(size_t max_entries, uint32_t* level, SpawnIds* ids,
         std::vector<SpawnEvidence::Edge>* edges) {
  while (ids->size() + edges->size() > max_entries && *level < 63) {
    ++*level;
    ids->Filter(*level);
    std::erase_if(*edges, [&](const SpawnEvidence::Edge& e) { return !Kept(IdOf(e.key), *level); });
  }
}

}  // namespace

// ---- SpawnIds ----------------------------------------------------------------

namespace {
constexpr int kPageBits = 12;
constexpr uint64_t kPageSize = uint64_t{1} << kPageBits;
constexpr size_t kDenseAt = kPageSize / 2;  // ids of a page that make it a page of slots
}  // namespace

struct SpawnIds::Page {
  uint32_t count = 0;
  std::unique_ptr<uint32_t[]> slots;  // group + 1; 0: no such id
  Page() : slots(new uint32_t[kPageSize]()) {}
};
struct SpawnIds::Pages {
  absl::flat_hash_map<uint64_t, Page> map;  // by id >> kPageBits
};

SpawnIds::SpawnIds() = default;
SpawnIds::~SpawnIds() = default;
SpawnIds::SpawnIds(SpawnIds&&) noexcept = default;
SpawnIds& SpawnIds::operator=(SpawnIds&&) noexcept = default;

void SpawnIds::Add(uint64_t id, uint32_t group) {
  if (pages_) {
    if (auto it = pages_->map.find(id >> kPageBits); it != pages_->map.end()) {
      uint32_t& slot = it->second.slots[id & (kPageSize - 1)];
      if (slot == 0) {
        slot = group + 1;
        ++it->second.count;
      }
      return;
    }
  }
  loose_.push_back(Pack(id, group));
  if (loose_.size() >= compact_at_) Compact();
}

bool SpawnIds::Find(uint64_t id, uint32_t* group) const {
  if (pages_) {
    if (auto it = pages_->map.find(id >> kPageBits); it != pages_->map.end()) {
      uint32_t slot = it->second.slots[id & (kPageSize - 1)];
      if (slot == 0) return false;
      *group = slot - 1;
      return true;
    }
  }
  auto at = std::lower_bound(loose_.begin(), loose_.end(), Pack(id, 0));
  if (at == loose_.end() || IdOf(*at) != id) return false;
  *group = static_cast<uint32_t>(GroupOf(*at));
  return true;
}

size_t SpawnIds::size() const {
  size_t n = loose_.size();
  if (pages_) {
    for (const auto& [number, page] : pages_->map) n += page.count;
  }
  return n;
}

void SpawnIds::Compact() {
  // Only what came since the last Compact is sorted, then merged with the
  // rest: ids come in no order, and sorting the whole each time took 2 % of
  // the instructions of a 1M-goroutine dump read in chunks.
  auto fresh = loose_.begin() + static_cast<std::ptrdiff_t>(std::min(sorted_, loose_.size()));
  if (!std::is_sorted(fresh, loose_.end())) std::sort(fresh, loose_.end());
  std::inplace_merge(loose_.begin(), fresh, loose_.end());
  // One entry per id: the smallest group (a repeated goroutine is the same one).
  loose_.erase(std::unique(loose_.begin(), loose_.end(),
                           [](uint64_t a, uint64_t b) { return IdOf(a) == IdOf(b); }),
               loose_.end());
  size_t out = 0;
  for (size_t i = 0; i < loose_.size();) {
    uint64_t page = IdOf(loose_[i]) >> kPageBits;
    size_t j = i;
    while (j < loose_.size() && IdOf(loose_[j]) >> kPageBits == page) ++j;
    bool paged = pages_ && pages_->map.contains(page);
    if (j - i >= kDenseAt || paged) {
      if (!pages_) pages_ = std::make_unique<Pages>();
      Page& p = pages_->map[page];
      for (size_t k = i; k < j; ++k) {
        uint32_t& slot = p.slots[IdOf(loose_[k]) & (kPageSize - 1)];
        if (slot == 0) {
          slot = static_cast<uint32_t>(GroupOf(loose_[k])) + 1;
          ++p.count;
        }
      }
    } else {
      for (size_t k = i; k < j; ++k) loose_[out++] = loose_[k];
    }
    i = j;
  }
  loose_.resize(out);
  loose_.shrink_to_fit();
  sorted_ = loose_.size();
  compact_at_ = std::max<size_t>(size_t{1} << 16, 2 * loose_.size());
}

void SpawnIds::Filter(uint32_t level) {
  if (level == 0) return;
  auto dropped = [&](uint64_t p) { return !Kept(IdOf(p), level); };
  sorted_ = std::min(sorted_, loose_.size());
  sorted_ -= static_cast<size_t>(std::count_if(
      loose_.begin(), loose_.begin() + static_cast<std::ptrdiff_t>(sorted_), dropped));
  std::erase_if(loose_, dropped);
  if (!pages_) return;
  for (auto& [number, page] : pages_->map) {
    for (uint64_t k = 0; k < kPageSize; ++k) {
      if (page.slots[k] != 0 && !Kept(number << kPageBits | k, level)) {
        page.slots[k] = 0;
        --page.count;
      }
    }
  }
  absl::erase_if(pages_->map, [](const auto& entry) { return entry.second.count == 0; });
}

void SpawnIds::Remap(const std::vector<uint64_t>& remap) {
  auto map = [&](uint64_t local) {
    return local == kHidden || local >= remap.size() ? kHidden : remap[local];
  };
  for (uint64_t& p : loose_) p = Pack(IdOf(p), map(GroupOf(p)));
  std::sort(loose_.begin(), loose_.end());  // the order of one id's entries may change
  sorted_ = loose_.size();
  if (!pages_) return;
  for (auto& [number, page] : pages_->map) {
    for (uint64_t k = 0; k < kPageSize; ++k) {
      if (page.slots[k] != 0) page.slots[k] = static_cast<uint32_t>(map(page.slots[k] - 1)) + 1;
    }
  }
}

void SpawnIds::Absorb(SpawnIds&& other) {
  if (other.pages_) {
    if (!pages_) pages_ = std::make_unique<Pages>();
    for (auto& [number, page] : other.pages_->map) {
      auto [it, fresh] = pages_->map.try_emplace(number, std::move(page));
      if (fresh) continue;
      Page& mine = it->second;
      for (uint64_t k = 0; k < kPageSize; ++k) {
        if (mine.slots[k] == 0 && page.slots[k] != 0) {
          mine.slots[k] = page.slots[k];
          ++mine.count;
        }
      }
    }
    other.pages_.reset();
  }
  loose_.insert(loose_.end(), other.loose_.begin(), other.loose_.end());
  other.loose_ = {};
  other.sorted_ = 0;
  Compact();
}

SpawnIndex::SpawnIndex(SpawnLimits limits) : limits_(limits), cache_(kCacheSlots) {}

void SpawnIndex::Add(const Goroutine& g, uint32_t group) {
  if (!g.has_id) return;
  if (g.id >= kMaxId || (group != kNoGroup && group >= kHidden)) {
    untracked_ = SaturatingAdd(untracked_, g.count);
    return;
  }
  uint64_t local = group == kNoGroup ? kHidden : group;
  if (Kept(g.id, level_)) ids_.Add(g.id, static_cast<uint32_t>(local));
  if (g.has_creator_id && local != kHidden && g.creator_id < kMaxId && Kept(g.creator_id, level_)) {
    // A direct-mapped cache of recent pairs: the few parents that spawn most
    // goroutines add to their entry instead of a new one.
    uint64_t key = Pack(g.creator_id, local);
    CacheSlot& slot = cache_[Mix(key) & (kCacheSlots - 1)];
    if (slot.key == key) {
      edges_[slot.index].count = SaturatingAdd(edges_[slot.index].count, g.count);
    } else {
      slot = CacheSlot{key, edges_.size()};
      edges_.push_back(SpawnEvidence::Edge{key, g.count});
    }
  }
  // Checked past a margin, so that duplicates folded back under the cap do not
  // make every record sort: when the level is raised depends only on the
  // distinct entries, whenever it is checked.
  if (edges_.size() >= compact_at_ || ++since_cap_check_ >= 4096) Compact();
}

// Edges are aggregated as they pile up (a few parents spawn most goroutines);
// ids are sorted only when the entries pass the cap.
void SpawnIndex::Compact() {
  SortAggregate(&edges_, sorted_edges_);
  std::fill(cache_.begin(), cache_.end(), CacheSlot{});  // the entries moved
  since_cap_check_ = 0;
  // Checked past a margin, so that repeats folded back under the cap do not
  // make every check sort: when the level is raised depends only on the
  // distinct entries, whenever it is checked.
  if (ids_.size() + edges_.size() > limits_.max_entries + limits_.max_entries / 16) {
    ids_.Compact();
    Fit(limits_.max_entries, &level_, &ids_, &edges_);
  }
  compact_at_ = std::max<size_t>(4096, 2 * edges_.size());
  sorted_edges_ = edges_.size();
}

SpawnEvidence SpawnIndex::Take(const std::vector<Group>& groups) {
  std::vector<std::string> ids;
  ids.reserve(groups.size());
  for (const Group& g : groups) ids.push_back(g.id);
  return Take(std::move(ids));
}

SpawnEvidence SpawnIndex::Take(std::vector<std::string> group_ids) {
  SortAggregate(&edges_, sorted_edges_);
  ids_.Compact();
  Fit(limits_.max_entries, &level_, &ids_, &edges_);
  SpawnEvidence out;
  out.group_ids = std::move(group_ids);
  out.ids = std::move(ids_);
  out.edges = std::move(edges_);
  out.level = level_;
  out.untracked = untracked_;
  ids_ = SpawnIds();
  edges_ = {};
  sorted_edges_ = 0;
  std::fill(cache_.begin(), cache_.end(), CacheSlot{});
  level_ = 0;
  untracked_ = 0;
  compact_at_ = 4096;
  return out;
}

namespace {

// `runs` marks where each part's entries start in `v`; every run is sorted by
// id (remapping groups may reorder the entries of one id). Merges the runs
// pairwise by id, then orders the entries of each id by their whole key: a
// part folded into many others costs a merge, not a sort.
template <typename T, typename Key>
void MergeRuns(std::vector<T>* v, std::vector<size_t> runs, Key key) {
  runs.push_back(v->size());
  auto by_id = [&](const T& a, const T& b) { return IdOf(key(a)) < IdOf(key(b)); };
  while (runs.size() > 2) {
    std::vector<size_t> next{0};
    for (size_t r = 0; r + 1 < runs.size(); r += 2) {
      if (r + 2 < runs.size()) {
        std::inplace_merge(v->begin() + runs[r], v->begin() + runs[r + 1], v->begin() + runs[r + 2],
                           by_id);
        next.push_back(runs[r + 2]);
      } else {
        next.push_back(runs[r + 1]);
      }
    }
    runs = std::move(next);
  }
  for (size_t i = 0; i < v->size();) {
    size_t j = i + 1;
    while (j < v->size() && IdOf(key((*v)[j])) == IdOf(key((*v)[i]))) ++j;
    if (j - i > 1) {
      std::sort(v->begin() + i, v->begin() + j,
                [&](const T& a, const T& b) { return key(a) < key(b); });
    }
    i = j;
  }
}

}  // namespace

SpawnEvidence MergeSpawnEvidence(std::vector<SpawnEvidence> parts, const SpawnLimits& limits) {
  SpawnEvidence out;
  if (parts.empty()) return out;
  absl::flat_hash_map<std::string, uint64_t> index;
  size_t total_edges = 0;
  for (const SpawnEvidence& p : parts) {
    out.level = std::max(out.level, p.level);
    total_edges += p.edges.size();
  }
  out.edges.reserve(total_edges);
  std::vector<size_t> edge_runs;
  for (SpawnEvidence& p : parts) {
    out.untracked = SaturatingAdd(out.untracked, p.untracked);
    std::vector<uint64_t> remap(p.group_ids.size());
    bool same = true;
    for (size_t i = 0; i < p.group_ids.size(); ++i) {
      auto [it, fresh] = index.try_emplace(p.group_ids[i], out.group_ids.size());
      if (fresh) out.group_ids.push_back(p.group_ids[i]);
      remap[i] = it->second;
      same &= remap[i] == i;
    }
    auto map_group = [&](uint64_t local) {
      return local == kHidden || local >= remap.size() ? kHidden : remap[local];
    };
    p.ids.Filter(out.level);
    if (!same) p.ids.Remap(remap);
    out.ids.Absorb(std::move(p.ids));
    edge_runs.push_back(out.edges.size());
    for (const SpawnEvidence::Edge& e : p.edges) {
      if (Kept(IdOf(e.key), out.level))
        out.edges.push_back({Pack(IdOf(e.key), map_group(GroupOf(e.key))), e.count});
    }
    p = SpawnEvidence{};  // let each part go as soon as it is folded
  }
  MergeRuns(&out.edges, std::move(edge_runs), [](const SpawnEvidence::Edge& e) { return e.key; });
  SortAggregate(&out.edges);  // sorted already: only adds up equal keys
  Fit(limits.max_entries, &out.level, &out.ids, &out.edges);
  return out;
}

namespace {

// Links of one group to the groups it was created by or created, by the
// other group's id (per-input groups of one id are one link), summed before
// they become the groups' lists: a group that spawned into thousands of groups
// would otherwise be searched once per edge.
using LinkSums = absl::flat_hash_map<std::pair<size_t, std::string_view>, uint64_t>;

void AddLink(LinkSums* sums, size_t group, std::string_view other, uint64_t count) {
  uint64_t& sum = (*sums)[{group, other}];
  sum = SaturatingAdd(sum, count);
}

void SortLinks(std::vector<GroupLink>* links) {
  std::sort(links->begin(), links->end(), [](const GroupLink& a, const GroupLink& b) {
    return a.count != b.count ? a.count > b.count : a.id < b.id;
  });
}

}  // namespace

uint32_t AttachSpawnTree(std::vector<SpawnEvidence> per_input, bool merged,
                         std::vector<Group>* groups) {
  // Where each group is: by id (merged), else by input and id.
  absl::flat_hash_map<std::string, size_t> by_id;
  std::map<std::pair<size_t, std::string>, size_t> by_input;
  for (size_t i = 0; i < groups->size(); ++i) {
    const Group& g = (*groups)[i];
    if (merged) {
      by_id.emplace(g.id, i);
    } else {
      for (const InputShare& s : g.inputs) by_input.emplace(std::make_pair(s.input, g.id), i);
    }
  }
  uint32_t highest = 0;
  LinkSums parents, children;  // by child group, by parent group
  for (size_t input = 0; input < per_input.size(); ++input) {
    const SpawnEvidence& ev = per_input[input];
    highest = std::max(highest, ev.level);
    const uint64_t scale = uint64_t{1} << std::min<uint32_t>(ev.level, 62);
    std::vector<size_t> where(ev.group_ids.size(), SIZE_MAX);
    for (size_t local = 0; local < ev.group_ids.size(); ++local) {
      if (merged) {
        if (auto it = by_id.find(ev.group_ids[local]); it != by_id.end()) where[local] = it->second;
      } else if (auto it = by_input.find({input, ev.group_ids[local]}); it != by_input.end()) {
        where[local] = it->second;
      }
    }
    auto group_at = [&](uint64_t local) -> Group* {
      if (local == kHidden || local >= where.size() || where[local] == SIZE_MAX) return nullptr;
      return &(*groups)[where[local]];
    };
    for (const SpawnEvidence::Edge& e : ev.edges) {
      uint64_t parent = IdOf(e.key);
      Group* child = group_at(GroupOf(e.key));
      if (child == nullptr) continue;
      uint64_t count = e.count > UINT64_MAX / scale ? UINT64_MAX : e.count * scale;
      uint32_t parent_local = 0;
      if (!ev.ids.Find(parent, &parent_local)) {
        child->spawned_by_exited = SaturatingAdd(child->spawned_by_exited, count);
        child->exited_parents = SaturatingAdd(child->exited_parents, scale);
        continue;
      }
      Group* parent_group = group_at(parent_local);
      if (parent_group == nullptr) continue;  // left out by --filter/--ignore/--exclude
      AddLink(&parents, static_cast<size_t>(child - groups->data()), parent_group->id, count);
      AddLink(&children, static_cast<size_t>(parent_group - groups->data()), child->id, count);
    }
  }
  for (const auto& [key, count] : parents) {
    (*groups)[key.first].parent_groups.push_back(GroupLink{std::string(key.second), count});
  }
  for (const auto& [key, count] : children) {
    (*groups)[key.first].child_groups.push_back(GroupLink{std::string(key.second), count});
  }
  for (Group& g : *groups) {
    SortLinks(&g.parent_groups);
    SortLinks(&g.child_groups);
  }
  return highest;
}

}  // namespace gleak
