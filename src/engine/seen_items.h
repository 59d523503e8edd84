// SeenItems: which items the user consumed or hid, remembered by id hash.
//
// Bounded: beyond `capacity` ids the oldest is forgotten (first in, first out, through a
// ring of the hashes), so the state stays small whatever the history length. Ids are kept
// as 64-bit hashes (hashId): 8 bytes each, and the stored state never needs the id strings.
//
// Looked up once per candidate on every re-rank, so the map is a flat open-addressing
// table (linear probing, backward-shift deletion, load <= 1/2): a std::unordered_map
// lookup cost more than scoring the candidate in wasm.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ie {

class SeenItems {
 public:
  enum Flag : uint8_t { kConsumed = 1, kHidden = 2 };

  explicit SeenItems(uint32_t capacity) : capacity_(capacity) {}

  void mark(std::string_view id, uint8_t flags);
  void markHash(uint64_t hash, uint8_t flags);
  /// Flags of an id (0 when unseen).
  uint8_t flags(std::string_view id) const;
  uint8_t flagsOfHash(uint64_t hash) const;

  size_t size() const { return ring_.size(); }
  /// Whether any remembered id is hidden (else only exclusion of consumed ids can demote).
  bool anyHidden() const { return hiddenCount_ > 0; }
  void clear();
  /// Every remembered hash, in no particular order (for a pass over all of them).
  const std::vector<uint64_t>& hashes() const { return ring_; }
  /// Hashes oldest first, for serialisation.
  std::vector<uint64_t> order() const;

 private:
  struct Bucket {
    uint64_t hash = 0;
    uint8_t flags = 0;  // 0: empty bucket (stored flags are never 0)
  };
  static constexpr size_t kAbsent = ~size_t{0};
  size_t mask() const { return table_.size() - 1; }
  size_t home(uint64_t hash) const { return static_cast<size_t>(hash) & mask(); }
  size_t position(uint64_t hash) const;  // bucket holding hash, or kAbsent
  void place(uint64_t hash, uint8_t flags, size_t stored);  // stored: entries in table_ now
  void erase(uint64_t hash);

  uint32_t capacity_;
  std::vector<Bucket> table_;  // power-of-two size, or empty
  // The hashes in arrival order, as a ring: while fewer than capacity_, ring_[0] is the
  // oldest; once full, ring_[oldest_] is, and a new hash replaces it.
  std::vector<uint64_t> ring_;
  size_t oldest_ = 0;
  size_t hiddenCount_ = 0;  // entries whose flags include kHidden
};

}  // namespace ie
