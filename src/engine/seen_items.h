// SeenItems: which items the user consumed or hid, remembered by id hash.
//
// Bounded: beyond `capacity` ids the oldest is forgotten (first in, first out), so the
// state stays small whatever the history length. Ids are kept as 64-bit hashes
// (hashId): 8 bytes each, and the stored state never needs the id strings.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>

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

  size_t size() const { return flags_.size(); }
  void clear();
  /// Hashes oldest first, for serialisation.
  const std::deque<uint64_t>& order() const { return order_; }

 private:
  uint32_t capacity_;
  std::unordered_map<uint64_t, uint8_t> flags_;
  std::deque<uint64_t> order_;
};

}  // namespace ie
