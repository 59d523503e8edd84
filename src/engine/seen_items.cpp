#include "engine/seen_items.h"

#include "engine/id_index.h"

namespace ie {

void SeenItems::mark(std::string_view id, uint8_t flags) { markHash(hashId(id), flags); }

void SeenItems::markHash(uint64_t hash, uint8_t flags) {
  if (capacity_ == 0 || flags == 0) return;
  const size_t at = position(hash);
  if (at != kAbsent) {
    if (!(table_[at].flags & kHidden) && (flags & kHidden)) ++hiddenCount_;
    table_[at].flags |= flags;
    return;
  }
  if (ring_.size() >= capacity_) {  // full: the newcomer replaces the oldest
    erase(ring_[oldest_]);
    place(hash, flags, ring_.size() - 1);
    ring_[oldest_] = hash;
    oldest_ = oldest_ + 1 == capacity_ ? 0 : oldest_ + 1;
  } else {
    place(hash, flags, ring_.size());
    ring_.push_back(hash);
  }
  if (flags & kHidden) ++hiddenCount_;
}

std::vector<uint64_t> SeenItems::order() const {
  std::vector<uint64_t> out(ring_.begin() + static_cast<std::ptrdiff_t>(oldest_), ring_.end());
  out.insert(out.end(), ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(oldest_));
  return out;
}

uint8_t SeenItems::flags(std::string_view id) const { return flagsOfHash(hashId(id)); }

uint8_t SeenItems::flagsOfHash(uint64_t hash) const {
  const size_t at = position(hash);
  return at == kAbsent ? 0 : table_[at].flags;
}

size_t SeenItems::position(uint64_t hash) const {
  if (table_.empty()) return kAbsent;
  for (size_t pos = home(hash);; pos = (pos + 1) & mask()) {
    if (table_[pos].flags == 0) return kAbsent;
    if (table_[pos].hash == hash) return pos;
  }
}

void SeenItems::place(uint64_t hash, uint8_t flags, size_t stored) {
  if ((stored + 1) * 2 > table_.size()) {
    std::vector<Bucket> old;
    old.swap(table_);
    table_.assign(old.empty() ? 16 : old.size() * 2, Bucket{});
    for (const Bucket& b : old)
      if (b.flags) place(b.hash, b.flags, stored);
  }
  size_t pos = home(hash);
  while (table_[pos].flags != 0) pos = (pos + 1) & mask();
  table_[pos] = Bucket{hash, flags};
}

void SeenItems::erase(uint64_t hash) {
  size_t hole = position(hash);
  if (hole == kAbsent) return;
  if (table_[hole].flags & kHidden) --hiddenCount_;
  // Backward shift: a later entry of the probe run moves into the hole unless its home
  // lies cyclically in (hole, next].
  for (size_t next = (hole + 1) & mask(); table_[next].flags != 0; next = (next + 1) & mask()) {
    const size_t h = home(table_[next].hash);
    const bool homeInRange = hole <= next ? (h > hole && h <= next) : (h > hole || h <= next);
    if (!homeInRange) {
      table_[hole] = table_[next];
      hole = next;
    }
  }
  table_[hole] = Bucket{};
}

void SeenItems::clear() {
  table_.clear();
  ring_.clear();
  oldest_ = 0;
  hiddenCount_ = 0;
}

}  // namespace ie
