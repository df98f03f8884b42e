#include "cluster/clusterer.h"

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>
#include <absl/types/span.h>
#include <fmt/core.h>
#include <fmt/format.h>
// Inlined: the clusterer hashes two short strings per frame of every goroutine,
// and a call into the shared library costs as much as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "base/intern.h"
#include "base/text.h"
#include "cluster/group_summary.h"
#include "cluster/normalize.h"
#include "model/go_names.h"

namespace gleak {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kOverflowKey = kNone - 1;  // in the state's place: no state id reaches it

// A frame as the clusterer knows it, at line granularity.
struct FrameView {
  std::string_view func;
  std::string_view file;
  uint64_t line = 0;

  friend bool operator==(const FrameView& a, const FrameView& b) {
    return a.line == b.line && SameBytes(a.func, b.func) && SameBytes(a.file, b.file);
  }
  // Lengths first, then one memcmp (an empty view may have a null data()).
  static bool SameBytes(std::string_view x, std::string_view y) {
    return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size()) == 0);
  }
};

// One xxHash pass over each string: this runs for every frame of every goroutine.
struct FrameViewHash {
  size_t operator()(const FrameView& f) const {
    uint64_t h = XXH3_64bits_withSeed(f.func.data(), f.func.size(), f.line);
    return XXH3_64bits_withSeed(f.file.data(), f.file.size(), h);
  }
};

// What is known of a distinct frame, worked out once when it is first seen.
struct FrameInfo {
  uint32_t func = 0;  // interned
  uint32_t file = 0;  // interned
  uint64_t line = 0;
  bool runtime = false;
  bool stdlib = false;
  bool wrapper = false;  // .gowrapN / .deferwrapN: visible only at traceback level 2
  bool ignored = false;
  bool filtered_in = false;
  bool excluded = false;
};

struct KeyHash {
  using is_transparent = void;
  size_t operator()(absl::Span<const uint32_t> key) const {
    return XXH3_64bits(key.data(), key.size() * sizeof(uint32_t));
  }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b) const {
    return a == b;
  }
};

struct CountedId {
  uint32_t id = 0;
  uint64_t count = 0;
};

// Adds `amount` to `id`'s count in a short list.
void CountIn(std::vector<CountedId>* list, uint32_t id, uint64_t amount) {
  for (CountedId& c : *list) {
    if (c.id == id) {
      c.count = SaturatingAdd(c.count, amount);
      return;
    }
  }
  list->push_back(CountedId{id, amount});
}

using StackKey = std::array<uint64_t, 2>;
struct StackKeyHash {
  size_t operator()(const StackKey& key) const { return key[0]; }  // already a hash
};
// Where the goroutines of one stack key went.
struct SeenStack {
  uint32_t group = kNone;  // kNone: ignored (--ignore, --filter, --exclude)
  uint32_t creator_frame = kNone;
};

struct SampledLabelSet {
  uint32_t text = 0;  // interned "k\0v\0k\0v\0", keys in order
  uint64_t rank = 0;  // LabelSetRank of the text
  uint64_t count = 0;
};

struct GroupState {
  std::vector<uint32_t> signature_frames;  // what the id is computed from
  uint32_t state = 0;                      // the key's (NormalizeState)
  uint32_t shown_state = 0;                // what the group shows (ParkedState)
  uint32_t creator = kNone;                // frame id, or func id at func/top levels
  uint32_t label_value = kNone;            // --by-label: the value's string id, kNone: no label
  uint64_t count = 0;
  uint64_t min_wait = std::numeric_limits<uint64_t>::max();
  uint64_t max_wait = 0;
  uint64_t locked = 0;
  uint64_t leaked = 0;
  uint64_t durable = 0;
  uint64_t truncated = 0;
  std::vector<uint32_t> stack;     // representative: the first goroutine's frames
  uint32_t creator_frame = kNone;  // the representative's creator (func_id, shape_id)
  std::vector<bool> inlined;
  std::vector<uint64_t> sample_ids;
  std::vector<uint64_t> creator_ids;
  std::vector<CountedId> creators;  // frame ids, every distinct one
  std::vector<SampledLabelSet> label_sets;
  uint64_t labelled = 0;  // goroutines with any label: those of the sets not kept are counted
  std::vector<CountedId> inputs;
  uint64_t sequence = 0;  // of the goroutine the representative (stack, shown_state) is from
  bool overflow = false;  // the overflow group: counts only, no stack
};

}  // namespace

class Clusterer::Impl {
 public:
  explicit Impl(ClusterOptions options) : options_(std::move(options)) {}

  void OnGoroutine(const Goroutine& g);
  std::vector<Group> BuildGroups() const;
  std::vector<std::string> GroupIds() const;
  void Absorb(const Impl& later);
  void ReleaseReadCaches();
  GroupingLevel level() const { return options_.level; }
  void SetInput(size_t index) {
    if (index != input_) seen_stacks_.clear();  // groups are per input unless merged
    input_ = index;
  }

