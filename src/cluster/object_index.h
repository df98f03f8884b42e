// ObjectIndex: gathers, as records stream by beside the clusterer, which
// blocking object (channel, mutex, rwmutex, waitgroup, cond) each goroutine
// waits on and which addresses the printed arguments of its frames mention.
// Only values the runtime vouches for are read: never one marked "?" (Go
// 1.18+ prints that after a register argument it may have lost), never a
// frame printed "(...)" (inlined). docs/rules.md, "Blocking objects", lists
// the frames read, per Go version.
//
// Memory is bounded whatever the input. Objects and mentioned addresses are
// kept in exact tables while they fit their caps; past a cap an address is
// kept only if its hash falls below a bound that halves as often as needed
// (a level), so that what is kept depends on the set of addresses, never on
// their order: ranges of one input indexed apart and merged give exactly what
// one index over the whole input gives. Mentions past the cap only set bits
// of two Bloom filters ("mentioned", "mentioned by a goroutine not blocked
// itself"): the evidence is then weaker ("perhaps mentioned"), never
// stronger. Objects past the cap are dropped and their waiters counted.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "model/goroutine.h"
#include "model/group.h"
#include "model/objects.h"

namespace gleak {

struct ObjectLimits {
  bool enabled = true;
  // Weights: one per object or address, plus one per group listed in it.
  // About 100 bytes a unit at most: the defaults bound an index to a few MB.
  size_t max_object_weight = size_t{1} << 14;
  size_t max_mention_weight = size_t{1} << 15;
  size_t bloom_bits = size_t{1} << 20;  // per filter, allocated on the first spill
  size_t sample_ids = 5;
  size_t refs_per_group = 8;  // objects listed per group (Group::objects)
};

// The evidence of one input, or of a range of one: mergeable.
class ObjectEvidence {
 public:
  ObjectEvidence();
  ~ObjectEvidence();
  ObjectEvidence(ObjectEvidence&&) noexcept;
  ObjectEvidence& operator=(ObjectEvidence&&) noexcept;

  struct Tables;
  std::unique_ptr<Tables> tables;
};

class ObjectIndex {
 public:
  static constexpr uint32_t kNoGroup = UINT32_MAX;

  explicit ObjectIndex(ObjectLimits limits = {});
  ~ObjectIndex();

  // `group` is the index of the goroutine's group among the groups the
  // clusterer will return (Clusterer::last_group), kNoGroup if it has none.
  void Add(const Goroutine& g, uint32_t group);

  // The evidence so far, with groups named by the ids of `groups`, the
  // clusterer's BuildGroups() in its order. Leaves the index empty.
  ObjectEvidence Take(const std::vector<Group>& groups);
  // The same with the groups' ids alone (Clusterer::GroupIds).
  ObjectEvidence Take(const std::vector<std::string>& group_ids);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Folds the evidence of consecutive ranges of one input into one, as one
// index over the whole input would have gathered it.
ObjectEvidence MergeObjectEvidence(std::vector<ObjectEvidence> parts,
                                   const ObjectLimits& limits = {});

// Turns each input's evidence (`per_input[i]` for input i) into the report's
// objects, each group's references to the objects it waits on and its
// ObjectFacts. `merged`: groups were merged across inputs (--merge), so a
// group is found by its id alone; else by its input and id.
void AttachObjects(std::vector<ObjectEvidence> per_input, bool merged, const ObjectLimits& limits,
                   std::vector<Group>* groups, std::vector<BlockingObject>* objects,
                   uint64_t* objects_not_listed);

// The address of the blocking object the goroutine's frames show, for tests
// and `gleak parse`: false when none is trusted.
struct BlockingWait {
  uint64_t address = 0;
  std::string_view kind;       // "chan", "mutex", ...
  std::string_view direction;  // "send", "receive", "lock", "rlock", "wait"
};
bool FindBlockingWait(std::span<const Frame> frames, BlockingWait* out);

// Calls `on_word(uint64_t)` with each value of a frame's printed arguments
// that is trusted (no "?" after it) and could be an address (0x1000 or more).
namespace object_detail {
// 0-15 for a lowercase hex digit (as Go prints them), 16 for anything else.
inline constexpr auto kHexValue = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 16;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  return t;
}();

#if defined(__SSE2__)
// A bit for each of the sixteen bytes of `v` that is a lowercase hex digit.
inline unsigned HexDigitMask(__m128i v) {
  // c - '0' <= 9 or c - 'a' <= 5, unsigned: min(d, k) == d.
  __m128i digit = _mm_sub_epi8(v, _mm_set1_epi8('0'));
  __m128i letter = _mm_sub_epi8(v, _mm_set1_epi8('a'));
  __m128i is_hex = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit),
                                _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(5)), letter));
  return static_cast<unsigned>(_mm_movemask_epi8(is_hex));
}
// A bit for each of the sixteen bytes of `v` that is `c`.
inline unsigned ByteMask(__m128i v, char c) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
}
#endif

