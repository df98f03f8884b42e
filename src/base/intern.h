// StringInterner: each distinct string stored once, in an arena, and named by
// a dense 32-bit id. Views it returns stay valid as long as the interner.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace gleak {

class StringInterner {
 public:
  StringInterner() = default;
  StringInterner(const StringInterner&) = delete;
  StringInterner& operator=(const StringInterner&) = delete;

  uint32_t Intern(std::string_view s);
  std::string_view Get(uint32_t id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }
  size_t bytes() const { return arena_bytes_; }

  // What the interner holds at one point, to forget what comes after it.
  struct Mark {
    size_t strings = 0;
    size_t blocks = 0;
    char* current_block = nullptr;
    size_t block_used = 0;
    size_t arena_bytes = 0;
  };
  Mark mark() const {
    return Mark{strings_.size(), blocks_.size(), current_block_, block_used_, arena_bytes_};
  }
  // Forgets every string interned since `mark` and frees the memory they
  // took: their ids and views are then invalid.
  void Rollback(const Mark& mark);

 private:
  std::string_view Store(std::string_view s);

  static constexpr size_t kBlockSize = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* current_block_ = nullptr;  // where small strings go
  size_t block_used_ = 0;
  size_t arena_bytes_ = 0;
  std::vector<std::string_view> strings_;
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
};

}  // namespace gleak
