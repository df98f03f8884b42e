#include "cluster/object_index.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "base/text.h"
#include "cluster/group_summary.h"

namespace gleak {
namespace {

enum Kind : uint8_t { kChan, kMutex, kRWMutex, kWaitGroup, kCond };
enum Direction : uint8_t { kSend, kReceive, kLock, kRLock, kWait };

constexpr std::string_view kKindNames[] = {"chan", "mutex", "rwmutex", "waitgroup", "cond"};
constexpr std::string_view kKindTitles[] = {"channel", "mutex", "RWMutex", "WaitGroup", "Cond"};
constexpr std::string_view kDirectionNames[] = {"send", "receive", "lock", "rlock", "wait"};
constexpr std::string_view kVerbs[] = {"send on", "receive from", "wait to lock",
                                       "wait to read-lock", "wait on"};
constexpr std::string_view kVerbsOne[] = {"sends on", "receives from", "waits to lock",
                                          "waits to read-lock", "waits on"};

// A frame whose first argument is the object: the pointer receiver or the
// channel. Everything else about a frame is ignored.
struct DirectSite {
  std::string_view func;
  Kind kind;
  Direction direction;
};
constexpr DirectSite kDirectSites[] = {
    {"runtime.chansend", kChan, kSend},
    {"runtime.chansend1", kChan, kSend},
    {"runtime.chanrecv", kChan, kReceive},
    {"runtime.chanrecv1", kChan, kReceive},
    {"runtime.chanrecv2", kChan, kReceive},
    {"sync.(*Mutex).lockSlow", kMutex, kLock},
    {"internal/sync.(*Mutex).lockSlow", kMutex, kLock},
    {"sync.(*Mutex).Lock", kMutex, kLock},
    {"internal/sync.(*Mutex).Lock", kMutex, kLock},
    {"sync.(*RWMutex).Lock", kRWMutex, kLock},
    {"sync.(*RWMutex).RLock", kRWMutex, kRLock},
    {"sync.(*WaitGroup).Wait", kWaitGroup, kWait},
    {"sync.(*Cond).Wait", kCond, kWait},
};

bool Same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

bool IsRuntimeOrSync(std::string_view func) {
  if (func.empty()) return false;
  switch (func.front()) {
    case 'r':
      return StartsWith(func, "runtime.");
    case 's':
      return StartsWith(func, "sync.");
    case 'i':
      return StartsWith(func, "internal/sync.");
    default:
      return false;
  }
}

// The first argument as a trusted non-zero value.
bool FirstTrusted(const Frame& f, uint64_t* value) {
  if (f.inlined || f.args.size() < 3 || !f.args.starts_with("0x")) return false;
  std::string_view rest = f.args.substr(2);
  const char* end = rest.data() + rest.size();
  auto [ptr, ec] = std::from_chars(rest.data(), end, *value, 16);
  if (ec != std::errc() || ptr == rest.data()) return false;
  if (ptr != end && *ptr != ',') return false;  // "0x1?" and anything unexpected
  return *value != 0;
}

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Kept at `level`: the top `level` bits of the address's hash are zero.
bool KeptAt(uint64_t address, unsigned level) {
  return level == 0 || (Mix(address) >> (64 - level)) == 0;
}

// Told by the first byte, then the prefix: these run for every goroutine.
bool IsBlockedState(std::string_view state) {
  if (state.empty()) return false;
  switch (state.front()) {
    case 'c':
      return StartsWith(state, "chan ");
    case 's':
      return StartsWith(state, "select") || StartsWith(state, "semacquire") ||
             StartsWith(state, "sync.");
    default:
      return false;
  }
}

bool IsSelecting(std::string_view state) {
  return StartsWith(state, "select") && !StartsWith(state, "select (no cases)");
}

uint64_t GroupIdValue(const std::string& id) {
  uint64_t v = 0;
  std::from_chars(id.data(), id.data() + id.size(), v, 16);
  return v;
}

std::string GroupIdText(uint64_t v) { return fmt::format("{:016x}", v); }

struct WaiterCount {
  uint64_t group = 0;
  Direction direction = kSend;
  uint64_t count = 0;
};

struct ObjectEntry {
  Kind kind = kChan;
  std::vector<WaiterCount> waiters;
  uint64_t ungrouped = 0;  // waiters left out of every group (--ignore, --filter)
  std::vector<uint64_t> sample_ids;
  size_t weight() const { return 1 + waiters.size(); }
};

struct GroupCount {
  uint64_t group = 0;
  uint64_t count = 0;
};

struct MentionEntry {
  uint64_t mentioners = 0;
  uint64_t unblocked = 0;
  // Nearly every address is mentioned by one group: held in place, so that
  // a fresh mention (one for most argument words) allocates nothing. The
  // same 24 bytes as a std::vector.
  absl::InlinedVector<GroupCount, 1> groups;
  size_t weight() const { return 1 + groups.size(); }
};
static_assert(sizeof(MentionEntry::groups) == sizeof(std::vector<GroupCount>));

class Bloom {
 public:
  bool empty() const { return bits_.empty(); }
  void Add(uint64_t address, size_t size_bits) {
    if (bits_.empty()) bits_.assign(size_bits / 64, 0);
    for (uint64_t bit : Bits(address)) bits_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  bool MayContain(uint64_t address) const {
    if (bits_.empty()) return false;
    for (uint64_t bit : Bits(address)) {
      if ((bits_[bit / 64] >> (bit % 64) & 1) == 0) return false;
    }
    return true;
  }
  void Or(const Bloom& other) {
    if (other.bits_.empty()) return;
    if (bits_.empty()) {
      bits_ = other.bits_;
      return;
    }
    for (size_t i = 0; i < bits_.size() && i < other.bits_.size(); ++i) bits_[i] |= other.bits_[i];
  }

 private:
  std::array<uint64_t, 3> Bits(uint64_t address) const {
    uint64_t h = Mix(address ^ 0x9e3779b97f4a7c15ULL);
    uint64_t mask = bits_.size() * 64 - 1;
    return {h & mask, (h >> 21) & mask, (h >> 42 | h << 22) & mask};
  }
  std::vector<uint64_t> bits_;
};

}  // namespace

struct ObjectEvidence::Tables {
  absl::flat_hash_map<uint64_t, ObjectEntry> objects;
  unsigned object_level = 0;
  size_t object_weight = 0;
  uint64_t dropped_waiters = 0;  // waiters of objects past the cap

