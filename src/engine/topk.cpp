#include "engine/topk.h"

#include <algorithm>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace ie {

namespace {
// Maps a float to a uint32 that sorts ascending as the float sorts descending
// (-0 and +0 compare equal as floats, so both map to the key of +0).
inline uint32_t descendingKey(float score) {
  if (score == 0) score = 0;
  uint32_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  const uint32_t ascending = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return ~ascending;
}

// The rank key of scores[index]: a higher score first, then the lower index (the order of
// ranksBefore), as one 64-bit integer compare.
inline uint64_t rankKey(float score, uint32_t index) {
  return (static_cast<uint64_t>(descendingKey(score)) << 32) | index;
}

// Up to this many scores, selectTopK filters without branches (see there).
constexpr size_t kBranchFreeFilter = 16384;

// min over b < k of max(scores[b * block .. (b + 1) * block)), block a positive multiple of 4.
float scoreBound(const float* scores, size_t block, size_t k) {
  float bound = 0;
  for (size_t b = 0; b < k; ++b) {
    const float* x = scores + b * block;
#if defined(__wasm_simd128__)
    v128_t m = wasm_v128_load(x);
    for (size_t i = 4; i < block; i += 4) m = wasm_f32x4_pmax(m, wasm_v128_load(x + i));
    const float best = std::max(std::max(wasm_f32x4_extract_lane(m, 0), wasm_f32x4_extract_lane(m, 1)),
                                std::max(wasm_f32x4_extract_lane(m, 2), wasm_f32x4_extract_lane(m, 3)));
#else
    float best = x[0];
    for (size_t i = 1; i < block; ++i) best = std::max(best, x[i]);
#endif
    bound = b == 0 ? best : std::min(bound, best);
  }
  return bound;
}
}  // namespace

void selectTopK(const float* scores, size_t n, size_t k, std::vector<uint32_t>& out) {
  k = std::min(k, n);
  out.clear();
  if (k == 0) return;
  if (k * 16 <= n) {
    // The smallest of k block maxima bounds the k-th best from below; only the scores at
    // or above it (typically 2-3 k of them) are ranked: as 64-bit keys (order-preserving
    // score bits, then index), selected and sorted with integer compares.
    const size_t block = n / k / 4 * 4;
    const float bound = scoreBound(scores, block, k);
    thread_local std::vector<uint64_t> kept;
    size_t count = 0;
    uint32_t i = 0;
    if (n <= kBranchFreeFilter) {
      // Branch-free compaction: every key is written, the count advances past the kept
      // ones only. Some 2-3 k of n pass, and which ones changes from call to call (a
      // feed re-ranked after each event): a branch per score or per group of four would
      // mispredict often.
      if (kept.size() < n) kept.resize(n);
      uint64_t* keys = kept.data();
      for (; i < n; ++i) {
        keys[count] = rankKey(scores[i], i);
        count += scores[i] >= bound;
      }
    } else {
      // Large n: few groups of four hold a kept score, so the skip is well predicted.
      kept.clear();
#if defined(__wasm_simd128__)
      for (; i + 4 <= n; i += 4) {
        if (!wasm_v128_any_true(wasm_f32x4_ge(wasm_v128_load(scores + i), wasm_f32x4_splat(bound)))) continue;
        for (uint32_t t = i; t < i + 4; ++t)
          if (scores[t] >= bound) kept.push_back(rankKey(scores[t], t));
      }
#endif
      for (; i < n; ++i)
        if (scores[i] >= bound) kept.push_back(rankKey(scores[i], i));
      count = kept.size();
    }
    uint64_t* keys = kept.data();
    if (count > k) std::nth_element(keys, keys + (k - 1), keys + count);
    const size_t top = std::min(k, count);
    std::sort(keys, keys + top);
    out.resize(top);
    for (size_t r = 0; r < top; ++r) out[r] = static_cast<uint32_t>(keys[r]);
    return;
  }
  if (k * 8 <= n) {
    // Bounded heap whose top is the worst of the current best k.
    TopKStream stream;
    stream.reset(k);
    stream.offer(scores, 0, n);
    stream.finish(out);
    return;
  }
  // Sort 64-bit keys (order-preserving score bits, then index): one integer compare
  // per step instead of two float compares through a lambda.
  std::vector<uint64_t> keys(n);
  for (uint32_t i = 0; i < n; ++i) keys[i] = rankKey(scores[i], i);
  if (k < n) std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys.end());
  else std::sort(keys.begin(), keys.end());
  out.resize(k);
  for (size_t i = 0; i < k; ++i) out[i] = static_cast<uint32_t>(keys[i]);
}

