// A vector element allocator that leaves new elements as they are instead of
// zeroing them, for byte buffers that reads fill before anything looks at them.
#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace gleak {

template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  using std::allocator<T>::allocator;
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  // `resize` value-initializes: default-initialize instead (no bytes written).
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Bytes whose growth writes nothing: every byte looked at was written first.
using UninitializedBytes = std::vector<char, UninitializedAllocator<char>>;

}  // namespace gleak