  absl::flat_hash_map<uint64_t, MentionEntry> mentions;
  unsigned mention_level = 0;
  size_t mention_weight = 0;
  Bloom mentioned;  // addresses past the cap that some goroutine mentioned
  Bloom unblocked;  // ... that a goroutine not blocked itself mentioned

  uint64_t selecting = 0;  // goroutines in a select

  void DropObject(const ObjectEntry& e) {
    dropped_waiters = SaturatingAdd(dropped_waiters, e.ungrouped);
    for (const WaiterCount& w : e.waiters)
      dropped_waiters = SaturatingAdd(dropped_waiters, w.count);
  }
  void SpillMention(uint64_t address, uint64_t unblocked_count, size_t bits) {
    mentioned.Add(address, bits);
    if (unblocked_count > 0) unblocked.Add(address, bits);
  }
  void RaiseObjectLevel(unsigned level) {
    if (level <= object_level) return;
    object_level = level;
    for (auto it = objects.begin(); it != objects.end();) {
      if (KeptAt(it->first, level)) {
        ++it;
        continue;
      }
      DropObject(it->second);
      object_weight -= it->second.weight();
      objects.erase(it++);
    }
  }
  void RaiseMentionLevel(unsigned level, size_t bits) {
    if (level <= mention_level) return;
    mention_level = level;
    for (auto it = mentions.begin(); it != mentions.end();) {
      if (KeptAt(it->first, level)) {
        ++it;
        continue;
      }
      SpillMention(it->first, it->second.unblocked, bits);
      mention_weight -= it->second.weight();
      mentions.erase(it++);
    }
  }
  void FitObjects(const ObjectLimits& limits) {
    while (object_weight > limits.max_object_weight && object_level < 63) {
      RaiseObjectLevel(object_level + 1);
    }
  }
  void FitMentions(const ObjectLimits& limits) {
    while (mention_weight > limits.max_mention_weight && mention_level < 63) {
      RaiseMentionLevel(mention_level + 1, limits.bloom_bits);
    }
  }