  size_t input_ = 0;
  uint64_t sequence_ = 0;  // set_sequence
  uint64_t ignored_ = 0;
  uint32_t last_group_ = kNone;
  uint64_t goroutines_ = 0;

 private:
  // What every goroutine adds to its group, the overflow group included.
  void Tally(GroupState* group, const Goroutine& g);
  uint32_t TallyOverflow(const Goroutine& g);  // returns the overflow group's index
  uint32_t OverflowGroup(size_t input);        // found or made
  // Absorb's parts: what a folded group adds to `into`; with `all`, its
  // creators and label sets too (not to the overflow group, which has none).
  void MergeTallies(GroupState* into, const GroupState& from, bool all,
                    std::span<const uint32_t> creators);
  void MergeLabelSets(GroupState* into, const GroupState& from, const Impl& later);
  // Gives back the frames and strings added since the marks.
  void Forget(size_t frames_mark, const StringInterner::Mark& strings_mark);
  uint32_t FrameId(const Frame& frame);
  uint32_t FrameId(std::string_view func, std::string_view file, uint64_t line);
  // Whether the goroutine is grouped: no frame --ignore'd or --exclude'd,
  // and one that --filter matches (when there is a --filter).
  bool PassesFilters(const Goroutine& g, std::span<const uint32_t> frame_ids,
                     uint32_t creator_frame);
  void SignatureOf(const Goroutine& g, uint32_t creator_frame, GroupingLevel level,
                   std::vector<uint32_t>* out);
  // Where a signature of `stack` begins and ends: past the runtime frames on
  // top, before runtime.goexit and runtime.main and the wrapper of a `go`
  // statement at the bottom.
  std::pair<size_t, size_t> SignatureRange(std::span<const uint32_t> stack,
                                           uint32_t creator_frame) const;
  // The function-level signature, from which a group's func_id and shape_id
  // are made (gleak diff matches groups across snapshots by them).
  void FuncSignatureOf(std::span<const uint32_t> stack, uint32_t creator_frame,
                       std::vector<uint32_t>* out) const;
  StackFrame ToStackFrame(uint32_t frame_id, bool inlined) const;
  // Recursion prints the same frame over and over, and Go releases cut deep
  // stacks differently; a run of one frame counts once.
  static void PushCollapsed(std::vector<uint32_t>* out, uint32_t id) {
    if (out->empty() || out->back() != id) out->push_back(id);
  }
  std::string IdOf(GroupingLevel level, std::string_view state,
                   const std::vector<uint32_t>& signature, uint32_t creator,
                   uint32_t label_value) const;
  bool HasFilteredLabels(std::span<const Label> labels) const;
  uint32_t LabelValue(std::span<const Label> labels);
  void CountLabels(GroupState* group, std::span<const Label> labels, uint64_t count);
  void CountInto(GroupState* group, const Goroutine& g, uint32_t creator_frame);
  void RememberStack(const StackKey& key, SeenStack seen);

  ClusterOptions options_;
  StringInterner strings_;
  absl::flat_hash_map<FrameView, uint32_t, FrameViewHash> frame_ids_;
  std::vector<FrameInfo> frames_;
  absl::flat_hash_map<std::vector<uint32_t>, uint32_t, KeyHash, KeyEq> group_ids_;
  std::vector<GroupState> groups_;
  static constexpr size_t kMaxSeenStacks = 1 << 16;
  absl::flat_hash_map<StackKey, SeenStack, StackKeyHash> seen_stacks_;
  size_t distinct_ = 0;  // groups_ less the overflow groups

  // Scratch space reused for every record: no allocation per goroutine.
  std::vector<uint32_t> record_frames_;
  std::vector<uint32_t> signature_;
  std::vector<uint32_t> key_;
  std::string label_text_;
  std::vector<Label> sorted_labels_;
};

uint32_t Clusterer::Impl::FrameId(std::string_view func, std::string_view file, uint64_t line) {
  auto it = frame_ids_.find(FrameView{func, file, line});
  if (it != frame_ids_.end()) return it->second;
  FrameInfo info;
  info.func = strings_.Intern(func);
  info.file = strings_.Intern(file);
  info.line = line;
  std::string_view kept_func = strings_.Get(info.func);
  std::string_view kept_file = strings_.Get(info.file);
  info.runtime = IsRuntimeFunc(kept_func);
  info.stdlib = info.runtime || IsStdlibFrame(kept_func, kept_file);
  info.wrapper = kept_func.find(".gowrap") != std::string_view::npos ||
                 kept_func.find(".deferwrap") != std::string_view::npos;
  for (const std::string& f : options_.ignore_funcs) info.ignored |= kept_func == f;
  if (!options_.filters.empty() || !options_.excludes.empty()) {
    std::string text = fmt::format("{} {}:{}", kept_func, kept_file, line);
    for (const auto& p : options_.filters) info.filtered_in |= p->Matches(text);
    for (const auto& p : options_.excludes) info.excluded |= p->Matches(text);
  }
  uint32_t id = static_cast<uint32_t>(frames_.size());
  frames_.push_back(info);
  frame_ids_.emplace(FrameView{kept_func, kept_file, line}, id);
  return id;
}

