// CacheAlignedAllocator: std::allocator with storage aligned to a 64-byte cache line.
//
// Why: the wasm heap (dlmalloc) aligns to 8 bytes only. The item matrix is read with
// 16-byte SIMD loads, four per 64-byte line; from an address that is 8 mod 16 every load
// is unaligned and every fourth one spans two cache lines. Which of the two a store got
// depended on what the heap had allocated before it, and a scan of 100,000 x 64 floats
// (recommend) measured ~25-40% slower in the unlucky case (node 20).
#pragma once

#include <cstddef>
#include <new>

namespace ie {

template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlignment = 64;

  CacheAlignedAllocator() noexcept = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlignment)));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(kAlignment)); }

  template <class U>
  bool operator==(const CacheAlignedAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const CacheAlignedAllocator<U>&) const noexcept { return false; }
};

}  // namespace ie