  void MergeObject(uint64_t address, const ObjectEntry& from, const ObjectLimits& limits) {
    if (!KeptAt(address, object_level)) {
      DropObject(from);
      return;
    }
    auto [it, fresh] = objects.try_emplace(address);
    ObjectEntry& e = it->second;
    if (fresh) {
      e.kind = from.kind;
      object_weight += e.weight();
    }
    e.kind = std::max(e.kind, from.kind);
    e.ungrouped = SaturatingAdd(e.ungrouped, from.ungrouped);
    for (const WaiterCount& f : from.waiters) {
      auto w = std::find_if(e.waiters.begin(), e.waiters.end(), [&](const WaiterCount& x) {
        return x.group == f.group && x.direction == f.direction;
      });
      if (w != e.waiters.end()) {
        w->count = SaturatingAdd(w->count, f.count);
      } else {
        e.waiters.push_back(f);
        ++object_weight;
      }
    }
    for (uint64_t id : from.sample_ids) KeepSmallest(&e.sample_ids, id, limits.sample_ids);
    FitObjects(limits);
  }

  void MergeMention(uint64_t address, const MentionEntry& from, const ObjectLimits& limits) {
    if (!KeptAt(address, mention_level)) {
      SpillMention(address, from.unblocked, limits.bloom_bits);
      return;
    }
    auto [it, fresh] = mentions.try_emplace(address);
    MentionEntry& e = it->second;
    if (fresh) mention_weight += e.weight();
    e.mentioners = SaturatingAdd(e.mentioners, from.mentioners);
    e.unblocked = SaturatingAdd(e.unblocked, from.unblocked);
    for (const GroupCount& f : from.groups) {
      auto g = std::find_if(e.groups.begin(), e.groups.end(),
                            [&](const GroupCount& x) { return x.group == f.group; });
      if (g != e.groups.end()) {
        g->count = SaturatingAdd(g->count, f.count);
      } else {
        e.groups.push_back(f);
        ++mention_weight;
      }
    }
    FitMentions(limits);
  }

  // Counts into the tables; `group` is a local index or an id, as the caller keeps them.
  void AddWaiter(uint64_t address, Kind kind, Direction direction, bool has_group, uint64_t group,
                 uint64_t count, const std::vector<uint64_t>& ids, const ObjectLimits& limits) {
    if (!KeptAt(address, object_level)) {
      dropped_waiters = SaturatingAdd(dropped_waiters, count);
      return;
    }
    auto [it, fresh] = objects.try_emplace(address);
    ObjectEntry& e = it->second;
    if (fresh) {
      e.kind = kind;
      object_weight += e.weight();
    }
    e.kind = std::max(e.kind, kind);  // a Mutex inside an RWMutex is the RWMutex
    if (!has_group) {
      e.ungrouped = SaturatingAdd(e.ungrouped, count);
    } else {
      auto w = std::find_if(e.waiters.begin(), e.waiters.end(), [&](const WaiterCount& x) {
        return x.group == group && x.direction == direction;
      });
      if (w != e.waiters.end()) {
        w->count = SaturatingAdd(w->count, count);
      } else {
        e.waiters.push_back(WaiterCount{group, direction, count});
        ++object_weight;
      }
    }
    for (uint64_t id : ids) KeepSmallest(&e.sample_ids, id, limits.sample_ids);
    FitObjects(limits);
  }

