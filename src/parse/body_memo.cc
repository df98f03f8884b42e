#include "parse/body_memo.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
// Inlined here: every body scanned is hashed in this file.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/text.h"
#include "parse/line_scanner.h"
#include "parse/log_lines.h"

namespace gleak {
namespace {

using Hash = std::array<uint64_t, 2>;

// The hashes are XXH3 output: either half spreads well on its own.
struct HashOfHash {
  size_t operator()(const Hash& h) const { return static_cast<size_t>(h[0]); }
};

// What a hash in a set costs, its slot and the set's slack.
constexpr size_t kSeenBytes = 2 * sizeof(Hash);

// The first bytes that end a scan wherever they start a line: what the line
// parser reads otherwise (a log wrapper, NUL padding).
constexpr auto kStopsScan = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c == '\0' || MayBeWrapped(static_cast<char>(c));
  return t;
}();

// The last '(' in [begin, end), or nullptr: a function line's arguments are
// most often found in the first sixteen bytes searched, back from its end.
const char* FindLastOpenParen(const char* begin, const char* end) {
#if defined(__SSE2__)
  const __m128i paren = _mm_set1_epi8('(');
  const char* p = end;
  while (p - begin >= 16) {
    p -= 16;
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), paren)));
    if (mask != 0) return p + 31 - __builtin_clz(mask);
  }
  if (end - begin >= 16 && p > begin) {
    // The bytes before `p`, read as the first sixteen (those from `p` on
    // hold no '(').
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(begin)), paren)));
    return mask != 0 ? begin + 31 - __builtin_clz(mask) : nullptr;
  }
  while (p > begin) {
    if (*--p == '(') return p;
  }
  return nullptr;
#else
  return static_cast<const char*>(memrchr(begin, '(', static_cast<size_t>(end - begin)));
#endif
}

}  // namespace

class BodyMemo::Index {
 public:
  absl::flat_hash_map<Hash, uint32_t, HashOfHash> kept;
  absl::flat_hash_set<Hash, HashOfHash> seen_once;
};

BodyMemo::BodyMemo(const ParseLimits& limits)
    : max_line_length_(limits.max_line_length),
      max_frames_(limits.max_frames),
      budget_bytes_(limits.body_memo_bytes),
      index_(std::make_unique<Index>()) {}

BodyMemo::~BodyMemo() = default;

bool BodyMemo::Scan(std::string_view ahead, std::string_view state, BodyScan* out) {
  out->args.clear();
  out->has_created_by = false;
  out->has_creator_id = false;
  out->creator_id = 0;
  // The key: the state and a newline, then the pieces.
  size_t key_size = 0;
  auto append = [&](const char* bytes, size_t size) {
    if (key_size + size > key_.size()) key_.resize(std::max(key_.size() * 2, key_size + size));
    std::memcpy(key_.data() + key_size, bytes, size);
    key_size += size;
  };
  append(state.data(), state.size());
  append("\n", 1);
  const char* p = ahead.data();
  const char* end = p + ahead.size();
  const char* piece = p;                              // where the piece being read began
  auto cut = [&](const char* from, const char* to) {  // ends a piece at `from`
    append(piece, static_cast<size_t>(from - piece));
    piece = to;
  };
  uint64_t lines = 0;
  bool file_line_next = false;
  for (;;) {
    const char* newline = FindNewlinePadded(p, end);
    if (newline == nullptr) return false;  // not whole in the buffer
    std::string_view line(p, static_cast<size_t>(newline - p));
    p = newline + 1;
    ++lines;
    if (line.empty()) {
      if (file_line_next || out->args.empty()) return false;
      break;
    }
    if (line.size() > max_line_length_) return false;
    char last = line.back();
    // What the line parser reads otherwise: a CRLF end, NUL padding, a log
    // wrapper, white space it trims.
    if (kStopsScan[static_cast<unsigned char>(line.front())] || last == '\r' || last == '\0') {
      return false;
    }
    if (file_line_next) {
      if (line.front() != '\t') return false;
      file_line_next = false;
      continue;
    }
    if (out->has_created_by) return false;  // only the blank line may follow its file line
    if (last == ')') {
      if (IsBlank(line.front()) || line.starts_with("goroutine ")) return false;
      const char* paren = FindLastOpenParen(line.data(), newline);
      if (paren == nullptr || paren == line.data()) return false;
      if (out->args.size() >= max_frames_) return false;
      std::string_view args(paren + 1, static_cast<size_t>(newline - 1 - (paren + 1)));
      out->args.push_back(args);
      if (args != "...") cut(args.data(), newline - 1);  // "..." stays: it says "inlined"
      file_line_next = true;
      continue;
    }
    std::string_view rest = line;
    if (!ConsumePrefix(&rest, "created by ") || IsBlank(last)) return false;
    size_t in = rest.rfind(" in goroutine ");
    if (in != std::string_view::npos &&
        ParseDecimal(rest.substr(in + 14), &out->creator_id) == NumberStatus::kOk) {
      out->has_creator_id = true;
      cut(rest.data() + in + 14, newline);
      rest = rest.substr(0, in);
    } else {
      out->creator_id = 0;
    }
    if (rest.empty()) return false;
    out->has_created_by = true;
    file_line_next = true;
  }
  cut(p, p);
  out->bytes = static_cast<size_t>(p - ahead.data());
  out->lines = lines;
  XXH128_hash_t hash = XXH3_128bits(key_.data(), key_size);
  out->hash = {hash.low64, hash.high64};
  return true;
}

const BodyMemo::Entry* BodyMemo::Find(const Hash& hash) const {
  auto it = index_->kept.find(hash);
  return it == index_->kept.end() ? nullptr : &entries_[it->second];
}

bool BodyMemo::WorthKeeping(const Hash& hash) {
  if (kept_bytes_ >= budget_bytes_) return false;
  if (index_->seen_once.contains(hash)) return true;
  index_->seen_once.insert(hash);
  kept_bytes_ += kSeenBytes;  // a dump of distinct bodies fills the budget so
  return false;
}

void BodyMemo::Keep(const Hash& hash, std::span<const Frame> frames, const Frame* created_by,
                    const Hash& stack_key) {
  Entry& entry = entries_.emplace_back();
  auto place = [&](std::string_view s, uint32_t* at, uint32_t* size) {
    *at = static_cast<uint32_t>(entry.text_.size());
    *size = static_cast<uint32_t>(s.size());
    entry.text_.append(s);
  };
  auto add = [&](const Frame& f) {
    Entry::KeptFrame& kept = entry.frames_.emplace_back();
    place(f.func, &kept.func_at, &kept.func_size);
    place(f.file, &kept.file_at, &kept.file_size);
    kept.line = f.line;
    kept.inlined = f.inlined;
  };
  entry.frames_.reserve(frames.size() + 1);
  for (const Frame& f : frames) add(f);
  if (created_by != nullptr) {
    add(*created_by);
    entry.has_created_by_ = true;
  }
  entry.text_.shrink_to_fit();
  entry.stack_key_ = stack_key;
  index_->kept.emplace(hash, static_cast<uint32_t>(entries_.size() - 1));
  index_->seen_once.erase(hash);  // its bytes stay counted: the set keeps its slot
  kept_bytes_ += sizeof(Entry) + entry.text_.capacity() +
                 entry.frames_.capacity() * sizeof(Entry::KeptFrame) + 2 * sizeof(Hash);
}

}  // namespace gleak