uint32_t Clusterer::Impl::FrameId(const Frame& frame) {
  return FrameId(frame.func, frame.file, frame.line);
}

bool Clusterer::Impl::PassesFilters(const Goroutine& g, std::span<const uint32_t> frame_ids,
                                    uint32_t creator_frame) {
  (void)g;
  bool filtered_in = options_.filters.empty();
  auto check = [&](uint32_t id) {
    const FrameInfo& f = frames_[id];
    if (f.ignored || f.excluded) return false;
    filtered_in |= f.filtered_in;
    return true;
  };
  for (uint32_t id : frame_ids) {
    if (!check(id)) return false;
  }
  if (creator_frame != kNone && !check(creator_frame)) return false;
  return filtered_in;
}

std::pair<size_t, size_t> Clusterer::Impl::SignatureRange(std::span<const uint32_t> stack,
                                                          uint32_t creator_frame) const {
  size_t begin = 0, end = stack.size();
  while (begin < end && frames_[stack[begin]].runtime) ++begin;
  while (end > begin) {
    std::string_view func = strings_.Get(frames_[stack[end - 1]].func);
    if (func != "runtime.goexit" && func != "runtime.main") break;
    --end;
  }
  if (begin == end) {
    begin = 0;  // a stack entirely in the runtime: keep it whole
    end = stack.size();
  } else if (end - begin > 1 && creator_frame != kNone) {
    // Go <= 1.21 at traceback level 2 shows the wrapper of `go f(x)` as a
    // closure of the creator sitting on the `go` statement's line; level 1
    // hides it. Dropped, so both levels give one signature.
    const FrameInfo& bottom = frames_[stack[end - 1]];
    const FrameInfo& creator = frames_[creator_frame];
    std::string_view bottom_func = strings_.Get(bottom.func);
    std::string_view creator_func = strings_.Get(creator.func);
    if (bottom.file == creator.file && bottom.line == creator.line &&
        bottom_func.size() > creator_func.size() + 5 && bottom_func.starts_with(creator_func) &&
        bottom_func.substr(creator_func.size()).starts_with(".func")) {
      --end;
    }
  }
  return {begin, end};
}

void Clusterer::Impl::FuncSignatureOf(std::span<const uint32_t> stack, uint32_t creator_frame,
                                      std::vector<uint32_t>* out) const {
  out->clear();
  auto [begin, end] = SignatureRange(stack, creator_frame);
  uint32_t outermost = kNone;
  for (size_t i = begin; i < end; ++i) {
    const FrameInfo& f = frames_[stack[i]];
    if (f.wrapper) continue;
    if (!f.stdlib) PushCollapsed(out, f.func);
    if (!f.runtime) outermost = f.func;
  }
  if (out->empty() && outermost != kNone) out->push_back(outermost);
}

// Fills `out` with the ids that identify the stack at `level`.
void Clusterer::Impl::SignatureOf(const Goroutine& g, uint32_t creator_frame, GroupingLevel level,
                                  std::vector<uint32_t>* out) {
  if (level == GroupingLevel::kFunc) {
    FuncSignatureOf(record_frames_, creator_frame, out);
    return;
  }
  out->clear();
  auto [begin, end] = SignatureRange(record_frames_, creator_frame);
  switch (level) {
    case GroupingLevel::kExact:
      for (size_t i = begin; i < end; ++i) {
        if (frames_[record_frames_[i]].wrapper) continue;
        out->push_back(record_frames_[i]);
        out->push_back(strings_.Intern(g.frames[i].args));
      }
      break;
    case GroupingLevel::kLine:
      for (size_t i = begin; i < end; ++i) {
        if (!frames_[record_frames_[i]].wrapper) PushCollapsed(out, record_frames_[i]);
      }
      break;
    case GroupingLevel::kFunc:
      break;  // above
    case GroupingLevel::kTop: {
      uint32_t top = kNone;
      for (size_t i = begin; i < end && top == kNone; ++i) {
        if (!frames_[record_frames_[i]].stdlib) top = record_frames_[i];
      }
      if (top == kNone && begin < end) top = record_frames_[begin];
      if (top != kNone) out->push_back(top);
      break;
    }
  }
}

