#include "engine/attention_cache.h"

#include <algorithm>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "engine/kernels.h"

namespace ie {

namespace {

constexpr uint32_t kNone = IdIndex::kNone;

// The two pieces of arithmetic every total goes through, kept out of line so that the
// cached and the direct path run the very same instructions: results never depend on
// what the cache held. (Natively the engine is built with -ffp-contract=off, so a
// vectorised body and its scalar tail round alike.)

/// out[i] = kernel(cos(row of slots[i], key item)) for i < m.
[[gnu::noinline]] void computeCells(const ItemStore& store, const uint32_t* slots, size_t m, uint32_t keySlot,
                                    float sharpness, std::vector<float>& keyScratch, std::vector<float>& scratch,
                                    float* out) {
  const uint32_t stride = store.stride();
  keyScratch.resize(stride);
  float* key = keyScratch.data();
  const float* keyRow = store.row(keySlot);
  const float keyInv = store.inverseNorm(keySlot);
  for (uint32_t k = 0; k < stride; ++k) key[k] = keyRow[k] * keyInv;  // the key's unit vector
  scratch.resize(std::max(scratch.size(), m));
  scoreRows(store.rows(), store.stride(), slots, m, key, scratch.data());
  const float* invNorms = store.inverseNorms();
  for (size_t i = 0; i < m; ++i) out[i] = attentionKernel(scratch[i] * invNorms[slots[i]], sharpness);
}

/// totals[j] += coef * column[rows ? rows[j] : j] for j < n.
[[gnu::noinline]] void addWeighted(float* totals, const float* column, const uint32_t* rows, size_t n, float coef) {
  if (rows) {
    for (size_t j = 0; j < n; ++j) totals[j] += coef * column[rows[j]];
    return;
  }
  size_t j = 0;
#if defined(__wasm_simd128__)
  // Written out: the compiler leaves this loop scalar (totals may alias column). Each
  // lane does the scalar loop's multiply and add, so the floats are the same.
  const v128_t c = wasm_f32x4_splat(coef);
  for (; j + 4 <= n; j += 4)
    wasm_v128_store(totals + j, wasm_f32x4_add(wasm_v128_load(totals + j), wasm_f32x4_mul(c, wasm_v128_load(column + j))));
#endif
  for (; j < n; ++j) totals[j] += coef * column[j];
}

/// Four keys at once over contiguous columns: the same additions in the same order as
/// four addWeighted calls (t + c0 x0, then + c1 x1, ...), with totals loaded and stored
/// once instead of four times.
[[gnu::noinline]] void addWeighted4(float* totals, const float* const* columns, size_t n, const float* coef) {
  const float c0 = coef[0], c1 = coef[1], c2 = coef[2], c3 = coef[3];
  const float *x0 = columns[0], *x1 = columns[1], *x2 = columns[2], *x3 = columns[3];
  size_t j = 0;
#if defined(__wasm_simd128__)
  // Written out, as in addWeighted: lane for lane the scalar loop's operations.
  const v128_t v0 = wasm_f32x4_splat(c0), v1 = wasm_f32x4_splat(c1), v2 = wasm_f32x4_splat(c2),
               v3 = wasm_f32x4_splat(c3);
  for (; j + 4 <= n; j += 4) {
    v128_t t = wasm_v128_load(totals + j);
    t = wasm_f32x4_add(t, wasm_f32x4_mul(v0, wasm_v128_load(x0 + j)));
    t = wasm_f32x4_add(t, wasm_f32x4_mul(v1, wasm_v128_load(x1 + j)));
    t = wasm_f32x4_add(t, wasm_f32x4_mul(v2, wasm_v128_load(x2 + j)));
    t = wasm_f32x4_add(t, wasm_f32x4_mul(v3, wasm_v128_load(x3 + j)));
    wasm_v128_store(totals + j, t);
  }
#endif
  for (; j < n; ++j) {
    float t = totals[j];
    t += c0 * x0[j];
    t += c1 * x1[j];
    t += c2 * x2[j];
    t += c3 * x3[j];
    totals[j] = t;
  }
}

}  // namespace

AttentionCache::AttentionCache(uint32_t maxKeys)
    : columns_(std::max<uint32_t>(maxKeys, 1)),
      maxRows_(std::max<uint32_t>(1024, (1u << 18) / columns_)),
      columnKey_(columns_, kNone),
      columnEpoch_(columns_, 0),
      keepColumn_(columns_, 0) {}

void AttentionCache::releaseColumn(uint32_t c) {
  if (columnKey_[c] == kNone) return;
  columnOfSlot_[columnKey_[c]] = kNone;
  columnKey_[c] = kNone;
}

void AttentionCache::clear() {
  for (uint32_t c = 0; c < columns_; ++c) releaseColumn(c);
  clearRows();
  sumKeys_.clear();  // the next call starts a new sum generation
}

void AttentionCache::clearRows() {
  lastListIntact_ = false;
  lastTotalsValid_ = lastTotalsPending_ = false;
  for (uint32_t slot : rowSlot_) rowOfSlot_[slot] = kNone;
  rowSlot_.clear();
  rowEpoch_.clear();
  rowTotal_.clear();
  rowTotalGeneration_.clear();
}

void AttentionCache::invalidateSlot(uint32_t slot) {
  lastListIntact_ = false;
  lastTotalsValid_ = lastTotalsPending_ = false;
  if (slot < rowOfSlot_.size() && rowOfSlot_[slot] != kNone) {
    rowEpoch_[rowOfSlot_[slot]] = 0;
    rowTotalGeneration_[rowOfSlot_[slot]] = 0;
  }
  if (slot < columnOfSlot_.size() && columnOfSlot_[slot] != kNone) {
    releaseColumn(columnOfSlot_[slot]);
    sumKeys_.clear();  // a key's cells change: every kept sum with it is stale
  }
}

bool AttentionCache::sameSums(const uint32_t* keySlots, const float* coef, size_t keyCount) {
  // Coefficients compared bit for bit: the sums are reused only for the very same floats.
  if (keyCount == sumKeys_.size() && std::equal(keySlots, keySlots + keyCount, sumKeys_.begin()) &&
      std::memcmp(coef, sumCoef_.data(), keyCount * sizeof(float)) == 0)
    return true;
  sumKeys_.assign(keySlots, keySlots + keyCount);
  sumCoef_.assign(coef, coef + keyCount);
  if (++sumGeneration_ == 0) {  // wrapped: no row may claim the new generation
    std::fill(rowTotalGeneration_.begin(), rowTotalGeneration_.end(), 0);
    sumGeneration_ = 1;
  }
  lastTotalsValid_ = lastTotalsPending_ = false;
  return false;
}

void AttentionCache::computeDirect(const ItemStore& store, const uint32_t* slots, size_t n, const uint32_t* keySlots,
                                   const float* coef, size_t keyCount, float sharpness, float* totals) {
  // Blocks of candidates, all keys each: the block's cells are a small column-major matrix.
  constexpr size_t kBlock = 256;
  blockCells_.resize(kBlock);
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t b = std::min(kBlock, n - start);
    missingSlots_.resize(b);
    for (size_t i = 0; i < b; ++i) missingSlots_[i] = slots ? slots[start + i] : static_cast<uint32_t>(start + i);
    for (size_t q = 0; q < keyCount; ++q) {
      computeCells(store, missingSlots_.data(), b, keySlots[q], sharpness, key_, scratch_, blockCells_.data());
      addWeighted(totals + start, blockCells_.data(), nullptr, b, coef[q]);
    }
  }
  lastComputed_ = n * keyCount;
}

