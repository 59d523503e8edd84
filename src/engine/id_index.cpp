#include "engine/id_index.h"

#include <cstring>

namespace ie {

uint64_t hashId(std::string_view id) {
  // 64-bit FNV-1a over 8-byte words, then a murmur finaliser: cheap and well mixed
  // for short ASCII ids, and fixed forever (persisted hashes depend on it).
  uint64_t h = 0xcbf29ce484222325ull ^ (static_cast<uint64_t>(id.size()) * 0x9E3779B97F4A7C15ull);
  size_t i = 0;
  for (; i + 8 <= id.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, id.data() + i, 8);
    h = (h ^ word) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < id.size(); ++i) h = (h ^ static_cast<uint8_t>(id[i])) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

uint32_t IdIndex::findHashed(std::string_view id, uint64_t h, const std::vector<std::string>& keys) const {
  if (buckets_.empty()) return kNone;
  for (uint32_t pos = static_cast<uint32_t>(h) & mask();; pos = (pos + 1) & mask()) {
    const Bucket& b = buckets_[pos];
    if (b.slot == kNone) return kNone;
    if (b.hash == h && keys[b.slot] == id) return b.slot;
  }
}

uint32_t IdIndex::findByHash(uint64_t h) const {
  if (buckets_.empty()) return kNone;
  for (uint32_t pos = static_cast<uint32_t>(h) & mask();; pos = (pos + 1) & mask()) {
    const Bucket& b = buckets_[pos];
    if (b.slot == kNone || b.hash == h) return b.slot;
  }
}

void IdIndex::place(uint64_t hash, uint32_t slot) {
  uint32_t pos = static_cast<uint32_t>(hash) & mask();
  while (buckets_[pos].slot != kNone) pos = (pos + 1) & mask();
  buckets_[pos] = Bucket{hash, slot};
  ++count_;
}

void IdIndex::insert(std::string_view id, uint32_t slot) {
  if ((count_ + 1) * 2 > buckets_.size()) grow();
  place(hashId(id), slot);
}

void IdIndex::erase(std::string_view id, uint32_t slot) {
  if (buckets_.empty()) return;
  uint32_t pos = static_cast<uint32_t>(hashId(id)) & mask();
  while (buckets_[pos].slot != slot) {
    if (buckets_[pos].slot == kNone) return;  // not present
    pos = (pos + 1) & mask();
  }
  // Backward-shift deletion: an entry later in the probe run moves into the hole
  // unless its home position lies cyclically in (hole, next].
  uint32_t hole = pos;
  for (uint32_t next = (hole + 1) & mask(); buckets_[next].slot != kNone; next = (next + 1) & mask()) {
    const uint32_t home = static_cast<uint32_t>(buckets_[next].hash) & mask();
    const bool homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
    if (!homeInRange) {
      buckets_[hole] = buckets_[next];
      hole = next;
    }
  }
  buckets_[hole] = Bucket{};
  --count_;
}

void IdIndex::clear() {
  buckets_.clear();
  count_ = 0;
}

void IdIndex::grow() {
  std::vector<Bucket> old;
  old.swap(buckets_);
  buckets_.assign(old.empty() ? 16 : old.size() * 2, Bucket{});
  count_ = 0;
  for (const Bucket& b : old)
    if (b.slot != kNone) place(b.hash, b.slot);
}

}  // namespace ie