  void AddMention(uint64_t address, bool has_group, uint64_t group, uint64_t count,
                  uint64_t unblocked_count, const ObjectLimits& limits) {
    if (!KeptAt(address, mention_level)) {
      SpillMention(address, unblocked_count, limits.bloom_bits);
      return;
    }
    auto [it, fresh] = mentions.try_emplace(address);
    MentionEntry& e = it->second;
    if (fresh) mention_weight += e.weight();
    e.mentioners = SaturatingAdd(e.mentioners, count);
    e.unblocked = SaturatingAdd(e.unblocked, unblocked_count);
    if (has_group) {
      auto g = std::find_if(e.groups.begin(), e.groups.end(),
                            [&](const GroupCount& x) { return x.group == group; });
      if (g != e.groups.end()) {
        g->count = SaturatingAdd(g->count, count);
      } else {
        e.groups.push_back(GroupCount{group, count});
        ++mention_weight;
      }
    }
    FitMentions(limits);
  }
};

ObjectEvidence::ObjectEvidence() = default;
ObjectEvidence::~ObjectEvidence() = default;
ObjectEvidence::ObjectEvidence(ObjectEvidence&&) noexcept = default;
ObjectEvidence& ObjectEvidence::operator=(ObjectEvidence&&) noexcept = default;

bool FindBlockingWait(std::span<const Frame> frames, BlockingWait* out) {
  // The runtime and sync frames at the top of the stack, innermost first.
  // A direct site (the object is the first argument) wins over one whose
  // address is derived from a semaphore's, which only serves when the direct
  // frame is inlined or its value doubtful.
  bool derived = false;
  BlockingWait derived_wait;
  for (size_t i = 0; i < frames.size() && i < 16 && IsRuntimeOrSync(frames[i].func); ++i) {
    const Frame& f = frames[i];
    for (const DirectSite& site : kDirectSites) {
      if (!Same(f.func, site.func)) continue;
      uint64_t address = 0;
      if (!FirstTrusted(f, &address)) break;
      Kind kind = site.kind;
      Direction direction = site.direction;
      if (kind == kMutex) {
        // RWMutex.Lock queues on its inner Mutex, the RWMutex's first field.
        for (size_t j = i + 1; j < frames.size() && IsRuntimeOrSync(frames[j].func); ++j) {
          if (Same(frames[j].func, "sync.(*RWMutex).Lock")) kind = kRWMutex;
        }
      }
      *out = BlockingWait{address, kKindNames[kind], kDirectionNames[direction]};
      return true;
    }
    if (derived || i + 1 >= frames.size()) continue;
    std::string_view next = frames[i + 1].func;
    std::string_view after = i + 2 < frames.size() ? frames[i + 2].func : std::string_view();
    uint64_t address = 0;
    if (Same(f.func, "runtime.semacquire1") && FirstTrusted(f, &address)) {
      // RWMutex{w Mutex (8 bytes); writerSem; readerSem; ...}: RLock sleeps
      // on readerSem. WaitGroup{state uint64; sema uint32} (Go 1.18+).
      if (Same(next, "sync.runtime_SemacquireRWMutexR") ||
          (Same(next, "sync.runtime_SemacquireMutex") && Same(after, "sync.(*RWMutex).RLock"))) {
        derived_wait = BlockingWait{address - 12, kKindNames[kRWMutex], kDirectionNames[kRLock]};
        derived = address > 12;
      } else if ((Same(next, "sync.runtime_Semacquire") ||
                  Same(next, "sync.runtime_SemacquireWaitGroup")) &&
                 Same(after, "sync.(*WaitGroup).Wait")) {
        derived_wait = BlockingWait{address - 8, kKindNames[kWaitGroup], kDirectionNames[kWait]};
        derived = address > 8;
      }
    } else if (Same(f.func, "sync.runtime_notifyListWait") && Same(next, "sync.(*Cond).Wait") &&
               FirstTrusted(f, &address)) {
      // Cond{noCopy; L Locker (16 bytes); notify notifyList; ...}.
      derived_wait = BlockingWait{address - 16, kKindNames[kCond], kDirectionNames[kWait]};
      derived = address > 16;
    }
  }
  if (derived) *out = derived_wait;
  return derived;
}

namespace {

Kind KindOf(std::string_view name) {
  for (uint8_t k = 0; k < std::size(kKindNames); ++k) {
    if (kKindNames[k] == name) return static_cast<Kind>(k);
  }
  return kChan;
}
Direction DirectionOf(std::string_view name) {
  for (uint8_t d = 0; d < std::size(kDirectionNames); ++d) {
    if (kDirectionNames[d] == name) return static_cast<Direction>(d);
  }
  return kSend;
}

}  // namespace

class ObjectIndex::Impl {
 public:
  explicit Impl(ObjectLimits limits) : limits_(limits), tables_(std::make_unique<Tables>()) {}