// The value of a run of `n` hex digits (trusted and at most sixteen), or
// nothing when the run is too short, too long or marked doubtful.
template <typename OnWord>
inline void TrustedValue(const unsigned char* digits, size_t n, OnWord& on_word) {
  if (n < 4 || n > 16 || digits[n] == '?') return;  // small, too long, or doubtful
  uint64_t value = 0;
  for (const unsigned char* d = digits; d != digits + n; ++d) value = value << 4 | kHexValue[*d];
  on_word(value);
}

// The words of the text from `begin` to `end`: each "0x" and the hex digits
// after it. Where SSE2 is there, 32 bytes are read at a step, and every "0x"
// of a step is found from bit masks of its bytes (of "x", of "0" and of the
// hex digits), without going back over the bytes; the 32 bytes after `end`
// must be readable and zero (the caller's padding), so that no load leaves
// the buffer and a run of digits stops at `end`.
template <typename OnWord>
void ForEachTrustedWordPadded(const unsigned char* begin, const unsigned char* end,
                              OnWord on_word) {
#if defined(__SSE2__)
  unsigned zero_before = 0;  // 1 when the byte before the step is a '0'
  for (const unsigned char* step = begin; step < end; step += 32) {
    __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(step));
    __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(step + 16));
    uint32_t zeros = ByteMask(low, '0') | ByteMask(high, '0') << 16;
    uint32_t starts = (ByteMask(low, 'x') | ByteMask(high, 'x') << 16) & (zeros << 1 | zero_before);
    zero_before = zeros >> 31;
    if (starts == 0) continue;
    uint64_t hex = HexDigitMask(low) | HexDigitMask(high) << 16;
    do {
      unsigned x = static_cast<unsigned>(__builtin_ctz(starts));
      starts &= starts - 1;
      // The digits after the "x" within the step; a run that reaches the
      // step's end goes on byte by byte (the padding ends it at `end`).
      size_t n = static_cast<size_t>(__builtin_ctzll(~(hex >> (x + 1))));
      const unsigned char* digits = step + x + 1;
      if (n == 31 - x) {
        while (kHexValue[digits[n]] < 16) ++n;
      }
      TrustedValue(digits, n, on_word);
    } while (starts != 0);
  }
#else
  for (const unsigned char* x = begin + 1; x < end; ++x) {
    if (*x != 'x' || x[-1] != '0') continue;
    size_t n = 0;
    while (kHexValue[x[1 + n]] < 16) ++n;
    TrustedValue(x + 1, n, on_word);
  }
#endif
}
}  // namespace object_detail

template <typename OnWord>
void ForEachTrustedWord(std::string_view args, OnWord on_word) {
  // Values are "0x" and hex digits; "{", ", ", "...", "_" around them are
  // skipped. Most values are short ("0x0?", "0x1") or doubtful: a value's
  // digits are only summed once it is known to be long enough and trusted.
  // The text is copied into zeroed padding, so that the scan may read past
  // its end without looking at what follows it.
  if (args.empty()) return;
  constexpr size_t kPadding = 32;
  unsigned char small[256 + kPadding];
  std::vector<unsigned char> large;
  unsigned char* copy = small;
  if (args.size() > 256) {
    large.resize(args.size() + kPadding);
    copy = large.data();
  }
  std::memcpy(copy, args.data(), args.size());
  std::memset(copy + args.size(), 0, kPadding);
  object_detail::ForEachTrustedWordPadded(copy, copy + args.size(), on_word);
}

}  // namespace gleak
