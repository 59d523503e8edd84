#include "engine/topk.h"

#include <algorithm>

namespace ie {

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
  out.resize(n);
  for (uint32_t i = 0; i < n; ++i) out[i] = i;
  if (k < n) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), better);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
}

}  // namespace ie
