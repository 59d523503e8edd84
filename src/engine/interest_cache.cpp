#include "engine/interest_cache.h"

#include <algorithm>

#include "engine/kernels.h"

namespace ie {

void InterestCache::recordPending() {
  for (size_t k = 0; k < columns_.size(); ++k) {
    Column& c = columns_[k];
    if (!c.pending) continue;
    c.pending = false;
    if (!listValid_ || listStamp_[k] != c.stamp) continue;  // the list column is of an older sum
    const float* list = listDots_[k].data();
    for (size_t j = 0; j < listSlots_.size(); ++j) {
      const uint32_t slot = listIdentity_ ? static_cast<uint32_t>(j) : listSlots_[j];
      c.dots[slot] = list[j];
      c.generationOf[slot] = c.generation;
    }
  }
}

void InterestCache::invalidateSlot(uint32_t slot) {
  recordPending();  // cells of the vector before the change: still right for it
  for (Column& c : columns_)
    if (slot < c.generationOf.size()) c.generationOf[slot] = 0;
  listValid_ = false;
}

void InterestCache::clear() {
  columns_.clear();
  storeVersion_ = 0;
  listValid_ = false;
}

void InterestCache::fillListColumn(const ItemStore& store, const uint32_t* slots, size_t n, uint32_t a) {
  Column& c = columns_[active_[a]];
  missingSlots_.clear();
  missingIndex_.clear();
  float* const list = listDots_[active_[a]].data();
  // First every cell is gathered, held or not (dots covers every stored item), and the
  // stale ones only counted: a loop without branches or calls, so the column's arrays and
  // generation stay in registers (the one that also listed the missing cells reloaded them
  // per cell: ~16 instructions a cell natively, now ~10). The stale cells, usually none, are then
  // listed and computed.
  const float* const dots = c.dots.data();
  const uint32_t* const generationOf = c.generationOf.data();
  const uint32_t generation = c.generation;
  size_t stale = 0;
  if (slots) {
    for (size_t j = 0; j < n; ++j) {
      const uint32_t slot = slots[j];
      list[j] = dots[slot];
      stale += generationOf[slot] != generation;
    }
  } else {
    for (size_t j = 0; j < n; ++j) {
      list[j] = dots[j];
      stale += generationOf[j] != generation;
    }
  }
  if (stale == 0) return;
  for (size_t j = 0; j < n; ++j) {
    const uint32_t slot = slots ? slots[j] : static_cast<uint32_t>(j);
    if (generationOf[slot] != generation) {
      missingSlots_.push_back(slot);
      missingIndex_.push_back(static_cast<uint32_t>(j));
    }
  }
  scratch_.resize(missingSlots_.size());
  scoreRows(store.rows(), store.stride(), missingSlots_.data(), missingSlots_.size(),
            queries_.data() + static_cast<size_t>(a) * store.stride(), scratch_.data());
  for (size_t m = 0; m < missingSlots_.size(); ++m) {
    c.dots[missingSlots_[m]] = scratch_[m];
    c.generationOf[missingSlots_[m]] = c.generation;
    list[missingIndex_[m]] = scratch_[m];
  }
  lastComputed_ += missingSlots_.size();
}

void InterestCache::computeDirect(const ItemStore& store, const uint32_t* slots, size_t n, float* out) {
  // Every active slot's sum as one query block: the multi-query kernel loads each row once.
  const uint32_t q = static_cast<uint32_t>(active_.size());
  scratch_.resize(n * q);
  scoreRowsMulti(store.rows(), store.stride(), slots, n, queries_.data(), q, scratch_.data());
  for (size_t j = 0; j < n; ++j) {
    const float* d = scratch_.data() + j * q;
    float best = d[0] * scales_[0];
    for (uint32_t k = 1; k < q; ++k) best = std::max(best, d[k] * scales_[k]);
    out[j] = best;
  }
  lastComputed_ = n * q;
}

bool InterestCache::bestMatch(const ItemStore& store, const uint32_t* slots, size_t n, const MultiInterest& state,
                              double nowMs, float* out) {
  lastComputed_ = 0;
  active_.clear();
  scales_.clear();
  queries_.clear();
  const uint32_t stride = store.stride();
  for (uint32_t k = 0; k < state.slotCount(); ++k) {
    const float scale = static_cast<float>(state.scoreScale(k, nowMs));
    if (!(scale > 0)) continue;
    active_.push_back(k);
    scales_.push_back(scale);
    queries_.insert(queries_.end(), state.sum(k), state.sum(k) + stride);
  }
  if (active_.empty()) return false;
  if (n == 0) return true;
  const size_t items = store.size();
  if (items * state.slotCount() > kMaxCells) {
    columns_.clear();
    listValid_ = false;
    computeDirect(store, slots, n, out);
    return true;
  }
  if (storeVersion_ != store.version()) {
    columns_.clear();
    listValid_ = false;
    storeVersion_ = store.version();
  }
  const uint32_t slotCount = state.slotCount();
  if (columns_.size() != slotCount) {
    columns_.assign(slotCount, Column());
    listValid_ = false;
  }
  // The same candidates as the last call (a feed re-ranked again) keep their list columns.
  const bool sameList = listValid_ && listSlots_.size() == n && listIdentity_ == (slots == nullptr) &&
                        (!slots || std::equal(slots, slots + n, listSlots_.begin()));
  if (!sameList) {
    recordPending();
    if (slots) listSlots_.assign(slots, slots + n);
    else listSlots_.assign(n, 0);
    listIdentity_ = slots == nullptr;
    listDots_.resize(slotCount);
    listStamp_.assign(slotCount, 0);
    listValid_ = true;
  }
  const uint32_t q = static_cast<uint32_t>(active_.size());
  // Columns with a new sum (typically the slot the last event joined; all of them after a
  // state load): every cell is new. They are scored together, straight into the list
  // columns (the multi-query kernel loads each row once for all of them), then recorded
  // per item. The other stale columns are filled from the per-item cells.
  freshColumns_.clear();
  for (uint32_t a = 0; a < q; ++a) {
    const uint32_t k = active_[a];
    const uint64_t stamp = state.stamp(k);
    if (listStamp_[k] == stamp) continue;  // current for these candidates
    Column& c = columns_[k];
    if (c.dots.size() < items) {
      c.dots.resize(items);
      c.generationOf.resize(items, 0);
    }
    listDots_[k].resize(n);
    listStamp_[k] = stamp;
    if (c.stamp != stamp) {
      c.stamp = stamp;
      if (++c.generation == 0) {  // wrapped: no cell may claim the new generation
        std::fill(c.generationOf.begin(), c.generationOf.end(), 0);
        c.generation = 1;
      }
      freshColumns_.push_back(a);
    } else {
      fillListColumn(store, slots, n, a);
    }
  }
  const uint32_t fresh = static_cast<uint32_t>(freshColumns_.size());
  if (fresh == 1) {
    const uint32_t a = freshColumns_[0];
    scoreRows(store.rows(), stride, slots, n, queries_.data() + static_cast<size_t>(a) * stride,
              listDots_[active_[a]].data());
  } else if (fresh > 1) {
    freshQueries_.resize(static_cast<size_t>(fresh) * stride);
    for (uint32_t f = 0; f < fresh; ++f)
      std::copy_n(queries_.data() + static_cast<size_t>(freshColumns_[f]) * stride, stride,
                  freshQueries_.data() + static_cast<size_t>(f) * stride);
    scratch_.resize(n * fresh);
    scoreRowsMulti(store.rows(), stride, slots, n, freshQueries_.data(), fresh, scratch_.data());
    for (uint32_t f = 0; f < fresh; ++f) {
      float* list = listDots_[active_[freshColumns_[f]]].data();
      for (size_t j = 0; j < n; ++j) list[j] = scratch_[j * fresh + f];
    }
  }
  // The fresh cells are recorded per item only when the list changes (recordPending): a
  // feed re-ranks the same list after every event, and recording each new column cost
  // two scattered writes per candidate every time.
  for (uint32_t f = 0; f < fresh; ++f) {
    columns_[active_[freshColumns_[f]]].pending = true;
    lastComputed_ += n;
  }
  // Combine, in slot order: the same max of the same products as computeDirect.
  const float* first = listDots_[active_[0]].data();
  const float s0 = scales_[0];
  for (size_t j = 0; j < n; ++j) out[j] = first[j] * s0;
  for (uint32_t a = 1; a < q; ++a) {
    const float* dots = listDots_[active_[a]].data();
    const float s = scales_[a];
    for (size_t j = 0; j < n; ++j) out[j] = std::max(out[j], dots[j] * s);
  }
  return true;
}

}  // namespace ie