namespace {
inline bool entryBefore(float sa, uint32_t ia, float sb, uint32_t ib) { return ranksBefore(sa, ia, sb, ib); }
}  // namespace

void TopKStream::reset(size_t k) {
  k_ = k;
  heap_.clear();
  heap_.reserve(k);
}

void TopKStream::replaceTop(float score, uint32_t index) {
  // Sift the newcomer down from the root of the min-heap (worst at the root).
  const size_t size = heap_.size();
  size_t pos = 0;
  for (;;) {
    size_t child = 2 * pos + 1;
    if (child >= size) break;
    if (child + 1 < size &&
        entryBefore(heap_[child].score, heap_[child].index, heap_[child + 1].score, heap_[child + 1].index))
      ++child;  // the worse child
    if (!entryBefore(score, index, heap_[child].score, heap_[child].index)) break;
    heap_[pos] = heap_[child];
    pos = child;
  }
  heap_[pos] = Entry{score, index};
}

void TopKStream::push(float score, uint32_t index) {
  // Filling: push and sift up.
  const Entry e{score, index};
  size_t pos = heap_.size();
  heap_.push_back(e);
  while (pos > 0) {
    const size_t parent = (pos - 1) / 2;
    if (!entryBefore(heap_[parent].score, heap_[parent].index, e.score, e.index)) break;
    heap_[pos] = heap_[parent];
    pos = parent;
  }
  heap_[pos] = e;
}

void TopKStream::offer(const float* scores, uint32_t base, size_t count) {
  if (k_ == 0) return;
  size_t j = 0;
  for (; j < count && heap_.size() < k_; ++j) push(scores[j], base + static_cast<uint32_t>(j));
  if (j == count) return;
  // Full: a later index beats the worst kept only with a strictly higher score.
  float threshold = heap_.front().score;
#if defined(__wasm_simd128__)
  // Four scores per compare; a group with a candidate is replayed one by one.
  for (; j + 4 <= count; j += 4) {
    if (!wasm_v128_any_true(wasm_f32x4_gt(wasm_v128_load(scores + j), wasm_f32x4_splat(threshold)))) continue;
    for (size_t t = j; t < j + 4; ++t) {
      if (!(scores[t] > threshold)) continue;
      replaceTop(scores[t], base + static_cast<uint32_t>(t));
      threshold = heap_.front().score;
    }
  }
#endif
  for (; j < count; ++j) {
    const float s = scores[j];
    if (!(s > threshold)) continue;
    replaceTop(s, base + static_cast<uint32_t>(j));
    threshold = heap_.front().score;
  }
}

void TopKStream::finish(std::vector<uint32_t>& out, std::vector<float>* scores) {
  std::sort(heap_.begin(), heap_.end(),
            [](const Entry& a, const Entry& b) { return entryBefore(a.score, a.index, b.score, b.index); });
  out.resize(heap_.size());
  for (size_t i = 0; i < heap_.size(); ++i) out[i] = heap_[i].index;
  if (scores) {
    scores->resize(heap_.size());
    for (size_t i = 0; i < heap_.size(); ++i) (*scores)[i] = heap_[i].score;
  }
}

}  // namespace ie
