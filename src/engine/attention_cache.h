// AttentionCache: the target-attention kernel values k(cos(candidate, key)) of recent
// re-ranks, kept between calls.
//
// Why: target attention costs one dot product per (candidate, key) pair, 50,000 of them
// for 1,000 candidates and 50 recent items, and that dominated a re-rank. A feed re-ranks
// the same candidates after every event, and an event adds at most one key (a distinct
// recent item), so almost every pair was computed by the previous call. The cache keeps
// one row per candidate item and one column per key item; a call computes only the cells
// it has not seen (typically one new column), then sums coef[q] * k over the keys.
//
// The sums are kept too: a call with the same keys and coefficients as the last (no new
// event: the engine takes recency relative to the newest event, so the coefficients stay
// the same between events) copies the last call's totals for the same candidates, or
// gathers them per row for other candidates whose rows all have them.
//
// Exactness: a cell is computed by scoreRows, whose per-row arithmetic does not depend
// on which rows share the call (kernels.h), and the sum runs over the keys in the
// caller's order for every candidate. So the totals are bit-identical whatever the
// cache holds: a fresh engine restored from a saved state ranks exactly like the
// engine that saved it. Item vectors that change must be reported (invalidateSlot);
// a store version the cache has not seen clears it (a safety net for any other path).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/item_store.h"

namespace ie {

class AttentionCache {
 public:
  /// maxKeys: the most keys a call may have (the recent window); more are computed
  /// without the cache. Rows are bounded so the cells stay within ~1 MB (at least 1,024).
  explicit AttentionCache(uint32_t maxKeys);

  /// totals[j] = sum over q < keyCount, in order, of coef[q] * kernel(cos(slots[j], key q)),
  /// kernel(c) = attentionKernel(c, sharpness), where key q is the stored item keySlots[q]
  /// (its vector with a non-zero norm). slots == nullptr means candidates 0..n-1 (every
  /// stored item).
  void accumulate(const ItemStore& store, const uint32_t* slots, size_t n, const uint32_t* keySlots,
                  const float* coef, size_t keyCount, float sharpness, float* totals);

  /// The vector of `slot` changed (or the slot now holds another item): forget its cells.
  void invalidateSlot(uint32_t slot);
  /// The caller has reported every change up to this store version.
  void syncVersion(uint64_t version) { storeVersion_ = version; }
  void clear();

  size_t cachedRows() const { return rowSlot_.size(); }
  /// Cells computed by the last accumulate() (for tests and the benchmark's notes).
  size_t lastComputed() const { return lastComputed_; }
  /// Candidates whose total the last accumulate() summed over the keys (the others reused
  /// a kept sum; for tests).
  size_t lastSummed() const { return lastSummed_; }

 private:
  void clearRows();
  void releaseColumn(uint32_t c);
  // Starts a new sum generation when keys or coefficients differ from the kept sums';
  // returns whether they are the same.
  bool sameSums(const uint32_t* keySlots, const float* coef, size_t keyCount);
  void computeDirect(const ItemStore& store, const uint32_t* slots, size_t n, const uint32_t* keySlots,
                     const float* coef, size_t keyCount, float sharpness, float* totals);

  // Cells are column-major (one contiguous column per key, indexed by row), so the final
  // sum is one axpy per key over the candidates. Validity is by epochs: a column gets a
  // new epoch whenever it is (re)assigned; a row records the epoch it was last completed
  // at (0: never), and lacks exactly the columns with a later epoch.
  uint32_t columns_;
  uint32_t maxRows_;
  float sharpness_ = 0;
  uint64_t storeVersion_ = 0;
  uint64_t epoch_ = 0;
  std::vector<uint32_t> columnKey_;    // item slot of each column's key, or kNone
  std::vector<uint64_t> columnEpoch_;  // epoch the column was assigned at
  std::vector<uint32_t> columnOfSlot_; // item slot -> column, or kNone
  std::vector<uint32_t> rowOfSlot_;    // item slot -> row, or kNone
  std::vector<uint32_t> rowSlot_;      // row -> item slot
  std::vector<uint64_t> rowEpoch_;     // row -> epoch it was completed at
  std::vector<float> cells_;           // columns_ x maxRows_, allocated on first use
  // The last cached call's candidates (slots, explicit even for the identity scan): the
  // same list again (a feed re-ranked after an event) keeps its rows, completed at
  // lastListEpoch_, unless a row was invalidated or dropped since (lastListIntact_).
  std::vector<uint32_t> lastSlots_;
  bool lastIdentity_ = false;
  bool lastListIntact_ = false;
  bool lastContiguous_ = false;
  uint32_t lastRowLow_ = 0, lastRowHigh_ = 0;  // the smallest and largest row of the last list
  uint64_t lastListEpoch_ = 0;
  // The kept sums, valid for the keys and coefficients sumKeys_ / sumCoef_ (generation
  // sumGeneration_): the last list's totals in its order (lastTotals_, when
  // lastTotalsValid_), recorded per row (rowTotal_, valid where rowTotalGeneration_ is
  // sumGeneration_) only when a later list needs them (lastTotalsPending_).
  std::vector<uint32_t> sumKeys_;
  std::vector<float> sumCoef_;
  uint32_t sumGeneration_ = 1;
  std::vector<float> lastTotals_;
  bool lastTotalsValid_ = false;
  bool lastTotalsPending_ = false;
  std::vector<float> rowTotal_;
  std::vector<uint32_t> rowTotalGeneration_;
  size_t lastSummed_ = 0;
  // Scratch.
  std::vector<uint32_t> keyColumn_, candidateRow_, missing_, missingSlots_;
  std::vector<uint8_t> keepColumn_;
  std::vector<float> scratch_, blockCells_, missingCells_, key_, rangeTotals_;
  size_t lastComputed_ = 0;
};

/// Attention kernel k(c) = max(0, 1 + beta (c - 1) / 16)^16, a smooth, cheap stand-in
/// for exp(beta (c - 1)) (four squarings instead of an exp per pair; it vectorises).
inline float attentionKernel(float cosine, float beta) {
  float x = 1.0f + beta * (cosine - 1.0f) * (1.0f / 16.0f);
  x = x > 0 ? x : 0;
  x *= x;
  x *= x;
  x *= x;
  x *= x;
  return x;
}

}  // namespace ie
