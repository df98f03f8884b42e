#include "base/intern.h"

#include <cstring>

namespace gleak {

std::string_view StringInterner::Store(std::string_view s) {
  if (s.size() > kBlockSize / 4) {
    // Large strings get a block of their own so small-string blocks stay full.
    blocks_.push_back(std::make_unique<char[]>(s.size()));
    std::memcpy(blocks_.back().get(), s.data(), s.size());
    arena_bytes_ += s.size();
    return {blocks_.back().get(), s.size()};
  }
  if (current_block_ == nullptr || block_used_ + s.size() > kBlockSize) {
    blocks_.push_back(std::make_unique<char[]>(kBlockSize));
    current_block_ = blocks_.back().get();
    block_used_ = 0;
    arena_bytes_ += kBlockSize;
  }
  char* dst = current_block_ + block_used_;
  std::memcpy(dst, s.data(), s.size());
  block_used_ += s.size();
  return {dst, s.size()};
}

uint32_t StringInterner::Intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  std::string_view stored = s.empty() ? std::string_view() : Store(s);
  uint32_t id = static_cast<uint32_t>(strings_.size());
  strings_.push_back(stored);
  ids_.emplace(stored, id);
  return id;
}

void StringInterner::Rollback(const Mark& mark) {
  for (size_t i = mark.strings; i < strings_.size(); ++i) ids_.erase(strings_[i]);
  strings_.resize(mark.strings);
  blocks_.resize(mark.blocks);
  current_block_ = mark.current_block;
  block_used_ = mark.block_used;
  arena_bytes_ = mark.arena_bytes;
}

}  // namespace gleak