void Clusterer::Impl::Tally(GroupState* group, const Goroutine& g) {
  group->count = SaturatingAdd(group->count, g.count);
  group->min_wait = std::min(group->min_wait, g.wait_minutes);
  group->max_wait = std::max(group->max_wait, g.wait_minutes);
  if (g.locked_to_thread) group->locked = SaturatingAdd(group->locked, g.count);
  if (g.leaked) group->leaked = SaturatingAdd(group->leaked, g.count);
  if (g.durable) group->durable = SaturatingAdd(group->durable, g.count);
  if (g.truncated || g.stack_maybe_cut) group->truncated = SaturatingAdd(group->truncated, g.count);
  if (g.has_id) KeepSmallest(&group->sample_ids, g.id, options_.sample_ids);
  if (g.has_creator_id) KeepSmallest(&group->creator_ids, g.creator_id, options_.sample_ids);
  CountIn(&group->inputs, static_cast<uint32_t>(input_), g.count);
}

uint32_t Clusterer::Impl::OverflowGroup(size_t input) {
  key_.clear();
  key_.push_back(kOverflowKey);
  key_.push_back(kNone);
  key_.push_back(options_.per_input ? static_cast<uint32_t>(input) : kNone);
  if (auto it = group_ids_.find(absl::MakeConstSpan(key_)); it != group_ids_.end()) {
    return it->second;
  }
  uint32_t index = static_cast<uint32_t>(groups_.size());
  group_ids_.emplace(key_, index);
  groups_.emplace_back().overflow = true;
  return index;
}

uint32_t Clusterer::Impl::TallyOverflow(const Goroutine& g) {
  uint32_t index = OverflowGroup(input_);
  Tally(&groups_[index], g);
  return index;
}

void Clusterer::Impl::Forget(size_t frames_mark, const StringInterner::Mark& strings_mark) {
  for (size_t i = frames_mark; i < frames_.size(); ++i) {
    const FrameInfo& f = frames_[i];
    frame_ids_.erase(FrameView{strings_.Get(f.func), strings_.Get(f.file), f.line});
  }
  frames_.resize(frames_mark);
  strings_.Rollback(strings_mark);
}

bool Clusterer::Impl::HasFilteredLabels(std::span<const Label> labels) const {
  for (const auto& [key, value] : options_.label_filters) {
    bool found = false;
    for (const Label& l : labels) found |= l.key == key && l.value == value;
    if (!found) return false;
  }
  return true;
}

uint32_t Clusterer::Impl::LabelValue(std::span<const Label> labels) {
  if (options_.by_label.empty()) return kNone;
  for (const Label& l : labels) {
    if (l.key == options_.by_label) return strings_.Intern(l.value);
  }
  return kNone;
}

void Clusterer::Impl::OnGoroutine(const Goroutine& g) {
  goroutines_ = SaturatingAdd(goroutines_, g.count);
  if (!options_.label_filters.empty() && !HasFilteredLabels(g.labels)) {
    last_group_ = kNone;
    ignored_ = SaturatingAdd(ignored_, g.count);
    return;
  }
  // Nearly every goroutine of a large dump repeats a stack seen before: its
  // key leads straight to its group, past the frames.
  // A stack key does not cover labels: with --by-label every record is keyed
  // by its frames and label value.
  bool keyed = options_.level != GroupingLevel::kExact && g.stack_key != StackKey{} &&
               options_.by_label.empty();
  if (keyed) {
    auto seen = seen_stacks_.find(g.stack_key);
    if (seen != seen_stacks_.end()) {
      last_group_ = seen->second.group;
      if (seen->second.group == kNone) {
        ignored_ = SaturatingAdd(ignored_, g.count);
      } else if (groups_[seen->second.group].overflow) {
        Tally(&groups_[seen->second.group], g);
      } else {
        CountInto(&groups_[seen->second.group], g, seen->second.creator_frame);
      }
      return;
    }
  }
  // At the cap on groups, what this record adds to the tables is given back
  // unless it joins a kept group: past the cap, memory stops growing.
  const bool full = distinct_ >= options_.max_groups;
  const size_t frames_mark = frames_.size();
  const StringInterner::Mark strings_mark = strings_.mark();
  record_frames_.clear();
  for (const Frame& f : g.frames) record_frames_.push_back(FrameId(f));
  uint32_t creator_frame = g.has_created_by ? FrameId(g.created_by) : kNone;
  if (!PassesFilters(g, record_frames_, creator_frame)) {
    last_group_ = kNone;
    ignored_ = SaturatingAdd(ignored_, g.count);
    if (full) Forget(frames_mark, strings_mark);
    if (keyed) RememberStack(g.stack_key, SeenStack{kNone, kNone});
    return;
  }
  SignatureOf(g, creator_frame, options_.level, &signature_);
  std::string_view key_state = NormalizeState(g.state, g.frames);
  uint32_t state = strings_.Intern(key_state);
  uint32_t creator = kNone;
  if (options_.include_creator && creator_frame != kNone) {
    bool by_func = options_.level == GroupingLevel::kFunc || options_.level == GroupingLevel::kTop;
    creator = by_func ? frames_[creator_frame].func : creator_frame;
  }
  key_.clear();
  key_.push_back(state);
  key_.push_back(creator);
  key_.push_back(options_.per_input ? static_cast<uint32_t>(input_) : kNone);
  uint32_t label_value = LabelValue(g.labels);
  key_.push_back(label_value);
  key_.insert(key_.end(), signature_.begin(), signature_.end());

  uint32_t index;
  auto it = group_ids_.find(absl::MakeConstSpan(key_));
  if (it != group_ids_.end()) {
    index = it->second;
  } else if (full) {
    uint32_t overflow = TallyOverflow(g);
    last_group_ = overflow;
    Forget(frames_mark, strings_mark);
    if (keyed) RememberStack(g.stack_key, SeenStack{overflow, kNone});
    return;
  } else {
    index = static_cast<uint32_t>(groups_.size());
    ++distinct_;
    group_ids_.emplace(key_, index);
    GroupState& fresh = groups_.emplace_back();
    fresh.signature_frames = signature_;
    fresh.state = state;
    fresh.shown_state = strings_.Intern(ParkedState(key_state, g.frames));
    fresh.sequence = sequence_;
    fresh.creator = creator;
    fresh.label_value = label_value;
    fresh.stack = record_frames_;
    fresh.creator_frame = creator_frame;
    for (const Frame& f : g.frames) fresh.inlined.push_back(f.inlined);
  }
  if (keyed) RememberStack(g.stack_key, SeenStack{index, creator_frame});
  last_group_ = index;
  CountInto(&groups_[index], g, creator_frame);
}

