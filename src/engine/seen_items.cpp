#include "engine/seen_items.h"

#include "engine/id_index.h"

namespace ie {

void SeenItems::mark(std::string_view id, uint8_t flags) { markHash(hashId(id), flags); }

void SeenItems::markHash(uint64_t hash, uint8_t flags) {
  if (capacity_ == 0 || flags == 0) return;
  auto it = flags_.find(hash);
  if (it != flags_.end()) {
    it->second |= flags;
    return;
  }
  if (flags_.size() >= capacity_) {
    flags_.erase(order_.front());
    order_.pop_front();
  }
  flags_.emplace(hash, flags);
  order_.push_back(hash);
}

uint8_t SeenItems::flags(std::string_view id) const { return flagsOfHash(hashId(id)); }

uint8_t SeenItems::flagsOfHash(uint64_t hash) const {
  auto it = flags_.find(hash);
  return it == flags_.end() ? 0 : it->second;
}

void SeenItems::clear() {
  flags_.clear();
  order_.clear();
}

}  // namespace ie
