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