void Clusterer::Impl::RememberStack(const StackKey& key, SeenStack seen) {
  // Bounded: a dump of ever new stacks must not grow memory here as well.
  if (seen_stacks_.size() >= kMaxSeenStacks) seen_stacks_.clear();
  seen_stacks_.emplace(key, seen);
}

void Clusterer::Impl::CountInto(GroupState* target, const Goroutine& g, uint32_t creator_frame) {
  Tally(target, g);
  if (creator_frame != kNone) CountIn(&target->creators, creator_frame, g.count);
  if (!g.labels.empty()) CountLabels(target, g.labels, g.count);
}

// Label sets are compared before interning, and only the lowest-ranked few
// are interned: a unique request id per goroutine must not make memory grow
// with goroutines.
void Clusterer::Impl::CountLabels(GroupState* group, std::span<const Label> labels,
                                  uint64_t count) {
  group->labelled = SaturatingAdd(group->labelled, count);
  sorted_labels_.assign(labels.begin(), labels.end());
  std::sort(sorted_labels_.begin(), sorted_labels_.end(), [](const Label& a, const Label& b) {
    return a.key != b.key ? a.key < b.key : a.value < b.value;
  });
  label_text_.clear();
  for (const Label& l : sorted_labels_) {
    label_text_.append(l.key);
    label_text_.push_back('\0');
    label_text_.append(l.value);
    label_text_.push_back('\0');
  }
  uint64_t rank = LabelSetRank(label_text_);
  std::vector<SampledLabelSet>& sets = group->label_sets;
  for (SampledLabelSet& set : sets) {
    if (set.rank == rank && strings_.Get(set.text) == label_text_) {
      set.count = SaturatingAdd(set.count, count);
      return;
    }
  }
  if (sets.size() < options_.max_label_sets) {
    sets.push_back(SampledLabelSet{strings_.Intern(label_text_), rank, count});
    return;
  }
  if (sets.empty()) return;
  auto last = std::max_element(sets.begin(), sets.end(), [&](const auto& a, const auto& b) {
    return SampledBefore(a.rank, strings_.Get(a.text), b.rank, strings_.Get(b.text));
  });
  if (SampledBefore(rank, label_text_, last->rank, strings_.Get(last->text))) {
    *last = SampledLabelSet{strings_.Intern(label_text_), rank, count};
  }
}

StackFrame Clusterer::Impl::ToStackFrame(uint32_t frame_id, bool inlined) const {
  const FrameInfo& f = frames_[frame_id];
  StackFrame frame;
  frame.func = std::string(strings_.Get(f.func));
  frame.file = std::string(strings_.Get(f.file));
  frame.line = f.line;
  frame.inlined = inlined;
  return frame;
}

