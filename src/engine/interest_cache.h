// InterestCache: the dot products of item vectors with the interest slots' sums, kept
// between re-ranks.
//
// Why: scoring the multi-interest state costs K dot products per candidate (4,000 for
// 1,000 candidates and K = 4), and a feed re-ranks the same candidates after every
// event, while an event changes at most one slot's sum (MultiInterest keeps the others
// bit for bit, see multi_interest.h). The cache keeps one column per interest slot,
// indexed by item slot, and recomputes a column's cells only when the slot's stamp
// changed; the decay and gain of a slot are a per-call factor, applied outside.
//
// Exactness: a cell is item . sum(k) from scoreRows or scoreRowsMulti, which compute each
// (row, query) pair with the same arithmetic wherever it sits in the call (kernels.h), so
// the result is bit-identical whether a cell was cached or computed now.
// Item vectors that change must be reported (invalidateSlot); a store version the cache
// has not seen clears it (a safety net for any other path).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/item_store.h"
#include "engine/multi_interest.h"

namespace ie {

class InterestCache {
 public:
  /// Above this many cells (stored items x interest slots; 2 MB) nothing is cached:
  /// every call computes its cells directly.
  static constexpr size_t kMaxCells = size_t(1) << 18;

  /// out[j] = max over the non-empty slots k of  (v_j . sum_k) * float(scoreScale_k(now)),
  /// v_j being the row of slots[j] (row j with slots == nullptr): the best of
  /// g(m_k) cos(s_k, v_j) |v_j|. Returns false, out untouched, when every slot is empty.
  bool bestMatch(const ItemStore& store, const uint32_t* slots, size_t n, const MultiInterest& state, double nowMs,
                 float* out);

  /// The vector of `slot` changed (or the slot now holds another item): forget its cells.
  void invalidateSlot(uint32_t slot);
  /// The caller has reported every change up to this store version.
  void syncVersion(uint64_t version) { storeVersion_ = version; }
  void clear();

  /// Cells (candidate, slot) computed by the last bestMatch (for tests).
  size_t lastComputed() const { return lastComputed_; }

 private:
  struct Column {
    uint64_t stamp = 0;           // MultiInterest::stamp of the sum the cells belong to
    uint32_t generation = 1;      // cells are valid where generationOf == generation
    std::vector<float> dots;      // per item slot
    std::vector<uint32_t> generationOf;
    bool pending = false;         // the list column holds this sum's cells, not yet in dots
  };
  // Records the pending list columns' cells per item (before the list changes).
  void recordPending();
  void computeDirect(const ItemStore& store, const uint32_t* slots, size_t n, float* out);
  // Fills the list column of active slot a (candidate order) from the per-item cells,
  // computing the missing ones.
  void fillListColumn(const ItemStore& store, const uint32_t* slots, size_t n, uint32_t a);

  std::vector<Column> columns_;
  // The last call's candidates, and per interest slot its cells in candidate order: a
  // feed re-ranked again reads them contiguously (the combine vectorises) instead of
  // gathering per item. listStamp_[k] == stamp(k) marks a column as current.
  std::vector<uint32_t> listSlots_;
  bool listIdentity_ = false;
  bool listValid_ = false;
  std::vector<std::vector<float>> listDots_;
  std::vector<uint64_t> listStamp_;
  uint64_t storeVersion_ = 0;
  size_t lastComputed_ = 0;
  // Scratch.
  std::vector<uint32_t> active_, missingSlots_, missingIndex_, freshColumns_;
  std::vector<float> scales_, queries_, scratch_, freshQueries_;
};

}  // namespace ie
