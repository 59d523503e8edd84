#include "engine/topk.h"

#include <algorithm>
#include <cstring>

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
}  // namespace

void selectTopK(const float* scores, size_t n, size_t k, std::vector<uint32_t>& out) {
  k = std::min(k, n);
  out.clear();
  if (k == 0) return;
  auto better = [scores](uint32_t a, uint32_t b) { return ranksBefore(scores[a], a, scores[b], b); };

  if (k * 8 <= n) {
    // Bounded heap whose top is the worst of the current best k.
    out.reserve(k);
    for (uint32_t i = 0; i < k; ++i) out.push_back(i);
    std::make_heap(out.begin(), out.end(), better);
    for (uint32_t i = static_cast<uint32_t>(k); i < n; ++i) {
      // Cheap reject first: most items lose to the current k-th best.
      if (!better(i, out.front())) continue;
      std::pop_heap(out.begin(), out.end(), better);
      out.back() = i;
      std::push_heap(out.begin(), out.end(), better);
    }
    std::sort_heap(out.begin(), out.end(), better);
    return;
  }
  // Sort 64-bit keys (order-preserving score bits, then index): one integer compare
  // per step instead of two float compares through a lambda.
  std::vector<uint64_t> keys(n);
  for (uint32_t i = 0; i < n; ++i) keys[i] = (static_cast<uint64_t>(descendingKey(scores[i])) << 32) | i;
  if (k < n) std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys.end());
  else std::sort(keys.begin(), keys.end());
  out.resize(k);
  for (size_t i = 0; i < k; ++i) out[i] = static_cast<uint32_t>(keys[i]);
}

}  // namespace ie