std::string Clusterer::Impl::IdOf(GroupingLevel level, std::string_view state,
                                  const std::vector<uint32_t>& signature, uint32_t creator,
                                  uint32_t label_value) const {
  // The signature as text, so that the id depends on names, never on the
  // order in which this run happened to intern them. Built with appends (no
  // string per frame): this runs three times for every distinct stack.
  std::string text;
  text.reserve(64 + 96 * signature.size());
  auto line_text = [&text](uint64_t line) {
    fmt::format_int digits(line);
    text.append(digits.data(), digits.size());
  };
  text.append("gleak.group/v1\n").append(GroupingLevelName(level)).push_back('\n');
  text.append(state).push_back('\n');
  bool by_func = level == GroupingLevel::kFunc || level == GroupingLevel::kTop;
  for (size_t i = 0; i < signature.size(); ++i) {
    uint32_t id = signature[i];
    if (level == GroupingLevel::kFunc) {
      text.append(strings_.Get(id)).push_back('\n');
      continue;
    }
    const FrameInfo& f = frames_[id];
    text.append(strings_.Get(f.func)).append(" ").append(strings_.Get(f.file)).push_back(':');
    line_text(f.line);
    if (level == GroupingLevel::kExact) {
      text.append(" (").append(strings_.Get(signature[++i])).push_back(')');
    }
    text += '\n';
  }
  if (creator != kNone) {
    if (by_func) {
      text.append("created by ").append(strings_.Get(creator)).push_back('\n');
    } else {
      const FrameInfo& c = frames_[creator];
      text.append("created by ").append(strings_.Get(c.func)).append(" ");
      text.append(strings_.Get(c.file)).push_back(':');
      line_text(c.line);
      text.push_back('\n');
    }
  }
  // Only with --by-label: every other id stays what it was.
  if (!options_.by_label.empty()) {
    text += label_value == kNone
                ? fmt::format("label {}\n", options_.by_label)
                : fmt::format("label {}={}\n", options_.by_label, strings_.Get(label_value));
  }
  return fmt::format("{:016x}", XXH3_64bits(text.data(), text.size()));
}

std::vector<std::string> Clusterer::Impl::GroupIds() const {
  std::vector<std::string> ids;
  ids.reserve(groups_.size());
  for (const GroupState& s : groups_) {
    ids.push_back(s.overflow ? std::string(kOverflowGroupId)
                             : IdOf(options_.level, strings_.Get(s.state), s.signature_frames,
                                    s.creator, s.label_value));
  }
  return ids;
}

void Clusterer::Impl::ReleaseReadCaches() {
  seen_stacks_ = {};
  record_frames_ = {};
  signature_ = {};
  label_text_ = {};
  sorted_labels_ = {};
}

// As MergeInto (merge.cc) folds two built groups, in which a group of no
// goroutine shows 0 as its shortest wait. A group nothing was counted in yet
// (a new one, or a new overflow group: every tally names an input) takes
// `from`'s as it is, as the merger keeps the first group it meets.
void Clusterer::Impl::MergeTallies(GroupState* into, const GroupState& from, bool all,
                                   std::span<const uint32_t> creators) {
  auto shown_min = [](const GroupState& s) { return s.count > 0 ? s.min_wait : 0; };
  into->min_wait =
      into->inputs.empty() ? from.min_wait : std::min(shown_min(*into), shown_min(from));
  into->max_wait = std::max(into->max_wait, from.max_wait);
  into->count = SaturatingAdd(into->count, from.count);
  into->locked = SaturatingAdd(into->locked, from.locked);
  into->leaked = SaturatingAdd(into->leaked, from.leaked);
  into->durable = SaturatingAdd(into->durable, from.durable);
  into->truncated = SaturatingAdd(into->truncated, from.truncated);
  for (uint64_t id : from.sample_ids) KeepSmallest(&into->sample_ids, id, options_.sample_ids);
  for (uint64_t id : from.creator_ids) KeepSmallest(&into->creator_ids, id, options_.sample_ids);
  for (const CountedId& c : from.inputs) CountIn(&into->inputs, c.id, c.count);
  if (!all) return;
  for (size_t i = 0; i < creators.size(); ++i) {
    CountIn(&into->creators, creators[i], from.creators[i].count);
  }
}

// The union of both groups' sampled label sets, counts of one set added,
// less all but the lowest-ranked max_label_sets: what each kept of its own
// goroutines' sets, so what one clusterer over both would have kept.
void Clusterer::Impl::MergeLabelSets(GroupState* into, const GroupState& from, const Impl& later) {
  into->labelled = SaturatingAdd(into->labelled, from.labelled);
  if (from.label_sets.empty()) return;
  struct Candidate {
    uint64_t rank = 0;
    std::string_view text;
    uint64_t count = 0;
    uint32_t id = kNone;  // interned here already
  };
  std::vector<Candidate> all;
  for (const SampledLabelSet& s : into->label_sets) {
    all.push_back(Candidate{s.rank, strings_.Get(s.text), s.count, s.text});
  }
  const size_t own = all.size();
  for (const SampledLabelSet& s : from.label_sets) {
    std::string_view text = later.strings_.Get(s.text);
    auto end = all.begin() + static_cast<std::ptrdiff_t>(own);
    auto same = std::find_if(
        all.begin(), end, [&](const Candidate& c) { return c.rank == s.rank && c.text == text; });
    if (same != end) {
      same->count = SaturatingAdd(same->count, s.count);
    } else {
      all.push_back(Candidate{s.rank, text, s.count, kNone});
    }
  }
  if (all.size() > options_.max_label_sets) {
    std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
      return SampledBefore(a.rank, a.text, b.rank, b.text);
    });
    all.resize(options_.max_label_sets);
  }
  into->label_sets.clear();
  for (const Candidate& c : all) {
    uint32_t id = c.id != kNone ? c.id : strings_.Intern(c.text);
    into->label_sets.push_back(SampledLabelSet{id, c.rank, c.count});
  }
}