void AttentionCache::accumulate(const ItemStore& store, const uint32_t* slots, size_t n, const uint32_t* keySlots,
                                const float* coef, size_t keyCount, float sharpness, float* totals) {
  lastComputed_ = 0;
  lastSummed_ = 0;
  std::fill(totals, totals + n, 0.0f);
  if (n == 0 || keyCount == 0) return;
  if (keyCount > columns_ || n > maxRows_) {
    lastListIntact_ = false;
    lastTotalsValid_ = lastTotalsPending_ = false;
    computeDirect(store, slots, n, keySlots, coef, keyCount, sharpness, totals);
    lastSummed_ = n;
    return;
  }
  if (cells_.empty()) cells_.resize(static_cast<size_t>(columns_) * maxRows_);
  if (rowOfSlot_.size() < store.size()) {
    rowOfSlot_.resize(store.size(), kNone);
    columnOfSlot_.resize(store.size(), kNone);
  }
  if (store.version() != storeVersion_ || sharpness != sharpness_) {
    clear();
    storeVersion_ = store.version();
    sharpness_ = sharpness;
  }
  auto slotOf = [&](size_t j) { return slots ? slots[j] : static_cast<uint32_t>(j); };
  const bool sums = sameSums(keySlots, coef, keyCount);

  // Columns: the current keys keep theirs; the others are released (so every assigned
  // column is filled for every row a call completes); new keys get a fresh epoch.
  std::fill(keepColumn_.begin(), keepColumn_.end(), 0);
  keyColumn_.resize(keyCount);
  for (size_t q = 0; q < keyCount; ++q) {
    keyColumn_[q] = columnOfSlot_[keySlots[q]];
    if (keyColumn_[q] != kNone) keepColumn_[keyColumn_[q]] = 1;
  }
  for (uint32_t c = 0; c < columns_; ++c)
    if (!keepColumn_[c]) releaseColumn(c);
  uint32_t free = 0;
  for (size_t q = 0; q < keyCount; ++q) {
    if (keyColumn_[q] != kNone) continue;
    while (columnKey_[free] != kNone) ++free;  // keyCount <= columns_: one is free
    columnKey_[free] = keySlots[q];
    columnOfSlot_[keySlots[q]] = free;
    columnEpoch_[free] = ++epoch_;
    keyColumn_[q] = free;
  }

  // Rows: one per candidate item; start over when the new ones would not fit. The same
  // candidates as the last call keep their rows (candidateRow_), all completed then.
  const bool sameList = lastListIntact_ && n == lastSlots_.size() && lastIdentity_ == (slots == nullptr) &&
                        (!slots || std::equal(slots, slots + n, lastSlots_.begin()));
  uint64_t oldest = epoch_;
  bool contiguous = true;
  uint32_t rowLow = kNone, rowHigh = 0;
  if (sameList) {
    oldest = lastListEpoch_;
    contiguous = lastContiguous_;
    rowLow = lastRowLow_;
    rowHigh = lastRowHigh_;
  } else {
    // The last list's totals, kept in its order, are recorded per row now that another
    // list comes (its rows, in candidateRow_, are intact: lastListIntact_).
    if (sums && lastTotalsPending_ && lastListIntact_)
      for (size_t j = 0; j < lastSlots_.size(); ++j) {
        rowTotal_[candidateRow_[j]] = lastTotals_[j];
        rowTotalGeneration_[candidateRow_[j]] = sumGeneration_;
      }
    lastTotalsPending_ = false;
    // The candidates' rows as they are (kNone where an item has none yet), then rows for
    // the new items, if any (a list of items seen before, the usual case, has none).
    candidateRow_.resize(n);
    uint32_t* const rows = candidateRow_.data();
    size_t newRows = 0;
    {
      const uint32_t* const rowOf = rowOfSlot_.data();
      for (size_t j = 0; j < n; ++j) {
        const uint32_t r = rowOf[slotOf(j)];
        rows[j] = r;
        newRows += r == kNone;
      }
    }
    if (newRows > 0) {
      if (rowSlot_.size() + newRows > maxRows_) clearRows();
      for (size_t j = 0; j < n; ++j) {
        const uint32_t slot = slotOf(j);
        if (rowOfSlot_[slot] == kNone) {
          rowOfSlot_[slot] = static_cast<uint32_t>(rowSlot_.size());
          rowSlot_.push_back(slot);
          rowEpoch_.push_back(0);
          rowTotal_.push_back(0);
          rowTotalGeneration_.push_back(0);
        }
        rows[j] = rowOfSlot_[slot];
      }
    }
    const uint64_t* const rowEpoch = rowEpoch_.data();
    const uint32_t firstRow = rows[0];
    for (size_t j = 0; j < n; ++j) {
      const uint32_t r = rows[j];
      oldest = std::min(oldest, rowEpoch[r]);
      contiguous &= r == firstRow + j;
      rowLow = std::min(rowLow, r);
      rowHigh = std::max(rowHigh, r);
    }
    lastSlots_.resize(n);
    for (size_t j = 0; j < n; ++j) lastSlots_[j] = slotOf(j);
    lastIdentity_ = slots == nullptr;
  }

  // The cells not computed yet: per key, the rows completed before its column existed
  // (for the same list: every row, for each column newer than the last call).
  if (sameList) {
    for (size_t q = 0; q < keyCount; ++q) {
      const uint32_t c = keyColumn_[q];
      if (columnEpoch_[c] <= oldest) continue;  // every candidate has it
      float* column = cells_.data() + static_cast<size_t>(c) * maxRows_;
      missingCells_.resize(n);
      computeCells(store, lastSlots_.data(), n, keySlots[q], sharpness, key_, scratch_, missingCells_.data());
      for (size_t j = 0; j < n; ++j) column[candidateRow_[j]] = missingCells_[j];
      lastComputed_ += n;
    }
  } else {
    // Blocks of candidates, every key within a block: the block's item rows stay in cache
    // from one key to the next. One pass per key over the whole list fetched each row
    // again per key; with candidates spread over a large store that was from memory,
    // ~50 ns per cell (1,000 new candidates, 50 keys: ~2.5 ms of a re-rank).
    constexpr size_t kBlock = 128;  // 32 KB of rows at d = 64
    for (size_t start = 0; start < n; start += kBlock) {
      const size_t end = std::min(n, start + kBlock);
      for (size_t q = 0; q < keyCount; ++q) {
        const uint32_t c = keyColumn_[q];
        if (columnEpoch_[c] <= oldest) continue;  // every candidate has it
        missing_.clear();
        missingSlots_.clear();
        for (size_t j = start; j < end; ++j)
          if (rowEpoch_[candidateRow_[j]] < columnEpoch_[c]) {
            missing_.push_back(candidateRow_[j]);
            missingSlots_.push_back(slotOf(j));
          }
        if (missing_.empty()) continue;
        const size_t m = missing_.size();
        missingCells_.resize(m);
        computeCells(store, missingSlots_.data(), m, keySlots[q], sharpness, key_, scratch_, missingCells_.data());
        float* column = cells_.data() + static_cast<size_t>(c) * maxRows_;
        for (size_t i = 0; i < m; ++i) column[missing_[i]] = missingCells_[i];
        lastComputed_ += m;
      }
    }
  }
  for (size_t j = 0; j < n; ++j) rowEpoch_[candidateRow_[j]] = epoch_;
  lastListIntact_ = true;
  lastListEpoch_ = epoch_;
  lastContiguous_ = contiguous;
  lastRowLow_ = rowLow;
  lastRowHigh_ = rowHigh;

  // The sums, row by row over a contiguous run of rows: every row's total is
  // 0 + c0 x0 + c1 x1 + ... in key order wherever it is computed, so the three ways below
  // give the same floats.
  auto column = [&](size_t key) { return cells_.data() + static_cast<size_t>(keyColumn_[key]) * maxRows_; };
  auto sumRows = [&](float* out, uint32_t firstRow, size_t count) {
    size_t q = 0;
    for (; q + 4 <= keyCount; q += 4) {
      const float* columns[4] = {column(q) + firstRow, column(q + 1) + firstRow, column(q + 2) + firstRow,
                                 column(q + 3) + firstRow};
      addWeighted4(out, columns, count, coef + q);
    }
    for (; q < keyCount; ++q) addWeighted(out, column(q) + firstRow, nullptr, count, coef[q]);
  };
  if (sums && sameList && lastTotalsValid_) {  // no new event, the same list: its totals
    std::copy_n(lastTotals_.data(), n, totals);
    return;
  }
  if (sums) {
    // No new event, other candidates: their kept totals gathered per row, in one pass that
    // also checks every row has one (else the totals start again from zero, summed below).
    const float* const rowTotal = rowTotal_.data();
    const uint32_t* const rowTotalGeneration = rowTotalGeneration_.data();
    const uint32_t generation = sumGeneration_;
    bool allKept = true;
    for (size_t j = 0; j < n; ++j) {
      const uint32_t r = candidateRow_[j];
      totals[j] = rowTotal[r];
      allKept &= rowTotalGeneration[r] == generation;
    }
    if (allKept) {
      lastTotals_.assign(totals, totals + n);
      lastTotalsValid_ = true;
      return;
    }
    std::fill(totals, totals + n, 0.0f);
  }
  lastSummed_ = n;
  const size_t span = static_cast<size_t>(rowHigh) - rowLow + 1;
  if (contiguous) {
    sumRows(totals, candidateRow_[0], n);
  } else if (span <= 2 * n) {
    // The same rows in another order (a feed's candidates reshuffled, a few added): sum
    // the whole run of rows they lie in, then pick each candidate's total. Per-element
    // gathers over every key column would cost keyCount times more.
    rangeTotals_.assign(span, 0.0f);
    sumRows(rangeTotals_.data(), rowLow, span);
    for (size_t j = 0; j < n; ++j) totals[j] = rangeTotals_[candidateRow_[j] - rowLow];
  } else {
    for (size_t q = 0; q < keyCount; ++q) addWeighted(totals, column(q), candidateRow_.data(), n, coef[q]);
  }
  lastTotals_.assign(totals, totals + n);
  lastTotalsValid_ = lastTotalsPending_ = true;
}

}  // namespace ie