  void Add(const Goroutine& g, uint32_t group) {
    if (g.frames.empty()) return;
    Tables& t = *tables_;
    if (IsSelecting(g.state)) t.selecting = SaturatingAdd(t.selecting, g.count);
    bool blocked = IsBlockedState(g.state);
    BlockingWait wait;
    bool waits = blocked && FindBlockingWait(g.frames, &wait);
    // Every frame's arguments in one scan: joined by a "," (which ends a
    // value and starts none, as the end of a list does), then zero padding.
    args_.clear();
    for (const Frame& f : g.frames) {
      if (f.inlined || f.args.empty()) continue;
      args_.insert(args_.end(), f.args.begin(), f.args.end());
      args_.push_back(',');
    }
    size_t size = args_.size();
    args_.resize(size + kArgsPadding, '\0');
    const auto* begin = reinterpret_cast<const unsigned char*>(args_.data());
    words_.clear();
    object_detail::ForEachTrustedWordPadded(begin, begin + size,
                                            [&](uint64_t w) { words_.push_back(w); });
    std::sort(words_.begin(), words_.end());
    words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
    bool has_group = group != kNoGroup;
    for (uint64_t w : words_) {
      if (waits && w == wait.address) continue;  // its own object: a waiter, not a mention
      t.AddMention(w, has_group, group, g.count, blocked ? 0 : g.count, limits_);
    }
    if (waits) {
      ids_.clear();
      if (g.has_id) ids_.push_back(g.id);
      t.AddWaiter(wait.address, KindOf(wait.kind), DirectionOf(wait.direction), has_group, group,
                  g.count, ids_, limits_);
    }
  }

  // `id_at(i)`: the id of the i-th of `groups` groups.
  template <typename IdAt>
  ObjectEvidence Take(size_t groups, IdAt id_at) {
    Tables& t = *tables_;
    auto id_of = [&](uint64_t local) {
      return local < groups ? GroupIdValue(id_at(local)) : uint64_t{0};
    };
    for (auto& [address, e] : t.objects) {
      for (WaiterCount& w : e.waiters) w.group = id_of(w.group);
    }
    for (auto& [address, e] : t.mentions) {
      for (GroupCount& g : e.groups) g.group = id_of(g.group);
    }
    ObjectEvidence evidence;
    evidence.tables = std::move(tables_);
    tables_ = std::make_unique<Tables>();
    return evidence;
  }