void Clusterer::Impl::Absorb(const Impl& later) {
  goroutines_ = SaturatingAdd(goroutines_, later.goroutines_);
  ignored_ = SaturatingAdd(ignored_, later.ignored_);
  // Each of `later`'s frames and strings is looked up here once.
  std::vector<uint32_t> frame_map(later.frames_.size(), kNone);
  std::vector<uint32_t> string_map(later.strings_.size(), kNone);
  auto frame = [&](uint32_t id) {
    uint32_t& mapped = frame_map[id];
    if (mapped == kNone) {
      const FrameInfo& f = later.frames_[id];
      mapped = FrameId(later.strings_.Get(f.func), later.strings_.Get(f.file), f.line);
    }
    return mapped;
  };
  auto text = [&](uint32_t id) {
    if (id == kNone) return kNone;
    uint32_t& mapped = string_map[id];
    if (mapped == kNone) mapped = strings_.Intern(later.strings_.Get(id));
    return mapped;
  };
  const bool by_func =
      options_.level == GroupingLevel::kFunc || options_.level == GroupingLevel::kTop;
  std::vector<uint32_t> creators;
  for (const GroupState& s : later.groups_) {
    creators.clear();
    if (s.overflow) {
      MergeTallies(&groups_[OverflowGroup(later.input_)], s, false, creators);
      continue;
    }
    // The key as OnGoroutine makes it, in this clusterer's ids.
    key_.clear();
    key_.push_back(text(s.state));
    key_.push_back(s.creator == kNone ? kNone : by_func ? text(s.creator) : frame(s.creator));
    key_.push_back(options_.per_input ? static_cast<uint32_t>(later.input_) : kNone);
    key_.push_back(text(s.label_value));
    const std::vector<uint32_t>& signature = s.signature_frames;
    for (size_t i = 0; i < signature.size(); ++i) {
      switch (options_.level) {
        case GroupingLevel::kFunc:
          key_.push_back(text(signature[i]));
          break;
        case GroupingLevel::kExact:  // frame, then its arguments' text
          key_.push_back(frame(signature[i]));
          if (++i < signature.size()) key_.push_back(text(signature[i]));
          break;
        default:
          key_.push_back(frame(signature[i]));
      }
    }
    for (const CountedId& c : s.creators) creators.push_back(frame(c.id));
    // A group's representative: its goroutine of the lowest sequence.
    auto represent = [&](GroupState* into) {
      into->sequence = s.sequence;
      into->shown_state = text(s.shown_state);
      into->creator_frame = s.creator_frame == kNone ? kNone : frame(s.creator_frame);
      into->stack.clear();
      for (uint32_t id : s.stack) into->stack.push_back(frame(id));
      into->inlined = s.inlined;
    };
    auto it = group_ids_.find(absl::MakeConstSpan(key_));
    if (it != group_ids_.end()) {
      GroupState& into = groups_[it->second];
      if (s.sequence < into.sequence) represent(&into);
      MergeTallies(&into, s, true, creators);
      MergeLabelSets(&into, s, later);
      continue;
    }
    if (distinct_ >= options_.max_groups) {
      MergeTallies(&groups_[OverflowGroup(later.input_)], s, false, creators);
      continue;
    }
    uint32_t index = static_cast<uint32_t>(groups_.size());
    ++distinct_;
    group_ids_.emplace(key_, index);
    GroupState& fresh = groups_.emplace_back();
    fresh.signature_frames.assign(key_.begin() + 4, key_.end());
    fresh.state = key_[0];
    fresh.creator = key_[1];
    fresh.label_value = key_[3];
    represent(&fresh);
    MergeTallies(&fresh, s, true, creators);
    MergeLabelSets(&fresh, s, later);
  }
}

