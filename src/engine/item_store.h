// ItemStore: the items the engine can score, each a string id and a factor vector.
//
// Vectors are kept in one padded row-major matrix (see kernels.h) so scoring is a
// single pass over contiguous memory. Occupied slots are always 0..size()-1: a new
// item takes the next slot, or the slot of the item it evicts.
//
// Capacity is bounded. When a batch brings new ids into a full store, the least
// recently used items are evicted; "use" is an upsert, an observed event on the item,
// or the item being a candidate of a re-rank (the engine calls touch()). A use is one
// store of a counter into the slot (a re-rank touches 1,000 candidates: relinking a
// list cost ~7 us of it); eviction finds the oldest stamps, in batches (see below).
//
// The store also maintains G = sum_i v_i v_i^T over its items (the Gramian), which the
// long-term fold-in needs (see long_term.h). It is updated incrementally for small
// batches and recomputed lazily after large ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/aligned_allocator.h"
#include "engine/id_index.h"
#include "engine/status.h"

namespace ie {

class ItemStore {
 public:
  static constexpr uint32_t kMaxIdBytes = 256;
  static constexpr uint32_t kMaxDim = 1024;

  /// With `int8`, the store also keeps a per-row-scaled int8 copy of every vector
  /// (kernels.h), a quarter of the bytes for retrieval scans.
  ItemStore(uint32_t dim, uint32_t capacity, bool int8 = false);

  uint32_t dim() const { return dim_; }
  uint32_t stride() const { return stride_; }
  uint32_t capacity() const { return capacity_; }
  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }

  /// Checks one id: 1..kMaxIdBytes bytes, no NUL or other control characters.
  static Status validateId(std::string_view id);
  /// validateId(id).isOk() without building a Status: the per-candidate check of rerank.
  static bool isValidId(std::string_view id) {
    return !id.empty() && id.size() <= kMaxIdBytes && findControlByte(id.data(), id.size()) == id.size();
  }

  /// Checks a whole batch without changing anything: ids valid and unique within the
  /// batch, `vectors` holding ids.size() * dim finite floats, batch within capacity.
  Status validateBatch(const std::vector<std::string_view>& ids, const float* vectors, size_t vectorCount) const;

  /// Inserts or replaces the items (call validateBatch first). Slots of the batch are
  /// written to `slots`; ids evicted to make room are appended to `evicted`.
  void upsert(const std::vector<std::string_view>& ids, const float* vectors, std::vector<uint32_t>& slots,
              std::vector<std::string>& evicted);

  /// Slot of an id, or IdIndex::kNone.
  uint32_t find(std::string_view id) const { return index_.find(id, ids_); }
  uint32_t findHashed(std::string_view id, uint64_t hash) const { return index_.findHashed(id, hash, ids_); }
  /// The slot of the item whose id hashes to `hash` (hashId), or kNone (IdIndex::findByHash).
  uint32_t findByHash(uint64_t hash) const { return index_.findByHash(hash); }

  /// Marks a slot as most recently used.
  void touch(uint32_t slot) { lastUse_[slot] = ++useClock_; }
  /// touch() for each slot in order (IdIndex::kNone entries are skipped).
  void touchAll(const uint32_t* slots, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (slots[i] != IdIndex::kNone) lastUse_[slots[i]] = ++useClock_;
  }

  const std::string& id(uint32_t slot) const { return ids_[slot]; }
  const float* row(uint32_t slot) const { return rows_.data() + static_cast<size_t>(slot) * stride_; }
  const float* rows() const { return rows_.data(); }
  /// 1 / |v| of the slot's vector (0 for a zero vector).
  float inverseNorm(uint32_t slot) const { return inverseNorms_[slot]; }
  const float* inverseNorms() const { return inverseNorms_.data(); }

  /// The int8 copy (empty unless enabled): rows of stride8() bytes and one scale per row.
  bool hasInt8() const { return int8_; }
  uint32_t stride8() const { return stride8_; }
  const int8_t* rows8() const { return rows8_.data(); }
  const float* scales8() const { return scales8_.data(); }

  /// Changes on every change of the stored vectors. Unique across stores too (drawn from
  /// one process-wide counter), so a cache keyed by it never matches another store's
  /// contents (a copy shares its source's version, and contents, until either changes).
  uint64_t version() const { return version_; }
  /// Changes whenever an id leaves its slot (an eviction, clear()); new ids taking new
  /// slots and new vectors for stored ids keep it. A caller's id -> slot table built
  /// while it had one value stays right while it keeps it (the JS layer's, see rerank).
  /// Drawn from the same process-wide counter as version().
  uint64_t slotsVersion() const { return slotsVersion_; }

  /// G = sum over stored items of v v^T, row-major dim x dim, in double.
  const std::vector<double>& gramian();

  /// Removes every item.
  void clear();

 private:
  void writeRow(uint32_t slot, const float* vector);
  // The least recently used slot (the store is not empty).
  uint32_t leastRecentlyUsed();
  void addToGramian(const float* row, double sign);

  uint32_t dim_;
  uint32_t stride_;
  uint32_t capacity_;
  bool int8_;
  uint32_t stride8_;
  std::vector<int8_t, CacheAlignedAllocator<int8_t>> rows8_;  // 64-byte aligned: see aligned_allocator.h
  std::vector<float> scales8_;
  std::vector<std::string> ids_;
  std::vector<float, CacheAlignedAllocator<float>> rows_;
  std::vector<float> inverseNorms_;
  IdIndex index_;
  // Recency: the use counter's value at each slot's last use (larger = more recent).
  std::vector<uint64_t> lastUse_;
  uint64_t useClock_ = 0;
  // Eviction candidates: the slots with the smallest stamps when last selected, oldest
  // at the back, with those stamps. An entry whose slot was used since (its stamp
  // changed) is skipped; the first unchanged one is the least recently used slot of the
  // whole store, since every slot outside the selection had a larger stamp then and
  // stamps only grow. One O(size) selection serves many evictions.
  std::vector<std::pair<uint64_t, uint32_t>> victims_;
  uint64_t version_;
  uint64_t slotsVersion_;
  std::vector<double> gramian_;
  bool gramianValid_ = true;
};

}  // namespace ie
