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

// How many of x[0 .. m) are >= t (m a multiple of 4).
size_t countAtLeast(const float* x, size_t m, float t) {
#if defined(__wasm_simd128__)
  const v128_t threshold = wasm_f32x4_splat(t);
  v128_t counts = wasm_i32x4_splat(0);
  for (size_t i = 0; i < m; i += 4) counts = wasm_i32x4_sub(counts, wasm_f32x4_ge(wasm_v128_load(x + i), threshold));
  return static_cast<size_t>(wasm_i32x4_extract_lane(counts, 0)) + wasm_i32x4_extract_lane(counts, 1) +
         wasm_i32x4_extract_lane(counts, 2) + wasm_i32x4_extract_lane(counts, 3);
#else
  size_t count = 0;
  for (size_t i = 0; i < m; ++i) count += x[i] >= t;
  return count;
#endif
}

// A tighter lower bound on the k-th best score than scoreBound, for moderate n (16 k <= n):
// m = 4k (rounded up to a multiple of 4) strided blocks, block b holding scores[b],
// scores[b + m], ...; their maxima are the scores of m distinct items, so any t that at
// least k maxima reach is reached by at least k items. t is found by bisection over the
// maxima (a SIMD count per step), kept where the count is still >= k. Typically ~1.2 k
// scores pass it, against ~4 k for the smallest of k block maxima: the selection and its
// mispredicted branches then run over a third of the candidates.
float tightScoreBound(const float* scores, size_t n, size_t k, std::vector<float>& maxima) {
  const size_t m = (4 * k + 3) / 4 * 4;
  maxima.assign(scores, scores + m);
  float* top = maxima.data();
  size_t start = m;
  for (; start + m <= n; start += m) {
    const float* row = scores + start;
#if defined(__wasm_simd128__)
    for (size_t i = 0; i < m; i += 4)
      wasm_v128_store(top + i, wasm_f32x4_pmax(wasm_v128_load(top + i), wasm_v128_load(row + i)));
#else
    for (size_t i = 0; i < m; ++i) top[i] = std::max(top[i], row[i]);
#endif
  }
  for (size_t i = start; i < n; ++i) top[i - start] = std::max(top[i - start], scores[i]);
  float lo = top[0], hi = top[0];
  for (size_t i = 1; i < m; ++i) lo = std::min(lo, top[i]), hi = std::max(hi, top[i]);
  // Every maximum reaches lo (count m >= k). Halve [lo, hi) until few more than k pass.
  size_t passing = m;
  for (int step = 0; step < 16 && passing > k + k / 4; ++step) {
    const float mid = lo + (hi - lo) * 0.5f;
    if (!(mid > lo && mid < hi)) break;  // no float strictly between (or not finite)
    const size_t c = countAtLeast(top, m, mid);
    if (c >= k) lo = mid, passing = c;
    else hi = mid;
  }
  return lo;
}
}  // namespace

void selectTopK(const float* scores, size_t n, size_t k, std::vector<uint32_t>& out) {
  k = std::min(k, n);
  out.clear();
  if (k == 0) return;
  if (k * 16 <= n) {
    // A lower bound on the k-th best score (tightScoreBound, or for large n the smallest
    // of k block maxima); only the scores at or above it are ranked: as 64-bit keys
    // (order-preserving score bits, then index), selected and sorted with integer compares.
    thread_local std::vector<uint64_t> kept;
    size_t count = 0;
    uint32_t i = 0;
    if (n <= kBranchFreeFilter) {
      // Branch-free compaction: every index is written, the count advances past the kept
      // ones only. Which ones pass changes from call to call (a feed re-ranked after each
      // event): a branch per score or per group of four would mispredict often.
      thread_local std::vector<float> maxima;
      thread_local std::vector<uint32_t> passed;
      const float bound = tightScoreBound(scores, n, k, maxima);
      if (passed.size() < n) passed.resize(n);
      uint32_t* at = passed.data();
      for (; i < n; ++i) {
        at[count] = i;
        count += scores[i] >= bound;
      }
      if (kept.size() < count) kept.resize(count);
      for (size_t j = 0; j < count; ++j) kept[j] = rankKey(scores[at[j]], at[j]);
    } else {
      const float bound = scoreBound(scores, n / k / 4 * 4, k);
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