std::vector<Group> Clusterer::Impl::BuildGroups() const {
  std::vector<Group> out;
  out.reserve(groups_.size());
  std::vector<uint32_t> func_signature;
  for (const GroupState& s : groups_) {
    Group g;
    if (s.overflow) {
      MakeOverflow(&g);
    } else {
      g.id =
          IdOf(options_.level, strings_.Get(s.state), s.signature_frames, s.creator, s.label_value);
      // Looser ids for matching groups across snapshots (gleak diff): by
      // function names (lines moved in a redeploy), and by frames alone (a
      // debug=1 dump has no states and no creators). Made here, once a
      // group, rather than when a range of the input first met it.
      FuncSignatureOf(s.stack, s.creator_frame, &func_signature);
      uint32_t creator_func = options_.include_creator && s.creator_frame != kNone
                                  ? frames_[s.creator_frame].func
                                  : kNone;
      g.func_id = IdOf(GroupingLevel::kFunc, strings_.Get(s.state), func_signature, creator_func,
                       s.label_value);
      g.shape_id = IdOf(GroupingLevel::kFunc, "", func_signature, kNone, s.label_value);
      if (!options_.by_label.empty()) {
        g.label_key = options_.by_label;
        g.has_label_value = s.label_value != kNone;
        if (g.has_label_value) g.label_value = std::string(strings_.Get(s.label_value));
      }
      g.state = std::string(strings_.Get(s.shown_state));
    }
    g.count = s.count;
    g.min_wait_minutes = s.count > 0 ? s.min_wait : 0;
    g.max_wait_minutes = s.max_wait;
    g.locked_to_thread = s.locked;
    g.leaked = s.leaked;
    g.durable = s.durable;
    g.truncated = s.truncated;
    for (size_t i = 0; i < s.stack.size(); ++i)
      g.frames.push_back(ToStackFrame(s.stack[i], s.inlined[i]));
    // The first frame in user code. A go statement's wrapper (`.gowrapN`,
    // at the bottom of Go 1.21+ level-2 stacks) is the compiler's, not code
    // anyone wrote: never the top frame.
    g.top_frame = 0;
    bool found = false;
    for (size_t i = 0; i < s.stack.size() && !found; ++i) {
      if (!frames_[s.stack[i]].stdlib && !frames_[s.stack[i]].wrapper) {
        g.top_frame = i;
        found = true;
      }
    }
    // A stack wholly in the standard library: its outermost function is what
    // the goroutine is (net/http.(*conn).serve), not the poller it waits in.
    for (size_t i = s.stack.size(); i-- > 0 && !found;) {
      if (!frames_[s.stack[i]].runtime && !frames_[s.stack[i]].wrapper) {
        g.top_frame = i;
        found = true;
      }
    }
    for (const CountedId& c : s.creators)
      g.creators.push_back(Creator{ToStackFrame(c.id, false), c.count});
    std::sort(g.creators.begin(), g.creators.end(), CreatorBefore);
    g.sample_ids = s.sample_ids;
    g.creator_ids = s.creator_ids;
    for (const SampledLabelSet& c : s.label_sets) {
      LabelSet set;
      set.count = c.count;
      std::string_view text = strings_.Get(c.text);
      while (!text.empty()) {
        size_t k = text.find('\0');
        size_t v = text.find('\0', k + 1);
        set.labels.emplace_back(std::string(text.substr(0, k)),
                                std::string(text.substr(k + 1, v - k - 1)));
        text.remove_prefix(v + 1);
      }
      g.label_sets.push_back(std::move(set));
    }
    std::sort(g.label_sets.begin(), g.label_sets.end(), LabelSetBefore);
    // A kept set was never evicted (a set is only replaced by a lower-ranked
    // one), so its count is exact and the rest are the sets not listed.
    uint64_t listed = ListedLabelGoroutines(g.label_sets);
    g.labels_not_listed = s.labelled - std::min(s.labelled, listed);
    for (const CountedId& c : s.inputs) g.inputs.push_back(InputShare{c.id, c.count});
    std::sort(g.inputs.begin(), g.inputs.end(),
              [](const InputShare& a, const InputShare& b) { return a.input < b.input; });
    out.push_back(std::move(g));
  }
  return out;
}

Clusterer::Clusterer(ClusterOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Clusterer::~Clusterer() = default;
void Clusterer::set_input(size_t index) { impl_->SetInput(index); }
void Clusterer::set_sequence(uint64_t sequence) { impl_->sequence_ = sequence; }
void Clusterer::OnGoroutine(const Goroutine& goroutine) { impl_->OnGoroutine(goroutine); }
bool Clusterer::wants_arguments() const { return impl_->level() == GroupingLevel::kExact; }
bool Clusterer::wants_stack_keys() const { return impl_->level() != GroupingLevel::kExact; }
std::vector<Group> Clusterer::BuildGroups() const { return impl_->BuildGroups(); }
std::vector<std::string> Clusterer::GroupIds() const { return impl_->GroupIds(); }
void Clusterer::Absorb(const Clusterer& later) { impl_->Absorb(*later.impl_); }
void Clusterer::ReleaseReadCaches() { impl_->ReleaseReadCaches(); }
uint64_t Clusterer::ignored_goroutines() const { return impl_->ignored_; }
uint64_t Clusterer::goroutines() const { return impl_->goroutines_; }
uint32_t Clusterer::last_group() const { return impl_->last_group_; }

}  // namespace gleak
