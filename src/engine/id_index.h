// IdIndex: string id -> slot lookup without allocating.
//
// Open addressing with linear probing over a power-of-two table of (hash, slot)
// pairs; the strings themselves live with their owner (the item store), which passes
// a function to read the key of a slot. Deletion uses backward shifting, so there are
// no tombstones and lookups stay short however many upserts and evictions happen.
// Load factor is kept at or below 1/2.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ie {

/// 64-bit hash of an id (stable across builds and platforms; used by the state format too).
uint64_t hashId(std::string_view id);

/// Offset of the first control byte (< 0x20, or 0x7F) in bytes[0, size), or `size` when
/// there is none. Ids may not hold control bytes, and the JS layer separates ids with NUL,
/// so the same scan serves the split of an id block (the bindings) and the check of each id
/// (ItemStore::isValidId). Eight bytes per step (SWAR): re-ranking a new list of 1,000 ids
/// scanned its ~10 KB a byte at a time in both places, about a fifth of the id resolution.
inline size_t findControlByte(const char* bytes, size_t size) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    // Bytes below 0x20, and bytes equal to 0x7F (zero after xor), flag their high bit.
    // The lowest flag is exact (a borrow only makes false flags above a true one).
    const uint64_t del = word ^ (0x7F * kOnes);
    const uint64_t flags = (((word - 0x20 * kOnes) & ~word) | ((del - kOnes) & ~del)) & kHighs;
    if (flags) return i + static_cast<size_t>(__builtin_ctzll(flags) >> 3);
  }
  for (; i < size; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 || c == 0x7F) return i;
  }
  return size;
}

class IdIndex {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  /// Slot holding `id`, or kNone. `keys[slot]` is the id stored in that slot.
  uint32_t find(std::string_view id, const std::vector<std::string>& keys) const {
    return findHashed(id, hashId(id), keys);
  }
  /// Same, with hashId(id) already computed by the caller.
  uint32_t findHashed(std::string_view id, uint64_t hash, const std::vector<std::string>& keys) const;
  /// The slot of an id whose hash is `hash` (the first found), without comparing strings:
  /// for callers that only kept hashes (SeenItems). kNone when no stored id has it.
  uint32_t findByHash(uint64_t hash) const;
  /// Adds id -> slot. The id must not be present.
  void insert(std::string_view id, uint32_t slot);
  /// Removes the entry of `id` (present, stored at `slot`).
  void erase(std::string_view id, uint32_t slot);
  void clear();
  uint32_t size() const { return count_; }

 private:
  struct Bucket {
    uint64_t hash = 0;    // full hash: home position, and skips most string compares
    uint32_t slot = kNone;
  };
  void grow();
  void place(uint64_t hash, uint32_t slot);
  uint32_t mask() const { return static_cast<uint32_t>(buckets_.size()) - 1; }

  std::vector<Bucket> buckets_;
  uint32_t count_ = 0;
};

}  // namespace ie
