// BodyMemo: the bodies of traceback records already read, known again from
// their raw bytes.
//
// The goroutines of one group print the same lines but for their arguments
// and the id in "created by X in goroutine N". A body met before needs none
// of the line grammar: one pass finds its lines and cuts those arguments and
// ids out; the rest, by its 128-bit hash, finds the frames of a body kept
// before. The line-by-line parser stays the judge of what a body means: the
// memo only keeps what it read from a body made of the plain lines Scan
// accepts, and gives it back for a body whose text, arguments and ids aside,
// hashes the same (as the clusterer groups records by a 128-bit hash).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/goroutine.h"
#include "parse/dump_parser.h"

namespace gleak {

// What one pass over a body's raw bytes finds.
struct BodyScan {
  size_t bytes = 0;    // through the newline of the blank line that ends it
  uint64_t lines = 0;  // the blank line included
  // The 128-bit hash of the state and of the body's text with the parts cut
  // out: the arguments of each function line (but "...", an inlined
  // call's) and a creator's id. It hashes the pieces between the cuts end to
  // end, each piece but the last ending where a cut begins, so that equal
  // hashes mean equal lines, cut parts aside.
  std::array<uint64_t, 2> hash{};
  std::vector<std::string_view> args;  // each frame's, innermost first
  bool has_created_by = false;
  bool has_creator_id = false;
  uint64_t creator_id = 0;
};

class BodyMemo {
 public:
  // What the parser read from a body.
  class Entry {
   public:
    size_t frame_count() const { return frames_.size() - (has_created_by_ ? 1 : 0); }
    Frame frame(size_t i) const { return FrameAt(frames_[i]); }  // arguments empty
    bool has_created_by() const { return has_created_by_; }
    Frame created_by() const { return has_created_by_ ? FrameAt(frames_.back()) : Frame{}; }
    const std::array<uint64_t, 2>& stack_key() const { return stack_key_; }

   private:
    friend class BodyMemo;
    struct KeptFrame {
      uint32_t func_at, func_size, file_at, file_size;
      uint64_t line;
      bool inlined;
    };
    Frame FrameAt(const KeptFrame& f) const {
      return Frame{std::string_view(text_).substr(f.func_at, f.func_size),
                   std::string_view(text_).substr(f.file_at, f.file_size),
                   f.line,
                   {},
                   f.inlined};
    }
    std::string text_;               // what the frames point into
    std::vector<KeptFrame> frames_;  // and the creator's last
    bool has_created_by_ = false;
    std::array<uint64_t, 2> stack_key_{};
  };

  // The bodies it takes are those the parser reads within `limits`; it holds
  // about limits.body_memo_bytes, the kept entries and the hashes of the
  // bodies met once together.
  explicit BodyMemo(const ParseLimits& limits);
  ~BodyMemo();
  BodyMemo(const BodyMemo&) = delete;
  BodyMemo& operator=(const BodyMemo&) = delete;

  // Reads the body that starts at `ahead`, the line after the header of a
  // goroutine in `state`, through the blank line that ends it. False unless
  // it is whole in `ahead` and made only of function lines, each followed by
  // a tab-indented file line, and at most one "created by" line with its own
  // file line last. FindNewlinePadded must be able to search `ahead`.
  bool Scan(std::string_view ahead, std::string_view state, BodyScan* out);

  // The entry kept for a body of that hash, or nullptr.
  const Entry* Find(const std::array<uint64_t, 2>& hash) const;

  // True for a body not kept yet that was met before, while the budget has
  // room; the first time a body is met, its hash is remembered (and counted
  // in the budget). A body met once only is most often the one goroutine of
  // its group.
  bool WorthKeeping(const std::array<uint64_t, 2>& hash);
  // Keeps no more bodies from now on (those kept are still found).
  void StopGrowing() { budget_bytes_ = 0; }
  // Keeps what the parser read from a body of that hash.
  void Keep(const std::array<uint64_t, 2>& hash, std::span<const Frame> frames,
            const Frame* created_by, const std::array<uint64_t, 2>& stack_key);

 private:
  class Index;
  size_t max_line_length_;
  size_t max_frames_;
  size_t budget_bytes_;
  size_t kept_bytes_ = 0;
  std::vector<char> key_;  // what Scan hashes: the state, then the pieces end to end
  std::deque<Entry> entries_;
  std::unique_ptr<Index> index_;
};

}  // namespace gleak