 private:
  using Tables = ObjectEvidence::Tables;
  ObjectLimits limits_;
  std::unique_ptr<Tables> tables_;
  static constexpr size_t kArgsPadding = 32;  // what ForEachTrustedWordPadded may read past
  std::vector<char> args_;                    // scratch, reused for every goroutine
  std::vector<uint64_t> words_;               // scratch, reused for every goroutine
  std::vector<uint64_t> ids_;
};

ObjectIndex::ObjectIndex(ObjectLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
ObjectIndex::~ObjectIndex() = default;
void ObjectIndex::Add(const Goroutine& g, uint32_t group) { impl_->Add(g, group); }
ObjectEvidence ObjectIndex::Take(const std::vector<Group>& groups) {
  return impl_->Take(groups.size(), [&](uint64_t i) -> const std::string& { return groups[i].id; });
}
ObjectEvidence ObjectIndex::Take(const std::vector<std::string>& group_ids) {
  return impl_->Take(group_ids.size(),
                     [&](uint64_t i) -> const std::string& { return group_ids[i]; });
}

ObjectEvidence MergeObjectEvidence(std::vector<ObjectEvidence> parts, const ObjectLimits& limits) {
  ObjectEvidence out;
  out.tables = std::make_unique<ObjectEvidence::Tables>();
  ObjectEvidence::Tables& t = *out.tables;
  for (ObjectEvidence& part : parts) {
    if (!part.tables) continue;
    ObjectEvidence::Tables& p = *part.tables;
    t.RaiseObjectLevel(p.object_level);
    t.RaiseMentionLevel(p.mention_level, limits.bloom_bits);
    t.dropped_waiters = SaturatingAdd(t.dropped_waiters, p.dropped_waiters);
    t.selecting = SaturatingAdd(t.selecting, p.selecting);
    t.mentioned.Or(p.mentioned);
    t.unblocked.Or(p.unblocked);
    for (auto& [address, e] : p.objects) t.MergeObject(address, e, limits);
    for (auto& [address, e] : p.mentions) t.MergeMention(address, e, limits);
  }
  return out;
}

// ---- from evidence to the report ----

namespace {

struct ObjectView {
  const BlockingObject* object = nullptr;
  Kind kind = kChan;
};

std::string Goroutines(uint64_t n) {
  return n == 1 ? "1 goroutine" : fmt::format("{} goroutines", n);
}

// "1 goroutine sends on", "3 goroutines send on"
std::string Waiting(uint64_t n, Direction d) {
  return fmt::format("{} {}", Goroutines(n), n == 1 ? kVerbsOne[d] : kVerbs[d]);
}

// "no goroutine receives from it or mentions it", "3 other goroutines mention it, all blocked".
std::string MentionClause(const BlockingObject& o, Kind kind, bool has_send, bool has_receive) {
  std::string counterpart;
  if (kind == kChan && has_send != has_receive) {
    counterpart = has_send ? "receives from it" : "sends on it";
  }
  std::string outside_select =
      !counterpart.empty() && o.selecting_goroutines > 0 ? " outside a select" : "";
  if (!o.mentions_known) {
    std::string text =
        counterpart.empty() ? std::string() : "no goroutine " + counterpart + outside_select + "; ";
    return text + "whether other goroutines mention it is not known (past the index's caps)";
  }
  if (o.mentioners == 0) {
    if (counterpart.empty()) return "no other goroutine mentions it";
    return fmt::format("no goroutine {}{} or mentions it", counterpart, outside_select);
  }
  std::string text =
      counterpart.empty() ? std::string() : "no goroutine " + counterpart + outside_select + "; ";
  text += o.mentioners == 1 ? std::string("1 other goroutine mentions it")
                            : fmt::format("{} other goroutines mention it", o.mentioners);
  if (!o.mentioner_groups.empty()) {
    text += fmt::format(
        " (group{} {})", o.mentioner_groups.size() == 1 ? "" : "s",
        fmt::join(o.mentioner_groups.begin(),
                  o.mentioner_groups.begin() + std::min<size_t>(3, o.mentioner_groups.size()),
                  ", "));
  }
  if (o.unblocked_mentioners == 0) {
    text += o.mentioners == 1 ? ", blocked itself" : ", all blocked themselves";
  }
  return text;
}

void Describe(BlockingObject* o, Kind kind) {
  std::map<Direction, uint64_t> by_direction;
  std::set<std::string> groups;
  for (const ObjectWaiters& w : o->waiting) {
    by_direction[DirectionOf(w.direction)] += w.count;
    groups.insert(w.group);
  }
  std::string head;
  if (by_direction.size() == 1) {
    head = fmt::format("{} {} {}", Waiting(o->waiters, by_direction.begin()->first),
                       kKindTitles[kind], o->address);
  } else {
    std::vector<std::string> parts;
    for (auto [d, n] : by_direction) parts.push_back(fmt::format("{} {}", kDirectionNames[d], n));
    head = fmt::format("{} {} {} ({})", Waiting(o->waiters, kWait), kKindTitles[kind], o->address,
                       fmt::join(parts, ", "));
  }
  if (groups.size() > 1) head += fmt::format(" in {} groups", groups.size());
  o->text = head + "; " +
            MentionClause(*o, kind, by_direction.contains(kSend), by_direction.contains(kReceive));
}

}  // namespace

void AttachObjects(std::vector<ObjectEvidence> per_input, bool merged, const ObjectLimits& limits,
                   std::vector<Group>* groups, std::vector<BlockingObject>* objects,
                   uint64_t* objects_not_listed) {
  objects->clear();
  *objects_not_listed = 0;
  for (size_t input = 0; input < per_input.size(); ++input) {
    if (!per_input[input].tables) continue;
    const ObjectEvidence::Tables& t = *per_input[input].tables;
    *objects_not_listed = SaturatingAdd(*objects_not_listed, t.dropped_waiters);
    for (const auto& [address, e] : t.objects) {
      BlockingObject o;
      o.address = fmt::format("{:#x}", address);
      o.id = fmt::format("{}@{}", o.address, input);
      o.kind = std::string(kKindNames[e.kind]);
      o.input = input;
      o.waiters = e.ungrouped;
      for (const WaiterCount& w : e.waiters) {
        o.waiting.push_back(ObjectWaiters{GroupIdText(w.group),
                                          std::string(kDirectionNames[w.direction]), w.count});
        o.waiters = SaturatingAdd(o.waiters, w.count);
      }
      std::sort(o.waiting.begin(), o.waiting.end(), [](const auto& a, const auto& b) {
        if (a.count != b.count) return a.count > b.count;
        return std::tie(a.group, a.direction) < std::tie(b.group, b.direction);
      });
      o.sample_ids = e.sample_ids;
      o.selecting_goroutines = t.selecting;
      if (auto m = t.mentions.find(address); m != t.mentions.end()) {
        o.mentioners = m->second.mentioners;
        o.unblocked_mentioners = m->second.unblocked;
        for (const GroupCount& g : m->second.groups) {
          o.mentioner_groups.push_back(GroupIdText(g.group));
        }
        std::sort(o.mentioner_groups.begin(), o.mentioner_groups.end());
      } else if (!KeptAt(address, t.mention_level) && t.mentioned.MayContain(address)) {
        o.mentions_known = false;
      }
      Describe(&o, e.kind);
      objects->push_back(std::move(o));
    }
  }
  std::sort(objects->begin(), objects->end(), [](const BlockingObject& a, const BlockingObject& b) {
    if (a.waiters != b.waiters) return a.waiters > b.waiters;
    return std::tie(a.input, a.address) < std::tie(b.input, b.address);
  });

  // Groups by (input, id); with --merge one group may hold goroutines of every input.
  std::map<std::pair<size_t, std::string>, Group*> by_id;
  for (Group& g : *groups) {
    g.objects.clear();
    g.objects_not_listed = 0;
    g.object_facts = ObjectFacts{};
    if (merged) {
      for (size_t input = 0; input < per_input.size(); ++input) by_id[{input, g.id}] = &g;
    } else {
      by_id[{g.inputs.empty() ? size_t{0} : g.inputs.front().input, g.id}] = &g;
    }
  }
  std::map<Group*, std::vector<const BlockingObject*>> waits_of;
  for (const BlockingObject& o : *objects) {
    for (const ObjectWaiters& w : o.waiting) {
      auto it = by_id.find({o.input, w.group});
      if (it == by_id.end()) continue;
      it->second->objects.push_back(ObjectRef{o.id, w.direction, w.count});
      waits_of[it->second].push_back(&o);
    }
  }

  // Lock cycles: a group waits on lock X and mentions lock Y, a group waits on Y and mentions X.
  auto is_lock = [](const BlockingObject* o) { return o->kind == "mutex" || o->kind == "rwmutex"; };
  std::map<std::pair<size_t, std::string>, const BlockingObject*> lock_by_address;
  for (const BlockingObject& o : *objects) {
    if (is_lock(&o) && o.mentions_known) lock_by_address[{o.input, o.address}] = &o;
  }
  auto mentions = [&](const BlockingObject* o, const std::string& group) {
    return std::binary_search(o->mentioner_groups.begin(), o->mentioner_groups.end(), group);
  };
  std::map<Group*, std::string> cycle_text;
  size_t checks = 0;
  for (auto& [group, waited] : waits_of) {
    for (const BlockingObject* x : waited) {
      if (!is_lock(x)) continue;
      for (const auto& [key, y] : lock_by_address) {
        if (++checks > 100'000) break;  // bounded: a pathological dump gets no cycle text
        if (y == x || key.first != x->input || !mentions(y, group->id)) continue;
        for (const ObjectWaiters& w : y->waiting) {
          if (!mentions(x, w.group)) continue;
          if (cycle_text.contains(group)) continue;
          cycle_text[group] = fmt::format(
              "lock cycle: it waits on {} {} and mentions {} {}, which group {} waits on while "
              "mentioning {}",
              kKindTitles[KindOf(x->kind)], x->address, kKindTitles[KindOf(y->kind)], y->address,
              w.group, x->address);
        }
      }
    }
  }

  // What is said of the goroutines that mention an object: the same for each
  // group waiting on it, so made once per object (each group of thousands
  // waiting on one channel looked at every other group's direction).
  std::map<const BlockingObject*, std::string> mention_clauses;
  auto mention_clause_of = [&](const BlockingObject& o) -> const std::string& {
    auto [it, fresh] = mention_clauses.try_emplace(&o);
    if (fresh) {
      bool send = false, receive = false;
      for (const ObjectWaiters& w : o.waiting) {
        send |= w.direction == "send";
        receive |= w.direction == "receive";
      }
      it->second = MentionClause(o, KindOf(o.kind), send, receive);
    }
    return it->second;
  };
  for (auto& [group_ptr, waited] : waits_of) {
    Group& g = *group_ptr;
    std::sort(g.objects.begin(), g.objects.end(), [](const ObjectRef& a, const ObjectRef& b) {
      if (a.count != b.count) return a.count > b.count;
      return a.object < b.object;
    });
    ObjectFacts& facts = g.object_facts;
    facts.waits_on_object = true;
    bool unmentioned = true, all_wait = true;
    for (const BlockingObject* o : waited) {
      unmentioned &= o->mentions_known && o->mentioners == 0;
      all_wait &= o->mentions_known && o->unblocked_mentioners == 0;
    }
    for (const ObjectRef& r : g.objects) facts.waiting = SaturatingAdd(facts.waiting, r.count);
    facts.object_unmentioned_elsewhere = unmentioned;
    facts.all_mentioners_wait = all_wait;
    if (waited.size() == 1) {
      const BlockingObject& o = *waited.front();
      const ObjectRef& r = g.objects.front();
      std::string head = fmt::format("{} {} {}", Waiting(r.count, DirectionOf(r.direction)),
                                     kKindTitles[KindOf(o.kind)], o.address);
      if (o.waiters > r.count) head += fmt::format(" (and {} more)", o.waiters - r.count);
      facts.text = head + "; " + mention_clause_of(o);
    } else {
      std::set<std::string> kinds_seen;
      for (const BlockingObject* o : waited)
        kinds_seen.insert(std::string(kKindTitles[KindOf(o->kind)]));
      facts.text = fmt::format("{} {} different objects ({})", Waiting(facts.waiting, kWait),
                               waited.size(), fmt::join(kinds_seen, ", "));
      if (unmentioned) {
        facts.text += "; no other goroutine mentions any of them";
      } else if (all_wait) {
        facts.text += "; every other goroutine that mentions them is blocked itself";
      }
    }
    if (auto c = cycle_text.find(&g); c != cycle_text.end()) {
      facts.lock_cycle = true;
      facts.text += "; " + c->second;
    }
    if (g.objects.size() > limits.refs_per_group) {
      for (size_t i = limits.refs_per_group; i < g.objects.size(); ++i) {
        g.objects_not_listed = SaturatingAdd(g.objects_not_listed, g.objects[i].count);
      }
      g.objects.resize(limits.refs_per_group);
    }
  }
}

}  // namespace gleak
